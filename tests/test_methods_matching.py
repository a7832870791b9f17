"""Stable matching, maximum-total assignment and team completion.

Published examples:

* Gale & Shapley (1962), "College admissions and the stability of marriage", Amer. Math. Monthly
  69:9-15, Example 1: the ranking matrix of men α, β, γ and women A, B, C; of the six sets of
  marriages three are stable — men get their first choices, women theirs, or everyone the second.
* The hospitals/residents instance of the ``matching`` library's documentation (daffidwilde/
  matching, docs/discussion/hospital_resident/example.rst and README): residents Ada, Sam, Dani,
  Jo, Luc; hospitals Mercy, City, General with two seats each. The stable matching is
  M: L, S; C: D, A; G: J, "both resident- and hospital-optimal"; the matching C: A, D; M: S;
  G: L, J has the one blocking pair (L, M); S, D, J → C with A → M is invalid.

Peer: ``matching.games.HospitalResident`` (matching 1.4.3) on that instance and on random ones.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from innoalliance.errors import MethodError
from innoalliance.methods.matching.assignment import (
    complete_team,
    max_total_assignment,
    total_satisfaction,
)
from innoalliance.methods.matching.stable import (
    Preferences,
    blocking_pairs,
    check_matching,
    check_preferences,
    scores_to_preferences,
    stable_matching,
)

# Gale & Shapley (1962), Example 1: α ranks A, B, C; A ranks β, γ, α; and so on.
MEN = {"α": ["A", "B", "C"], "β": ["B", "C", "A"], "γ": ["C", "A", "B"]}
WOMEN = {"A": ["β", "γ", "α"], "B": ["γ", "α", "β"], "C": ["α", "β", "γ"]}
MEN_OPTIMAL = {"α": "A", "β": "B", "γ": "C"}
WOMEN_OPTIMAL = {"α": "C", "β": "A", "γ": "B"}
SECOND_CHOICES = {"α": "B", "β": "C", "γ": "A"}

# The matching library's documentation, hospitals/residents example.
RESIDENTS = {
    "A": ["C"],
    "S": ["C", "M"],
    "D": ["C", "M", "G"],
    "J": ["C", "G", "M"],
    "L": ["M", "C", "G"],
}
HOSPITALS = {"M": ["D", "L", "S", "J"], "C": ["D", "A", "S", "L", "J"], "G": ["D", "J", "L"]}
SEATS = dict.fromkeys(HOSPITALS, 2)
HR_STABLE = {"M": ["L", "S"], "C": ["D", "A"], "G": ["J"]}


def peer(prefs: Preferences, optimal: str) -> dict[str, list[str]]:
    """The peer's matching, receivers → sorted proposers (it refuses empty lists: left out)."""
    residents = {p: rs for p, rs in prefs.proposers.items() if rs}
    hospitals = {r: ps for r, ps in prefs.receivers.items() if ps}
    game = HospitalResident.create_from_dictionaries(
        residents, hospitals, {r: prefs.capacity(r) for r in hospitals}
    )
    solved = game.solve(optimal="resident" if optimal == "proposer" else "hospital")
    return {h.name: sorted(r.name for r in rs) for h, rs in solved.items() if rs}


def ours(prefs: Preferences, optimal: str) -> dict[str, list[str]]:
    result = stable_matching(prefs, optimal="proposer" if optimal == "proposer" else "receiver")
    return {r: sorted(ps) for r, ps in result.assigned.items() if ps}


def random_prefs(rng: random.Random, n_r: int, max_p: int, density: float = 0.8) -> Preferences:
    """Random incomplete lists with capacities 1-2, about as many proposers as seats.

    Each pair is mutually acceptable with probability ``density``; near-balanced markets are the
    ones with several stable matchings (unbalanced ones have a small core).
    """
    recvs = [f"r{j}" for j in range(n_r)]
    seats = {r: rng.choice((1, 1, 2)) for r in recvs}
    n_p = min(max_p, max(0, sum(seats.values()) + rng.randint(-1, 1)))
    props = [f"p{i}" for i in range(n_p)]
    pairs = [(p, r) for p in props for r in recvs if rng.random() < density]
    by_p = {p: [r for q, r in pairs if q == p] for p in props}
    by_r = {r: [p for p, q in pairs if q == r] for r in recvs}
    return check_preferences(
        {p: rng.sample(rs, len(rs)) for p, rs in by_p.items()},
        {r: rng.sample(ps, len(ps)) for r, ps in by_r.items()},
        seats,
    )


@st.composite
def markets(draw: st.DrawFn, max_r: int = 5, max_p: int = 5) -> Preferences:
    seed, n_r = draw(st.integers(0, 2**32 - 1)), draw(st.integers(0, max_r))
    density = draw(st.sampled_from((0.6, 0.8, 1.0)))
    return random_prefs(random.Random(seed), n_r, max_p, density)


def all_matchings(prefs: Preferences) -> Iterator[dict[str, str | None]]:
    """Every valid matching of a small instance (brute force)."""
    options = [[None, *rs] for rs in prefs.proposers.values()]
    for choice in itertools.product(*options):
        m = dict(zip(prefs.proposers, choice, strict=True))
        if all(sum(r == x for x in choice) <= prefs.capacity(r) for r in prefs.receivers):
            yield m


def rank(prefs: Preferences, p: str, r: str | None) -> int:
    rs = prefs.proposers[p]
    return len(rs) if r is None else rs.index(r)


# --- published examples --------------------------------------------------------------------


def test_gale_shapley_1962_example_1() -> None:
    prefs = check_preferences(MEN, WOMEN)
    men = stable_matching(prefs)
    women = stable_matching(prefs, optimal="receiver")
    assert men.matching == MEN_OPTIMAL and men.proposer_optimal and men.rounds == 3
    assert women.matching == WOMEN_OPTIMAL and not women.proposer_optimal
    assert men.blocking_pairs == women.blocking_pairs == []
    perfect = [m for m in all_matchings(prefs) if None not in m.values()]
    stable = [m for m in perfect if not blocking_pairs(prefs, m)]
    assert len(perfect) == 6 and len(stable) == 3
    assert all(m in stable for m in (MEN_OPTIMAL, WOMEN_OPTIMAL, SECOND_CHOICES))


def test_matching_docs_hospital_resident_example() -> None:
    prefs = check_preferences(RESIDENTS, HOSPITALS, SEATS)
    for optimal in ("proposer", "receiver"):
        result = stable_matching(prefs, optimal=optimal)  # type: ignore[arg-type]
        assert result.assigned == HR_STABLE
        assert result.blocking_pairs == []
        assert peer(prefs, optimal) == {r: sorted(ps) for r, ps in HR_STABLE.items()}
    unstable = {"A": "C", "D": "C", "S": "M", "L": "G", "J": "G"}
    assert blocking_pairs(prefs, unstable) == [("L", "M")]


def test_matching_docs_invalid_matching_is_refused() -> None:
    prefs = check_preferences(RESIDENTS, HOSPITALS, SEATS)
    with pytest.raises(MethodError, match=r"'A' is matched to receiver 'M'.*do not both list"):
        blocking_pairs(prefs, {"A": "M"})
    with pytest.raises(MethodError, match="'C' holds 3 proposers but has 2 seat"):
        blocking_pairs(prefs, {"S": "C", "D": "C", "J": "C"})


# --- peer agreement ------------------------------------------------------------------------


def test_agrees_with_matching_library_on_random_instances() -> None:
    both_differ = 0
    for seed in range(80):
        rng = random.Random(seed)
        prefs = random_prefs(rng, rng.randint(1, 8), max_p=20)
        best, worst = ours(prefs, "proposer"), ours(prefs, "receiver")
        assert best == peer(prefs, "proposer"), f"seed {seed}"
        assert worst == peer(prefs, "receiver"), f"seed {seed}"
        both_differ += best != worst
    assert both_differ >= 10  # the two optima differ often enough to tell them apart


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(markets())
def test_stable_matchings_are_the_lattice_extremes(prefs: Preferences) -> None:
    best = stable_matching(prefs)
    worst = stable_matching(prefs, optimal="receiver")
    stable = [m for m in all_matchings(prefs) if not blocking_pairs(prefs, m)]
    assert best.matching in stable and worst.matching in stable
    for m in stable:
        for p in prefs.proposers:
            assert rank(prefs, p, best.matching[p]) <= rank(prefs, p, m[p])
            assert rank(prefs, p, m[p]) <= rank(prefs, p, worst.matching[p])
        # Rural hospitals theorem (Roth 1984): same proposers matched, same seats filled.
        assert {p for p, r in m.items() if r} == {p for p, r in best.matching.items() if r}
        for r in prefs.receivers:
            assert sum(x == r for x in m.values()) == len(best.assigned[r])


@settings(max_examples=150, deadline=None)
@given(markets())
def test_max_total_is_the_brute_force_maximum(prefs: Preferences) -> None:
    result = max_total_assignment(prefs)
    best = max(total_satisfaction(prefs, m) for m in all_matchings(prefs))
    assert result.total == pytest.approx(best)
    assert result.total == pytest.approx(total_satisfaction(prefs, result.matching))
    assert result.blocking_pairs == blocking_pairs(prefs, result.matching)
    for optimal in ("proposer", "receiver"):
        stable = stable_matching(prefs, optimal=optimal)  # type: ignore[arg-type]
        assert result.total >= total_satisfaction(prefs, stable.matching) - 1e-9


@settings(max_examples=100, deadline=None)
@given(markets(max_r=8, max_p=14), st.integers(0, 2**32 - 1))
def test_results_respect_capacities_and_acceptability(prefs: Preferences, seed: int) -> None:
    rng = random.Random(seed)
    scores = {(p, r): rng.uniform(-1, 5) for p, rs in prefs.proposers.items() for r in rs}
    for result in (
        stable_matching(prefs),
        stable_matching(prefs, optimal="receiver"),
        max_total_assignment(prefs, scores=scores),
    ):
        assert check_matching(prefs, result.matching) == result.matching
        for r, ps in result.assigned.items():
            assert len(ps) <= prefs.capacity(r)
            assert ps == [p for p in prefs.receivers[r] if result.matching[p] == r]
    stable = stable_matching(prefs)
    assert (
        max_total_assignment(prefs, scores=scores).total
        >= total_satisfaction(prefs, stable.matching, scores=scores) - 1e-9
    )


def test_max_total_matches_more_than_stable_and_is_blocked() -> None:
    # The complaint of matching#67: a broker expects both firms placed, stability places one.
    prefs = check_preferences(
        {"f1": ["u1", "u2"], "f2": ["u1"]}, {"u1": ["f1", "f2"], "u2": ["f1"]}
    )
    scores = {("f1", "u1"): 3.0, ("f1", "u2"): 2.0, ("f2", "u1"): 2.0}
    stable = stable_matching(prefs)
    best = max_total_assignment(prefs, scores=scores)
    assert stable.matching == {"f1": "u1", "f2": None}
    assert best.matching == {"f1": "u2", "f2": "u1"} and best.total == 4.0
    assert total_satisfaction(prefs, stable.matching, scores=scores) == 3.0
    assert best.blocking_pairs == [("f1", "u1")]


def test_max_total_leaves_out_pairs_of_negative_satisfaction() -> None:
    prefs = check_preferences({"f": ["u"]}, {"u": ["f"]})
    result = max_total_assignment(prefs, scores={("f", "u"): -1.0})
    assert result.matching == {"f": None} and result.total == 0.0
    assert result.blocking_pairs == [("f", "u")]


# --- preferences ---------------------------------------------------------------------------


def test_acceptability_is_mutual() -> None:
    prefs = check_preferences({"f1": ["u1", "u2"], "f2": []}, {"u1": ["f2"], "u2": ["f1"]})
    assert prefs.proposers == {"f1": ["u2"], "f2": []}
    assert prefs.receivers == {"u1": [], "u2": ["f1"]}
    assert prefs.one_sided == (("f1", "u1"), ("f2", "u1"))
    assert prefs.capacities == {"u1": 1, "u2": 1}
    assert stable_matching(prefs).matching == {"f1": "u2", "f2": None}


def test_scores_to_preferences() -> None:
    scores = {
        ("f1", "u1"): 0.9,
        ("f1", "u2"): 0.9,
        ("f1", "u3"): 0.2,
        ("f2", "u1"): 0.5,
        ("f2", "u2"): -0.1,
        ("f2", "u3"): 0.4,
    }
    prefs = scores_to_preferences(scores, capacities={"u1": 2})
    assert prefs.proposers == {"f1": ["u1", "u2", "u3"], "f2": ["u1", "u3"]}
    assert prefs.receivers == {"u1": ["f1", "f2"], "u2": ["f1"], "u3": ["f2", "f1"]}
    assert prefs.capacities == {"u1": 2, "u2": 1, "u3": 1}
    top = scores_to_preferences(scores, min_score=0.3, top=1)
    assert top.proposers == {"f1": ["u1"], "f2": []}
    assert top.receivers == {"u1": ["f1"], "u2": [], "u3": []}
    assert top.one_sided == (("f2", "u1"), ("f1", "u2"), ("f2", "u3"))


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposers", "receivers", "capacities", "message", "hint"),
    [
        (
            {"f": ["Tsinghau"]},
            {"Tsinghua": []},
            None,
            "proposer 'f' lists 'Tsinghau', who is not a receiver",
            "did you mean 'Tsinghua'",
        ),
        (
            {"firm A": []},
            {"u": ["firm B"]},
            None,
            "receiver 'u' lists 'firm B', who is not a proposer",
            "did you mean 'firm A'",
        ),
        ({"f": ["u", "u"]}, {"u": ["f"]}, None, "proposer 'f' lists 'u' twice", "at most once"),
        ({"f": "u"}, {"u": ["f"]}, None, "is the text 'u'", "list of receivers"),
        ({1: ["u"]}, {"u": []}, None, "proposer names must be text", None),
        (
            {"f": []},
            {"u": []},
            {"u": 0},
            "capacity of receiver 'u' is 0; it must be at least 1",
            "no seats",
        ),
        ({"f": []}, {"u": []}, {"u": -2}, "capacity of receiver 'u' is -2", "no seats"),
        ({"f": []}, {"u": []}, {"u": 2.5}, "must be a whole number, got 2.5", None),
        ({"f": []}, {"u": []}, {"u": True}, "must be a whole number, got True", None),
        ({"f": []}, {"uni": []}, {"uno": 2}, "capacity is given for 'uno'", "did you mean 'uni'"),
    ],
)
def test_check_preferences_errors(
    proposers: dict, receivers: dict, capacities: dict | None, message: str, hint: str | None
) -> None:
    with pytest.raises(MethodError, match=message) as err:
        check_preferences(proposers, receivers, capacities)
    if hint is not None:
        assert err.value.hint is not None and hint in err.value.hint


def test_matching_errors() -> None:
    prefs = check_preferences(RESIDENTS, HOSPITALS, SEATS)
    with pytest.raises(MethodError, match="names 'Luc', who is not a proposer") as err:
        blocking_pairs(prefs, {"Luc": "M"})
    assert err.value.hint == "the proposers are 'A', 'S', 'D', 'J', 'L'"
    with pytest.raises(MethodError, match="gives proposer 'L' to 'Mercy'"):
        blocking_pairs(prefs, {"L": "Mercy"})
    with pytest.raises(MethodError, match="optimal must be"):
        stable_matching(prefs, optimal="hospital")  # type: ignore[arg-type]
    with pytest.raises(MethodError, match="no score is given for proposer 'A' and receiver 'C'"):
        max_total_assignment(prefs, scores={})
    with pytest.raises(MethodError, match="score of"):
        scores_to_preferences({("f", "u"): math.nan})
    with pytest.raises(MethodError, match="keyed by"):
        scores_to_preferences({"f": 1.0})  # type: ignore[dict-item]
    with pytest.raises(MethodError, match="top must be"):
        scores_to_preferences({("f", "u"): 1.0}, top=0)


# --- team completion -----------------------------------------------------------------------

# Dimensions: batteries, motors, power electronics, charging networks.
TEAM = np.array([[1.0, 0.6, 0.0, 0.0], [0.0, 0.4, 0.2, 0.0]])
CANDIDATES = np.array(
    [
        [1.0, 1.0, 0.3, 0.0],  # a battery-and-motor maker much like the team
        [0.0, 0.0, 0.8, 1.0],  # power electronics and charging: the complement
        [0.0, 0.0, 0.5, 0.2],
    ]
)
NAMES = ["similar", "complement", "partial"]


def test_complete_team_prefers_the_complement_and_stops() -> None:
    assert CANDIDATES[0].sum() > CANDIDATES[1].sum()  # the similar one offers more in all
    picks = complete_team(CANDIDATES, TEAM, 3, names=NAMES)
    # It lifts power electronics from 0.2 to 1 and charging from 0 to 1; then all is covered.
    assert picks == [("complement", pytest.approx((0.8 + 1.0) / 4), [2, 3])]


def test_complete_team_weights_and_empty_team() -> None:
    weighted = complete_team(CANDIDATES, TEAM, 1, names=NAMES, weights=[0, 0, 1, 0])
    assert weighted == [("complement", pytest.approx(0.8), [2, 3])]
    alone = complete_team(CANDIDATES, np.zeros((0, 4)), 2, names=NAMES)
    assert [name for name, _, _ in alone] == ["similar", "complement"]


@pytest.mark.parametrize(
    ("candidates", "team", "k", "message"),
    [
        (-CANDIDATES, TEAM, 1, "candidate 'similar' has a negative value"),
        (CANDIDATES, TEAM[:, :3], 1, "the team has 3 dimension"),
        (CANDIDATES, -TEAM, 1, "a team member has a negative value"),
        (CANDIDATES, TEAM, 0, "k must be a whole number"),
    ],
)
def test_complete_team_errors(
    candidates: np.ndarray, team: np.ndarray, k: int, message: str
) -> None:
    with pytest.raises(MethodError, match=message):
        complete_team(candidates, team, k, names=NAMES)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_complete_team_greedy_guarantee(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (6, 5)) * (rng.uniform(size=(6, 5)) < 0.5)
    names = [f"c{i}" for i in range(6)]

    def coverage(rows: list[int]) -> float:
        return float(np.minimum(1.0, X[rows].sum(axis=0)).mean())

    picks = complete_team(X, [], k, names=names)
    gains = [gain for _, gain, _ in picks]
    assert sum(gains) == pytest.approx(coverage([names.index(n) for n, _, _ in picks]))
    assert gains == sorted(gains, reverse=True)  # submodular: gains never grow
    best = max(coverage(list(s)) for s in itertools.combinations(range(6), k))
    assert sum(gains) >= (1 - 1 / math.e) * best - 1e-12
