"""Fuzzy comprehensive evaluation (模糊综合评价): B = A ∘ R with one of four operators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_matrix, check_weights, label

OPERATORS = ("max-min", "product-max", "min-bounded-sum", "weighted-average")
"""M(∧,∨), M(·,∨), M(∧,⊕) and M(·,⊕), where ⊕ is the bounded sum min(1, Σ)."""

_KINDS = ("criterion", "grade")


@dataclass(frozen=True)
class FuzzyResult:
    """The evaluation vector B and what is read from it (see :func:`fuzzy_evaluate`)."""

    membership: FloatArray
    normalized: FloatArray
    operator: str
    grade_index: int
    grade_ties: tuple[int, ...]
    grade: str | None
    score: float | None
    weights: FloatArray
    weights_renormalised: bool


def _compose(a: FloatArray, R: FloatArray, operator: str) -> FloatArray:
    col = a[:, None]
    B: FloatArray
    if operator == "max-min":
        B = np.minimum(col, R).max(axis=0)
    elif operator == "product-max":
        B = (col * R).max(axis=0)
    elif operator == "min-bounded-sum":
        B = np.minimum(1.0, np.minimum(col, R).sum(axis=0))
    elif operator == "weighted-average":
        B = np.minimum(1.0, (col * R).sum(axis=0))
    else:
        raise MethodError(
            f"unknown operator {operator!r}", hint=f"use one of {', '.join(OPERATORS)}"
        )
    return B


def fuzzy_evaluate(
    weights: npt.ArrayLike,
    relation: npt.ArrayLike,
    *,
    operator: str = "weighted-average",
    grades: Sequence[str] | None = None,
    grade_scores: npt.ArrayLike | None = None,
    names: Sequence[str] | None = None,
) -> FuzzyResult:
    """One-level fuzzy comprehensive evaluation B = A ∘ R.

    ``weights`` A (one per criterion) are validated and normalised to sum 1 as by
    :func:`~innoalliance.methods._checks.check_weights`. ``relation`` R has one row per
    criterion
    and one column per grade: r_ij ∈ [0, 1] is the membership of criterion i in grade j (rows
    usually sum to 1, e.g. vote shares from :func:`membership_from_votes`, but need not).
    Operators (Zadeh's max-min composition and the variants taught in Chinese textbooks of
    模糊综合评判, e.g. 司守奎 & 孙玺菁, 2011, 数学建模算法与应用, §14.2):
    ``"max-min"`` b_j = max_i min(a_i, r_ij); ``"product-max"`` b_j = max_i a_i r_ij;
    ``"min-bounded-sum"`` b_j = min(1, Σ_i min(a_i, r_ij)); ``"weighted-average"``
    b_j = min(1, Σ_i a_i r_ij), i.e. A·R.

    B is returned raw (``membership``) and divided by its sum (``normalized``; an all-zero B is
    an error). ``grade_index`` applies the maximum-membership principle (the first largest b_j;
    ``grade_ties`` lists every grade sharing it). With ``grade_scores`` s, ``score`` is the
    weighted-average grade Σ b_j s_j / Σ b_j.
    """
    R = check_matrix(relation, names=grades, alternatives=names, kinds=_KINDS)
    m, p = R.shape
    outside = np.argwhere((R < 0) | (R > 1))
    if outside.size:
        i, j = (int(k) for k in outside[0])
        raise MethodError(
            f"{label('criterion', i, names)}, {label('grade', j, grades)} has membership "
            f"{R[i, j]:g}, outside [0, 1]",
            hint="memberships are shares between 0 and 1; build them with membership_from_votes",
        )
    a, renormalised = check_weights(weights, m, names=names)
    B = _compose(a, R, operator)
    total = float(B.sum())
    if total <= 0:
        raise MethodError(
            "the evaluation vector B is zero in every grade",
            hint="check that the weighted criteria have non-zero memberships",
        )
    ties = tuple(int(k) for k in np.flatnonzero(B.max() == B))
    score = None
    if grade_scores is not None:
        s = check_matrix(
            np.reshape(grade_scores, (1, -1)), names=grades, kinds=("score row", "grade")
        )[0]
        if s.size != p:
            raise MethodError(
                f"{s.size} grade score(s) given for {p} grades",
                hint="give exactly one score per grade, in order",
            )
        score = float(B @ s / total)
    return FuzzyResult(
        B,
        B / total,
        operator,
        ties[0],
        ties,
        None if grades is None else grades[ties[0]],
        score,
        a,
        renormalised,
    )


def membership_from_votes(
    counts: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> FloatArray:
    """Relation R from expert votes: r_ij = n_ij / Σ_j n_ij (the share of experts who put
    criterion i in grade j), the usual way Chinese studies build R. Counts must be ≥ 0 and each
    criterion needs at least one vote.
    """
    N = check_matrix(counts, alternatives=names, kinds=_KINDS)
    if (N < 0).any():
        i, j = (int(k) for k in np.argwhere(N < 0)[0])
        raise MethodError(
            f"{label('criterion', i, names)} has a negative vote count in grade {j + 1}",
            hint="counts are numbers of experts, zero or more",
        )
    totals = N.sum(axis=1)
    empty = np.flatnonzero(totals == 0)
    if empty.size:
        raise MethodError(
            f"{label('criterion', int(empty[0]), names)} received no votes",
            hint="every criterion needs at least one expert's vote",
        )
    shares: FloatArray = N / totals[:, None]
    return shares
