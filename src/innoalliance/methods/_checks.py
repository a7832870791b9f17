"""The argument checks every method shares, whatever its family.

Arrays: :func:`as_floats` (numbers or a :class:`MethodError`), :func:`check_matrix` (a finite 2-D
table, e.g. alternatives × criteria), :func:`check_vector` (one number per player, member, …),
:func:`check_nonnegative` (every entry a finite number ≥ 0), :func:`check_not_constant` (no
criterion with one value for every alternative). Weights and types: :func:`check_weights` (fixed
or expert weights, normalised to sum 1), :func:`check_types` (benefit/cost). Scalars and names:
:func:`check_count` (a whole number ≥ a minimum), :func:`check_names` (one name per entry).
:func:`label` names an entry in a message.

Indices in messages are 1-based ("criterion 3" is the third column); indices in results are 0-based.
Every failed check raises :class:`~innoalliance.errors.MethodError` with a hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

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


def check_names(
    names: Sequence[str] | None, size: int, kind: str, kinds: str | None = None
) -> None:
    """Refuse ``names`` unless there is exactly one per ``kind`` (``size`` of them).

    ``kinds`` is the plural used in the message (default ``kind`` + ``"(s)"``).
    """
    if names is not None and len(names) != size:
        raise MethodError(
            f"{len(names)} {kind} name(s) given for {size} {kinds or kind + '(s)'}",
            hint=f"give exactly one name per {kind}, in order",
        )


def as_floats(x: object, what: str, hint: str, *, copy: bool = True) -> FloatArray:
    """``x`` as a float64 array (a new one unless ``copy`` is false), or "``what`` is not made of
    numbers"."""
    try:
        return np.array(x, dtype=np.float64) if copy else np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise MethodError(f"{what} is not made of numbers", hint=hint) from None


def check_count(value: object, what: str, *, hint: str, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is a whole number ≥ ``minimum`` (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise MethodError(f"{what} must be a whole number ≥ {minimum}, got {value!r}", hint=hint)
    return int(value)


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
    A = as_floats(X, f"the {row_kind} × {col_kind} table", hint)
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise MethodError(
            f"expected a {row_kind} × {col_kind} table, got an array of shape {A.shape}",
            hint=hint,
        )
    check_names(names, A.shape[1], col_kind)
    check_names(alternatives, A.shape[0], row_kind)
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
    v = as_floats(w, "the weights", f"give one number per {kind}")
    if v.ndim != 1 or v.size != m:
        raise MethodError(
            f"{v.size} weight(s) given for {m} {kind}(s)",
            hint=f"give a list of exactly one weight per {kind}, in order",
        )
    check_names(names, m, kind)
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


def check_nonnegative(
    a: FloatArray, what: str, names: Sequence[str] | None = None, *, kind: str = "player"
) -> FloatArray:
    """Refuse an entry of ``a`` (one ``what`` per ``kind``) that is not a finite number ≥ 0;
    return ``a``."""
    bad = np.flatnonzero(~(np.isfinite(a) & (a >= 0)))
    if bad.size:
        i = int(bad[0])
        raise MethodError(
            f"the {what} of {label(kind, i, names)} is {a[i]:g}",
            hint=f"every {what} must be a finite number, zero or more",
        )
    return a
