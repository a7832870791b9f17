"""Score → grade bands: band edges, NaN, invalid configurations, monotonicity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.grading import (
    CREDIT_BANDS,
    MOST_ACTIVITY_BANDS,
    MOST_ACTIVITY_TERMS_ZH,
    NOT_RATED,
    GradeBands,
    bands_from_mapping,
    grade,
    grade_one,
)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (100, "high"),
        (86, "high"),  # the 2015 report rated an alliance scoring exactly 86 "high"
        (85.99, "fairly high"),
        (85, "fairly high"),
        (75, "fairly high"),
        (74.99, "average"),
        (65, "average"),
        (64.99, "inactive"),
        (0, "inactive"),
        (-5, "inactive"),
    ],
)
def test_most_activity_band_edges(score: float, expected: str) -> None:
    assert grade_one(score, MOST_ACTIVITY_BANDS) == expected


def test_most_activity_terms_cover_every_band() -> None:
    assert set(MOST_ACTIVITY_TERMS_ZH) == set(MOST_ACTIVITY_BANDS.labels)
    assert MOST_ACTIVITY_TERMS_ZH["high"] == "高"


@pytest.mark.parametrize(
    ("score", "expected"),
    [(100, "AAA"), (90, "AAA"), (89.999, "AA"), (60, "BBB"), (20, "CC"), (19.99, "C"), (0, "C")],
)
def test_credit_band_edges(score: float, expected: str) -> None:
    assert grade_one(score, CREDIT_BANDS) == expected


def test_vector_grading_and_nan_is_not_rated() -> None:
    grades = grade(np.array([95.0, np.nan, 45.0]), CREDIT_BANDS)
    assert grades.tolist() == ["AAA", NOT_RATED, "B"]
    assert grade_one(math.nan, MOST_ACTIVITY_BANDS) == NOT_RATED


def test_grade_keeps_shape() -> None:
    assert grade(np.array([[90.0], [10.0]]), CREDIT_BANDS).tolist() == [["AAA"], ["C"]]


def test_score_below_lowest_cut_off_is_an_error() -> None:
    with pytest.raises(MethodError, match=r"-1 is below the lowest cut-off 0"):
        grade_one(-1.0, CREDIT_BANDS)


def test_bands_from_mapping_orders_by_cut_off() -> None:
    bands = bands_from_mapping({"low": -math.inf, "top": 80, "mid": 50.5}, "config.yaml")
    assert bands.labels == ("top", "mid", "low")
    assert bands.lower == (80.0, 50.5, -math.inf)
    assert bands.source == "config.yaml"
    assert grade_one(50.5, bands) == "mid"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({}, "no grade bands"),
        ({"A": 70, "B": 70}, r"band 'B' \(cut-off 70\) does not lie strictly below band 'A'"),
        ({"A": "seventy"}, r"cut-off of band 'A' in cfg is 'seventy', not a number"),
        ({"A": True}, "not a number"),
        ({"A": math.nan}, "not a number"),
        ({"A": math.inf}, r"\+inf"),
        ({"": 10}, "band label ''"),
        ({NOT_RATED: 10}, "reserved"),
    ],
)
def test_invalid_mappings_raise(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(MethodError, match=message) as caught:
        bands_from_mapping(mapping, "cfg")  # type: ignore[arg-type]
    assert caught.value.hint


@pytest.mark.parametrize(
    ("labels", "lower", "message"),
    [
        (("A", "B"), (10.0,), "2 band label"),
        (("A", "A"), (10.0, 0.0), r"\['A'\] appear more than once"),
        (("A", "B"), (0.0, 10.0), "strictly below"),
        ((), (), "no grade bands"),
    ],
)
def test_invalid_bands_raise(
    labels: tuple[str, ...], lower: tuple[float, ...], message: str
) -> None:
    with pytest.raises(MethodError, match=message):
        GradeBands(labels=labels, lower=lower, source="test")


scores = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(scores, scores)
def test_grades_are_monotone_in_score(x: float, y: float) -> None:
    low, high = sorted((x, y))
    for bands in (CREDIT_BANDS, MOST_ACTIVITY_BANDS):
        rank_low = bands.labels.index(grade_one(low, bands))
        rank_high = bands.labels.index(grade_one(high, bands))
        assert rank_high <= rank_low  # best band first
