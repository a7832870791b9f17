"""Member credit ratings: a beta reputation with forgetting, blended with an index score.

Beta reputation (Jøsang, A. & Ismail, R. (2002), "The Beta Reputation System", Proc. 15th Bled
Electronic Commerce Conference, Bled, Slovenia, https://aisel.aisnet.org/bled2002/41/): with
``r`` positive and ``s`` negative observations the reputation function is Beta(r + 1, s + 1),
its expectation ``E = (r + 1) / (r + s + 2)`` and the reputation rating
``Rep = (r - s) / (r + s + 2) = 2E - 1`` in [-1, 1]. Older feedback is forgotten with a factor
``λ`` in (0, 1]: the paper's recursion ``r ← λ·r + r_new`` per feedback step is, for dated
evidence, the weight ``λ ** ((now - time) / period)`` on each row (an observation one period
old counts ``λ``; ``λ = 1`` forgets nothing). The recursion is as implementations citing the
paper apply it; one secondary transcription puts a factor ``1 - λ`` on the new feedback, which
would rescale ``r`` and ``s`` and so shift ``E`` towards the prior (the paper's text was not
re-read here).

Opinion (Jøsang's subjective logic, as mapped in the paper): belief ``b = r / (r + s + 2)``,
disbelief ``d = s / (r + s + 2)``, uncertainty ``u = 2 / (r + s + 2)``, ``b + d + u = 1``;
confidence is ``1 - u``. With a prior Beta(a, b) (the paper's uniform prior is a = b = 1) the
``2`` becomes ``W = a + b`` and ``E = (r + a) / (r + s + W) = belief + (a / W)·uncertainty``
(subjective logic's projected probability with base rate ``a / W``).

Monotonicity: ``E`` rises with ``r`` and falls with ``s``, every row's weight is positive and
depends only on its own date, so more positive evidence never lowers ``E``, the score or the
grade and more negative evidence never raises them; other members are untouched. ``E`` is
computed as ``1 / (1 + (s + b) / (r + a))``, a chain of correctly rounded operations that are
each monotone, so this holds in floating point too, not only in exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.grading import CREDIT_BANDS, NOT_RATED, GradeBands, grade

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Evidence:
    """Evidence rows, one per observation: about ``subject`` (member index), dated ``time``.

    ``positive`` and ``negative`` are non-negative weighted amounts (e.g. one commitment
    delivered in full and on time = 1 positive); ``category`` indexes the caller's category
    list (e.g. 0 commitment fulfilled, 1 commitment unfulfilled, 2 output, 3 violation,
    4 dispute). ``time`` is in any unit, the same as the ``now`` and ``period`` of
    :func:`beta_reputation`. Inputs are converted to arrays and checked on construction; the
    ranges of ``subject`` and ``category`` are checked by :meth:`check`.
    """

    subject: Ints
    time: Floats
    positive: Floats
    negative: Floats
    category: Ints

    def __post_init__(self) -> None:
        for name in ("subject", "category"):
            object.__setattr__(self, name, _indices(name, getattr(self, name)))
        for name in ("time", "positive", "negative"):
            object.__setattr__(self, name, _floats(name, getattr(self, name)))
        lengths = {
            name: len(getattr(self, name))
            for name in ("subject", "time", "positive", "negative", "category")
        }
        if len(set(lengths.values())) > 1:
            raise MethodError(
                f"evidence columns differ in length: {lengths}",
                hint="give every evidence row a value in each column",
            )
        self.reject(~np.isfinite(self.time), "time", "is not a finite date")
        for name in ("positive", "negative"):
            values = getattr(self, name)
            self.reject(~(np.isfinite(values) & (values >= 0)), name, "is not a finite amount >= 0")

    def check(self, n_subjects: int, n_categories: int) -> None:
        """Raise :class:`MethodError` if a subject or category index is out of range."""
        self.reject(
            (self.subject < 0) | (self.subject >= n_subjects),
            "subject",
            f"is not a member index in 0..{n_subjects - 1}",
        )
        self.reject(
            (self.category < 0) | (self.category >= n_categories),
            "category",
            f"is not a category index in 0..{n_categories - 1}",
        )

    def reject(self, bad: NDArray[np.bool_], column: str, rule: str, hint: str = "") -> None:
        """Raise :class:`MethodError` naming the first row (and its subject) where ``bad``."""
        values = getattr(self, column)
        _reject_rows(
            bad,
            lambda i: (
                f"evidence row {i} (subject {self.subject[i]}): "
                f"{column} = {values[i].item()!r} {rule}"
            ),
            hint or f"correct the {column} of that evidence row",
        )


@dataclass(frozen=True)
class BetaReputation:
    """Per subject: forgotten evidence ``r``, ``s``, the beta reputation and its opinion.

    ``drivers[i, c]`` holds the discounted (positive, negative) evidence of subject ``i`` in
    category ``c``; ``r = drivers[..., 0].sum(-1)`` and ``s = drivers[..., 1].sum(-1)``.
    """

    r: Floats
    s: Floats
    expectation: Floats
    rating: Floats
    belief: Floats
    disbelief: Floats
    uncertainty: Floats
    confidence: Floats
    drivers: Floats
    forgetting: float
    period: float
    now: float
    prior: tuple[float, float]


def beta_reputation(
    evidence: Evidence,
    n_subjects: int,
    n_categories: int,
    *,
    now: float,
    forgetting: float = 0.9,
    period: float = 1.0,
    prior: tuple[float, float] = (1.0, 1.0),
) -> BetaReputation:
    """Beta reputation with forgetting of each subject (Jøsang & Ismail 2002; see module doc).

    Each row weighs ``forgetting ** ((now - time) / period)``; ``r`` and ``s`` are the weighted
    sums of its positive and negative amounts. With ``prior = (a, b)``,
    ``E = (r + a) / (r + s + a + b)``, ``rating = 2E - 1`` (the paper's
    ``(r - s) / (r + s + 2)`` when a = b = 1), ``belief = r / (r + s + a + b)``,
    ``disbelief = s / (…)``, ``uncertainty = (a + b) / (…)``, ``confidence = 1 - uncertainty``.
    Rows dated after ``now`` raise :class:`MethodError`.
    """
    for name, count in (("n_subjects", n_subjects), ("n_categories", n_categories)):
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
            raise MethodError(
                f"{name} = {count!r} is not a whole number >= 0",
                hint=f"pass the number of {name[2:]}",
            )
    evidence.check(n_subjects, n_categories)
    if not np.isfinite(now):
        raise MethodError(
            f"now = {now!r} is not a finite date", hint="set now to the evaluation date"
        )
    if not 0.0 < forgetting <= 1.0:
        raise MethodError(
            f"forgetting factor {forgetting!r} is not in (0, 1]",
            hint="use e.g. 0.9 (a one-period-old observation counts 0.9); 1 forgets nothing",
        )
    if not (np.isfinite(period) and period > 0):
        raise MethodError(
            f"period {period!r} is not a positive duration",
            hint="give the period in the unit of the evidence dates, e.g. 1 (year)",
        )
    a, b = (float(x) for x in prior)
    if not (np.isfinite(a) and np.isfinite(b) and a > 0 and b > 0):
        raise MethodError(
            f"prior {prior!r} is not two positive numbers",
            hint="use (1, 1), the uniform prior of the beta reputation system",
        )
    evidence.reject(
        evidence.time > now,
        "time",
        f"is after now = {now!r}",
        hint="set now to the evaluation date",
    )

    weight = forgetting ** ((now - evidence.time) / period)
    cell = (evidence.subject, evidence.category)
    drivers = np.zeros((2, n_subjects, n_categories))
    np.add.at(drivers[0], cell, weight * evidence.positive)
    np.add.at(drivers[1], cell, weight * evidence.negative)
    drivers = np.moveaxis(drivers, 0, -1)
    r = drivers[..., 0].sum(axis=-1)
    s = drivers[..., 1].sum(axis=-1)
    expectation = 1.0 / (1.0 + (s + b) / (r + a))
    total = r + s + (a + b)
    uncertainty = (a + b) / total
    return BetaReputation(
        r=r,
        s=s,
        expectation=expectation,
        rating=2.0 * expectation - 1.0,
        belief=r / total,
        disbelief=s / total,
        uncertainty=uncertainty,
        confidence=1.0 - uncertainty,
        drivers=drivers,
        forgetting=float(forgetting),
        period=float(period),
        now=float(now),
        prior=(a, b),
    )


@dataclass(frozen=True)
class CreditRating:
    """Per subject: credit score (0-100), grade, and the drivers that explain the score.

    ``score = baseline + drivers.sum(-1)``: ``baseline`` is the score with no evidence (prior
    only) and ``drivers[i, c]`` the signed score points that category ``c``'s evidence adds.
    Where ``index_score`` is NaN the score is the behaviour score alone.
    """

    score: Floats
    grade: NDArray[np.str_]
    behaviour_score: Floats
    index_score: Floats
    weight_behaviour: float
    confidence: Floats
    drivers: Floats
    baseline: Floats
    bands: GradeBands
    min_confidence: float | None


def credit_rating(
    reputation: BetaReputation,
    index_score: ArrayLike,
    *,
    weight_behaviour: float = 0.6,
    bands: GradeBands = CREDIT_BANDS,
    min_confidence: float | None = None,
) -> CreditRating:
    """Credit score ``w·100·E + (1 - w)·index`` graded by ``bands``, with its drivers.

    ``E`` is the beta reputation expectation; ``index_score`` (0-100, computed elsewhere) may be
    NaN for "no index", and then the score is ``100·E`` alone. Drivers decompose the score
    exactly against the prior-only baseline ``w·100·E0 + (1 - w)·index``, ``E0 = a / (a + b)``:
    since ``E - E0 = Σ_c (r_c - E0·n_c) / (a + b + r + s)`` with ``n_c = r_c + s_c``, category
    ``c`` contributes ``w·100·(r_c - E0·n_c) / (a + b + r + s)`` points: positive evidence
    beyond what the prior expects of that many observations. A category with only positive
    evidence never contributes negatively, one with only negative evidence never positively.

    With ``min_confidence``, subjects whose confidence is below it are graded "NR" (not rated)
    while their score is still reported. Monotonicity then holds for the score always and for
    the grade among rated subjects: any new evidence raises confidence, so it can turn "NR"
    into a grade (a low one, for negative evidence) but never moves a rated grade the wrong way.
    """
    if not 0.0 <= weight_behaviour <= 1.0:
        raise MethodError(
            f"weight_behaviour {weight_behaviour!r} is not in [0, 1]",
            hint="use e.g. 0.6: 60 % behaviour score, 40 % index score",
        )
    if min_confidence is not None and not 0.0 <= min_confidence < 1.0:
        raise MethodError(
            f"min_confidence {min_confidence!r} is not in [0, 1)",
            hint="use e.g. 0.5, or None to rate every member",
        )
    n_subjects = len(reputation.expectation)
    index = np.asarray(index_score, dtype=np.float64)
    if index.shape != (n_subjects,):
        raise MethodError(
            f"index_score has shape {index.shape}, not ({n_subjects},)",
            hint="give one index score (or NaN) per member",
        )
    _reject_rows(
        ~(np.isnan(index) | ((index >= 0) & (index <= 100))),
        lambda i: f"member {i}: index_score = {index[i].item()!r} is not in 0..100 (or NaN)",
        "give index scores on the 0-100 scale, NaN where a member has none",
    )

    has_index = ~np.isnan(index)
    weight = np.where(has_index, weight_behaviour, 1.0)
    index_part = np.where(has_index, (1.0 - weight) * np.nan_to_num(index), 0.0)
    behaviour = 100.0 * reputation.expectation
    score = weight * behaviour + index_part

    a, b = reputation.prior
    prior_expectation = a / (a + b)
    positive = reputation.drivers[..., 0]
    observed = positive + reputation.drivers[..., 1]
    total = (a + b) + reputation.r + reputation.s
    drivers = (weight * 100.0 / total)[:, None] * (positive - prior_expectation * observed)
    grades = grade(score, bands)
    if min_confidence is not None:
        grades = np.where(reputation.confidence < min_confidence, NOT_RATED, grades)
    return CreditRating(
        score=score,
        grade=grades,
        behaviour_score=behaviour,
        index_score=index,
        weight_behaviour=float(weight_behaviour),
        confidence=reputation.confidence,
        drivers=drivers,
        baseline=weight * 100.0 * prior_expectation + index_part,
        bands=bands,
        min_confidence=min_confidence,
    )


def _indices(name: str, values: ArrayLike) -> Ints:
    array = np.asarray(values)
    if array.ndim != 1:
        raise MethodError(
            f"evidence column {name!r} is not one-dimensional",
            hint="give one value per evidence row",
        )
    if array.size and array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
        array = array.astype(np.int64)
    if array.size and array.dtype.kind not in "iu":
        raise MethodError(
            f"evidence column {name!r} holds {array.dtype} values, not indices",
            hint="give whole-number indices starting at 0",
        )
    return array.astype(np.int64)


def _floats(name: str, values: ArrayLike) -> Floats:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise MethodError(
            f"evidence column {name!r} is not numeric: {exc}", hint="give numbers only"
        ) from exc
    if array.ndim != 1:
        raise MethodError(
            f"evidence column {name!r} is not one-dimensional",
            hint="give one value per evidence row",
        )
    return array


def _reject_rows(bad: NDArray[np.bool_], describe: Callable[[int], str], hint: str) -> None:
    """Raise a :class:`MethodError` describing the first offending row and counting the rest."""
    rows = np.flatnonzero(bad)
    if rows.size:
        more = f" (and {rows.size - 1} more row(s))" if rows.size > 1 else ""
        raise MethodError(describe(int(rows[0])) + more, hint=hint)
