"""Composite indicators: imputation, normalisation, hierarchical aggregation and ranking.

Conventions of the OECD/JRC *Handbook on Constructing Composite Indicators* (2008): step 3
(imputation of missing data), step 5 (normalisation) and step 6 (weighting and aggregation). An
index system is a :class:`Tree` whose level 0 are the indicators (the columns of ``X``) and whose
last level hangs from a single goal. Missing values are NaN throughout. Indices in messages are
1-based, as in :mod:`innoalliance.methods._checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_matrix, check_types, label

IntArray = npt.NDArray[np.int64]

NORMALIZATIONS = ("minmax", "zscore", "rank", "distance-to-max")
IMPUTATIONS = ("none", "mean", "median")
AGGREGATIONS = ("arithmetic", "geometric")


def check_method(method: str, known: tuple[str, ...], step: str) -> None:
    """Refuse a ``step`` method (normalisation, imputation, aggregation) that is not ``known``."""
    if method not in known:
        raise MethodError(f"unknown {step} method {method!r}", hint=f"use one of {known}")


def _units_matrix(X: npt.ArrayLike, names: Sequence[str] | None) -> FloatArray:
    """``X`` as units × indicators floats; NaN marks a missing value, every column has one value."""
    A = check_matrix(X, names=names, allow_nan=True, kinds=("unit", "indicator"))
    empty = np.flatnonzero(np.isnan(A).all(axis=0))
    if empty.size:
        raise MethodError(
            f"{label('indicator', int(empty[0]), names)} has no observed value",
            hint="drop the indicator, or collect data for it",
        )
    return A


# --------------------------------------------------------------------------- imputation


def impute(
    X: npt.ArrayLike, method: str, *, names: Sequence[str] | None = None
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Fill each indicator's missing values; returns the data and the mask of imputed cells.

    Handbook (2008) §3.2, unconditional mean imputation (or its median variant): a missing cell
    takes the mean or the median of the indicator's observed values over all units given.
    ``"none"`` returns a copy of ``X`` with its NaNs and an all-False mask: :func:`aggregate`
    then takes the weighted mean of each node's available children, their weights renormalised.
    """
    A = _units_matrix(X, names)
    check_method(method, IMPUTATIONS, "imputation")
    missing = np.isnan(A)
    if method == "none":
        return A, np.zeros_like(missing)
    fill = np.nanmean(A, axis=0) if method == "mean" else np.nanmedian(A, axis=0)
    return np.where(missing, fill, A), missing


# --------------------------------------------------------------------------- normalisation


def normalize(
    X: npt.ArrayLike,
    directions: Sequence[object] | npt.NDArray[np.float64],
    method: str = "minmax",
    *,
    lower: float = 0.0,
    upper: float = 100.0,
    names: Sequence[str] | None = None,
) -> FloatArray:
    """Normalise each indicator (column) so that higher is better; NaN stays NaN.

    Handbook (2008) step 5 (§5.2 z-scores, §5.3 min-max, §5.4 distance to a reference; ranks and
    all four worked in its Table 15);
    directions as in :func:`~innoalliance.methods._checks.check_types` (+1 or "benefit":
    higher is
    better, −1 or "cost": lower is better). For "minmax", "zscore" and "rank" a −1 indicator is
    first multiplied by −1 (COINr's convention), so its best (lowest) value scores highest:

    - ``"minmax"``: lower + (x − min)/(max − min)·(upper − lower), so the worst unit gets
      ``lower`` and the best ``upper`` (use e.g. ``lower=1`` before geometric aggregation).
    - ``"zscore"``: (x − mean)/sd with the sample sd (ddof = 1, as COINr's ``n_zscore`` and the
      Handbook's Table 15); not rescaled, ``lower``/``upper`` are ignored.
    - ``"rank"``: percentile rank lower + (r − 1)/(n − 1)·(upper − lower), r the rank among the n
      observed values, 1 = worst, ties get the average rank (``scipy.stats.rankdata``).
    - ``"distance-to-max"``: ratio to the best performer times ``upper`` (Handbook Table 15,
      "distance to reference country, c = best"): x/max for +1, min/x for −1 (the ratio of the
      best, lowest value to x), so the best unit gets ``upper``; ``lower`` is ignored. The ratio
      needs a ratio scale: values ≥ 0 for +1 indicators and > 0 for −1 indicators.

    An indicator with the same value for every observed unit is refused, whatever the method: it
    carries no information (and min-max, z-score and rank are undefined for it).
    """
    A = _units_matrix(X, names)
    m = A.shape[1]
    d = check_types(directions, m, names=names)
    check_method(method, NORMALIZATIONS, "normalisation")
    if not (np.isfinite(lower) and np.isfinite(upper) and lower < upper):
        raise MethodError(
            f"the normalised range [{lower}, {upper}] is not an interval",
            hint="give finite bounds with lower < upper, e.g. lower=0, upper=100",
        )
    lo, hi = np.nanmin(A, axis=0), np.nanmax(A, axis=0)
    constant = np.flatnonzero(lo == hi)
    if constant.size:
        j = int(constant[0])
        raise MethodError(
            f"{label('indicator', j, names)} has the same value ({lo[j]:g}) for every unit, so "
            "it carries no information",
            hint="drop the indicator from the index system",
        )
    if method == "distance-to-max":
        return _distance_to_max(A, d, lo, hi, upper, names)
    Y = A * d
    if method == "zscore":
        z: FloatArray = (Y - np.nanmean(Y, axis=0)) / np.nanstd(Y, axis=0, ddof=1)
        return z
    if method == "rank":
        ranks = rankdata(Y, method="average", axis=0, nan_policy="omit")
        observed = np.count_nonzero(~np.isnan(Y), axis=0)
        share = (ranks - 1.0) / (observed - 1.0)
    else:
        y_lo, y_hi = np.nanmin(Y, axis=0), np.nanmax(Y, axis=0)
        share = (Y - y_lo) / (y_hi - y_lo)
    scaled: FloatArray = lower + share * (upper - lower)
    return scaled


def _distance_to_max(
    A: FloatArray,
    d: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    upper: float,
    names: Sequence[str] | None,
) -> FloatArray:
    benefit = d > 0
    bad = np.flatnonzero(np.where(benefit, lo < 0, lo <= 0))
    if bad.size:
        j = int(bad[0])
        need = "≥ 0" if benefit[j] else "> 0 (lower is better, so the ratio is min/x)"
        raise MethodError(
            f"{label('indicator', j, names)} has the value {lo[j]:g}; distance to the best "
            f"performer is a ratio and needs values {need}",
            hint="use 'minmax' or 'rank' for an indicator on an interval scale",
        )
    out = np.empty_like(A)
    out[:, benefit] = A[:, benefit] / hi[benefit]
    out[:, ~benefit] = lo[~benefit] / A[:, ~benefit]
    return out * upper


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True, eq=False)
class Level:
    """One level of an index tree: each node's parent (index into the next level) and weight.

    A node's weight counts relative to its siblings (the children of the same parent): the
    weights are renormalised within each parent, so 1, 1, 2 and 0.25, 0.25, 0.5 are the same.
    """

    parent: IntArray
    weights: FloatArray

    def __post_init__(self) -> None:
        parent, weights = np.array(self.parent), np.array(self.weights, dtype=np.float64)
        parent.setflags(write=False)
        weights.setflags(write=False)
        object.__setattr__(self, "parent", parent)
        object.__setattr__(self, "weights", weights)


@dataclass(frozen=True, eq=False)
class Tree:
    """An index system as successive levels: indicators → … → the single goal.

    ``levels[0]`` holds the indicators (the columns of ``X``, in order); the parents of the
    last level's nodes are all 0, the goal. Aggregation weights are the weights renormalised
    within each parent (:meth:`level_weights`); an indicator's effective weight in the goal is the
    product of those along its path (:meth:`effective_weights`).
    """

    levels: tuple[Level, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", tuple(self.levels))

    @classmethod
    def flat(cls, m: int) -> Tree:
        """A single level: ``m`` indicators with equal weights directly under the goal."""
        return cls((Level(np.zeros(m, dtype=np.int64), np.ones(m)),))

    @property
    def sizes(self) -> tuple[int, ...]:
        """Number of nodes of each level, then 1 for the goal."""
        return (*(len(level.parent) for level in self.levels), 1)

    def check(self, m: int, names: Sequence[str] | None = None) -> None:
        """Refuse a tree that does not describe ``m`` indicators or cannot weight them.

        Checks: level 0 has ``m`` nodes; parents are integers within the next level (the goal,
        0, for the last level); every parent has a child; weights are finite, ≥ 0 and not all
        zero within any parent. ``names`` name the indicators in messages.
        """
        if not self.levels:
            raise MethodError("the index tree has no levels", hint="use Tree.flat(m) for none")
        if self.sizes[0] != m:
            raise MethodError(
                f"the index tree has {self.sizes[0]} indicators but the data has {m} columns",
                hint="give one level-0 node per indicator column, in column order",
            )
        for k, level in enumerate(self.levels):
            _check_level(k, level, self.sizes[k + 1], k == len(self.levels) - 1, names)

    def within_parent(self, weights: Sequence[npt.ArrayLike]) -> tuple[FloatArray, ...]:
        """Renormalise per-level ``weights`` to sum 1 within each parent.

        ``weights[k]`` has one weight per node of level k in its last axis; leading axes (e.g.
        one row per Monte Carlo run) are kept.
        """
        out = []
        for level, w, n_parents in zip(self.levels, weights, self.sizes[1:], strict=True):
            v = np.asarray(w, dtype=np.float64)
            totals = v @ _membership(level.parent, n_parents)
            out.append(v / totals[..., level.parent])
        return tuple(out)

    def level_weights(self) -> tuple[FloatArray, ...]:
        """This tree's weights renormalised within each parent, level by level."""
        self.check(self.sizes[0])
        return self.within_parent([level.weights for level in self.levels])

    def effective_weights(self, weights: Sequence[FloatArray] | None = None) -> FloatArray:
        """Each indicator's weight in the goal: the product of within-parent weights on its path.

        With weights renormalised within parents these sum to 1. ``weights`` are within-parent
        weights per level (as :meth:`within_parent` returns, leading axes kept); by default this
        tree's own.
        """
        per_level = self.level_weights() if weights is None else tuple(weights)
        effective = per_level[-1]
        for k in range(len(self.levels) - 2, -1, -1):
            effective = per_level[k] * effective[..., self.levels[k].parent]
        return effective


def _node(k: int, j: int, names: Sequence[str] | None) -> str:
    return label("indicator", j, names) if k == 0 else f"node {j + 1} of level {k}"


def _check_level(
    k: int, level: Level, n_parents: int, last: bool, names: Sequence[str] | None
) -> None:
    parent, w = level.parent, level.weights
    if parent.ndim != 1 or parent.dtype.kind not in "iu" or w.shape != parent.shape:
        raise MethodError(
            f"level {k} of the index tree needs one integer parent and one weight per node",
            hint="give parent and weights as 1-D arrays of the same length",
        )
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        j = int(bad[0])
        raise MethodError(
            f"{_node(k, j, names)} has the weight {w[j]}", hint="weights must be finite and ≥ 0"
        )
    outside = np.flatnonzero((parent < 0) | (parent >= n_parents))
    if outside.size:
        j = int(outside[0])
        raise MethodError(
            f"{_node(k, j, names)} has the parent {parent[j]}, but level {k + 1} has "
            f"{n_parents} node(s), numbered from 0",
            hint="the last level's parents must all be 0 (the goal)",
        )
    children = np.bincount(parent, minlength=n_parents)
    totals = np.bincount(parent, weights=w, minlength=n_parents)
    for p in range(n_parents):
        where = "the goal" if last else f"node {p + 1} of level {k + 1}"
        if children[p] == 0:
            raise MethodError(f"{where} has no children", hint="remove it or fix the parents")
        if totals[p] == 0:
            raise MethodError(
                f"all weights of the children of {where} are zero",
                hint="give at least one child a positive weight",
            )


def _membership(parent: IntArray, n_parents: int) -> FloatArray:
    """Nodes × parents matrix with a 1 where the node hangs from the parent."""
    member = np.zeros((len(parent), n_parents))
    member[np.arange(len(parent)), parent] = 1.0
    return member


# --------------------------------------------------------------------------- aggregation


@dataclass(frozen=True, eq=False)
class Aggregated:
    """Scores of one aggregation: the goal and every level.

    ``levels[k]`` is units × nodes of tree level k: ``levels[0]`` the normalised indicators as
    given, then each inner level (e.g. the dimensions), and last the goal (units × 1);
    ``scores`` is the goal's column.
    """

    scores: FloatArray
    levels: tuple[FloatArray, ...]


def aggregate(
    Xn: npt.ArrayLike,
    tree: Tree,
    method: str = "arithmetic",
    *,
    names: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
) -> Aggregated:
    """Aggregate normalised indicators up the tree, level by level.

    Handbook (2008) §6.10–6.11: ``"arithmetic"`` is the weighted arithmetic mean of a node's
    children, ``"geometric"`` the weighted geometric mean Π x^w (exp of the weighted mean of
    logs), which needs values > 0: a value ≤ 0 is refused (normalise to a positive floor, e.g.
    min-max with ``lower=1``; COINr #47). Weights are renormalised within each parent
    (:meth:`Tree.level_weights`). Missing values (NaN): each node is the weighted mean over its
    available children, their weights renormalised to sum 1; a node is missing (NaN) only when
    none of its children with a positive weight is available.
    """
    A = check_matrix(
        Xn, names=names, alternatives=units, allow_nan=True, kinds=("unit", "indicator")
    )
    per_run = aggregate_many(
        A, tree, [w[None, :] for w in tree.level_weights()], method, names=names, units=units
    )
    levels = (A, *(scores[0] for scores in per_run))
    return Aggregated(scores=levels[-1][:, 0], levels=levels)


def aggregate_many(
    Xn: FloatArray,
    tree: Tree,
    weights: Sequence[FloatArray],
    method: str = "arithmetic",
    *,
    names: Sequence[str] | None = None,
    units: Sequence[str] | None = None,
) -> tuple[FloatArray, ...]:
    """:func:`aggregate` for many weight sets at once (one per Monte Carlo run, say).

    ``weights[k]`` is runs × nodes of level k, renormalised within parents (see
    :meth:`Tree.within_parent`). Returns, for each level above the indicators, runs × units ×
    nodes scores. Same conventions as :func:`aggregate`.
    """
    tree.check(Xn.shape[1], names)
    check_method(method, AGGREGATIONS, "aggregation")
    values = Xn
    if method == "geometric":
        _check_positive(Xn, names, units)
        values = np.log(Xn)
    out = []
    for k, (level, w, n_parents) in enumerate(
        zip(tree.levels, weights, tree.sizes[1:], strict=True)
    ):
        present = (~np.isnan(values)).astype(np.float64)
        filled = np.where(present > 0, values, 0.0)
        spread = w[:, :, None] * _membership(level.parent, n_parents)  # runs × nodes × parents
        # units (× runs) × nodes times runs × nodes × parents: runs × units × parents
        subscripts = "un,rnp->rup" if k == 0 else "run,rnp->rup"
        num = np.einsum(subscripts, filled, spread, optimize=True)
        den = np.einsum(subscripts, present, spread, optimize=True)
        values = np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)
        out.append(np.exp(values) if method == "geometric" else values)
    return tuple(out)


def _check_positive(
    Xn: FloatArray, names: Sequence[str] | None, units: Sequence[str] | None
) -> None:
    bad = np.argwhere(Xn <= 0)
    if bad.size:
        i, j = (int(k) for k in bad[0])
        raise MethodError(
            f"geometric aggregation needs values > 0, but {label('indicator', j, names)} is "
            f"{Xn[i, j]:g} for {label('unit', i, units)}",
            hint="normalise to a range with a positive floor (e.g. minmax with lower=1), or "
            "aggregate arithmetically",
        )


# --------------------------------------------------------------------------- ranking


def rank_desc(scores: npt.ArrayLike, *, units: Sequence[str] | None = None) -> IntArray:
    """Ranks along the last axis: 1 = highest score; ties share the smallest rank (1, 2, 2, 4).

    Competition ranking, as R's ``rank(-x, ties.method = "min")``. A 2-D input ranks each
    row separately (one row per Monte Carlo run). A missing score (NaN) cannot be ranked and is
    refused, naming the unit.
    """
    s = np.asarray(scores, dtype=np.float64)
    missing = np.argwhere(np.isnan(s))
    if missing.size:
        i = int(missing[0][-1])
        raise MethodError(
            f"{label('unit', i, units)} has no score (every indicator missing), so it cannot "
            "be ranked",
            hint="drop the unit, or impute its missing values",
        )
    order = np.argsort(-s, axis=-1)
    ordered = np.take_along_axis(s, order, axis=-1)
    position = np.broadcast_to(np.arange(s.shape[-1]), s.shape)
    starts = np.ones(s.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)
    ranks = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=-1)
    return ranks
