"""Shapley value corrected by members' factor shares (investment, risk, contribution, …).

The "modified" or "corrected" Shapley value (修正Shapley值) of Chinese alliance and 产学研
profit-distribution studies: the Shapley value treats members as bearing equal shares of risk,
investment, …; each member then receives v(N) times the amount by which its factor share exceeds
the equal share 1/n. Indices in messages are 1-based ("member 2", "factor 1"); indices in
results 0-based.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import (
    FloatArray,
    as_floats,
    check_matrix,
    check_weights,
    label,
)
from innoalliance.methods.games.forms import Game, check_game
from innoalliance.methods.games.shapley import shapley_value

_KINDS = ("member", "factor")


@dataclass(frozen=True)
class ModifiedShapleyResult:
    """The corrected Shapley value and every intermediate value (see :func:`modified_shapley`).

    ``factor_shares`` is players × factors (each column sums to 1), ``combined_share`` R,
    ``corrections`` Δ = v(N) (R − 1/n) and ``corrections_by_factor`` its split by factor,
    a_j v(N) (F_ij / Σ_l F_lj − 1/n), whose rows sum to Δ.
    """

    values: FloatArray
    shapley: FloatArray
    factor_shares: FloatArray
    combined_share: FloatArray
    corrections: FloatArray
    corrections_by_factor: FloatArray
    factor_weights: FloatArray
    weights_renormalised: bool


def _check_factors(
    factors: npt.ArrayLike,
    n: int,
    names: Sequence[str] | None,
    factor_names: Sequence[str] | None,
) -> FloatArray:
    arr = as_floats(factors, "the factor table", "give one row per member")
    F = check_matrix(
        arr[:, None] if arr.ndim == 1 else arr,
        names=factor_names,
        alternatives=names,
        kinds=_KINDS,
    )
    if F.shape[0] != n:
        raise MethodError(
            f"the factor table has {F.shape[0]} row(s) for a game of {n} members",
            hint="give one row per member, in player order",
        )
    if (F < 0).any():
        i, j = (int(k) for k in np.argwhere(F < 0)[0])
        raise MethodError(
            f"{label('member', i, names)} has a negative {label('factor', j, factor_names)} "
            f"({F[i, j]:g})",
            hint="factors are shares or scores of zero or more; rescale a signed score first",
        )
    empty = np.flatnonzero(F.sum(axis=0) <= 0)
    if empty.size:
        j = int(empty[0])
        raise MethodError(
            f"{label('factor', j, factor_names)} is zero for every member, so it has no shares",
            hint="drop the factor, or give it the members' values",
        )
    return F


def _check_shapley(shapley: npt.ArrayLike, n: int, total: float) -> FloatArray:
    try:
        phi = np.array(shapley, dtype=np.float64)
    except (TypeError, ValueError):
        phi = np.full(1, np.nan)
    if phi.shape != (n,) or not np.isfinite(phi).all():
        raise MethodError(
            f"the Shapley value given is not {n} finite numbers",
            hint="give one value per member, in player order, or leave shapley out",
        )
    if abs(phi.sum() - total) > 1e-6 * max(1.0, abs(total)):
        raise MethodError(
            f"the Shapley value given sums to {phi.sum():g}, not to v(N) = {total:g}, so it is "
            "not the Shapley value of this game",
            hint="pass the Shapley value of this game, or leave shapley out to compute it",
        )
    return phi


def modified_shapley(
    v: Game | npt.ArrayLike,
    factors: npt.ArrayLike,
    factor_weights: npt.ArrayLike,
    *,
    shapley: npt.ArrayLike | None = None,
    names: Sequence[str] | None = None,
    factor_names: Sequence[str] | None = None,
) -> ModifiedShapleyResult:
    """Shapley value corrected by factor shares: φ'_i = φ_i + v(N) (R_i − 1/n).

    Convention (the form attributed to 戴建华 & 薛恒新 2004, "基于Shapley值法的动态联盟伙伴企业
    利益分配策略", 中国管理科学, and used by many later papers): ``factors`` F is members ×
    k factors, each column a share or a score (≥ 0, not all zero), normalised to shares
    F_ij / Σ_l F_lj; ``factor_weights`` a (from AHP, entropy or given; checked by
    :func:`~innoalliance.methods._checks.check_weights`, rescaled to sum 1 and flagged when
    they do
    not) combine them into R_i = Σ_j a_j F_ij / Σ_l F_lj. The correction
    Δ_i = v(N) (R_i − 1/n) sums to 0, so efficiency is kept. A single factor (a 1-D ``factors``
    with weight ``[1]``) is the one-factor form of risk-corrected papers, e.g. Table 11 of
    "Optimization of Benefit Allocation in Contracted Water-Saving Projects Based on the Shapley
    Value Method", Math. Probl. Eng. 2022, article 8942299.

    ``v`` is an explicit game array or a game object
    (:mod:`~innoalliance.methods.games.forms`). ``shapley`` may be passed precomputed (e.g. sampled
    with :func:`~innoalliance.methods.games.shapley.shapley_value` for a game of more than 25
    members); it must sum to v(N) within 1e-6 · max(1, |v(N)|). Otherwise it is computed by
    :func:`~innoalliance.methods.games.shapley.shapley_value` (exact, or a closed form). A weak
    member
    with a small factor share can end with a negative corrected value; it is reported, not
    clipped.
    """
    game: Game | FloatArray
    if isinstance(v, Game):
        game, n = v, v.n
        total = v.value((1 << n) - 1)
    else:
        game = check_game(v)
        n, total = game.size.bit_length() - 1, float(game[-1])
    F = _check_factors(factors, n, names, factor_names)
    a, renormalised = check_weights(factor_weights, F.shape[1], names=factor_names, kind=_KINDS[1])
    phi = shapley_value(game).values if shapley is None else _check_shapley(shapley, n, total)
    shares = F / F.sum(axis=0)
    by_factor = total * a * (shares - 1.0 / n)
    corrections = by_factor.sum(axis=1)
    return ModifiedShapleyResult(
        values=phi + corrections,
        shapley=phi,
        factor_shares=shares,
        combined_share=shares @ a,
        corrections=corrections,
        corrections_by_factor=by_factor,
        factor_weights=a,
        weights_renormalised=renormalised,
    )
