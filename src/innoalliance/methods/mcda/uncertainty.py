"""Monte Carlo uncertainty and variance-based sensitivity analysis of a composite's ranking.

The approach of Saisana, Saltelli & Tarantola (2005), "Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators", JRSS-A 168(2):307-323,
and of the OECD/JRC *Handbook on Constructing Composite Indicators* (2008), step 7: the
construction choices (weights, normalisation, aggregation, imputation) are sampled together,
the composite is recomputed for each sample ("run"), and the spread of every unit's rank and
the Sobol' indices of the average shift in ranks R_S (Saisana et al. 2005, eq. 3; COINr's
sensitivity target) are reported.

Fast path: there are only |normalisations| × |imputations| distinct normalised matrices, each
computed once; a run's composite is then ``Xn @ w`` (arithmetic) or ``exp(log Xn @ w)``
(geometric) with the run's effective weights ``w`` — exactly the level-by-level aggregation
when nothing is missing — batched over chunks of runs. With missing values left in (imputation
"none") the runs go level by level through
:func:`~innoalliance.methods.mcda.composite.aggregate_many`
so that weights are renormalised over each node's available children exactly as in
:func:`~innoalliance.methods.mcda.composite.aggregate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_matrix, label
from innoalliance.methods.mcda.composite import (
    AGGREGATIONS,
    IMPUTATIONS,
    NORMALIZATIONS,
    IntArray,
    Level,
    Tree,
    aggregate,
    aggregate_many,
    check_method,
    impute,
    normalize,
    rank_desc,
)

FACTORS = ("weights", "normalization", "aggregation", "imputation")
AS_GIVEN = "none"  # the normalisation alternative that keeps values already normalised
_BUDGET = 200 * 2**20  # bytes of working memory per chunk of runs
_CI = (0.025, 0.975)  # bootstrap percentile interval of the sensitivity indices


@dataclass(frozen=True)
class Pipeline:
    """One way to build the composite: a normalisation, an aggregation and an imputation."""

    normalization: str = "minmax"
    aggregation: str = "arithmetic"
    imputation: str = "none"


@dataclass(frozen=True)
class Choices:
    """The alternatives sampled in the analysis.

    A discrete step is varied when it has more than one alternative (each drawn with equal
    probability); the weights are varied when ``weight_noise`` ε > 0: every node weight w of
    every level is drawn uniformly in [w(1 − ε), w(1 + ε)] and the weights are then renormalised
    within their parent (COINr's ``get_noisy_weights``); 0 ≤ ε < 1. Normalisations are those of
    :func:`~innoalliance.methods.mcda.composite.normalize`, with the range ``lower``–``upper``, or
    ``"none"``: the values as given (already normalised upstream, e.g. by goalposts; directions
    are then not applied).
    """

    normalizations: tuple[str, ...] = ("minmax",)
    aggregations: tuple[str, ...] = ("arithmetic",)
    imputations: tuple[str, ...] = ("none",)
    weight_noise: float = 0.0
    lower: float = 0.0
    upper: float = 100.0

    def varied(self) -> tuple[str, ...]:
        """The factors that vary, in the order of :data:`FACTORS`."""
        counts = {
            "weights": 2 if self.weight_noise > 0 else 1,
            "normalization": len(self.normalizations),
            "aggregation": len(self.aggregations),
            "imputation": len(self.imputations),
        }
        return tuple(f for f in FACTORS if counts[f] > 1)


@dataclass(frozen=True, eq=False)
class Runs:
    """The parameters of every run, so that any run can be recomputed.

    ``normalization``, ``aggregation`` and ``imputation`` index the alternatives of
    :class:`Choices`; ``weights`` are the effective indicator weights (runs × indicators, each
    row summing to 1); ``level_weights[k]`` the within-parent weights of tree level k (runs ×
    nodes). Rows are ordered A (N runs), B (N), then one block of N per varied factor (A with that
    factor taken from B), as in Saltelli et al. (2010).
    """

    normalization: IntArray
    aggregation: IntArray
    imputation: IntArray
    weights: FloatArray
    level_weights: tuple[FloatArray, ...]


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Rank uncertainty of every unit and the sensitivity of the ranking to each varied factor.

    ``median_rank``, ``rank_low`` and ``rank_high`` (the ``quantiles`` of each unit's rank) are
    taken over the 2N independent runs of A and B. ``mean_rank_shift`` is, per run, the mean over
    units of |rank − nominal rank|. ``first_order`` and ``total`` map each varied factor to its
    Sobol' index of that shift; ``first_order_ci`` and ``total_ci`` their bootstrap 95 %
    percentile intervals (empty when no bootstrap was asked).
    """

    factors: tuple[str, ...]
    nominal: Pipeline
    choices: Choices
    tree: Tree
    nominal_scores: FloatArray
    nominal_ranks: IntArray
    median_rank: FloatArray
    rank_low: FloatArray
    rank_high: FloatArray
    quantiles: tuple[float, float]
    mean_rank_shift: FloatArray
    first_order: Mapping[str, float]
    total: Mapping[str, float]
    first_order_ci: Mapping[str, tuple[float, float]]
    total_ci: Mapping[str, tuple[float, float]]
    runs: Runs
    draws: int
    n_runs: int
    seed: int

    def run(self, i: int) -> tuple[Pipeline, Tree]:
        """Run ``i``'s pipeline and tree: ``aggregate(normalize(impute(X)), tree, …)`` redoes it.

        (For the normalisation ``"none"`` the imputed values are aggregated as they are.)
        """
        c, r = self.choices, self.runs
        pipeline = Pipeline(
            c.normalizations[r.normalization[i]],
            c.aggregations[r.aggregation[i]],
            c.imputations[r.imputation[i]],
        )
        levels = tuple(
            Level(level.parent, w[i])
            for level, w in zip(self.tree.levels, r.level_weights, strict=True)
        )
        return pipeline, Tree(levels)


def sobol_indices(
    f_A: npt.ArrayLike, f_B: npt.ArrayLike, f_AB: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """First-order and total Sobol' indices from the outputs of a Saltelli design.

    ``f_A``, ``f_B``: outputs of the N runs of the base samples A and B; ``f_AB``: k × N outputs,
    row i for A with factor (or group) i taken from B. First order (Saltelli et al. 2010,
    Comput. Phys. Commun. 181:259, table 2 (b)): S_i = mean(f_B (f_ABi − f_A)) / V; total
    (Jansen 1999): ST_i = mean((f_A − f_ABi)²) / (2V); V the variance (ddof = 0) of f over A and
    B. The outputs are first centred on their mean over all runs, as SALib's ``sobol.analyze``
    does (it leaves the estimators' expectations unchanged and lowers their variance). When f
    does not vary over A and B, no factor has any influence and every index is 0. Leading axes
    (e.g. bootstrap resamples) are kept: shapes (..., N), (..., N), (..., k, N) → (..., k).
    """
    a, b = np.asarray(f_A, dtype=np.float64), np.asarray(f_B, dtype=np.float64)
    ab = np.asarray(f_AB, dtype=np.float64)
    n, k = a.shape[-1], ab.shape[-2]
    centre = (a.sum(axis=-1) + b.sum(axis=-1) + ab.sum(axis=(-2, -1))) / (n * (k + 2))
    mean = (a.sum(axis=-1) + b.sum(axis=-1)) / (2 * n)
    spread = np.maximum(a.max(axis=-1), b.max(axis=-1)) - np.minimum(a.min(axis=-1), b.min(axis=-1))
    squares = ((a - mean[..., None]) ** 2).sum(axis=-1) + ((b - mean[..., None]) ** 2).sum(axis=-1)
    variance = np.where(spread > 0, squares / (2 * n), 0.0)[..., None]
    change = ab - a[..., None, :]
    first = np.mean((b - centre[..., None])[..., None, :] * change, axis=-1)
    total = 0.5 * np.mean(change**2, axis=-1)
    zero = np.zeros(first.shape)
    return (
        np.divide(first, variance, out=zero.copy(), where=variance > 0),
        np.divide(total, variance, out=zero, where=variance > 0),
    )


def uncertainty(
    X: npt.ArrayLike,
    directions: Sequence[object] | FloatArray,
    tree: Tree,
    *,
    nominal: Pipeline,
    choices: Choices,
    draws: int,
    seed: int,
    quantiles: tuple[float, float] = (0.05, 0.95),
    bootstrap: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    names: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty and sensitivity analysis of the ranking (Saisana et al. 2005).

    Design: Saltelli et al. (2010) with the k varied factors as groups (all the weights are one
    group): base samples A and B of ``draws`` (N) rows each, one uniform number per discrete step
    (mapped to an alternative) and one per tree node (its weight noise), plus the k matrices
    AB_i: N(k + 2) runs. Each run imputes, normalises (``choices.lower``/``upper``) and aggregates
    as :func:`~innoalliance.methods.mcda.composite.aggregate` would, then ranks the units
    (:func:`~innoalliance.methods.mcda.composite.rank_desc`). Target f: the run's mean absolute rank
    shift from the nominal ranking (R_S of Saisana et al. 2005, eq. 3; COINr's target). Rank
    quantiles use the 2N independent runs of A and B. Sensitivity: :func:`sobol_indices`, with
    ``bootstrap`` resamples of the N rows (0: none) for percentile intervals. The same ``seed``
    gives the same runs; ``runs`` holds every run's parameters and
    :meth:`UncertaintyResult.run` rebuilds it.

    Refused (:class:`MethodError`, saying what to change): an unknown, repeated or missing
    alternative; a nominal choice that is not among the alternatives; nothing varied; imputation
    varied when no value is missing; weights or aggregation varied where every node has a single
    child; geometric aggregation of a normalisation with values ≤ 0 (z-scores, a range with
    ``lower`` ≤ 0, a ratio with zeros); a unit with no score when imputation is "none"; draws < 2.
    Imputation "none" is allowed with geometric aggregation (the mean of the available logs).
    ``progress(done, total)`` is called after each chunk of runs.
    """
    A = check_matrix(
        X, names=names, alternatives=units, allow_nan=True, kinds=("unit", "indicator")
    )
    tree.check(A.shape[1], names)
    factors = _validate(A, tree, nominal, choices, draws, quantiles, bootstrap, units)
    design_rng, bootstrap_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
    )
    runs = _design(tree, choices, factors, draws, design_rng)
    matrices = {
        (n, i): _normalised(A, directions, norm, imp, choices, names)
        for n, norm in enumerate(choices.normalizations)
        for i, imp in enumerate(choices.imputations)
    }
    if "geometric" in choices.aggregations:
        _check_geometric(matrices, choices, names, units)
    key = (
        choices.normalizations.index(nominal.normalization),
        choices.imputations.index(nominal.imputation),
    )
    nominal_scores = _scores(
        matrices[key],
        nominal.aggregation,
        tree,
        tree.effective_weights()[None, :],
        tuple(w[None, :] for w in tree.level_weights()),
    )[0]
    nominal_ranks = rank_desc(nominal_scores, units=units)
    shift, ranks = _evaluate(runs, matrices, choices, tree, nominal_ranks, 2 * draws, progress)
    f_A, f_B, f_AB = shift[:draws], shift[draws : 2 * draws], shift[2 * draws :].reshape(-1, draws)
    first, total = sobol_indices(f_A, f_B, f_AB)
    first_ci, total_ci = _bootstrap(f_A, f_B, f_AB, factors, bootstrap, bootstrap_rng)
    low, median, high = np.quantile(ranks, [quantiles[0], 0.5, quantiles[1]], axis=0)
    return UncertaintyResult(
        factors=factors,
        nominal=nominal,
        choices=choices,
        tree=tree,
        nominal_scores=nominal_scores,
        nominal_ranks=nominal_ranks,
        median_rank=median.astype(np.float64),
        rank_low=low.astype(np.float64),
        rank_high=high.astype(np.float64),
        quantiles=quantiles,
        mean_rank_shift=shift,
        first_order=dict(zip(factors, first.tolist(), strict=True)),
        total=dict(zip(factors, total.tolist(), strict=True)),
        first_order_ci=first_ci,
        total_ci=total_ci,
        runs=runs,
        draws=draws,
        n_runs=len(shift),
        seed=seed,
    )


# --------------------------------------------------------------------------- checks


def _validate(
    A: FloatArray,
    tree: Tree,
    nominal: Pipeline,
    choices: Choices,
    draws: int,
    quantiles: tuple[float, float],
    bootstrap: int,
    units: Sequence[str] | None,
) -> tuple[str, ...]:
    steps = (
        ("normalization", "normalizations", (AS_GIVEN, *NORMALIZATIONS), "normalisation"),
        ("aggregation", "aggregations", AGGREGATIONS, "aggregation"),
        ("imputation", "imputations", IMPUTATIONS, "imputation"),
    )
    for attribute, plural, known, step in steps:
        alternatives: tuple[str, ...] = getattr(choices, plural)
        chosen: str = getattr(nominal, attribute)
        for method in (*alternatives, chosen):
            check_method(method, known, step)
        if len(set(alternatives)) != len(alternatives):
            raise MethodError(
                f"the {step} alternatives {alternatives} repeat a method",
                hint="list each alternative once",
            )
        if chosen not in alternatives:
            raise MethodError(
                f"the nominal {step} {chosen!r} is not among the alternatives {alternatives}",
                hint=f"add {chosen!r} to Choices.{plural}",
            )
    if not 0 <= choices.weight_noise < 1:
        raise MethodError(
            f"weight_noise must be in [0, 1), got {choices.weight_noise}",
            hint="e.g. 0.25 draws each weight within ±25 % of its value",
        )
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 2:
        raise MethodError(
            f"draws must be an integer ≥ 2, got {draws!r}",
            hint="use several hundred or more; a run count is draws × (k + 2)",
        )
    if not 0 <= quantiles[0] < quantiles[1] <= 1:
        raise MethodError(
            f"the rank quantiles {quantiles} are not 0 ≤ low < high ≤ 1", hint="e.g. (0.05, 0.95)"
        )
    if bootstrap < 0:
        raise MethodError(f"bootstrap must be ≥ 0, got {bootstrap}", hint="0 skips it")
    factors = choices.varied()
    if not factors:
        raise MethodError(
            "nothing is varied, so there is no uncertainty to analyse",
            hint="give a step more than one alternative, or weight_noise > 0",
        )
    missing = bool(np.isnan(A).any())
    if "imputation" in factors and not missing:
        raise MethodError(
            f"imputation is varied {choices.imputations}, but no value is missing, so every "
            "imputation gives the same data",
            hint=f"remove the imputation alternatives (keep only {nominal.imputation!r})",
        )
    single = all(np.all(np.bincount(level.parent) == 1) for level in tree.levels)
    for factor in ("weights", "aggregation"):
        if factor in factors and single:
            raise MethodError(
                f"varying the {factor} cannot change any score: every node of the tree has a "
                "single child",
                hint=f"stop varying the {factor}",
            )
    if missing and "none" in choices.imputations:
        pattern = np.where(np.isnan(A), np.nan, 1.0)
        scoreless = np.flatnonzero(np.isnan(aggregate(pattern, tree).scores))
        if scoreless.size:
            raise MethodError(
                f"{label('unit', int(scoreless[0]), units)} has no observed indicator with a "
                "positive weight, so it has no score when missing values are not imputed",
                hint="drop the unit, or remove 'none' from the imputation alternatives",
            )
    return factors


def _check_geometric(
    matrices: Mapping[tuple[int, int], FloatArray],
    choices: Choices,
    names: Sequence[str] | None,
    units: Sequence[str] | None,
) -> None:
    for (n, i), Xn in matrices.items():
        bad = np.argwhere(Xn <= 0)
        if bad.size:
            u, j = (int(k) for k in bad[0])
            norm = choices.normalizations[n]
            hints = {
                "zscore": "drop 'zscore' from the normalisation alternatives (z-scores are "
                "negative below the mean) or 'geometric' from the aggregations",
                AS_GIVEN: "shift the values given to be positive, or drop 'geometric' from the "
                "aggregation alternatives",
            }
            hint = hints.get(
                norm,
                "set a positive floor, e.g. Choices(lower=1), or drop 'geometric' from the "
                "aggregation alternatives",
            )
            raise MethodError(
                f"geometric aggregation needs values > 0, but normalisation {norm!r} with "
                f"imputation {choices.imputations[i]!r} gives {Xn[u, j]:g} for "
                f"{label('unit', u, units)}, {label('indicator', j, names)}",
                hint=hint,
            )


# --------------------------------------------------------------------------- runs


def _normalised(
    A: FloatArray,
    directions: Sequence[object] | FloatArray,
    normalization: str,
    imputation: str,
    choices: Choices,
    names: Sequence[str] | None,
) -> FloatArray:
    filled = impute(A, imputation, names=names)[0]
    if normalization == AS_GIVEN:
        return filled
    return normalize(
        filled, directions, normalization, lower=choices.lower, upper=choices.upper, names=names
    )


def _design(
    tree: Tree, choices: Choices, factors: tuple[str, ...], draws: int, rng: np.random.Generator
) -> Runs:
    """Saltelli's A, B and AB_i blocks with factor groups; columns: 3 steps, then tree nodes."""
    nodes = sum(tree.sizes[:-1])
    a, b = rng.random((2, draws, 3 + nodes))
    groups = {
        "normalization": slice(0, 1),
        "aggregation": slice(1, 2),
        "imputation": slice(2, 3),
        "weights": slice(3, 3 + nodes),
    }
    blocks = [a, b]
    for factor in factors:
        mixed = a.copy()
        mixed[:, groups[factor]] = b[:, groups[factor]]
        blocks.append(mixed)
    u = np.concatenate(blocks)

    def pick(column: int, count: int) -> IntArray:
        return np.minimum((u[:, column] * count).astype(np.int64), count - 1)

    ends = np.cumsum(tree.sizes[:-1])
    noise = 1.0 + choices.weight_noise * (2.0 * u[:, 3:] - 1.0)
    raw = [
        w * noise[:, end - len(w) : end] for w, end in zip(tree.level_weights(), ends, strict=True)
    ]
    level_weights = tree.within_parent(raw)
    return Runs(
        normalization=pick(0, len(choices.normalizations)),
        aggregation=pick(1, len(choices.aggregations)),
        imputation=pick(2, len(choices.imputations)),
        weights=tree.effective_weights(level_weights),
        level_weights=level_weights,
    )


def _scores(
    Xn: FloatArray,
    method: str,
    tree: Tree,
    weights: FloatArray,
    level_weights: tuple[FloatArray, ...],
) -> FloatArray:
    """Runs × units composite scores for one normalised matrix and one aggregation method."""
    if np.isnan(Xn).any():
        return aggregate_many(Xn, tree, level_weights, method)[-1][..., 0]
    if method == "geometric":
        return np.exp(weights @ np.log(Xn).T)
    linear: FloatArray = weights @ Xn.T
    return linear


def _evaluate(
    runs: Runs,
    matrices: Mapping[tuple[int, int], FloatArray],
    choices: Choices,
    tree: Tree,
    nominal_ranks: IntArray,
    keep: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[FloatArray, npt.NDArray[np.float32]]:
    """Mean absolute rank shift of every run, and the ranks of the first ``keep`` runs."""
    total, n = len(runs.weights), len(nominal_ranks)
    shift = np.empty(total)
    ranks = np.empty((keep, n), dtype=np.float32)
    chunk = max(1, _BUDGET // (8 * n * (4 * max(tree.sizes[1:]) + 8)))
    combos = np.stack([runs.normalization, runs.imputation, runs.aggregation], axis=1)
    unique, which = np.unique(combos, axis=0, return_inverse=True)
    done = 0
    for c, (norm, imp, agg) in enumerate(unique.tolist()):
        members = np.flatnonzero(which.ravel() == c)
        for start in range(0, len(members), chunk):
            sel = members[start : start + chunk]
            scores = _scores(
                matrices[norm, imp],
                choices.aggregations[agg],
                tree,
                runs.weights[sel],
                tuple(w[sel] for w in runs.level_weights),
            )
            r = rank_desc(scores)
            shift[sel] = np.abs(r - nominal_ranks).mean(axis=1)
            kept = sel < keep
            ranks[sel[kept]] = r[kept]
            done += len(sel)
            if progress is not None:
                progress(done, total)
    return shift, ranks


Intervals = dict[str, tuple[float, float]]


def _bootstrap(
    f_A: FloatArray,
    f_B: FloatArray,
    f_AB: FloatArray,
    factors: tuple[str, ...],
    resamples: int,
    rng: np.random.Generator,
) -> tuple[Intervals, Intervals]:
    """Percentile intervals of each factor's S and ST over resamples of the N rows."""
    k, n = f_AB.shape
    if resamples == 0:
        return {}, {}
    step = max(1, _BUDGET // (8 * n * (3 * k + 4)))
    firsts, totals = [], []
    for start in range(0, resamples, step):
        idx = rng.integers(0, n, size=(min(step, resamples - start), n))
        s, st = sobol_indices(f_A[idx], f_B[idx], np.swapaxes(f_AB[:, idx], 0, 1))
        firsts.append(s)
        totals.append(st)
    intervals = []
    for estimates in (firsts, totals):
        low, high = np.quantile(np.concatenate(estimates), _CI, axis=0)
        intervals.append(
            {f: (float(lo), float(hi)) for f, lo, hi in zip(factors, low, high, strict=True)}
        )
    return intervals[0], intervals[1]
