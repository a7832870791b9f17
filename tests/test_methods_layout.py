"""Alliance layout MILPs against brute force, hand-worked and published examples."""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.spatial import layout
from innoalliance.methods.spatial.layout import (
    DEFAULT_DUPLICATION_PENALTY,
    DEFAULT_ECO_WEIGHT,
    DEFAULT_LEAD_WEIGHT,
    DEFAULT_PARTICIPATION_COST,
    DEFAULT_WEIGHTS,
    LayoutPlan,
    lead_assignment,
    plan_layout,
)

TOL = 1e-6

# ----------------------------------------------------------------------------------------------
# Brute force (tests only)
# ----------------------------------------------------------------------------------------------


def brute_leads(
    score: np.ndarray, K: np.ndarray, allowed: np.ndarray, barred: tuple[int, int] | None = None
) -> tuple[float, list[tuple[int, ...]]]:
    """Best total score over every lead assignment, and every assignment reaching it."""
    n_cities, n_ind = score.shape
    best, argbest = -np.inf, []
    for leads in product(range(n_cities), repeat=n_ind):
        if any(not allowed[c, i] for i, c in enumerate(leads)):
            continue
        if barred is not None and leads[barred[1]] == barred[0]:
            continue
        if (np.bincount(leads, minlength=n_cities) > K).any():
            continue
        total = float(sum(score[c, i] for i, c in enumerate(leads)))
        if total > best + 1e-9:
            best, argbest = total, [leads]
        elif total > best - 1e-9:
            argbest.append(leads)
    return best, argbest


def alliance_value(
    members: np.ndarray, lead: int, i: int, b: np.ndarray, eco: np.ndarray, nb: np.ndarray,
    lw: float, pc: float, dp: float,
) -> float:
    """Objective of one alliance, written out independently of the module."""
    n = len(members)
    pairs = sum(1 for c in range(n) for d in range(c + 1, n) if nb[c, d] and members[c]
                and members[d])
    return float(sum((b[c, i] - pc - eco[c, i]) for c in range(n) if members[c])
                 + lw * b[lead, i] - dp * pairs)


def brute_layout(
    b: np.ndarray, eco: np.ndarray, nb: np.ndarray, part_ok: np.ndarray, lead_ok: np.ndarray,
    K: np.ndarray, M: np.ndarray | None, lo: int, hi: int, lw: float, pc: float, dp: float,
) -> float | None:
    """Best objective over every layout (None when none is feasible), vectorised per industry."""
    n_cities, n_ind = b.shape
    subsets = np.array(list(product([False, True], repeat=n_cities)), dtype=bool)
    value = np.zeros(())
    leads = np.zeros(n_cities)
    joins = np.zeros(n_cities)
    for i in range(n_ind):
        opts = [
            (s, lead)
            for s in subsets
            if lo <= s.sum() <= hi and not (s & ~part_ok[:, i]).any()
            for lead in np.flatnonzero(s)
            if lead_ok[lead, i]
        ]
        if not opts:
            return None
        v = np.array([alliance_value(s, int(lead), i, b, eco, nb, lw, pc, dp) for s, lead in opts])
        L = np.array([np.eye(n_cities)[lead] for _, lead in opts])
        X = np.array([s for s, _ in opts], dtype=float)
        shape = [1] * n_ind
        shape[i] = -1
        value = value + v.reshape(shape)
        leads = leads + L.reshape([*shape, n_cities])
        joins = joins + X.reshape([*shape, n_cities])
    ok = (leads <= K).all(axis=-1)
    if M is not None:
        ok &= (joins <= M).all(axis=-1)
    return float(value[ok].max()) if ok.any() else None


def check_plan(plan: LayoutPlan, b: np.ndarray, eco: np.ndarray, nb: np.ndarray,
               part_ok: np.ndarray, lead_ok: np.ndarray, K: np.ndarray, M: np.ndarray | None,
               lo: int, hi: int) -> float:
    """Assert every constraint holds; return the plan's objective recomputed independently."""
    X = plan.participation
    n_cities, n_ind = X.shape
    assert plan.lead.shape == (n_ind,)
    total = 0.0
    for i in range(n_ind):
        lead = int(plan.lead[i])
        assert X[lead, i], "the lead is a member"
        assert lead_ok[lead, i]
        assert plan.members[i] == tuple(np.flatnonzero(X[:, i]).tolist())
        assert lo <= len(plan.members[i]) <= hi
        total += alliance_value(X[:, i], lead, i, b, eco, nb, plan.lead_weight,
                                plan.participation_cost, plan.duplication_penalty)
    assert not (X & ~part_ok).any()
    assert (np.bincount(plan.lead, minlength=n_cities) <= K).all()
    if M is not None:
        assert (X.sum(axis=1) <= M).all()
    pairs = {(i, c, d) for i in range(n_ind) for c in range(n_cities)
             for d in range(c + 1, n_cities) if nb[c, d] and X[c, i] and X[d, i]}
    assert set(plan.duplicated_pairs) == pairs
    decomposed = (sum(plan.component_totals.values()) + plan.lead_bonus_total
                  - plan.participation_cost_total - plan.duplication_penalty_total
                  - plan.eco_penalty_total)
    assert plan.objective == pytest.approx(decomposed, abs=1e-9)
    assert sum(k.net for k in plan.contributions) == pytest.approx(plan.objective, abs=1e-9)
    assert len(plan.contributions) == int(X.sum())
    assert plan.objective == pytest.approx(total, abs=1e-9)
    return total


# ----------------------------------------------------------------------------------------------
# lead_assignment
# ----------------------------------------------------------------------------------------------

HAND = np.array([[9.0, 8.0, 3.0], [7.0, 2.0, 6.0], [1.0, 4.0, 5.0]])


def test_lead_assignment_hand_worked_one_lead_per_city() -> None:
    """Cities A, B, C (rows), industries 0, 1, 2; each city leads at most one (K = 1).

    The six permutations (lead of 0, 1, 2) total: ABC 9+2+5 = 16, ACB 9+4+6 = 19,
    BAC 7+8+5 = 20, BCA 7+4+3 = 14, CAB 1+8+6 = 15, CBA 1+2+3 = 6. Best BAC = 20. Barring B from
    industry 0 leaves ACB = 19 best (runner-up A, regret 1); barring A from 1 leaves ACB
    (runner-up C, regret 1); barring C from 2 leaves ACB (runner-up B, regret 1).
    """
    r = lead_assignment(HAND, 1)
    assert r.lead.tolist() == [1, 0, 2]
    assert r.objective == 20.0
    assert r.leads_per_city.tolist() == [1, 1, 1]
    assert r.runner_up.tolist() == [0, 2, 1]
    assert r.regret.tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert (r.status, r.mip_gap) == ("optimal", 0.0)


def test_lead_assignment_hand_worked_two_leads_per_city() -> None:
    """With K = 2, A may lead 0 and 1 (9 + 8) and B leads 2 (6): 23, every column's best.

    Barring A from 0: B takes 0 (7), A keeps 1 (8), and 2 goes to B again (6; B leads two) = 21,
    regret 2. Barring A from 1: C (4) beats B (2): 9 + 4 + 6 = 19, regret 4. Barring B from 2:
    C takes it (5; A may not lead three) = 22, regret 1.
    """
    r = lead_assignment(HAND, 2)
    assert r.lead.tolist() == [0, 0, 1]
    assert r.objective == 23.0
    assert r.leads_per_city.tolist() == [2, 1, 0]
    assert r.runner_up.tolist() == [1, 2, 2]
    assert r.regret.tolist() == pytest.approx([2.0, 4.0, 1.0])


def test_lead_assignment_per_city_limits_and_mask() -> None:
    # A may lead nothing: B and C share the three industries, C at most one.
    r = lead_assignment(HAND, [0, 2, 1])
    # B0+B2 (7+6) with C1 (4) = 17; B0+B1 (7+2) with C2 (5) = 14; B1+B2 (2+6) with C0 (1) = 9.
    assert r.lead.tolist() == [1, 2, 1]
    assert r.objective == 17.0
    allowed = np.ones((3, 3), dtype=bool)
    allowed[0, 0] = False  # e.g. an ecological red line: A may not lead industry 0
    r = lead_assignment(HAND, 2, allowed=allowed)
    # B0 (7) + A1 (8) + B2 (6) = 21 (B leads two).
    assert r.lead.tolist() == [1, 0, 1]
    assert r.objective == 21.0


def test_lead_assignment_or_tools_published_example() -> None:
    """OR-Tools, "Solving an Assignment Problem" (developers.google.com/optimization/assignment/
    assignment_example): five workers, four tasks, each worker at most one task, minimum total
    cost 265 = 70 + 55 + 95 + 45 (worker 0 → task 3, 1 → 2, 2 → 1, 3 → 0). As a lead assignment:
    workers are cities, tasks industries, score = −cost, K = 1.
    """
    costs = np.array([[90, 80, 75, 70], [35, 85, 55, 65], [125, 95, 90, 95],
                      [45, 110, 95, 115], [50, 100, 90, 100]], dtype=float)
    r = lead_assignment(-costs, 1)
    assert r.objective == -265.0
    assert r.lead.tolist() == [3, 2, 1, 0]
    assert r.leads_per_city.tolist() == [1, 1, 1, 1, 0]


def test_lead_assignment_only_possible_lead_has_infinite_regret() -> None:
    allowed = np.array([[True, True], [False, True]])
    r = lead_assignment(np.array([[1.0, 1.0], [5.0, 2.0]]), 1, allowed=allowed)
    assert r.lead.tolist() == [0, 1]
    assert r.runner_up[0] == -1 and r.regret[0] == np.inf
    # Barring B from 1 forces A to lead both, which K = 1 forbids: no alternative either.
    assert r.runner_up[1] == -1 and r.regret[1] == np.inf


@st.composite
def lead_instances(draw: st.DrawFn) -> tuple[np.ndarray, Any, np.ndarray]:
    n_cities = draw(st.integers(1, 5))
    n_ind = draw(st.integers(1, 4))
    cells = st.integers(-20, 20) if draw(st.booleans()) else st.floats(-10, 10)
    score = np.array(draw(st.lists(cells, min_size=n_cities * n_ind, max_size=n_cities * n_ind)),
                     dtype=float).reshape(n_cities, n_ind)
    K: Any = (draw(st.integers(0, 3)) if draw(st.booleans())
              else draw(st.lists(st.integers(0, 3), min_size=n_cities, max_size=n_cities)))
    allowed = np.array(draw(st.lists(st.sampled_from([True, True, True, False]),
                                     min_size=n_cities * n_ind, max_size=n_cities * n_ind)))
    allowed = allowed.reshape(n_cities, n_ind)
    return score, K, allowed


@settings(max_examples=150, deadline=None)
@given(lead_instances())
def test_lead_assignment_is_the_true_optimum(instance: tuple[np.ndarray, Any, np.ndarray]) -> None:
    score, K_in, allowed = instance
    n_cities, n_ind = score.shape
    K = np.broadcast_to(np.asarray(K_in), (n_cities,))
    best, _ = brute_leads(score, K, allowed)
    event("infeasible" if best == -np.inf else "feasible")
    if best == -np.inf:
        with pytest.raises(MethodError):
            lead_assignment(score, K_in, allowed=allowed)
        return
    r = lead_assignment(score, K_in, allowed=allowed)
    assert r.objective == pytest.approx(best, abs=TOL)
    assert r.objective == pytest.approx(float(score[r.lead, np.arange(n_ind)].sum()))
    assert allowed[r.lead, np.arange(n_ind)].all()
    counts = np.bincount(r.lead, minlength=n_cities)
    assert (counts <= K).all() and (counts == r.leads_per_city).all()
    for i in range(n_ind):
        alt, alt_args = brute_leads(score, K, allowed, barred=(int(r.lead[i]), i))
        if alt == -np.inf:
            assert r.runner_up[i] == -1 and r.regret[i] == np.inf
            continue
        assert r.regret[i] == pytest.approx(best - alt, abs=TOL)
        assert r.runner_up[i] in {a[i] for a in alt_args}


def test_lead_assignment_infeasible_industry_without_city() -> None:
    allowed = np.ones((3, 3), dtype=bool)
    allowed[:, 1] = False
    with pytest.raises(MethodError, match="industry 'EV' has no city allowed to lead it") as e:
        lead_assignment(HAND, 1, allowed=allowed, industries=["AI", "EV", "Bio"])
    assert "allow at least one city" in (e.value.hint or "")


def test_lead_assignment_infeasible_too_few_leads() -> None:
    with pytest.raises(MethodError, match=r"3 industries need 3 lead\(s\) but the 2 cities may "
                       r"take at most 2") as e:
        lead_assignment(HAND[:2], 1)
    assert e.value.hint == "raise max_leads_per_city to at least 2"


def test_lead_assignment_infeasible_industries_crowding_one_city() -> None:
    allowed = np.array([[1, 1, 1], [0, 0, 1], [0, 0, 1]])
    with pytest.raises(MethodError, match=r"industries 'AI', 'EV' need 2 lead\(s\), but the "
                       r"cities allowed for them \(city 'Wuhan'\) may take at most 1") as e:
        lead_assignment(HAND, 1, allowed=allowed, industries=["AI", "EV", "Bio"],
                        cities=["Wuhan", "Xiangyang", "Yichang"])
    assert "raise max_leads_per_city" in (e.value.hint or "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"score": [[1.0, np.nan]], "max_leads_per_city": 2}, "is nan"),
        ({"score": [1.0, 2.0], "max_leads_per_city": 1}, "city × industry table"),
        ({"score": HAND, "max_leads_per_city": -1}, "max_leads_per_city of city 1 is -1"),
        ({"score": HAND, "max_leads_per_city": 1.5}, "is 1.5"),
        ({"score": HAND, "max_leads_per_city": True}, "booleans"),
        ({"score": HAND, "max_leads_per_city": [1, 1]}, "2 values for 3 cities"),
        ({"score": HAND, "max_leads_per_city": 1, "allowed": np.ones((3, 2))}, "shape"),
        ({"score": HAND, "max_leads_per_city": 1, "allowed": np.full((3, 3), 2)}, "0 and 1"),
        ({"score": HAND, "max_leads_per_city": 1, "time_limit": 0}, "time_limit"),
    ],
)
def test_lead_assignment_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(MethodError, match=message):
        lead_assignment(**kwargs)


# ----------------------------------------------------------------------------------------------
# plan_layout
# ----------------------------------------------------------------------------------------------

LINE = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=bool)  # A – B – C


def test_defaults_are_documented_and_sum_to_one() -> None:
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    assert dict(DEFAULT_WEIGHTS) == {"rca": 0.30, "density": 0.25, "innovation": 0.25,
                                     "complementarity": 0.20}
    assert (DEFAULT_LEAD_WEIGHT, DEFAULT_PARTICIPATION_COST, DEFAULT_DUPLICATION_PENALTY,
            DEFAULT_ECO_WEIGHT) == (0.5, 0.1, 0.2, 0.2)
    with pytest.raises(TypeError):
        DEFAULT_WEIGHTS["rca"] = 1.0  # type: ignore[index]


def test_plan_layout_hand_worked_duplication() -> None:
    """One industry over cities A – B – C in a line, benefits 0.9, 0.8, 0.5 (one component).

    Lead bonus 0.5 × benefit, cost 0.1 per member. With duplication penalty 0.2:
    {A,B,C}: 2.2 − 0.3 − 2 pairs × 0.2 + 0.45 (A leads) = 1.95; {A,B}: 1.7 − 0.2 − 0.2 + 0.45 =
    1.75; {A,C}: 1.4 − 0.2 + 0.45 = 1.65 — all three join. With penalty 0.5: {A,B,C} 1.35,
    {A,B} 1.45, {A,C} 1.65 — B, though second best, is left out because it borders both.
    """
    comps = {"rca": np.array([[0.9], [0.8], [0.5]])}
    plan = plan_layout(comps, {"rca": 1.0}, LINE, max_leads_per_city=1)
    assert plan.members == ((0, 1, 2),)
    assert plan.lead.tolist() == [0]
    assert plan.objective == pytest.approx(1.95)
    assert plan.duplicated_pairs == ((0, 0, 1), (0, 1, 2))
    assert plan.duplication_penalty_total == pytest.approx(0.4)
    by_city = {k.city: k for k in plan.contributions}
    assert by_city[1].duplicated_with == (0, 2)
    assert by_city[1].duplication_penalty == pytest.approx(0.2)  # half of each of two pairs
    assert by_city[0].lead and by_city[0].lead_bonus == pytest.approx(0.45)
    assert by_city[0].net == pytest.approx(0.9 + 0.45 - 0.1 - 0.1)

    plan = plan_layout(comps, {"rca": 1.0}, LINE, max_leads_per_city=1, duplication_penalty=0.5)
    assert plan.members == ((0, 2),)
    assert plan.objective == pytest.approx(1.65)
    assert plan.duplicated_pairs == ()
    assert plan.component_totals == {"rca": pytest.approx(1.4)}
    assert plan.lead_bonus_total == pytest.approx(0.45)
    assert plan.participation_cost_total == pytest.approx(0.2)


def test_plan_layout_hand_worked_weights_and_lead_limits() -> None:
    """Two industries, three unconnected cities, two members each, components weighted 3 : 1.

    The weights become 0.75 and 0.25, so b = 0.75·rca + 0.25·innovation: A (1.0, 0.95),
    B (0.6, 0.4), C (0.4, 0.7). With two leads per city A leads both: industry 0 {A,B}
    1.6 + 0.5 − 0.2 = 1.9, industry 1 {A,C} 1.65 + 0.475 − 0.2 = 1.925, total 3.825. With one
    lead per city, A leading 0 and C leading 1 (still with A as member: 1.65 + 0.35 − 0.2 = 1.8)
    gives 3.7, A leading 1 and B leading 0 (1.6 + 0.3 − 0.2 = 1.7) only 3.625: the limit costs
    A's lead bonus in industry 1 less C's, 0.475 − 0.35 = 0.125.
    """
    rca = np.array([[1.0, 1.0], [0.8, 0.4], [0.4, 0.8]])
    innovation = np.array([[1.0, 0.8], [0.0, 0.4], [0.4, 0.4]])
    comps = {"rca": rca, "innovation": innovation}
    nb = np.zeros((3, 3), dtype=bool)
    free = plan_layout(comps, {"rca": 3, "innovation": 1}, nb, max_leads_per_city=2,
                       max_members=2)
    assert free.weights == {"rca": 0.75, "innovation": 0.25}
    assert free.lead.tolist() == [0, 0]
    assert free.members == ((0, 1), (0, 2))
    assert free.objective == pytest.approx(3.825)
    plan = plan_layout(comps, {"rca": 3, "innovation": 1}, nb, max_leads_per_city=1,
                       max_members=2)
    assert plan.lead.tolist() == [0, 2]
    assert plan.members == ((0, 1), (0, 2))
    assert plan.objective == pytest.approx(3.7)
    assert free.objective - plan.objective == pytest.approx(0.125)
    assert plan.component_totals["rca"] == pytest.approx(0.75 * (1.0 + 0.8 + 1.0 + 0.8))
    a0 = plan.contributions[0]
    assert (a0.city, a0.industry, a0.lead) == (0, 0, True)
    assert a0.components == {"rca": pytest.approx(0.75), "innovation": pytest.approx(0.25)}
    assert a0.net == pytest.approx(1.0 + 0.5 - 0.1)


def test_plan_layout_hand_worked_eco_limit() -> None:
    """One polluting industry, benefits A 0.9, B 0.6, C 0.5, eco pressure 0.9, 0.2, 0.1, no
    neighbours, exactly two members.

    No limit: {A,B} led by A = 1.5 + 0.45 − 0.2 − 0.2·(0.9 + 0.2) = 1.53. eco_limit 0.8 bars A
    (0.9 > 0.8). Scope "participate": {B,C} led by B = 1.1 + 0.3 − 0.2 − 0.2·0.3 = 1.14. Scope
    "lead": A may join but not lead: {A,B} led by B = 1.5 + 0.3 − 0.2 − 0.22 = 1.38 beats {A,C}
    led by C (1.4 + 0.25 − 0.2 − 0.2 = 1.25). A clean industry (pollution 0) is exempt from both.
    """
    comps = {"rca": np.array([[0.9], [0.6], [0.5]])}
    nb = np.zeros((3, 3), dtype=bool)
    common: dict[str, Any] = {"max_leads_per_city": 1, "min_members": 2, "max_members": 2,
                              "eco_pressure": [0.9, 0.2, 0.1]}
    plan = plan_layout(comps, {"rca": 1}, nb, **common)
    assert (plan.lead.tolist(), plan.members) == ([0], ((0, 1),))
    assert plan.objective == pytest.approx(1.53)
    assert plan.eco_penalty_total == pytest.approx(0.22)

    plan = plan_layout(comps, {"rca": 1}, nb, eco_limit=0.8, **common)
    assert (plan.lead.tolist(), plan.members) == ([1], ((1, 2),))
    assert plan.objective == pytest.approx(1.14)
    assert plan.eco_excluded.tolist() == [[True], [False], [False]]

    plan = plan_layout(comps, {"rca": 1}, nb, eco_limit=0.8, eco_scope="lead", **common)
    assert (plan.lead.tolist(), plan.members) == ([1], ((0, 1),))
    assert plan.objective == pytest.approx(1.38)

    plan = plan_layout(comps, {"rca": 1}, nb, eco_limit=0.8, industry_pollution=[0.0], **common)
    assert (plan.lead.tolist(), plan.members) == ([0], ((0, 1),))
    assert plan.objective == pytest.approx(1.75)
    assert plan.eco_penalty_total == 0.0
    assert not plan.eco_excluded.any()


def test_plan_layout_default_weights_and_alliance_limit() -> None:
    rng = np.random.default_rng(7)
    comps = {f: rng.random((5, 3)) for f in DEFAULT_WEIGHTS}
    nb = np.zeros((5, 5), dtype=bool)
    plan = plan_layout(comps, None, nb, max_leads_per_city=1, max_alliances_per_city=1,
                       min_members=1)
    assert plan.weights == pytest.approx(dict(DEFAULT_WEIGHTS))
    assert (plan.participation.sum(axis=1) <= 1).all()
    assert len(set(plan.lead.tolist())) == 3


@st.composite
def layout_instances(draw: st.DrawFn) -> dict[str, Any]:
    n_cities = draw(st.integers(2, 4))
    n_ind = draw(st.integers(1, 3))
    cells = n_cities * n_ind

    def table() -> np.ndarray:
        values = draw(st.lists(st.floats(0, 1), min_size=cells, max_size=cells))
        return np.array(values).reshape(n_cities, n_ind)

    upper = np.triu(np.array(draw(st.lists(st.booleans(), min_size=n_cities * n_cities,
                                           max_size=n_cities * n_cities))
                             ).reshape(n_cities, n_cities), 1)
    min_members = min(n_cities, draw(st.sampled_from([1, 2, 2, 3, n_cities])))
    eco = draw(st.booleans())
    return {
        "components": {"rca": table(), "density": table()},
        "weights": {"rca": draw(st.floats(0.1, 1)), "density": draw(st.floats(0, 1))},
        "neighbours": upper | upper.T,
        "max_leads_per_city": draw(st.one_of(
            st.integers(0, 2), st.integers(1, 2),
            st.lists(st.integers(0, 3), min_size=n_cities, max_size=n_cities))),
        "min_members": min_members,
        "max_members": draw(st.one_of(st.none(), st.integers(min_members, n_cities))),
        "max_alliances_per_city": draw(st.one_of(
            st.none(), st.integers(1, n_ind),
            st.lists(st.integers(0, n_ind), min_size=n_cities, max_size=n_cities))),
        "lead_weight": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "participation_cost": draw(st.sampled_from([0.0, 0.1, 0.4])),
        "duplication_penalty": draw(st.sampled_from([0.0, 0.2, 0.7])),
        "eco_pressure": draw(st.lists(st.floats(0, 1), min_size=n_cities, max_size=n_cities))
        if eco else None,
        "eco_limit": draw(st.one_of(st.none(), st.floats(0, 1))) if eco else None,
        "eco_scope": draw(st.sampled_from(["participate", "lead"])),
        "industry_pollution": draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n_ind,
                                            max_size=n_ind)) if eco else None,
        "allowed": np.array(draw(st.lists(st.sampled_from([True, True, True, False]),
                                          min_size=cells, max_size=cells))
                            ).reshape(n_cities, n_ind),
    }


def reference(kw: dict[str, Any]) -> tuple[float | None, dict[str, Any]]:
    """The brute-force optimum of an instance and the derived arrays it used."""
    comps = kw["components"]
    total = kw["weights"]["rca"] + kw["weights"]["density"]
    b = (kw["weights"]["rca"] * comps["rca"] + kw["weights"]["density"] * comps["density"]) / total
    n_cities, n_ind = b.shape
    if kw["eco_pressure"] is None:
        e, p = np.zeros(n_cities), np.zeros(n_ind)
        barred = np.zeros((n_cities, n_ind), dtype=bool)
    else:
        e, p = np.array(kw["eco_pressure"]), np.array(kw["industry_pollution"])
        barred = (np.outer(e > kw["eco_limit"], p > 0) if kw["eco_limit"] is not None
                  else np.zeros((n_cities, n_ind), dtype=bool))
    part_ok = kw["allowed"] & ~barred if kw["eco_scope"] == "participate" else kw["allowed"]
    lead_ok = part_ok & ~barred
    K = np.broadcast_to(np.asarray(kw["max_leads_per_city"]), (n_cities,))
    M = (None if kw["max_alliances_per_city"] is None
         else np.broadcast_to(np.asarray(kw["max_alliances_per_city"]), (n_cities,)))
    hi = n_cities if kw["max_members"] is None else kw["max_members"]
    derived = {"b": b, "eco": DEFAULT_ECO_WEIGHT * np.outer(e, p), "nb": kw["neighbours"],
               "part_ok": part_ok, "lead_ok": lead_ok, "K": K, "M": M,
               "lo": kw["min_members"], "hi": hi}
    best = brute_layout(**derived, lw=kw["lead_weight"], pc=kw["participation_cost"],
                        dp=kw["duplication_penalty"])
    return best, derived


@settings(max_examples=200, deadline=None)
@given(layout_instances())
def test_plan_layout_is_the_true_optimum(kw: dict[str, Any]) -> None:
    best, derived = reference(kw)
    event("infeasible" if best is None else "feasible")
    if best is None:
        with pytest.raises(MethodError):
            plan_layout(**kw)
        return
    plan = plan_layout(**kw)
    assert plan.status == "optimal"
    assert check_plan(plan, **derived) == pytest.approx(best, abs=TOL)


@settings(max_examples=60, deadline=None)
@given(layout_instances(), st.integers(0, 9), st.integers(1, 10))
def test_raising_the_duplication_penalty_never_adds_duplicates(
    kw: dict[str, Any], low: int, step: int
) -> None:
    try:
        plans = [plan_layout(**{**kw, "duplication_penalty": penalty / 10})
                 for penalty in (low, low + step)]
    except MethodError:  # infeasible settings (the optimum test checks they truly are)
        return
    assert len(plans[1].duplicated_pairs) <= len(plans[0].duplicated_pairs)
    assert plans[1].objective <= plans[0].objective + TOL


# ----------------------------------------------------------------------------------------------
# plan_layout: infeasible settings and bad input
# ----------------------------------------------------------------------------------------------

COMPS = {"rca": np.array([[0.9, 0.2], [0.8, 0.6], [0.5, 0.4]])}
NAMES: dict[str, Any] = {"cities": ["Wuhan", "Xiangyang", "Yichang"], "industries": ["EV", "Bio"]}


def test_plan_layout_infeasible_eco_limit_bars_every_city() -> None:
    with pytest.raises(MethodError, match=r"industry 'EV' has no city that may lead it: 0 of the "
                       r"3 cities are excluded by the allowed mask and 3 by the eco limit") as e:
        plan_layout(COMPS, {"rca": 1}, LINE, max_leads_per_city=1,
                    eco_pressure=[0.9, 0.95, 0.99], eco_limit=0.8, **NAMES)
    assert "raise eco_limit" in (e.value.hint or "")


def test_plan_layout_infeasible_too_few_allowed_members() -> None:
    allowed = np.array([[1, 1], [0, 1], [0, 1]])
    with pytest.raises(MethodError, match=r"industry 'EV' needs at least 2 member cities but "
                       r"only 1 may take part: 2 of the 3 cities are excluded") as e:
        plan_layout(COMPS, {"rca": 1}, LINE, max_leads_per_city=1, allowed=allowed, **NAMES)
    assert "lower min_members" in (e.value.hint or "")


def test_plan_layout_infeasible_lead_limits() -> None:
    with pytest.raises(MethodError, match=r"2 industries need 2 lead\(s\) but the 3 cities may "
                       r"take at most 0"):
        plan_layout(COMPS, {"rca": 1}, LINE, max_leads_per_city=0)
    # max_alliances_per_city caps leading too: a lead is a member.
    with pytest.raises(MethodError, match=r"may take at most 1 between them "
                       r"\(max_leads_per_city and max_alliances_per_city\)"):
        plan_layout(COMPS, {"rca": 1}, LINE, max_leads_per_city=[2, 0, 0],
                    max_alliances_per_city=[1, 3, 3])


def test_plan_layout_infeasible_member_places() -> None:
    with pytest.raises(MethodError, match=r"2 industries need 6 member place\(s\) but the 3 "
                       r"cities may take at most 3 between them \(max_alliances_per_city\)") as e:
        plan_layout(COMPS, {"rca": 1}, LINE, max_leads_per_city=1, min_members=3,
                    max_alliances_per_city=1)
    assert e.value.hint == "raise max_alliances_per_city to at least 2, or lower min_members"


def test_plan_layout_infeasible_only_together() -> None:
    """Cities A, B, C, D; industries P, Q, R; two members each; every benefit 0.5.

    Q may only be placed in C and D, so both are members. P and R may be placed in A, B, C,
    and must be led by A or C (B may lead nothing, D may not take part): one of them by C. But
    C may join only one alliance, and it is already in Q. The leads alone and the member places
    alone are both possible, so only the solver finds the conflict; lifting any one of the three
    limits removes it.
    """
    allowed = np.array([[1, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 0]], dtype=bool)
    with pytest.raises(MethodError, match="a lead takes one of its city's max_alliances_per_city "
                       "places; a layout exists without max_alliances_per_city or without "
                       "max_leads_per_city or with min_members=1"):
        plan_layout({"rca": np.full((4, 3), 0.5)}, {"rca": 1}, np.zeros((4, 4), dtype=bool),
                    max_leads_per_city=[1, 0, 1, 1], max_alliances_per_city=[2, 2, 1, 3],
                    allowed=allowed)
    plan = plan_layout({"rca": np.full((4, 3), 0.5)}, {"rca": 1}, np.zeros((4, 4), dtype=bool),
                       max_leads_per_city=[1, 0, 1, 1], max_alliances_per_city=[2, 2, 2, 3],
                       allowed=allowed)
    assert sorted([plan.lead[0], plan.lead[2]]) == [0, 2]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"components": {"rca": COMPS["rca"], "density": np.ones((2, 2))},
          "weights": {"rca": 1, "density": 1}},
         r"component 'density' has shape \(2, 2\) but 'rca' has \(3, 2\)"),
        ({"components": {"rca": np.array([[0.1, np.nan], [0, 0], [0, 0]])}},
         "component 'rca' of city 1, industry 2 is missing"),
        ({"components": {"rca": COMPS["rca"] * 2}}, r"outside \[0, 1\]"),
        ({"components": {"rca": COMPS["rca"], "density": COMPS["rca"]}},
         "component 'density' has no weight"),
        ({"weights": {"rca": 1, "density": 1}}, "no such component"),
        ({"weights": {"rca": -1}}, "weight of component 'rca' is negative"),
        ({"weights": None}, "'density' but there is no such component"),
        ({"neighbours": np.triu(LINE)}, "not symmetric: city 1 and city 2"),
        ({"neighbours": LINE | np.eye(3, dtype=bool)}, "city 1 is marked as its own neighbour"),
        ({"neighbours": np.ones((2, 2), dtype=bool)}, "neighbour matrix has shape"),
        ({"duplication_penalty": -0.1}, "duplication_penalty must be ≥ 0"),
        ({"lead_weight": np.inf}, "lead_weight must be finite"),
        ({"min_members": 0}, "min_members must be a whole number ≥ 1"),
        ({"min_members": 4}, "only 3 cities"),
        ({"max_members": 1}, "max_members must be a whole number ≥ min_members"),
        ({"eco_limit": 0.5}, "need eco_pressure"),
        ({"eco_pressure": [0.1, 0.2]}, "eco_pressure has shape"),
        ({"eco_pressure": [0.1, 0.2, 1.5]}, r"eco_pressure of city 3 is 1.5, not in \[0, 1\]"),
        ({"eco_pressure": [0.1, 0.2, 0.3], "industry_pollution": [1.0]}, "industry_pollution"),
        ({"eco_scope": "nowhere"}, "eco_scope"),
        ({"cities": ["a", "b"]}, "2 city name"),
    ],
)
def test_plan_layout_rejects_bad_input(change: dict[str, Any], message: str) -> None:
    kwargs: dict[str, Any] = {"components": COMPS, "weights": {"rca": 1}, "neighbours": LINE,
                              "max_leads_per_city": 1, **change}
    with pytest.raises(MethodError, match=message):
        plan_layout(**kwargs)


def test_time_limit_status_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solve stopped by its time limit with a layout in hand reports it and its gap."""
    real = layout.milp

    def stopped(*args: Any, **kwargs: Any) -> Any:
        res = real(*args, **kwargs)
        res.status, res.mip_gap = 1, 0.05
        return res

    monkeypatch.setattr(layout, "milp", stopped)
    plan = plan_layout(COMPS, {"rca": 1}, LINE, max_leads_per_city=1, time_limit=10)
    assert (plan.status, plan.mip_gap) == ("time limit", 0.05)
    r = lead_assignment(HAND, 1, time_limit=10)
    assert (r.status, r.mip_gap) == ("time limit", 0.05)

    def nothing(*args: Any, **kwargs: Any) -> Any:
        res = real(*args, **kwargs)
        res.status, res.x = 1, None
        return res

    monkeypatch.setattr(layout, "milp", nothing)
    with pytest.raises(MethodError, match="stopped before finding any layout"):
        lead_assignment(HAND, 1, time_limit=10)
