"""Nucleolus, least core and core checks against published games and game-theoretic properties."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from innoalliance.errors import MethodError
from innoalliance.methods.games.forms import lexicographic_to_binary
from innoalliance.methods.games.nucleolus import (
    MAX_NUCLEOLUS_PLAYERS,
    in_core,
    is_core_empty,
    least_core,
    nucleolus,
)


def from_size_lexicographic(values: list[float], n: int) -> np.ndarray:
    """Convert R CoopGame / GameTheory order (by size, then lexicographic, no ∅) to bitmasks."""
    v = np.zeros(1 << n)
    coalitions = [c for size in range(1, n + 1) for c in combinations(range(n), size)]
    assert len(coalitions) == len(values)
    for members, value in zip(coalitions, values, strict=True):
        v[sum(1 << i for i in members)] = value
    return v


def game(n: int, values: dict[tuple[int, ...], float]) -> np.ndarray:
    """A game from {coalition (1-based players): value}; unlisted coalitions are worth 0."""
    v = np.zeros(1 << n)
    for members, value in values.items():
        v[sum(1 << (i - 1) for i in members)] = value
    return v


def bankruptcy_game(estate: float, claims: list[float]) -> np.ndarray:
    """v(S) = max(0, E − Σ_{j∉S} c_j) as an explicit array (O'Neill 1982)."""
    c = np.asarray(claims, dtype=float)
    masks = np.arange(1 << c.size)
    outside = ((masks[:, None] >> np.arange(c.size)) & 1) == 0
    return np.maximum(0.0, estate - outside.astype(float) @ c)


def excesses(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    n = x.size
    masks = np.arange(1, (1 << n) - 1)
    sums = ((masks[:, None] >> np.arange(n)) & 1) @ x
    return np.sort(v[masks] - sums)[::-1]


def reference_nucleolus(v: np.ndarray) -> np.ndarray:
    """Textbook nucleolus (Maschler, Peleg & Shapley 1979), independent of the module's method.

    After each LP every tight coalition is tested with an LP of its own: it is fixed at the
    level when its excess cannot be lowered on the optimal face. Slow; for n ≤ 4 only.
    """
    n = v.size.bit_length() - 1
    masks = np.arange(1, (1 << n) - 1)
    rows = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    bounds = [(v[1 << i], None) for i in range(n)]
    fixed: dict[int, float] = {}
    while len(fixed) < masks.size:
        free = [k for k in range(masks.size) if k not in fixed]
        a_eq = [np.ones(n)] + [rows[k] for k in fixed]
        b_eq = [v[-1]] + [v[masks[k]] - level for k, level in fixed.items()]
        a_ub, b_ub = -rows[free], -v[masks[free]]
        res = linprog(
            np.r_[np.zeros(n), 1.0],
            A_ub=np.hstack([a_ub, -np.ones((len(free), 1))]),
            b_ub=b_ub,
            A_eq=np.hstack([np.array(a_eq), np.zeros((len(a_eq), 1))]),
            b_eq=b_eq,
            bounds=[*bounds, (None, None)],
        )
        eps = res.fun
        for k in free:
            lowest = linprog(
                -rows[k], A_ub=a_ub, b_ub=b_ub + eps, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds
            )
            if v[masks[k]] + lowest.fun >= eps - 1e-9:
                fixed[k] = eps
    a = np.array([np.ones(n)] + [rows[k] for k in fixed])
    b = np.array([v[-1]] + [v[masks[k]] - level for k, level in fixed.items()])
    return np.linalg.lstsq(a, b, rcond=None)[0]


# R package CoopGame (Staudacher & Anwander), documentation example of nucleolus():
# nucleolus(c(0,0,0,0,5,5,8,9,10,8,13,15,16,17,21)) = (3.5, 4.5, 5.5, 7.5).
COOPGAME = [0, 0, 0, 0, 5, 5, 8, 9, 10, 8, 13, 15, 16, 17, 21]

# R package TuGames (Meinhardt), 3-player example: v(12)=90, v(13)=100, v(23)=120, v(123)=220;
# nucleolus (170/3, 230/3, 260/3).
TUGAMES = game(3, {(1, 2): 90, (1, 3): 100, (2, 3): 120, (1, 2, 3): 220})

# Symmetric 3-player majority game: empty core, least-core ε = 1/3.
MAJORITY = game(3, {(1, 2): 1, (1, 3): 1, (2, 3): 1, (1, 2, 3): 1})


@pytest.mark.parametrize("imputation", [True, False])
def test_coopgame_fixture(imputation: bool) -> None:
    v = from_size_lexicographic(COOPGAME, 4)
    np.testing.assert_array_equal(v, lexicographic_to_binary(COOPGAME, 4))
    r = nucleolus(v, imputation=imputation)
    np.testing.assert_allclose(r.values, [3.5, 4.5, 5.5, 7.5], atol=1e-9)


def test_tugames_fixture() -> None:
    r = nucleolus(TUGAMES)
    np.testing.assert_allclose(r.values, np.array([170, 230, 260]) / 3, atol=1e-9)
    # All three pairs end at excess −130/3 in one LP, which fixes the point.
    assert r.stages == 1 and r.tight == ((3, 5, 6),)
    assert r.excesses[0] == pytest.approx(-130 / 3, abs=1e-9)


# Aumann & Maschler (1985), J. Econ. Theory 36:195-213, Table 1 (the Mishnah, Ketubot 93a):
# claims 100, 200, 300; the Talmud's division is the nucleolus of the bankruptcy game.
@pytest.mark.parametrize(
    ("estate", "talmud"),
    [(100, [100 / 3] * 3), (200, [50, 75, 75]), (300, [50, 100, 150])],
)
def test_talmud_table_is_nucleolus(estate: float, talmud: list[float]) -> None:
    r = nucleolus(bankruptcy_game(estate, [100, 200, 300]))
    np.testing.assert_allclose(r.values, talmud, atol=1e-9)
    assert r.stages >= 1 and len(r.excesses) == len(r.tight) == r.stages


def test_talmud_200_needs_two_levels() -> None:
    # v(23) = 100 and every other proper coalition is worth 0. At (50, 75, 75) the largest
    # excess, −50, is that of {1} and {2,3} (fixing x1 = 50); the next, −75, that of {2} and {3}.
    v = bankruptcy_game(200, [100, 200, 300])
    r = nucleolus(v)
    assert r.stages == 2
    np.testing.assert_allclose(r.excesses, [-50, -75], atol=1e-9)
    assert r.tight == ((1, 6), (2, 4))


def test_majority_game_least_core() -> None:
    lc = least_core(MAJORITY)
    assert lc.epsilon == pytest.approx(1 / 3, abs=1e-12)
    assert not lc.in_core and is_core_empty(MAJORITY)
    np.testing.assert_allclose(lc.values, [1 / 3] * 3, atol=1e-12)
    r = nucleolus(MAJORITY)
    np.testing.assert_allclose(r.values, [1 / 3] * 3, atol=1e-12)
    assert r.tight == ((3, 5, 6),)


def test_least_core_of_game_with_core() -> None:
    lc = least_core(TUGAMES)
    assert lc.in_core and not is_core_empty(TUGAMES)
    assert lc.epsilon == pytest.approx(-130 / 3, abs=1e-9)


def test_prenucleolus_differs_when_imputations_bind() -> None:
    # Player 3 is worth 10 alone but adds nothing to a coalition: the prenucleolus pays it
    # below its stand-alone value, the nucleolus does not.
    v = game(3, {(3,): 10, (1, 2): 60, (1, 2, 3): 60})
    pre = nucleolus(v, imputation=False).values
    nuc = nucleolus(v).values
    assert pre[2] < 10
    np.testing.assert_allclose(nuc, [25, 25, 10], atol=1e-9)


def test_in_core_reports_worst_coalition() -> None:
    check = in_core(TUGAMES, [0, 0, 220])
    assert not check.in_core
    assert check.worst_coalition == 0b011 and check.worst_excess == pytest.approx(90)
    assert check.efficiency_gap == 0
    good = in_core(TUGAMES, np.array([170, 230, 260]) / 3)
    assert good.in_core and good.worst_excess == pytest.approx(-130 / 3)
    short = in_core(TUGAMES, [50, 70, 80])
    assert not short.in_core and short.efficiency_gap == pytest.approx(-20)


def test_in_core_large_game_chunks() -> None:
    # 21 players, so more than one chunk of 2²⁰ coalitions: v(S) = |S|² / 21 (convex) has the
    # equal split in its core. Moving player 21's unit to player 1 leaves both {21} and N∖{1}
    # short by 1/21; the smaller mask is reported.
    n = 21
    v = np.bitwise_count(np.arange(1 << n)).astype(float) ** 2 / n
    assert in_core(v, np.ones(n)).in_core
    x = np.ones(n)
    x[20], x[0] = 0.0, 2.0
    check = in_core(v, x)
    assert not check.in_core and check.worst_coalition == 1 << 20
    assert check.worst_excess == pytest.approx(1 / 21)
    assert v[(1 << n) - 2] - x[1:].sum() == pytest.approx(1 / 21)


def test_errors() -> None:
    with pytest.raises(MethodError, match="no imputation"):
        nucleolus(game(2, {(1,): 5, (2,): 5, (1, 2): 8}))
    nucleolus(game(2, {(1,): 5, (2,): 5, (1, 2): 8}), imputation=False)
    with pytest.raises(MethodError, match="at most 15 players"):
        nucleolus(np.zeros(1 << (MAX_NUCLEOLUS_PLAYERS + 1)))
    with pytest.raises(MethodError, match="nothing to share"):
        nucleolus(np.array([0.0, 1.0]))
    with pytest.raises(MethodError, match="3 finite numbers"):
        in_core(TUGAMES, [1, 2])


# --- properties ---------------------------------------------------------------------------------


@st.composite
def convex_games(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """v(S) = f(w(S)) with f(t) = t^p, p ≥ 1, convex and f(0) = 0: a convex game (core ≠ ∅)."""
    n = draw(st.integers(2, 5))
    w = np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), dtype=float)
    p = draw(st.sampled_from([1.0, 1.5, 2.0, 3.0]))
    masks = np.arange(1 << n)
    return (((masks[:, None] >> np.arange(n)) & 1) @ w) ** p, w


@given(convex_games())
@settings(deadline=None, max_examples=40)
def test_convex_game_nucleolus_in_core_and_symmetric(case: tuple[np.ndarray, np.ndarray]) -> None:
    v, w = case
    r = nucleolus(v)
    assert r.values.sum() == pytest.approx(v[-1], rel=1e-9)
    assert in_core(v, r.values, tol=1e-7).in_core
    assert not is_core_empty(v, tol=1e-7)
    np.testing.assert_allclose(nucleolus(v, imputation=False).values, r.values, atol=1e-7)
    for i in range(w.size):
        for j in range(i):
            if w[i] == w[j]:
                assert r.values[i] == pytest.approx(r.values[j], abs=1e-7)


@given(st.integers(2, 4).flatmap(lambda n: st.tuples(st.just(n), st.data())))
@settings(deadline=None, max_examples=40)
def test_nucleolus_matches_reference_and_beats_nearby_imputations(
    case: tuple[int, st.DataObject],
) -> None:
    # Random games (not all with a core): agrees with the textbook method, and no nearby
    # imputation has a lexicographically smaller excess vector.
    n, data = case
    values = data.draw(st.lists(st.integers(0, 20), min_size=(1 << n) - 1, max_size=(1 << n) - 1))
    v = np.concatenate(([0.0], np.array(values, dtype=float)))
    singles = v[1 << np.arange(n)]
    v[-1] = max(v[-1], singles.sum())
    x = nucleolus(v).values
    assert x.sum() == pytest.approx(v[-1]) and (x >= singles - 1e-9).all()
    np.testing.assert_allclose(x, reference_nucleolus(v), atol=1e-7)
    best = excesses(v, x)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    for _ in range(30):
        d = rng.normal(size=n)
        d -= d.mean()
        y = x + 1e-3 * d
        if (y < singles).any():
            continue
        other = excesses(v, y)
        differ = np.flatnonzero(np.abs(other - best) > 1e-8)
        assert differ.size == 0 or other[differ[0]] > best[differ[0]]
