"""Criterion weights, and the input checks every method shares.

Shared checks: :func:`check_matrix` (a finite 2-D decision matrix), :func:`check_weights` (fixed or
expert weights), :func:`check_types` (benefit/cost), :func:`check_not_constant` and
:func:`minmax_normalize`. Objective weights: :func:`equal_weights`, :func:`entropy_weights`
(Shannon entropy) and :func:`critic_weights` (CRITIC).

Indices in messages are 1-based ("criterion 3" is the third column); indices in results are 0-based.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError

FloatArray = npt.NDArray[np.float64]
Types = Sequence[object] | npt.NDArray[Any]
"""Criterion types as accepted by :func:`check_types`."""

_BENEFIT = {"benefit": 1.0, "max": 1.0, "cost": -1.0, "min": -1.0}


def label(kind: str, index: int, names: Sequence[str] | None) -> str:
    """Name the ``index``-th (0-based) criterion, alternative, … for a message."""
    if names is not None:
        return f"{kind} {names[index]!r}"
    return f"{kind} {index + 1}"


def _check_names(names: Sequence[str] | None, size: int, kind: str) -> None:
    if names is not None and len(names) != size:
        raise MethodError(
            f"{len(names)} {kind} name(s) given for {size} {kind}(s)",
            hint=f"give exactly one name per {kind}, in order",
        )


def _as_float(X: object, what: str, hint: str) -> FloatArray:
    try:
        return np.array(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise MethodError(f"{what} is not made of numbers", hint=hint) from None


def check_matrix(
    X: npt.ArrayLike,
    *,
    names: Sequence[str] | None = None,
    alternatives: Sequence[str] | None = None,
    allow_nan: bool = False,
    kinds: tuple[str, str] = ("alternative", "criterion"),
) -> FloatArray:
    """Return ``X`` as a new 2-D float64 array: rows are alternatives, columns criteria.

    Every cell must be a finite number (NaN is let through when ``allow_nan``; infinities never
    are). ``names`` name the columns, ``alternatives`` the rows; ``kinds`` says what rows and
    columns are called in messages.
    """
    row_kind, col_kind = kinds
    hint = f"give one row per {row_kind} and one number per {col_kind}"
    A = _as_float(X, f"the {row_kind} × {col_kind} table", hint)
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise MethodError(
            f"expected a {row_kind} × {col_kind} table, got an array of shape {A.shape}",
            hint=hint,
        )
    _check_names(names, A.shape[1], col_kind)
    _check_names(alternatives, A.shape[0], row_kind)
    bad = ~np.isfinite(A)
    if allow_nan:
        bad &= ~np.isnan(A)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise MethodError(
            f"{label(row_kind, i, alternatives)}, {label(col_kind, j, names)} is {A[i, j]}",
            hint="every cell must be a finite number; fill or drop the missing value",
        )
    return A


def check_weights(
    w: npt.ArrayLike,
    m: int,
    *,
    names: Sequence[str] | None = None,
    kind: str = "criterion",
) -> tuple[FloatArray, bool]:
    """Validate fixed (expert) weights for ``m`` criteria and normalise them to sum 1.

    Weights must be ``m`` finite numbers, none negative and not all zero. Returns the normalised
    weights and whether they had to be rescaled (the input did not sum to 1 within 1e-9).
    """
    v = _as_float(w, "the weights", f"give one number per {kind}")
    if v.ndim != 1 or v.size != m:
        raise MethodError(
            f"{v.size} weight(s) given for {m} {kind}(s)",
            hint=f"give a list of exactly one weight per {kind}, in order",
        )
    _check_names(names, m, kind)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        j = int(bad[0])
        raise MethodError(
            f"the weight of {label(kind, j, names)} is {v[j]}", hint="give a finite number"
        )
    negative = np.flatnonzero(v < 0)
    if negative.size:
        j = int(negative[0])
        raise MethodError(
            f"the weight of {label(kind, j, names)} is negative ({v[j]})",
            hint="weights must be zero or positive; a cost criterion is declared by its type",
        )
    total = float(v.sum())
    if total <= 0:
        raise MethodError(
            "all weights are zero", hint=f"give at least one {kind} a positive weight"
        )
    return v / total, abs(total - 1.0) > 1e-9


def check_types(types: Types, m: int, *, names: Sequence[str] | None = None) -> FloatArray:
    """Return +1 (benefit, larger is better) or -1 (cost, smaller is better) per criterion.

    Each entry may be ``"benefit"``/``"max"``/``1`` or ``"cost"``/``"min"``/``-1``.
    """
    if isinstance(types, str) or (isinstance(types, np.ndarray) and types.ndim != 1):
        raise MethodError(
            f"criterion types must be a list with one entry per criterion, got {types!r}",
            hint='e.g. ["benefit", "cost", "benefit"]',
        )
    entries = list(types)
    if len(entries) != m:
        raise MethodError(
            f"{len(entries)} criterion type(s) given for {m} criteria",
            hint="give exactly one type per criterion, in order",
        )
    out = np.empty(m)
    for j, t in enumerate(entries):
        if isinstance(t, str) and t.strip().lower() in _BENEFIT:
            out[j] = _BENEFIT[t.strip().lower()]
        elif isinstance(t, Real) and not isinstance(t, bool) and float(t) in (1.0, -1.0):
            out[j] = float(t)
        else:
            raise MethodError(
                f"{label('criterion', j, names)} has type {t!r}",
                hint='use "benefit" (or "max", 1) or "cost" (or "min", -1)',
            )
    return out


def check_not_constant(X: FloatArray, names: Sequence[str] | None) -> None:
    """Refuse a criterion whose value is the same for every alternative (it cannot discriminate)."""
    constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
    if constant.size:
        j = int(constant[0])
        raise MethodError(
            f"{label('criterion', j, names)} has the same value ({X[0, j]:g}) for every "
            "alternative, so it carries no information",
            hint="drop the criterion, or give it a fixed weight outside this method",
        )


def minmax_normalize(X: FloatArray, types: FloatArray) -> FloatArray:
    """Min-max normalise each column to [0, 1], 1 being best.

    Benefit: (x − min)/(max − min); cost: (max − x)/(max − min). Columns must not be constant
    (:func:`check_not_constant`).
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


def check_vector(x: npt.ArrayLike, what: str, names: Sequence[str] | None = None, *,
                 n: int | None = None, kind: str = "player") -> FloatArray:
    """One number per ``kind`` (n of them if given), with at most one name each; a new array."""
    try:
        a = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise MethodError(f"the {what}s are not numbers", hint=f"give one {what} per {kind}"
                          ) from None
    if a.ndim != 1 or a.size == 0 or (n is not None and a.size != n):
        size = "one" if n is None else f"{n} values of"
        raise MethodError(f"expected {size} {what} per {kind}, got an array of shape {a.shape}",
                          hint=f"give one {what} per {kind}, in order")
    if names is not None and len(names) != a.size:
        raise MethodError(f"{len(names)} name(s) given for {a.size} {kind}(s)",
                          hint=f"give exactly one name per {kind}, in order")
    return a
