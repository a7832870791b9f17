"""Normalisation, imputation, hierarchical aggregation and ranking (methods.mcda.composite).

Published examples reproduced:

- OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
  Table 15 "Examples of normalisation techniques using TAI data" (p. 87): mean years of school
  (age 15 and above) of 23 countries, with their rank, z-score, min-max and distance to the best
  performer, printed to two decimals.
- UNDP, Human Development Report 1999 method, as worked in Mozambique's National Human
  Development Report 2000, technical note (http://www.sardc.net/HDev/MHDR2000/Eng/TechNotes/8.html):
  goalpost (min-max) indices, education = 2/3 literacy + 1/3 enrolment, HDI = arithmetic mean.
- UNDP, Human Development Report 2015, Table 1 (HDI 2014 and its components) and the goalposts of
  technical note 1 (life expectancy 20–85, expected schooling 0–18, mean schooling 0–15, GNI per
  capita 100–75,000 on a log scale; education the arithmetic mean of its two indices, HDI the
  geometric mean of the three dimension indices).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.composite import (
    Level,
    Tree,
    aggregate,
    impute,
    normalize,
    rank_desc,
)

# --------------------------------------------------------------------------- Handbook Table 15

# country: (mean years of school, rank, z-score, min-max, distance to reference c = best)
TAI_SCHOOLING = {
    "Finland": (10.0, 15, 0.26, 0.59, 0.83),
    "United States": (12.0, 23, 1.52, 1.00, 1.00),
    "Sweden": (11.4, 19, 1.14, 0.88, 0.95),
    "Japan": (9.5, 12, -0.06, 0.49, 0.79),
    "Korea, Rep.": (10.8, 17, 0.76, 0.76, 0.90),
    "Netherlands": (9.4, 9, -0.12, 0.47, 0.78),
    "UK": (9.4, 9, -0.12, 0.47, 0.78),
    "Canada": (11.6, 20, 1.27, 0.92, 0.97),
    "Australia": (10.9, 18, 0.83, 0.78, 0.91),
    "Singapore": (7.1, 1, -1.58, 0.00, 0.59),
    "Germany": (10.2, 16, 0.38, 0.63, 0.85),
    "Norway": (11.9, 22, 1.46, 0.98, 0.99),
    "Ireland": (9.4, 9, -0.12, 0.47, 0.78),
    "Belgium": (9.3, 8, -0.19, 0.45, 0.78),
    "New Zealand": (11.7, 21, 1.33, 0.94, 0.98),
    "Austria": (8.4, 6, -0.76, 0.27, 0.70),
    "France": (7.9, 5, -1.08, 0.16, 0.66),
    "Israel": (9.6, 14, 0.00, 0.51, 0.80),
    "Spain": (7.3, 4, -1.46, 0.04, 0.61),
    "Italy": (7.2, 3, -1.52, 0.02, 0.60),
    "Czech Rep.": (9.5, 12, -0.06, 0.49, 0.79),
    "Hungary": (9.1, 7, -0.31, 0.41, 0.76),
    "Slovenia": (7.1, 1, -1.58, 0.00, 0.59),
}
TAI = np.array(list(TAI_SCHOOLING.values()))
SCHOOLING = TAI[:, :1]


@pytest.mark.parametrize(
    ("method", "column", "upper"),
    [("zscore", 2, 100.0), ("minmax", 3, 1.0), ("distance-to-max", 4, 1.0)],
)
def test_handbook_table_15_normalisations(method: str, column: int, upper: float) -> None:
    out = normalize(SCHOOLING, [1], method, lower=0.0, upper=upper)[:, 0]
    np.testing.assert_array_equal(np.round(out, 2), TAI[:, column])


def test_handbook_table_15_ranks() -> None:
    # the Handbook ranks 1 = lowest, ties sharing the smallest rank: rank_desc of −x
    np.testing.assert_array_equal(rank_desc(-SCHOOLING[:, 0]), TAI[:, 1])
    # percentile ranks on [1, n] are the ranks themselves; ties get their average rank instead
    ranks = normalize(SCHOOLING, [1], "rank", lower=1.0, upper=23.0)[:, 0]
    untied = (SCHOOLING == SCHOOLING.T).sum(axis=1) == 1
    np.testing.assert_allclose(ranks[untied], TAI[untied, 1])
    np.testing.assert_allclose(ranks[~untied], [12.5, 10, 10, 1.5, 10, 12.5, 1.5])


# --------------------------------------------------------------------------- HDR examples


def _with_goalposts(values: np.ndarray, low: list[float], high: list[float]) -> np.ndarray:
    """Goalpost indices as min-max over the data with the goalposts added as two more units."""
    padded = np.vstack([np.clip(values, low, high), low, high])
    return normalize(padded, [1] * len(low), "minmax", lower=0.0, upper=1.0)[:-2]


def test_hdr_1999_arithmetic_hierarchy() -> None:
    # life expectancy, adult literacy %, gross enrolment %, log real GDP per capita (PPP$)
    raw = np.array([[77.2, 99.0, 88.1, 21_260], [69.8, 82.9, 68.9, 3_130], [42.3, 39.5, 32.0, 740]])
    raw[:, 3] = np.log(raw[:, 3])
    indices = _with_goalposts(raw, [25, 0, 0, np.log(100)], [85, 100, 100, np.log(40_000)])
    tree = Tree(
        (
            Level(np.array([0, 1, 1, 2]), np.array([1.0, 2.0, 1.0, 1.0])),
            Level(np.zeros(3, dtype=np.int64), np.ones(3)),
        )
    )
    result = aggregate(indices, tree)
    published_dimensions = [[0.870, 0.954, 0.895], [0.747, 0.782, 0.575], [0.288, 0.370, 0.334]]
    np.testing.assert_allclose(result.levels[1], published_dimensions, atol=5e-4)
    np.testing.assert_allclose(result.scores, [0.906, 0.701, 0.331], atol=5e-4)
    np.testing.assert_array_equal(result.levels[2][:, 0], result.scores)
    np.testing.assert_array_equal(result.levels[0], indices)


HDR_2015 = {  # HDI 2014, life expectancy, expected and mean years of schooling, GNI per capita
    "Norway": (0.944, 81.6, 17.5, 12.6, 64_992),
    "Australia": (0.935, 82.4, 20.2, 13.0, 42_261),
    "Switzerland": (0.930, 83.0, 15.8, 12.8, 56_431),
    "Denmark": (0.923, 80.2, 18.7, 12.7, 44_025),
    "Netherlands": (0.922, 81.6, 17.9, 11.9, 45_435),
    "Germany": (0.916, 80.9, 16.5, 13.1, 43_919),
    "Ireland": (0.916, 80.9, 18.6, 12.2, 39_568),
    "United States": (0.915, 79.1, 16.5, 12.9, 52_947),
    "Canada": (0.913, 82.0, 15.9, 13.0, 42_155),
    "New Zealand": (0.913, 81.8, 19.2, 12.5, 32_689),
    "Singapore": (0.912, 83.0, 15.4, 10.6, 76_628),
    "Hong Kong, China (SAR)": (0.910, 84.0, 15.6, 11.2, 53_959),
    "Liechtenstein": (0.908, 80.0, 15.0, 11.8, 79_851),
    "Sweden": (0.907, 82.2, 15.8, 12.1, 45_636),
    "United Kingdom": (0.907, 80.7, 16.2, 13.1, 39_267),
    "Iceland": (0.899, 82.6, 19.0, 10.6, 35_182),
    "Korea (Republic of)": (0.898, 81.9, 16.9, 11.9, 33_890),
    "Israel": (0.894, 82.4, 16.0, 12.5, 30_676),
    "Luxembourg": (0.892, 81.7, 13.9, 11.7, 58_711),
    "Japan": (0.891, 83.5, 15.3, 11.5, 36_927),
    "Belgium": (0.890, 80.8, 16.3, 11.3, 41_187),
    "France": (0.888, 82.2, 16.0, 11.1, 38_056),
    "Austria": (0.885, 81.4, 15.7, 10.8, 43_869),
    "Finland": (0.883, 80.8, 17.1, 10.3, 38_695),
}


def test_hdr_2015_geometric_mean_of_dimensions() -> None:
    table = np.array(list(HDR_2015.values()))
    raw = table[:, 1:].copy()
    raw[:, 3] = np.log(raw[:, 3])
    indices = _with_goalposts(raw, [20, 0, 0, np.log(100)], [85, 18, 15, np.log(75_000)])
    dimensions = Tree(
        (Level(np.array([0, 1, 1, 2]), np.ones(4)), Level(np.zeros(3, dtype=np.int64), np.ones(3)))
    )
    by_dimension = aggregate(indices, dimensions, "arithmetic").levels[1]
    hdi = aggregate(by_dimension, Tree.flat(3), "geometric").scores
    # the published components are rounded to 0.1 year and 1 dollar: HDI agrees within 0.0015
    np.testing.assert_allclose(hdi, table[:, 0], atol=1.5e-3)
    assert np.all(hdi <= by_dimension.mean(axis=1) + 1e-12)  # geometric ≤ arithmetic mean


def test_arithmetic_compensates_geometric_does_not() -> None:
    Xn = np.array([[5.0, 5.0], [1.0, 9.0]])
    np.testing.assert_allclose(aggregate(Xn, Tree.flat(2)).scores, [5.0, 5.0])
    np.testing.assert_allclose(aggregate(Xn, Tree.flat(2), "geometric").scores, [5.0, 3.0])


def test_geometric_refuses_zero_after_minmax_to_0_100() -> None:  # COINr #47
    X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
    with pytest.raises(MethodError, match="indicator 'a' is 0 for unit 1") as error:
        aggregate(normalize(X, [1, 1]), Tree.flat(2), "geometric", names=["a", "b"])
    assert "lower=1" in (error.value.hint or "")
    floor = normalize(X, [1, 1], lower=1.0)
    np.testing.assert_allclose(
        aggregate(floor, Tree.flat(2), "geometric").scores, [np.sqrt(50.5), np.sqrt(50.5), 100.0]
    )


# --------------------------------------------------------------------------- missing values


def test_missing_children_share_their_weight() -> None:
    tree = Tree(
        (
            Level(np.array([0, 0, 1, 1]), np.array([1.0, 3.0, 1.0, 1.0])),
            Level(np.array([0, 0]), np.array([2.0, 1.0])),
        )
    )
    Xn = np.array(
        [
            [10.0, 20.0, 30.0, 40.0],
            [np.nan, 20.0, 30.0, np.nan],
            [np.nan, np.nan, 30.0, 50.0],
            [np.nan, np.nan, np.nan, np.nan],
        ]
    )
    result = aggregate(Xn, tree)
    np.testing.assert_allclose(result.levels[1][:3], [[17.5, 35.0], [20.0, 30.0], [np.nan, 40.0]])
    np.testing.assert_allclose(result.scores[:3], [(2 * 17.5 + 35) / 3, (2 * 20 + 30) / 3, 40.0])
    assert np.isnan(result.scores[3])
    geometric = aggregate(Xn[:3], tree, "geometric")
    np.testing.assert_allclose(geometric.levels[1][1], [20.0, 30.0])
    np.testing.assert_allclose(geometric.scores[2], np.sqrt(30.0 * 50.0))


def test_impute_mean_median_none() -> None:
    X = np.array([[1.0, np.nan], [2.0, 4.0], [np.nan, 5.0], [9.0, 9.0]])
    filled, mask = impute(X, "mean")
    np.testing.assert_allclose(filled, [[1, 6], [2, 4], [4, 5], [9, 9]])
    np.testing.assert_array_equal(mask, np.isnan(X))
    np.testing.assert_allclose(impute(X, "median")[0], [[1, 5], [2, 4], [2, 5], [9, 9]])
    same, none = impute(X, "none")
    np.testing.assert_array_equal(same, X)
    assert not none.any()
    with pytest.raises(MethodError, match="unknown imputation method 'knn'"):
        impute(X, "knn")


# --------------------------------------------------------------------------- normalisation


def test_lower_is_better_is_reversed() -> None:
    X = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]])
    np.testing.assert_allclose(normalize(X, [1, -1])[:, 1], [100.0, 200 / 3, 0.0])
    np.testing.assert_allclose(
        normalize(X, ["benefit", "cost"], "zscore")[:, 1], -normalize(X, [1, 1], "zscore")[:, 1]
    )
    np.testing.assert_allclose(normalize(X, [1, -1], "rank", upper=1.0)[:, 1], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(normalize(X, [1, -1], "distance-to-max")[:, 1], [100.0, 50.0, 25.0])


def test_missing_values_stay_missing() -> None:
    X = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0], [np.nan, 4.0]])
    for method in ("minmax", "zscore", "rank", "distance-to-max"):
        out = normalize(X, [1, 1], method)
        np.testing.assert_array_equal(np.isnan(out), np.isnan(X))
    np.testing.assert_allclose(normalize(X, [1, 1], "rank")[:, 1], [np.nan, 0.0, 100.0, 50.0])


@pytest.mark.parametrize(
    ("X", "method", "message"),
    [
        ([[1.0, 2.0], [1.0, 3.0]], "minmax", "indicator 'a' has the same value"),
        ([[np.nan, 2.0], [np.nan, 3.0]], "minmax", "indicator 'a' has no observed value"),
        ([[-1.0, 2.0], [1.0, 3.0]], "distance-to-max", "indicator 'a' has the value -1"),
        ([[1.0, 2.0], [np.inf, 3.0]], "minmax", "unit 2, indicator 'a' is inf"),
        ([[1.0, 2.0], [2.0, 3.0]], "softmax", "unknown normalisation method 'softmax'"),
    ],
)
def test_normalize_refuses(X: list[list[float]], method: str, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        normalize(np.array(X), [1, 1], method, names=["a", "b"])


def test_normalize_refuses_bad_range_and_directions() -> None:
    X = np.array([[1.0, 2.0], [2.0, 3.0]])
    with pytest.raises(MethodError, match="not an interval"):
        normalize(X, [1, 1], lower=1.0, upper=1.0)
    with pytest.raises(MethodError, match="has type 0"):
        normalize(X, [1, 0])


# --------------------------------------------------------------------------- tree


def test_effective_weights_are_products_along_the_path() -> None:
    tree = Tree(
        (
            Level(np.array([0, 0, 1, 1, 1]), np.array([1.0, 1.0, 1.0, 2.0, 1.0])),
            Level(np.array([0, 0]), np.array([1.0, 3.0])),
        )
    )
    np.testing.assert_allclose(tree.level_weights()[0], [0.5, 0.5, 0.25, 0.5, 0.25])
    np.testing.assert_allclose(tree.effective_weights(), [0.125, 0.125, 0.1875, 0.375, 0.1875])
    np.testing.assert_allclose(Tree.flat(4).effective_weights(), [0.25] * 4)


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (
            (Level(np.array([0, 0, 0]), np.array([1.0, -1.0, 1.0])),),
            "indicator 'b' has the weight -1",
        ),
        ((Level(np.array([0, 0, 1]), np.ones(3)),), "has the parent 1, but level 1 has 1 node"),
        (
            (
                Level(np.array([0, 0, 2]), np.ones(3)),
                Level(np.zeros(3, dtype=np.int64), np.ones(3)),
            ),
            "node 2 of level 1 has no children",
        ),
        (
            (
                Level(np.array([0, 0, 1]), np.array([0.0, 0.0, 1.0])),
                Level(np.zeros(2, dtype=np.int64), np.ones(2)),
            ),
            "all weights of the children of node 1 of level 1 are zero",
        ),
        (
            (Level(np.array([0, 0]), np.ones(2)),),
            "the index tree has 2 indicators but the data has 3",
        ),
        ((Level(np.array([0.0, 0.0, 0.0]), np.ones(3)),), "one integer parent and one weight"),
    ],
)
def test_tree_check_refuses(levels: tuple[Level, ...], message: str) -> None:
    with pytest.raises(MethodError, match=message):
        Tree(levels).check(3, names=["a", "b", "c"])


def test_zero_weight_child_counts_as_unavailable() -> None:
    tree = Tree(
        (
            Level(np.array([0, 0, 1]), np.array([0.0, 1.0, 1.0])),
            Level(np.zeros(2, dtype=np.int64), np.ones(2)),
        )
    )
    result = aggregate(np.array([[5.0, np.nan, 7.0]]), tree)
    assert np.isnan(result.levels[1][0, 0])
    np.testing.assert_allclose(result.scores, [7.0])


# --------------------------------------------------------------------------- ranks


def test_rank_desc_competition_ranking() -> None:
    np.testing.assert_array_equal(rank_desc([3.0, 5.0, 5.0, 1.0]), [3, 1, 1, 4])
    np.testing.assert_array_equal(rank_desc([[1.0, 2.0], [2.0, 1.0]]), [[2, 1], [1, 2]])
    with pytest.raises(MethodError, match="unit 'y' has no score"):
        rank_desc([1.0, np.nan], units=["x", "y"])


# --------------------------------------------------------------------------- properties

values = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def _matrices(min_units: int = 3) -> st.SearchStrategy[np.ndarray]:
    return st.integers(min_units, 8).flatmap(
        lambda n: st.integers(1, 5).flatmap(lambda m: arrays(np.float64, (n, m), elements=values))
    )


def _informative(X: np.ndarray) -> bool:
    spread = X.max(axis=0) - X.min(axis=0)
    return bool(np.all(spread > 1e-6 * np.maximum(1.0, np.abs(X).max(axis=0))))


@st.composite
def trees(draw: st.DrawFn, m: int) -> Tree:
    """A random tree over ``m`` indicators: 1–3 levels, every parent with a child."""
    levels, size = [], m
    for depth in range(draw(st.integers(1, 3))):
        last = depth == 2 or size == 1 or draw(st.booleans())
        parents = 1 if last else draw(st.integers(1, size))
        parent = np.array(
            draw(
                st.permutations(
                    list(range(parents))
                    + draw(
                        st.lists(
                            st.integers(0, parents - 1),
                            min_size=size - parents,
                            max_size=size - parents,
                        )
                    )
                )
            )
        )
        weights = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=size, max_size=size)))
        levels.append(Level(parent, weights))
        size = parents
        if last:
            break
    if size != 1:
        levels.append(Level(np.zeros(size, dtype=np.int64), np.ones(size)))
    return Tree(tuple(levels))


@settings(max_examples=60, deadline=None)
@given(_matrices(), st.sampled_from(["minmax", "rank"]), st.floats(-50, 50), st.floats(0.5, 100))
def test_normalised_values_lie_in_range(
    X: np.ndarray, method: str, lower: float, width: float
) -> None:
    if not _informative(X):
        return
    out = normalize(X, [1] * X.shape[1], method, lower=lower, upper=lower + width)
    assert np.all(out >= lower - 1e-9 * width) and np.all(out <= lower + width * (1 + 1e-9))
    positive = np.abs(X) + 1.0
    if _informative(positive):
        ratio = normalize(positive, [1] * X.shape[1], "distance-to-max", upper=width)
        assert np.all(ratio > 0) and np.all(ratio <= width * (1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_improving_a_benefit_indicator_never_lowers_the_score(data: st.DataObject) -> None:
    X = data.draw(_matrices())
    if not _informative(X):
        return
    n, m = X.shape
    tree = data.draw(trees(m))
    method = data.draw(st.sampled_from(["minmax", "rank"]))
    unit, column = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, m - 1))
    better = X.copy()
    better[unit, column] += data.draw(st.floats(0.0, 1e6))
    before = aggregate(normalize(X, [1] * m, method), tree).scores[unit]
    after = aggregate(normalize(better, [1] * m, method), tree).scores[unit]
    assert after >= before - 1e-9 * max(1.0, abs(before))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_effective_weights_sum_to_one(data: st.DataObject) -> None:
    tree = data.draw(trees(data.draw(st.integers(1, 12))))
    assert tree.effective_weights().sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(_matrices(), st.floats(0.01, 1e3), st.floats(-1e3, 1e3))
def test_minmax_scores_invariant_to_positive_affine_change(
    X: np.ndarray, scale: float, shift: float
) -> None:
    if not _informative(X):
        return
    m = X.shape[1]
    changed = X.copy()
    changed[:, 0] = scale * X[:, 0] + shift
    if not _informative(changed):
        return
    tree = Tree.flat(m)
    before = aggregate(normalize(X, [1] * m), tree).scores
    after = aggregate(normalize(changed, [1] * m), tree).scores
    np.testing.assert_allclose(after, before, rtol=1e-6, atol=1e-6)
