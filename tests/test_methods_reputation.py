"""Beta reputation with forgetting (Jøsang & Ismail 2002) and credit ratings built on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.grading import CREDIT_BANDS, NOT_RATED
from innoalliance.methods.mcda.reputation import (
    BetaReputation,
    Evidence,
    beta_reputation,
    credit_rating,
)

NOW = 10.0


def evidence(rows: list[tuple[int, float, float, float, int]]) -> Evidence:
    """Evidence from (subject, time, positive, negative, category) rows."""
    columns: list[tuple[float, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 5
    return Evidence(
        subject=np.array(columns[0], dtype=np.int64),
        time=np.array(columns[1], dtype=np.float64),
        positive=np.array(columns[2], dtype=np.float64),
        negative=np.array(columns[3], dtype=np.float64),
        category=np.array(columns[4], dtype=np.int64),
    )


def test_paper_example_seven_positive_one_negative() -> None:
    # Jøsang & Ismail (2002), §2.1 / Fig. 1: outcome x seen 7 times and x̄ once gives the
    # reputation function Beta(p | 8, 2), expectation 0.8 (figure numbers recalled, not
    # re-read from the paper). Rep = (r - s) / (r + s + 2) = 0.6.
    rep = beta_reputation(evidence([(0, NOW, 7.0, 1.0, 0)]), 1, 1, now=NOW)
    assert rep.expectation[0] == pytest.approx(0.8)
    assert rep.rating[0] == pytest.approx(0.6)
    assert rep.belief[0] == pytest.approx(0.7)
    assert rep.disbelief[0] == pytest.approx(0.1)
    assert rep.uncertainty[0] == pytest.approx(0.2)
    assert rep.confidence[0] == pytest.approx(0.8)


def test_no_evidence_is_the_prior() -> None:
    rep = beta_reputation(evidence([]), 2, 3, now=NOW)
    np.testing.assert_array_equal(rep.expectation, [0.5, 0.5])
    np.testing.assert_array_equal(rep.rating, [0.0, 0.0])
    np.testing.assert_array_equal(rep.uncertainty, [1.0, 1.0])
    np.testing.assert_array_equal(rep.confidence, [0.0, 0.0])


def test_prior_shifts_expectation() -> None:
    rep = beta_reputation(evidence([(0, NOW, 3.0, 1.0, 0)]), 1, 1, now=NOW, prior=(2.0, 1.0))
    assert rep.expectation[0] == pytest.approx(5.0 / 7.0)
    assert rep.uncertainty[0] == pytest.approx(3.0 / 7.0)
    # projected probability of subjective logic: E = b + (a / W)·u
    assert rep.expectation[0] == pytest.approx(rep.belief[0] + 2.0 / 3.0 * rep.uncertainty[0])


def test_forgetting_hand_computed() -> None:
    # λ = 0.5, period 1: a positive 2 periods old weighs 0.25, a negative of today weighs 1.
    rows = [(0, 8.0, 1.0, 0.0, 0), (0, NOW, 0.0, 1.0, 1)]
    rep = beta_reputation(evidence(rows), 1, 2, now=NOW, forgetting=0.5)
    assert rep.r[0] == pytest.approx(0.25)
    assert rep.s[0] == pytest.approx(1.0)
    assert rep.expectation[0] == pytest.approx(1.25 / 3.25)
    np.testing.assert_allclose(rep.drivers[0], [[0.25, 0.0], [0.0, 1.0]])


def test_forgetting_matches_the_paper_recursion() -> None:
    # r_n = λ·r_{n-1} + new_n, one step per period (Jøsang & Ismail 2002, forgetting).
    amounts = [3.0, 0.0, 2.0, 5.0, 1.0]
    lam = 0.8
    recursive = 0.0
    for amount in amounts:
        recursive = lam * recursive + amount
    rows = [(0, float(t), a, 0.0, 0) for t, a in enumerate(amounts)]
    rep = beta_reputation(evidence(rows), 1, 1, now=len(amounts) - 1, forgetting=lam)
    assert rep.r[0] == pytest.approx(recursive)


def test_period_scales_time() -> None:
    rows = [(0, 0.0, 1.0, 0.0, 0)]
    in_days = beta_reputation(evidence(rows), 1, 1, now=365.0, forgetting=0.5, period=365.0)
    assert in_days.r[0] == pytest.approx(0.5)


def test_old_violation_weighs_less_than_recent() -> None:
    rows = [(0, 1.0, 0.0, 1.0, 3), (1, 9.0, 0.0, 1.0, 3)]
    rep = beta_reputation(evidence(rows), 2, 5, now=NOW, forgetting=0.9)
    assert rep.s[0] < rep.s[1]
    assert rep.expectation[0] > rep.expectation[1]


def test_forgetting_one_counts_everything() -> None:
    rows = [(0, 0.0, 2.0, 1.0, 0), (0, 5.0, 1.0, 0.0, 1), (1, NOW, 0.0, 4.0, 1)]
    rep = beta_reputation(evidence(rows), 2, 2, now=NOW, forgetting=1.0)
    np.testing.assert_array_equal(rep.r, [3.0, 0.0])
    np.testing.assert_array_equal(rep.s, [1.0, 4.0])


def test_evidence_accepts_whole_number_floats_and_lists() -> None:
    columns: dict[str, object] = {
        "subject": [0.0, 1.0],
        "time": [1, 2],
        "positive": [1, 0],
        "negative": [0, 1],
        "category": [0, 0],
    }
    ev = Evidence(**columns)  # type: ignore[arg-type]
    assert ev.subject.dtype == np.int64
    assert ev.time.dtype == np.float64


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"subject": [0, 1]}, "differ in length"),
        ({"subject": [0.5]}, "not indices"),
        ({"time": [np.nan]}, r"row 0 \(subject 0\): time = nan is not a finite date"),
        ({"positive": [-1.0]}, "positive = -1.0 is not a finite amount"),
        ({"negative": [np.inf]}, "negative = inf"),
        ({"positive": ["a lot"]}, "not numeric"),
        ({"category": [[0]]}, "not one-dimensional"),
    ],
)
def test_invalid_evidence_raises(columns: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "subject": [0],
        "time": [1.0],
        "positive": [1.0],
        "negative": [0.0],
        "category": [0],
    }
    with pytest.raises(MethodError, match=message) as caught:
        Evidence(**(base | columns))  # type: ignore[arg-type]
    assert caught.value.hint


@pytest.mark.parametrize(
    ("row", "kwargs", "message"),
    [
        ((2, 1.0, 1.0, 0.0, 0), {}, r"row 0 \(subject 2\): subject = 2 is not a member index"),
        ((-1, 1.0, 1.0, 0.0, 0), {}, "not a member index in 0..1"),
        ((0, 1.0, 1.0, 0.0, 3), {}, "not a category index in 0..2"),
        ((0, 11.0, 1.0, 0.0, 0), {}, "time = 11.0 is after now = 10.0"),
        ((0, 1.0, 1.0, 0.0, 0), {"forgetting": 0.0}, r"not in \(0, 1\]"),
        ((0, 1.0, 1.0, 0.0, 0), {"forgetting": 1.5}, r"not in \(0, 1\]"),
        ((0, 1.0, 1.0, 0.0, 0), {"period": 0.0}, "not a positive duration"),
        ((0, 1.0, 1.0, 0.0, 0), {"prior": (0.0, 1.0)}, "not two positive numbers"),
        ((0, 1.0, 1.0, 0.0, 0), {"now": np.inf}, "not a finite date"),
    ],
)
def test_invalid_reputation_inputs_raise(
    row: tuple[int, float, float, float, int], kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"now": NOW} | kwargs
    with pytest.raises(MethodError, match=message) as caught:
        beta_reputation(evidence([row]), 2, 3, **arguments)  # type: ignore[arg-type]
    assert caught.value.hint


def test_future_evidence_hint_names_the_evaluation_date() -> None:
    with pytest.raises(MethodError) as caught:
        beta_reputation(evidence([(0, 11.0, 1.0, 0.0, 0)]), 1, 1, now=NOW)
    assert caught.value.hint == "set now to the evaluation date"


@pytest.mark.parametrize("count", [-1, 1.5, True])
def test_subject_count_must_be_whole_number(count: object) -> None:
    with pytest.raises(MethodError, match="n_subjects"):
        beta_reputation(evidence([]), count, 1, now=NOW)  # type: ignore[arg-type]


def test_no_members_gives_empty_results() -> None:
    rating = credit_rating(beta_reputation(evidence([]), 0, 5, now=NOW), np.array([]))
    assert rating.score.shape == rating.grade.shape == (0,)
    assert rating.drivers.shape == (0, 5)


def test_credit_rating_blends_behaviour_and_index() -> None:
    rep = beta_reputation(evidence([(0, NOW, 7.0, 1.0, 0)]), 2, 1, now=NOW)
    rating = credit_rating(rep, np.array([50.0, np.nan]), weight_behaviour=0.6)
    # member 0: 0.6·80 + 0.4·50 = 68; member 1: no index, no evidence: behaviour 50 alone
    np.testing.assert_allclose(rating.score, [68.0, 50.0])
    np.testing.assert_allclose(rating.behaviour_score, [80.0, 50.0])
    assert rating.grade.tolist() == ["BBB", "BB"]
    np.testing.assert_allclose(rating.baseline, [0.6 * 50 + 0.4 * 50, 50.0])
    np.testing.assert_allclose(rating.drivers, [[18.0], [0.0]])
    assert rating.bands is CREDIT_BANDS


def test_drivers_signed_by_category() -> None:
    rows = [(0, NOW, 4.0, 0.0, 0), (0, NOW, 0.0, 2.0, 3), (0, NOW, 1.0, 1.0, 2)]
    rep = beta_reputation(evidence(rows), 1, 5, now=NOW)
    rating = credit_rating(rep, np.array([np.nan]))
    drivers = rating.drivers[0]
    assert drivers[0] > 0
    assert drivers[3] < 0
    assert drivers[2] == pytest.approx(0.0)  # as positive as the prior expects
    assert drivers[1] == drivers[4] == 0.0
    assert rating.baseline[0] + drivers.sum() == pytest.approx(rating.score[0], abs=1e-12)


def test_min_confidence_withholds_grade() -> None:
    rows = [(0, NOW, 7.0, 1.0, 0)]
    rep = beta_reputation(evidence(rows), 2, 1, now=NOW)
    rating = credit_rating(rep, np.array([50.0, 50.0]), min_confidence=0.5)
    assert rating.grade.tolist() == ["BBB", NOT_RATED]
    assert np.isfinite(rating.score).all()


@pytest.mark.parametrize(
    ("index", "kwargs", "message"),
    [
        ([50.0], {}, r"shape \(1,\), not \(2,\)"),
        ([50.0, 101.0], {}, r"member 1: index_score = 101.0 is not in 0..100"),
        ([-1.0, 50.0], {}, "member 0"),
        ([50.0, 50.0], {"weight_behaviour": 1.2}, r"not in \[0, 1\]"),
        ([50.0, 50.0], {"min_confidence": 1.0}, r"not in \[0, 1\)"),
    ],
)
def test_invalid_credit_inputs_raise(
    index: list[float], kwargs: dict[str, object], message: str
) -> None:
    rep = beta_reputation(evidence([]), 2, 1, now=NOW)
    with pytest.raises(MethodError, match=message):
        credit_rating(rep, np.array(index), **kwargs)  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------

amounts = st.floats(min_value=0.0, max_value=100.0)
times = st.floats(min_value=0.0, max_value=NOW)


@dataclass(frozen=True)
class Case:
    rows: list[tuple[int, float, float, float, int]]
    n_subjects: int
    n_categories: int
    forgetting: float
    prior: tuple[float, float]
    index: np.ndarray
    weight: float


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n_subjects = draw(st.integers(1, 4))
    n_categories = draw(st.integers(1, 5))
    row = st.tuples(
        st.integers(0, n_subjects - 1), times, amounts, amounts, st.integers(0, n_categories - 1)
    )
    index = draw(
        st.lists(
            st.one_of(st.just(np.nan), st.floats(0.0, 100.0)),
            min_size=n_subjects,
            max_size=n_subjects,
        )
    )
    return Case(
        rows=draw(st.lists(row, max_size=12)),
        n_subjects=n_subjects,
        n_categories=n_categories,
        forgetting=draw(st.floats(0.05, 1.0)),
        prior=(draw(st.floats(0.1, 5.0)), draw(st.floats(0.1, 5.0))),
        index=np.array(index),
        weight=draw(st.floats(0.0, 1.0)),
    )


def run(
    case: Case, rows: list[tuple[int, float, float, float, int]]
) -> tuple[BetaReputation, np.ndarray, np.ndarray]:
    rep = beta_reputation(
        evidence(rows),
        case.n_subjects,
        case.n_categories,
        now=NOW,
        forgetting=case.forgetting,
        prior=case.prior,
    )
    rating = credit_rating(rep, case.index, weight_behaviour=case.weight)
    ranks = np.array([CREDIT_BANDS.labels.index(g) for g in rating.grade])
    return rep, rating.score, ranks


@given(cases(), st.data())
def test_positive_evidence_never_lowers_negative_never_raises(
    case: Case, data: st.DataObject
) -> None:
    subject = data.draw(st.integers(0, case.n_subjects - 1))
    amount = data.draw(st.floats(min_value=0.0, max_value=100.0, exclude_min=True))
    time = data.draw(times)
    category = data.draw(st.integers(0, case.n_categories - 1))
    before, score, ranks = run(case, case.rows)
    others = np.arange(case.n_subjects) != subject

    good, good_score, good_ranks = run(case, [*case.rows, (subject, time, amount, 0.0, category)])
    bad, bad_score, bad_ranks = run(case, [*case.rows, (subject, time, 0.0, amount, category)])

    assert good.expectation[subject] >= before.expectation[subject]
    assert good_score[subject] >= score[subject]
    assert good_ranks[subject] <= ranks[subject]  # best grade first
    assert bad.expectation[subject] <= before.expectation[subject]
    assert bad_score[subject] <= score[subject]
    assert bad_ranks[subject] >= ranks[subject]
    for after, after_score in ((good, good_score), (bad, bad_score)):
        np.testing.assert_array_equal(after.expectation[others], before.expectation[others])
        np.testing.assert_array_equal(after_score[others], score[others])


@given(cases(), st.data())
def test_raising_a_rows_positive_amount_never_lowers(case: Case, data: st.DataObject) -> None:
    if not case.rows:
        return
    k = data.draw(st.integers(0, len(case.rows) - 1))
    extra = data.draw(amounts)
    subject, time, positive, negative, category = case.rows[k]
    raised = list(case.rows)
    raised[k] = (subject, time, positive + extra, negative, category)
    more_negative = list(case.rows)
    more_negative[k] = (subject, time, positive, negative + extra, category)
    before, score, ranks = run(case, case.rows)
    up, up_score, up_ranks = run(case, raised)
    down, down_score, down_ranks = run(case, more_negative)
    assert up.expectation[subject] >= before.expectation[subject]
    assert up_score[subject] >= score[subject]
    assert up_ranks[subject] <= ranks[subject]
    assert down.expectation[subject] <= before.expectation[subject]
    assert down_score[subject] <= score[subject]
    assert down_ranks[subject] >= ranks[subject]


@given(cases())
def test_ranges_and_opinion_identity(case: Case) -> None:
    rep, score, _ = run(case, case.rows)
    assert ((rep.expectation > 0) & (rep.expectation < 1)).all()
    assert ((rep.rating >= -1) & (rep.rating <= 1)).all()
    assert ((rep.confidence >= 0) & (rep.confidence < 1)).all()
    assert ((score >= 0) & (score <= 100)).all()
    np.testing.assert_allclose(rep.belief + rep.disbelief + rep.uncertainty, 1.0)
    np.testing.assert_allclose(rep.rating, 2 * rep.expectation - 1)
    np.testing.assert_allclose(rep.r, rep.drivers[..., 0].sum(-1))
    np.testing.assert_allclose(rep.s, rep.drivers[..., 1].sum(-1))


@given(cases(), st.floats(0.0, 0.99))
def test_drivers_sum_to_score(case: Case, min_confidence: float) -> None:
    rep = beta_reputation(
        evidence(case.rows),
        case.n_subjects,
        case.n_categories,
        now=NOW,
        forgetting=case.forgetting,
        prior=case.prior,
    )
    rating = credit_rating(
        rep, case.index, weight_behaviour=case.weight, min_confidence=min_confidence
    )
    np.testing.assert_allclose(
        rating.baseline + rating.drivers.sum(-1), rating.score, rtol=0, atol=1e-9
    )
    assert rating.drivers.shape == (case.n_subjects, case.n_categories)
    withheld = rep.confidence < min_confidence
    assert (rating.grade[withheld] == NOT_RATED).all()
    assert (rating.grade[~withheld] != NOT_RATED).all()
