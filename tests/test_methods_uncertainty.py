"""Monte Carlo uncertainty and Sobol' sensitivity of a composite's ranking
(methods.mcda.uncertainty).

The estimators are checked on the Ishigami function (a = 7, b = 0.1), whose indices are known
analytically (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*, §4.7; Homma &
Saltelli 1996), and against SALib's ``sobol.analyze`` on the same samples. Every run of the
analysis is checked to be the composite that methods.mcda.composite computes for its parameters.
"""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample
from SALib.test_functions import Ishigami

from innoalliance.errors import MethodError
from innoalliance.methods.mcda import uncertainty as uncertainty_module
from innoalliance.methods.mcda.composite import Level, Tree, aggregate, impute, normalize, rank_desc
from innoalliance.methods.mcda.uncertainty import (
    Choices,
    Pipeline,
    UncertaintyResult,
    sobol_indices,
    uncertainty,
)

ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]
PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def _ishigami(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SALib's Saltelli samples; rows per base sample j: A_j, AB_1j, AB_2j, AB_3j, B_j."""
    Y = Ishigami.evaluate(salib_sample.sample(PROBLEM, n, calc_second_order=False, seed=seed))
    step = PROBLEM["num_vars"] + 2
    f_AB = np.stack([Y[i + 1 :: step] for i in range(PROBLEM["num_vars"])])
    return Y, Y[::step], Y[step - 1 :: step], f_AB


def test_sobol_indices_on_ishigami_match_analytic_values() -> None:
    _, f_A, f_B, f_AB = _ishigami(2**14, seed=11)
    first, total = sobol_indices(f_A, f_B, f_AB)
    np.testing.assert_allclose(first, ISHIGAMI_S1, atol=0.02)
    np.testing.assert_allclose(total, ISHIGAMI_ST, atol=0.02)


def test_sobol_indices_agree_with_salib_on_the_same_samples() -> None:
    Y, f_A, f_B, f_AB = _ishigami(2**10, seed=5)
    first, total = sobol_indices(f_A, f_B, f_AB)
    salib = salib_analyze.analyze(PROBLEM, Y, calc_second_order=False, num_resamples=10, seed=1)
    np.testing.assert_allclose(first, salib["S1"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(total, salib["ST"], rtol=1e-12, atol=1e-12)


def test_sobol_indices_of_a_constant_output_are_zero() -> None:
    first, total = sobol_indices(np.ones(5), np.ones(5), np.ones((2, 5)))
    np.testing.assert_array_equal(first, [0.0, 0.0])
    np.testing.assert_array_equal(total, [0.0, 0.0])


def test_sobol_indices_keep_leading_axes() -> None:
    _, f_A, f_B, f_AB = _ishigami(2**8, seed=3)
    first, total = sobol_indices(np.stack([f_A, f_A]), np.stack([f_B, f_B]), np.stack([f_AB, f_AB]))
    single = sobol_indices(f_A, f_B, f_AB)
    np.testing.assert_allclose(first, np.stack([single[0]] * 2))
    np.testing.assert_allclose(total, np.stack([single[1]] * 2))


# --------------------------------------------------------------------------- the analysis


def _data(missing: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, Tree]:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(0.0, 1.0, (60, 9))
    X[rng.random(X.shape) < missing] = np.nan
    X[:, 0] = np.where(np.isnan(X[:, 0]), 1.0, X[:, 0])  # every unit keeps an observed value
    directions = np.array([1, 1, -1, 1, 1, 1, -1, 1, 1])
    tree = Tree(
        (
            Level(np.array([0, 0, 0, 1, 1, 2, 2, 2, 2]), 1.0 + np.arange(9) % 3),
            Level(np.zeros(3, dtype=np.int64), np.array([1.0, 2.0, 1.0])),
        )
    )
    return X, directions, tree


FULL = Choices(
    normalizations=("minmax", "rank", "distance-to-max"),
    aggregations=("arithmetic", "geometric"),
    imputations=("none", "mean", "median"),
    weight_noise=0.25,
    lower=1.0,
    upper=100.0,
)
NOMINAL = Pipeline("minmax", "arithmetic", "mean")


def _replay(
    X: np.ndarray, directions: np.ndarray, result: UncertaintyResult, i: int
) -> tuple[np.ndarray, float]:
    pipeline, tree = result.run(i)
    c = result.choices
    Xn = impute(X, pipeline.imputation)[0]
    if pipeline.normalization != "none":  # "none": the values as given
        Xn = normalize(Xn, directions, pipeline.normalization, lower=c.lower, upper=c.upper)
    scores = aggregate(Xn, tree, pipeline.aggregation).scores
    return scores, float(np.abs(rank_desc(scores) - result.nominal_ranks).mean())


@pytest.mark.parametrize("missing", [0.0, 0.1])
def test_every_run_is_the_composite_of_its_parameters(missing: float) -> None:
    X, directions, tree = _data(missing)
    choices = (
        FULL
        if missing
        else Choices(FULL.normalizations, FULL.aggregations, ("mean",), 0.25, 1.0, 100.0)
    )
    result = uncertainty(
        X, directions, tree, nominal=NOMINAL, choices=choices, draws=40, seed=7, bootstrap=50
    )
    k = len(result.factors)
    assert result.factors == (("weights", "normalization", "aggregation", "imputation")[:k])
    assert result.n_runs == 40 * (k + 2) == len(result.mean_rank_shift)
    assert result.runs.weights.shape == (result.n_runs, X.shape[1])
    np.testing.assert_allclose(result.runs.weights.sum(axis=1), 1.0)
    for i in np.random.default_rng(1).choice(result.n_runs, 25, replace=False):
        _, shift = _replay(X, directions, result, int(i))
        assert shift == pytest.approx(result.mean_rank_shift[i], abs=1e-9)
    nominal = aggregate(normalize(impute(X, "mean")[0], directions, "minmax", lower=1.0), tree)
    np.testing.assert_allclose(result.nominal_scores, nominal.scores, rtol=1e-12)
    np.testing.assert_array_equal(result.nominal_ranks, rank_desc(nominal.scores))


def test_the_design_follows_saltelli() -> None:
    X, directions, tree = _data(0.1)
    result = uncertainty(
        X, directions, tree, nominal=NOMINAL, choices=FULL, draws=30, seed=3, bootstrap=0
    )
    r, n = result.runs, 30
    blocks = {f: slice((2 + k) * n, (3 + k) * n) for k, f in enumerate(result.factors)}
    a, b = slice(0, n), slice(n, 2 * n)
    steps = {
        "normalization": r.normalization,
        "aggregation": r.aggregation,
        "imputation": r.imputation,
    }
    for factor, block in blocks.items():  # AB_i: A with factor i (and only it) from B
        for step, index in steps.items():
            np.testing.assert_array_equal(index[block], index[b if step == factor else a])
        source = b if factor == "weights" else a
        np.testing.assert_allclose(r.weights[block], r.weights[source])
    assert result.first_order_ci == {} and result.total_ci == {}
    for level, w, nominal in zip(
        tree.levels, r.level_weights, tree.level_weights(), strict=True
    ):  # siblings drawn within ±25 %, then renormalised
        ratio = (w / nominal)[:, :, None] / (w / nominal)[:, None, :]
        siblings = level.parent[:, None] == level.parent[None, :]
        assert np.all(ratio[:, siblings] <= 1.25 / 0.75 + 1e-12)
        assert np.ptp(ratio[:, siblings]) > 0.1


def test_same_seed_same_result_other_seed_other_runs() -> None:
    X, directions, tree = _data(0.1)
    first, again, other = (
        uncertainty(
            X, directions, tree, nominal=NOMINAL, choices=FULL, draws=20, seed=s, bootstrap=20
        )
        for s in (4, 4, 5)
    )
    np.testing.assert_array_equal(first.mean_rank_shift, again.mean_rank_shift)
    np.testing.assert_array_equal(first.runs.weights, again.runs.weights)
    assert first.first_order == again.first_order and first.total_ci == again.total_ci
    assert not np.array_equal(first.runs.weights, other.runs.weights)


def test_chunks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    X, directions, tree = _data(0.1)
    whole = uncertainty(X, directions, tree, nominal=NOMINAL, choices=FULL, draws=25, seed=9)
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(uncertainty_module, "_BUDGET", 1)  # one run per chunk
    pieces = uncertainty(
        X,
        directions,
        tree,
        nominal=NOMINAL,
        choices=FULL,
        draws=25,
        seed=9,
        progress=lambda done, total: calls.append((done, total)),
    )
    np.testing.assert_allclose(pieces.mean_rank_shift, whole.mean_rank_shift, atol=1e-12)
    np.testing.assert_allclose(pieces.median_rank, whole.median_rank)
    assert len(calls) == whole.n_runs and calls[-1] == (whole.n_runs, whole.n_runs)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_rank_statistics_and_indices() -> None:
    X, directions, tree = _data(0.1)
    result = uncertainty(
        X,
        directions,
        tree,
        nominal=NOMINAL,
        choices=FULL,
        draws=200,
        seed=2,
        quantiles=(0.1, 0.9),
        bootstrap=200,
    )
    assert np.all(result.rank_low <= result.median_rank)
    assert np.all(result.median_rank <= result.rank_high)
    assert result.rank_low.min() >= 1 and result.rank_high.max() <= len(X)
    assert set(result.first_order) == set(result.total) == set(result.factors)
    for factor in result.factors:
        low, high = result.total_ci[factor]
        assert low <= high
        assert result.total[factor] >= -0.05  # a variance share, up to sampling error
    # a rank-preserving choice moves ranks less than normalisation and aggregation do
    assert result.total["imputation"] < result.total["normalization"]


def test_geometric_with_missing_values_left_in() -> None:
    X, directions, tree = _data(0.15, seed=3)
    choices = Choices(("minmax", "rank"), ("geometric",), ("none", "median"), 0.3, 1.0, 50.0)
    result = uncertainty(
        X,
        directions,
        tree,
        nominal=Pipeline("rank", "geometric", "none"),
        choices=choices,
        draws=15,
        seed=1,
        bootstrap=0,
    )
    for i in range(0, result.n_runs, 7):
        _, shift = _replay(X, directions, result, i)
        assert shift == pytest.approx(result.mean_rank_shift[i], abs=1e-9)


def test_values_already_normalised_can_be_kept_as_given() -> None:
    X, directions, tree = _data(0.1)
    given = normalize(X, directions, "minmax", lower=1.0)  # e.g. goalposts applied upstream
    choices = Choices(
        ("none", "minmax", "rank"), ("arithmetic", "geometric"), ("none", "mean"), 0.25, 1.0, 100.0
    )
    result = uncertainty(
        given,
        np.ones(9),
        tree,
        nominal=Pipeline("none", "arithmetic", "none"),
        choices=choices,
        draws=20,
        seed=8,
        bootstrap=0,
    )
    np.testing.assert_allclose(result.nominal_scores, aggregate(given, tree).scores)
    for i in range(0, result.n_runs, 5):
        _, shift = _replay(given, np.ones(9), result, i)
        assert shift == pytest.approx(result.mean_rank_shift[i], abs=1e-9)
    with pytest.raises(MethodError, match="normalisation 'none' with imputation 'none' gives -"):
        uncertainty(
            given - 2.0,
            np.ones(9),
            tree,
            nominal=Pipeline("none", "arithmetic", "none"),
            choices=choices,
            draws=20,
            seed=8,
        )


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("missing", "choices", "nominal", "message"),
    [
        (
            0.0,
            Choices(imputations=("mean", "median"), weight_noise=0.1),
            Pipeline(imputation="mean"),
            r"imputation is varied \('mean', 'median'\), but no value is missing",
        ),
        (
            0.0,
            Choices(normalizations=("minmax", "rank")),
            Pipeline("zscore"),
            "the nominal normalisation 'zscore' is not among the alternatives",
        ),
        (0.0, Choices(), Pipeline(), "nothing is varied"),
        (
            0.0,
            Choices(
                aggregations=("arithmetic", "geometric"),
                normalizations=("minmax", "zscore"),
                lower=1.0,
            ),
            Pipeline(),
            "normalisation 'zscore' with imputation 'none' gives",
        ),
        (
            0.0,
            Choices(aggregations=("arithmetic", "geometric")),
            Pipeline(),
            "normalisation 'minmax' with imputation 'none' gives 0",
        ),
        (0.0, Choices(weight_noise=1.0), Pipeline(), r"weight_noise must be in \[0, 1\)"),
        (0.0, Choices(normalizations=("rank", "rank")), Pipeline("rank"), "repeat a method"),
        (
            0.0,
            Choices(normalizations=("minmax", "softmax")),
            Pipeline(),
            "unknown normalisation method 'softmax'",
        ),
    ],
)
def test_refuses(missing: float, choices: Choices, nominal: Pipeline, message: str) -> None:
    X, directions, tree = _data(missing)
    with pytest.raises(MethodError, match=message):
        uncertainty(X, directions, tree, nominal=nominal, choices=choices, draws=10, seed=0)


def test_refuses_too_few_draws_and_bad_quantiles() -> None:
    X, directions, tree = _data()
    choices = Choices(weight_noise=0.2)
    with pytest.raises(MethodError, match="draws must be an integer ≥ 2"):
        uncertainty(X, directions, tree, nominal=Pipeline(), choices=choices, draws=1, seed=0)
    with pytest.raises(MethodError, match="not 0 ≤ low < high ≤ 1"):
        uncertainty(
            X,
            directions,
            tree,
            nominal=Pipeline(),
            choices=choices,
            draws=5,
            seed=0,
            quantiles=(0.9, 0.1),
        )


def test_refuses_weights_that_cannot_vary() -> None:
    X, directions, _ = _data()
    chain = Tree((Level(np.arange(3), np.ones(3)), Level(np.zeros(3, dtype=np.int64), np.ones(3))))
    with pytest.raises(MethodError, match="varying the weights cannot change any score"):
        uncertainty(
            X[:, :1],
            directions[:1],
            Tree.flat(1),
            nominal=Pipeline(),
            choices=Choices(weight_noise=0.2),
            draws=5,
            seed=0,
        )
    with pytest.raises(MethodError, match="varying the aggregation cannot change any score"):
        uncertainty(
            X[:, :1],
            directions[:1],
            Tree.flat(1),
            nominal=Pipeline(),
            choices=Choices(aggregations=("arithmetic", "geometric"), lower=1.0),
            draws=5,
            seed=0,
        )
    result = uncertainty(
        X[:, :3],
        directions[:3],
        chain,
        nominal=Pipeline(),
        choices=Choices(weight_noise=0.2),
        draws=5,
        seed=0,
        bootstrap=0,
    )
    assert result.factors == ("weights",)  # single-child nodes above, siblings at the top


def test_refuses_a_unit_without_data_when_not_imputing() -> None:
    X, directions, tree = _data(0.1)
    X[4] = np.nan
    with pytest.raises(MethodError, match="unit 'u5' has no observed indicator"):
        uncertainty(
            X,
            directions,
            tree,
            nominal=NOMINAL,
            choices=FULL,
            draws=5,
            seed=0,
            units=[f"u{i + 1}" for i in range(len(X))],
        )
