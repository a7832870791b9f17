"""Analytic Hierarchy Process: priorities and consistency of a pairwise comparison matrix."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_weights

RANDOM_INDEX: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        # Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill: n = 1..10 as printed there
        # (500 random matrices per n); n = 11..15 are the values 1.51, 1.48, 1.56, 1.57, 1.59 that
        # Saaty published for larger matrices and that AHP software reproduces alongside them
        # (checked against several implementations, not against the book itself).
        "saaty1980": (
            0.0,
            0.0,
            0.58,
            0.90,
            1.12,
            1.24,
            1.32,
            1.41,
            1.45,
            1.49,
            1.51,
            1.48,
            1.56,
            1.57,
            1.59,
        ),
        # Alonso & Lamata (2006), "Consistency in the analytic hierarchy process: a new approach",
        # Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems 14(4):445-459, RI from 100,000
        # random matrices per n = 3..15.
        "alonso-lamata2006": (
            0.0,
            0.0,
            0.5245,
            0.8815,
            1.1086,
            1.2479,
            1.3417,
            1.4056,
            1.4499,
            1.4854,
            1.5141,
            1.5365,
            1.5551,
            1.5713,
            1.5838,
        ),
    }
)
"""Random consistency indices RI by table name; entry n − 1 is the RI of an n × n matrix."""

_RECIPROCAL_RTOL = 1e-6
_SUGGESTIONS = 3


def parse_judgment(value: object, where: str) -> float:
    """A pairwise judgment as a positive finite number.

    Accepts numbers and strings such as ``"3"``, ``"1/3"``, ``"0.5"`` (Saaty's 1-9 scale and its
    reciprocals, or any positive ratio). ``where`` names the cell in the error message.
    """
    hint = "write a positive number such as 3, 1/3 or 0.5"
    number: float | None = None
    if isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        parts = value.strip().split("/")
        try:
            if len(parts) == 1:
                number = float(parts[0])
            elif len(parts) == 2:
                number = float(parts[0]) / float(parts[1])
        except (ValueError, ZeroDivisionError):
            number = None
    if number is None or not math.isfinite(number) or number <= 0:
        raise MethodError(f"{where}: {value!r} is not a positive judgment", hint=hint)
    return number


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, Real) and math.isnan(float(value))


def _cell(i: int, j: int, names: Sequence[str] | None, prefix: str) -> str:
    if names is None:
        return f"{prefix}row {i + 1}, column {j + 1}"
    return f"{prefix}{names[i]!r} vs {names[j]!r}"


def _judgment_matrix(matrix: object, names: Sequence[str] | None, prefix: str = "") -> FloatArray:
    """Parse and check a reciprocal matrix; blank lower-triangle cells get 1/a_ji."""
    cells = np.array(matrix, dtype=object)
    if cells.ndim != 2 or cells.shape[0] != cells.shape[1] or cells.shape[0] == 0:
        raise MethodError(
            f"{prefix}a pairwise comparison matrix must be square, got shape {cells.shape}",
            hint="give one row and one column per element compared, in the same order",
        )
    n = cells.shape[0]
    if names is not None and len(names) != n:
        raise MethodError(
            f"{len(names)} name(s) given for a {n} × {n} matrix",
            hint="give exactly one name per row/column, in order",
        )
    A = np.ones((n, n))
    for i in range(n):
        for j in range(n):
            if i == j and _blank(cells[i, j]):
                continue
            if i > j and _blank(cells[i, j]):
                A[i, j] = np.nan
                continue
            A[i, j] = parse_judgment(cells[i, j], _cell(i, j, names, prefix))
    for i in range(n):
        if abs(A[i, i] - 1.0) > _RECIPROCAL_RTOL:
            raise MethodError(
                f"{_cell(i, i, names, prefix)} is {A[i, i]:g}; an element compared with itself "
                "is 1",
                hint="put 1 on the diagonal",
            )
        for j in range(i + 1, n):
            if np.isnan(A[j, i]):
                A[j, i] = 1.0 / A[i, j]
            elif abs(A[i, j] * A[j, i] - 1.0) > _RECIPROCAL_RTOL:
                raise MethodError(
                    f"{_cell(i, j, names, prefix)} is {A[i, j]:g} but {_cell(j, i, names, '')} "
                    f"is {A[j, i]:g}, not its reciprocal {1.0 / A[i, j]:g}",
                    hint="enter only the upper triangle or make a_ji = 1/a_ij",
                )
    return A


@dataclass(frozen=True)
class AHPResult:
    """Priorities and consistency of one pairwise comparison matrix (see :func:`ahp`).

    ``inconsistency`` lists (i, j, |ln e_ij|) for every judgment i < j, worst first, with
    e_ij = a_ij w_j / w_i (1 for a perfectly consistent judgment); ``suggested`` gives, for the
    first three of them, in the same order, w_i / w_j: the value that would agree with the
    derived priorities.
    Indices are 0-based.
    """

    weights: FloatArray
    lambda_max: float
    ci: float
    ri: float
    cr: float
    random_index: str
    consistent: bool
    threshold: float
    inconsistency: tuple[tuple[int, int, float], ...]
    suggested: tuple[float, ...]


def ahp(
    matrix: object,
    *,
    random_index: str = "saaty1980",
    threshold: float = 0.10,
    names: Sequence[str] | None = None,
) -> AHPResult:
    """Priorities of a positive reciprocal matrix by Saaty's principal right eigenvector.

    Saaty (1980), *The Analytic Hierarchy Process*; Saaty (1990), EJOR 48:9-26. Cells may be
    numbers or strings like ``"1/3"``; the lower triangle may be left blank (None, "" or NaN) and
    is then filled with reciprocals. w is the eigenvector of the largest real eigenvalue λmax
    (numpy.linalg.eig), scaled to sum 1; CI = (λmax − n)/(n − 1) (0 for n ≤ 2, and rounding
    noise below 0 is clipped to 0); CR = CI / RI with RI from :data:`RANDOM_INDEX` (CR = 0 when
    RI = 0); ``consistent`` is CR < ``threshold``. An inconsistent matrix is not an error: the
    result says which judgments disagree most with the priorities, using Saaty's (2003, EJOR
    145:85-91) e_ij = a_ij w_j / w_i, measured as |ln e_ij|.
    """
    if random_index not in RANDOM_INDEX:
        raise MethodError(
            f"unknown random index table {random_index!r}",
            hint=f"use one of {', '.join(RANDOM_INDEX)}",
        )
    if not (math.isfinite(threshold) and threshold > 0):
        raise MethodError(f"threshold must be a positive number, got {threshold}", hint="e.g. 0.1")
    A = _judgment_matrix(matrix, names)
    n = A.shape[0]
    table = RANDOM_INDEX[random_index]
    if n > len(table):
        raise MethodError(
            f"the {random_index} table has random indices up to n = {len(table)}, not {n}",
            hint="split the elements into smaller groups, or choose another random_index table",
        )
    values, vectors = np.linalg.eig(A)
    k = int(np.argmax(values.real))
    lambda_max = float(values[k].real)
    v = vectors[:, k].real
    w = np.abs(v / v.sum())
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 2 else 0.0
    ri = table[n - 1]
    cr = ci / ri if ri > 0 else 0.0
    pairs = [
        (i, j, abs(math.log(A[i, j] * w[j] / w[i]))) for i in range(n) for j in range(i + 1, n)
    ]
    pairs.sort(key=lambda p: -p[2])
    suggested = tuple(float(w[i] / w[j]) for i, j, _ in pairs[:_SUGGESTIONS])
    return AHPResult(
        w, lambda_max, ci, ri, cr, random_index, cr < threshold, threshold, tuple(pairs), suggested
    )


def geometric_mean_judgments(
    matrices: Sequence[object], weights: npt.ArrayLike | None = None
) -> FloatArray:
    """Aggregate individual judgments (AIJ) by the weighted geometric mean, cell by cell.

    Aczél & Saaty (1983), J. Math. Psychology 27:93-102 (the geometric mean is the aggregation
    that keeps a_ji = 1/a_ij); weighted form as in Forman & Peniwati (1998), EJOR 108:165-169.
    Each matrix is checked as in :func:`ahp`; ``weights`` (one per expert, default equal) are
    normalised to sum 1.
    """
    if len(matrices) == 0:
        raise MethodError("no judgment matrices to aggregate", hint="give at least one matrix")
    parsed = [_judgment_matrix(M, None, f"matrix {k + 1}: ") for k, M in enumerate(matrices)]
    shapes = {M.shape for M in parsed}
    if len(shapes) > 1:
        raise MethodError(
            f"the judgment matrices have different sizes: {sorted(shapes)}",
            hint="every expert must compare the same elements",
        )
    k = len(parsed)
    w = np.full(k, 1.0 / k) if weights is None else check_weights(weights, k, kind="expert")[0]
    logs = np.stack([np.log(M) for M in parsed])
    return np.exp(np.tensordot(w, logs, axes=1))
