"""Claims rules: the Aumann-Maschler table, the nucleolus, and the rules' axioms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.games.claims import (
    RULES,
    check_claims,
    claims_rule,
    constrained_equal_awards,
    constrained_equal_losses,
    proportional,
    talmud,
    water_fill,
)
from innoalliance.methods.games.nucleolus import nucleolus

CLAIMS = [100, 200, 300]
THIRD = 100 / 3

# Aumann, R. J. & Maschler, M. (1985). Game theoretic analysis of a bankruptcy problem from the
# Talmud. J. Econ. Theory 36, 195-213, Table 1: claims 100, 200, 300 and estates 100, 200, 300.
# The Talmud row is the Mishnah's division printed there; the proportional, CEA and CEL rows are
# the same problems under those rules (as usually tabulated beside it, e.g. Thomson 2003).
TABLE = {
    100: {
        "talmud": [THIRD, THIRD, THIRD],
        "proportional": [50 / 3, THIRD, 50],
        "cea": [THIRD, THIRD, THIRD],
        "cel": [0, 0, 100],
    },
    200: {
        "talmud": [50, 75, 75],
        "proportional": [THIRD, 200 / 3, 100],
        "cea": [200 / 3, 200 / 3, 200 / 3],
        "cel": [0, 50, 150],
    },
    300: {
        "talmud": [50, 100, 150],
        "proportional": [50, 100, 150],
        "cea": [100, 100, 100],
        "cel": [0, 100, 200],
    },
}


@pytest.mark.parametrize("estate", sorted(TABLE))
@pytest.mark.parametrize("rule", RULES)
def test_aumann_maschler_table(estate: int, rule: str) -> None:
    r = claims_rule(rule, estate, CLAIMS)
    np.testing.assert_allclose(r.awards, TABLE[estate][rule], atol=1e-9)
    np.testing.assert_allclose(r.losses, np.array(CLAIMS) - r.awards, atol=1e-12)
    assert r.rule == rule and r.estate == estate
    np.testing.assert_array_equal(r.claims, CLAIMS)


def test_parameters() -> None:
    assert proportional(200, CLAIMS).parameter == pytest.approx(1 / 3)
    assert constrained_equal_awards(200, CLAIMS).parameter == pytest.approx(200 / 3)
    assert constrained_equal_losses(200, CLAIMS).parameter == pytest.approx(
        150
    )  # losses 100,150,150
    assert talmud(200, CLAIMS).parameter == pytest.approx(75)  # CEA on half-claims 50, 100, 150
    # E = 500 > Σc/2: a = c − min(c/2, μ) with Σ min(c/2, μ) = 100, so μ = 100/3.
    assert talmud(500, CLAIMS).parameter == pytest.approx(100 / 3)
    np.testing.assert_allclose(talmud(500, CLAIMS).awards, np.array(CLAIMS) - 100 / 3)


def test_edge_estates() -> None:
    for rule in RULES:
        np.testing.assert_allclose(claims_rule(rule, 0, CLAIMS).awards, 0)
        np.testing.assert_allclose(claims_rule(rule, 600, CLAIMS).awards, CLAIMS)
        np.testing.assert_allclose(claims_rule(rule, 0, [0, 0]).awards, 0)
    assert constrained_equal_awards(600, CLAIMS).parameter == 300
    assert constrained_equal_losses(0, CLAIMS).parameter == 300
    # A rounding excess of the estate over the claims is tolerated and taken as Σc.
    rounded = proportional(600 + 1e-10, CLAIMS)
    assert rounded.estate == 600
    np.testing.assert_allclose(rounded.awards, CLAIMS)


def test_errors() -> None:
    with pytest.raises(MethodError, match="negative estate"):
        check_claims(-5, CLAIMS)
    with pytest.raises(MethodError, match="not a bankruptcy problem") as info:
        talmud(700, CLAIMS)
    assert info.value.hint is not None and "in full" in info.value.hint
    with pytest.raises(MethodError, match="claimant 'B'"):
        check_claims(10, [5, -1], names=["A", "B"])
    with pytest.raises(MethodError, match="claimant 2"):
        check_claims(10, [5, np.inf])
    with pytest.raises(MethodError, match="no claims"):
        proportional(0, [])
    with pytest.raises(MethodError, match="unknown claims rule"):
        claims_rule("shapley", 10, [5, 5])
    assert claims_rule(" Talmud ", 200, CLAIMS).rule == "talmud"


def test_water_fill_weighted_and_uncapped() -> None:
    awards, t = water_fill(9.0, np.array([1.0, np.inf, np.inf]), np.array([1.0, 1.0, 2.0]))
    np.testing.assert_allclose(awards, [1, 8 / 3, 16 / 3])
    assert t == pytest.approx(8 / 3)
    awards, t = water_fill(4.0, np.array([5.0, 5.0]), np.array([0.0, 1.0]))
    np.testing.assert_allclose(awards, [0, 4])


# --- properties ---------------------------------------------------------------------------------

problems = st.lists(st.integers(0, 100), min_size=1, max_size=5).flatmap(
    lambda c: st.tuples(st.floats(0, 1).map(lambda f: f * sum(c)), st.just(c))
)


def bankruptcy_game(estate: float, claims: list[int]) -> np.ndarray:
    """v(S) = max(0, E − Σ_{j∉S} c_j) as an explicit array (bit i ↔ claimant i)."""
    c = np.asarray(claims, dtype=float)
    masks = np.arange(1 << c.size)
    outside = ((masks[:, None] >> np.arange(c.size)) & 1) == 0
    return np.maximum(0.0, estate - outside.astype(float) @ c)


@given(problems)
@settings(deadline=None, max_examples=60)
def test_talmud_is_nucleolus_of_bankruptcy_game(problem: tuple[float, list[int]]) -> None:
    # Aumann & Maschler (1985), Theorem A.
    estate, claims = problem
    if len(claims) < 2:
        return
    np.testing.assert_allclose(
        nucleolus(bankruptcy_game(estate, claims)).values,
        talmud(estate, claims).awards,
        atol=1e-7,
    )


@given(problems, st.sampled_from(RULES))
def test_rule_axioms(problem: tuple[float, list[int]], rule: str) -> None:
    estate, claims = problem
    c = np.asarray(claims, dtype=float)
    r = claims_rule(rule, estate, claims)
    assert r.awards.sum() == pytest.approx(estate, abs=1e-9)
    assert (r.awards >= -1e-12).all() and (r.awards <= c + 1e-12).all()
    order = np.argsort(c, kind="stable")
    assert (np.diff(r.awards[order]) >= -1e-9).all()  # larger claim, no smaller award
    assert (np.diff(r.losses[order]) >= -1e-9).all()  # larger claim, no smaller loss


@given(problems)
def test_duality(problem: tuple[float, list[int]]) -> None:
    estate, claims = problem
    c = np.asarray(claims, dtype=float)
    dual = c.sum() - estate
    np.testing.assert_allclose(
        constrained_equal_losses(estate, claims).awards,
        c - constrained_equal_awards(dual, claims).awards,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        talmud(estate, claims).awards, c - talmud(dual, claims).awards, atol=1e-9
    )
    np.testing.assert_allclose(
        proportional(estate, claims).awards, c - proportional(dual, claims).awards, atol=1e-9
    )
