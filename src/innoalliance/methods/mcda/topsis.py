"""TOPSIS: rank alternatives by their relative closeness to the ideal solution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import (
    FloatArray,
    Types,
    check_matrix,
    check_not_constant,
    check_types,
    check_weights,
)
from innoalliance.methods.mcda.weights import minmax_normalize


@dataclass(frozen=True)
class TopsisResult:
    """Every step of a TOPSIS run (see :func:`topsis`); rows are alternatives."""

    normalized: FloatArray
    weighted: FloatArray
    ideal: FloatArray
    anti_ideal: FloatArray
    d_plus: FloatArray
    d_minus: FloatArray
    closeness: FloatArray
    rank: npt.NDArray[np.int64]
    normalization: str
    weights: FloatArray
    weights_renormalised: bool


def topsis(
    X: npt.ArrayLike,
    weights: npt.ArrayLike,
    types: Types,
    *,
    normalization: Literal["vector", "minmax"] = "vector",
    names: Sequence[str] | None = None,
    alternatives: Sequence[str] | None = None,
) -> TopsisResult:
    """TOPSIS of Hwang & Yoon (1981), *Multiple Attribute Decision Making*, pp. 128-134.

    ``"vector"`` (the original): r_ij = x_ij / √Σ_i x_ij², v = w·r, the ideal is the column
    maximum of v for benefit and the minimum for cost criteria, the anti-ideal the opposite.
    ``"minmax"``: r = (x − min)/(max − min) for benefit and (max − x)/(max − min) for cost, so 1 is
    best in every column and the ideal is the column maximum of v, the anti-ideal the minimum —
    the convention of pymcdm's ``TOPSIS()``, whose default normalisation this is. Distances are
    Euclidean, closeness C = d⁻ / (d⁺ + d⁻) ∈ [0, 1]; rank 1 is the largest closeness and tied
    alternatives share the smallest rank of their group (1, 2, 2, 4).

    Weights go through :func:`~innoalliance.methods._checks.check_weights` (normalised to sum 1,
    flagged if they did not). A criterion with the same value for every alternative is refused: it
    carries no information (and would divide by zero under min-max).
    """
    A = check_matrix(X, names=names, alternatives=alternatives)
    m = A.shape[1]
    w, renormalised = check_weights(weights, m, names=names)
    t = check_types(types, m, names=names)
    check_not_constant(A, names)
    if normalization == "vector":
        R = A / np.sqrt((A**2).sum(axis=0))
        orient = t
    elif normalization == "minmax":
        R = minmax_normalize(A, t)
        orient = np.ones(m)
    else:
        raise MethodError(
            f"unknown normalisation {normalization!r}", hint='use "vector" or "minmax"'
        )
    V = R * w
    best = np.where(orient > 0, V.max(axis=0), V.min(axis=0))
    worst = np.where(orient > 0, V.min(axis=0), V.max(axis=0))
    d_plus = np.sqrt(((V - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((V - worst) ** 2).sum(axis=1))
    closeness = d_minus / (d_plus + d_minus)
    rank = 1 + (closeness[None, :] > closeness[:, None]).sum(axis=1)
    return TopsisResult(
        R,
        V,
        best,
        worst,
        d_plus,
        d_minus,
        closeness,
        rank.astype(np.int64),
        normalization,
        w,
        renormalised,
    )
