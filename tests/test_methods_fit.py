"""The parts of a broker's score (innoalliance's convention, documented in
methods/matching/fit.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.matching.fit import (
    absorptive_capacity,
    combine,
    industry_proximity,
    profile_similarity,
    region_proximity,
    relevance_first,
)


def test_proximities_follow_the_code_hierarchy() -> None:
    geo = region_proximity(["330100", "330100", "330100", None], ["330102", "330200", "440300",
                                                                  "330100"])
    np.testing.assert_array_equal(geo[:3], [1.0, 0.7, 0.4])
    assert np.isnan(geo[3])
    ind = industry_proximity(["3.1", "3.1", "3.1", ""], ["3.1", "3.4", "7.2", "3.1"])
    np.testing.assert_array_equal(ind[:3], [1.0, 0.6, 0.2])
    assert np.isnan(ind[3])


def test_profile_similarity_is_the_cosine_and_nan_for_an_empty_profile() -> None:
    a = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    b = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    sim = profile_similarity(a, b)
    assert sim[0] == pytest.approx(1 / np.sqrt(2))
    assert np.isnan(sim[1])


def test_absorptive_capacity_by_hand() -> None:
    # large firm with 6 projects: 0.6·1 + 0.4·1; micro with 1: 0.6·0.3 + 0.4/3; unknown, none: 0.3
    np.testing.assert_allclose(absorptive_capacity(["large", "micro", None], [6, 1, 0]),
                               [1.0, 0.18 + 0.4 / 3, 0.3])


def test_combine_leaves_unknown_parts_out_and_renormalises() -> None:
    parts = {"similarity": [1.0, np.nan], "credit": [0.0, 0.5]}
    out = combine(parts, {"similarity": 0.25, "credit": 0.75})
    np.testing.assert_allclose(out, [0.25, 0.5])
    with pytest.raises(MethodError, match="unknown score part"):
        combine(parts, {"trust": 1.0})
    with pytest.raises(MethodError, match="non-negative"):
        combine(parts, {"credit": -1.0, "similarity": 2.0})


def test_relevance_first_by_hand() -> None:
    # text 0.8, other parts' weighted mean 0.5 → 0.8 × (0.5 + 0.25) = 0.6; no other part → text
    score = relevance_first({"text": [0.8, 0.8], "credit": [0.5, np.nan]},
                            {"text": 0.5, "credit": 0.5})
    np.testing.assert_allclose(score, [0.6, 0.8])


@given(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=5, max_size=5))
def test_other_parts_never_lift_an_irrelevant_offer(text: float, others: list[float]) -> None:
    """Relevance first: the score lies in [text/2, text] whatever the other parts are."""
    names = ["similarity", "complementarity", "absorptive", "proximity", "credit"]
    score = relevance_first({"text": [text], **{k: [v] for k, v in zip(names, others,
                                                                        strict=True)}})[0]
    assert text / 2 - 1e-12 <= score <= text + 1e-12
