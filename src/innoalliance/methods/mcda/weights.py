"""Criterion weights: :func:`equal_weights`, :func:`entropy_weights` (Shannon entropy) and
:func:`critic_weights` (CRITIC), with :func:`minmax_normalize`, which CRITIC and TOPSIS share.

The input checks these methods share with every other (decision matrix, fixed weights,
benefit/cost types, constant criteria, …) are in :mod:`innoalliance.methods._checks`.

Indices in messages are 1-based ("criterion 3" is the third column); indices in results are 0-based.
"""

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
    label,
)


def minmax_normalize(X: FloatArray, types: FloatArray) -> FloatArray:
    """Min-max normalise each column to [0, 1], 1 being best.

    Benefit: (x − min)/(max − min); cost: (max − x)/(max − min). Columns must not be constant
    (:func:`~innoalliance.methods._checks.check_not_constant`).
    """
    lo, hi = X.min(axis=0), X.max(axis=0)
    scaled: FloatArray = (X - lo) / (hi - lo)
    return np.where(types > 0, scaled, 1.0 - scaled)


def equal_weights(m: int) -> FloatArray:
    """Weights 1/m for each of ``m`` criteria."""
    if m < 1:
        raise MethodError(f"cannot weight {m} criteria", hint="give at least one criterion")
    return np.full(m, 1.0 / m)


@dataclass(frozen=True)
class EntropyResult:
    """Entropy weights and every intermediate value (see :func:`entropy_weights`)."""

    weights: FloatArray
    entropy: FloatArray
    divergence: FloatArray
    shares: FloatArray
    standardized: FloatArray
    standardize: str


def entropy_weights(
    X: npt.ArrayLike,
    *,
    standardize: Literal["none", "minmax"] = "none",
    types: Types | None = None,
    shift: float = 0.0,
    names: Sequence[str] | None = None,
) -> EntropyResult:
    """Entropy weights of the criteria (columns) of a decision matrix.

    Convention (Shannon 1948; Zeleny 1982; Hwang & Yoon 1981, *Multiple Attribute Decision
    Making*, pp. 52-53): with z the standardised matrix (m alternatives),
    p_ij = z_ij / Σ_i z_ij, e_j = −(1/ln m) Σ_i p_ij ln p_ij with 0·ln 0 = 0,
    d_j = 1 − e_j (clipped at 0 against rounding), w_j = d_j / Σ d.

    ``standardize="none"`` uses the raw values, which must not be negative; ``types`` are then
    refused (orientation does not change entropy of raw shares). ``"minmax"`` first maps
    benefit criteria to (x − min)/(max − min) and cost criteria to (max − x)/(max − min), the
    usual practice in Chinese studies. ``shift`` (≥ 0) is added after standardisation, as papers
    that add 0.0001 or 1 to avoid zero shares do. Agrees with ``skcriteria``'s
    ``entropy_weights`` (scipy's entropy, 0·ln 0 = 0); pymcdm differs on zeros (see the tests).
    """
    A = check_matrix(X, names=names)
    m_alt, m = A.shape
    if m_alt < 2:
        raise MethodError(
            f"entropy weights need at least 2 alternatives, got {m_alt}",
            hint="add alternatives, or give the weights directly",
        )
    if not (np.isfinite(shift) and shift >= 0):
        raise MethodError(f"shift must be a number ≥ 0, got {shift}", hint="e.g. 0, 0.0001 or 1")
    check_not_constant(A, names)
    if standardize == "minmax":
        t = check_types(types if types is not None else ["benefit"] * m, m, names=names)
        Z = minmax_normalize(A, t)
    elif standardize == "none":
        if types is not None:
            raise MethodError(
                "criterion types were given but standardize is 'none', where they have no effect",
                hint='use standardize="minmax" to orient cost criteria, or drop the types',
            )
        if (A < 0).any():
            i, j = (int(k) for k in np.argwhere(A < 0)[0])
            raise MethodError(
                f"{label('alternative', i, None)}, {label('criterion', j, names)} is negative "
                f"({A[i, j]:g}); entropy shares need values ≥ 0",
                hint='use standardize="minmax"',
            )
        Z = A
    else:
        raise MethodError(f"unknown standardisation {standardize!r}", hint='use "none" or "minmax"')
    Z = Z + shift
    p = Z / Z.sum(axis=0)
    plogp = np.zeros_like(p)
    positive = p > 0
    plogp[positive] = p[positive] * np.log(p[positive])
    e = -plogp.sum(axis=0) / np.log(m_alt)
    d = np.maximum(1.0 - e, 0.0)
    if d.sum() <= 0:
        raise MethodError(
            "every criterion has maximal entropy (its shares are equal across alternatives)",
            hint="the data cannot discriminate; give the weights directly",
        )
    return EntropyResult(d / d.sum(), e, d, p, Z, standardize)


@dataclass(frozen=True)
class CriticResult:
    """CRITIC weights and every intermediate value (see :func:`critic_weights`)."""

    weights: FloatArray
    std: FloatArray
    correlation: FloatArray
    information: FloatArray
    normalized: FloatArray


def critic_weights(
    X: npt.ArrayLike,
    *,
    types: Types | None = None,
    names: Sequence[str] | None = None,
) -> CriticResult:
    """CRITIC weights: Diakoulaki, Mavrotas & Papayannakis (1995), Computers & OR 22(7):763-770.

    Convention: min-max normalise by type (:func:`minmax_normalize`), σ_j the sample standard
    deviation (ddof = 1, as pymcdm; skcriteria uses ddof = 0 — the weights are the same because
    the factor cancels), r_jk Pearson's correlation of the normalised columns,
    C_j = σ_j Σ_k (1 − r_jk), w_j = C_j / Σ C. ``types`` defaults to all benefit.
    """
    A = check_matrix(X, names=names)
    m_alt, m = A.shape
    if m_alt < 2:
        raise MethodError(
            f"CRITIC needs at least 2 alternatives, got {m_alt}",
            hint="add alternatives, or give the weights directly",
        )
    check_not_constant(A, names)
    t = check_types(types if types is not None else ["benefit"] * m, m, names=names)
    N = minmax_normalize(A, t)
    std = N.std(axis=0, ddof=1)
    r = np.atleast_2d(np.corrcoef(N, rowvar=False))
    C = std * (1.0 - r).sum(axis=0)
    if C.sum() <= 0:
        raise MethodError(
            "the criteria are perfectly correlated with each other, so CRITIC gives no weights",
            hint="use equal weights, or give the weights directly",
        )
    return CriticResult(C / C.sum(), std, r, C, N)

