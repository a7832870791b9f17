"""Shapley and Banzhaf values: published examples, axioms, closed forms, sampling, errors."""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray
from innoalliance.methods.games.forms import (
    AirportGame,
    BankruptcyGame,
    BoolArray,
    WeightedVotingGame,
    lexicographic_to_binary,
)
from innoalliance.methods.games.shapley import (
    BanzhafResult,
    banzhaf_value,
    shapley_exact,
    shapley_sampled,
    shapley_value,
)

SEEDS = st.integers(0, 2**32 - 1)

# The 1958 EEC Council of Ministers: France, Germany, Italy 4 votes, Belgium, Netherlands 2,
# Luxembourg 1, quota 12 of 17. Luxembourg is a null player ("Luxembourg in the Early Days of the
# EEC: Null Player or Not?", Games 9(2):29, 2018). Shapley-Shubik index (14, 14, 14, 9, 9, 0)/60;
# Banzhaf index (normalised) 5/21 for the large countries, 1/7 for the medium ones, 0 for
# Luxembourg (Gregersen (ed.), The Britannica Guide to Statistics and Probability, 2011, p. 194);
# raw Banzhaf: 10, 10, 10, 6, 6, 0 swings among the 2^5 coalitions of the others.
EEC = WeightedVotingGame(12, [4, 4, 4, 2, 2, 1])
EEC_SHAPLEY_SHUBIK = np.array([14, 14, 14, 9, 9, 0]) / 60
EEC_BANZHAF = np.array([5, 5, 5, 3, 3, 0]) / 21
EEC_SWINGS = np.array([10, 10, 10, 6, 6, 0])

# UN Security Council after 1965: 5 permanent members of weight 7, 10 others of weight 1,
# quota 39. A non-permanent member is pivotal in 84 × 6! × 8! of the 15! orders: 4/2145; each
# permanent member has (1 − 40/2145)/5 = 421/2145 ≈ 0.1963 ("Is it me, or is 'Veto' starting to
# sound really good", gonitsora.com, after Shapley & Shubik 1954).
UNSC = WeightedVotingGame(39, [7] * 5 + [1] * 10)
UNSC_SHAPLEY_SHUBIK = np.array([421] * 5 + [4] * 10) / 2145


def textbook_shapley(v: FloatArray) -> FloatArray:
    """Shapley (1953) term by term: the subset loop the vectorised code must reproduce."""
    n = v.size.bit_length() - 1
    phi = np.zeros(n)
    for i in range(n):
        for s in range(1 << n):
            if not s >> i & 1:
                k = s.bit_count()
                phi[i] += (
                    factorial(k) * factorial(n - k - 1) / factorial(n) * (v[s | 1 << i] - v[s])
                )
    return phi


def textbook_banzhaf(v: FloatArray) -> FloatArray:
    n = v.size.bit_length() - 1
    return np.array(
        [
            sum(v[s | 1 << i] - v[s] for s in range(1 << n) if not s >> i & 1) / 2 ** (n - 1)
            for i in range(n)
        ]
    )


def random_game(n: int, seed: int) -> FloatArray:
    v = np.random.default_rng(seed).uniform(-100, 100, 1 << n)
    v[0] = 0.0
    return v


def test_tugames_example() -> None:
    # Meinhardt, TuGames (Mathematica) / MatTuGames documentation: v(12) = 90, v(13) = 100,
    # v(23) = 120, v(123) = 220, singletons 0 → Shapley value (65, 75, 80).
    r = shapley_value(np.array([0, 0, 0, 90, 0, 100, 120, 220.0]))
    np.testing.assert_allclose(r.values, [65, 75, 80])
    assert r.method == "exact" and r.samples is None and r.standard_error is None
    assert abs(r.efficiency_gap) < 1e-12


def test_coopgame_aumann_2010_example() -> None:
    # CoopGame's shapleyValue documentation: Ibn Ezra's inheritance problem (Aumann 2010, IJGT
    # 39:3-10), given in CoopGame's order → (80.83333, 20.83333, 10.83333, 7.5).
    lex = [120, 60, 40, 30, 120, 120, 120, 60, 60, 40, 120, 120, 120, 60, 120]
    r = shapley_value(lexicographic_to_binary(lex, 4))
    np.testing.assert_allclose(r.values, [80.83333, 20.83333, 10.83333, 7.5], atol=1e-5)


def test_eec_council_1958() -> None:
    dp, exact = shapley_value(EEC), shapley_value(EEC, method="exact")
    assert dp.method == "weighted-voting-dp" and exact.method == "exact"
    np.testing.assert_allclose(dp.values, EEC_SHAPLEY_SHUBIK, atol=1e-14)
    np.testing.assert_allclose(exact.values, EEC_SHAPLEY_SHUBIK, atol=1e-14)
    raw = banzhaf_value(EEC)
    assert isinstance(raw, BanzhafResult) and not raw.normalized
    np.testing.assert_allclose(raw.values * 2**5, EEC_SWINGS, atol=1e-12)
    np.testing.assert_allclose(banzhaf_value(EEC, method="exact").values * 32, EEC_SWINGS)
    normalized = banzhaf_value(EEC, normalized=True)
    np.testing.assert_allclose(normalized.values, EEC_BANZHAF, atol=1e-14)
    np.testing.assert_allclose(normalized.raw, raw.values)
    assert abs(normalized.efficiency_gap) < 1e-14
    assert raw.efficiency_gap == pytest.approx(1 - 42 / 32)


def test_un_security_council() -> None:
    dp = shapley_value(UNSC)
    assert dp.method == "weighted-voting-dp"
    np.testing.assert_allclose(dp.values, UNSC_SHAPLEY_SHUBIK, atol=1e-14)
    assert dp.values[0] == pytest.approx(0.1963, abs=5e-5)
    assert dp.values[-1] == pytest.approx(0.001865, abs=5e-7)
    np.testing.assert_allclose(shapley_value(UNSC, method="exact").values, dp.values, atol=1e-14)
    np.testing.assert_allclose(
        banzhaf_value(UNSC).values, banzhaf_value(UNSC, method="exact").values, atol=1e-14
    )


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=10), st.data())
def test_weighted_voting_programme_equals_enumeration(
    weights: list[int], data: st.DataObject
) -> None:
    total = sum(weights)
    if total == 0:
        weights[0], total = 1, 1
    quota = data.draw(st.one_of(st.integers(1, total), st.floats(0.5, total)))
    game = WeightedVotingGame(quota, np.array(weights, float) * 3)  # gcd 3 is divided out
    for solve in (shapley_value, banzhaf_value):
        dp, exact = solve(game), solve(game, method="exact")
        assert dp.method == "weighted-voting-dp"
        np.testing.assert_allclose(dp.values, exact.values, atol=1e-13)


def test_weighted_voting_with_hundreds_of_players() -> None:
    rng = np.random.default_rng(7)
    weights = rng.integers(1, 20, 400)
    game = WeightedVotingGame(int(weights.sum() * 2 // 3), weights.astype(float))
    r = shapley_value(game)
    assert r.method == "weighted-voting-dp"
    assert abs(r.values.sum() - 1) < 1e-12 and abs(r.efficiency_gap) < 1e-12
    assert (r.values >= -1e-15).all()
    # equal weights, equal power; more weight, no less power here
    order = np.argsort(weights, kind="stable")
    assert (np.diff(r.values[order]) >= -1e-12).all()
    b = banzhaf_value(game)
    assert b.method == "weighted-voting-dp" and (b.values >= -1e-15).all()


def test_non_integer_weights_use_enumeration() -> None:
    game = WeightedVotingGame(0.6, [0.25, 0.35, 0.4])
    r = shapley_value(game)
    assert r.method == "exact"
    np.testing.assert_allclose(r.values, [1 / 3] * 3)


def test_airport_example() -> None:
    # The cost vector of the AirportProblems (R) examples, c = (1, 3, 7, 10); the sequential
    # equal contributions rule = Shapley value (Littlechild & Owen 1973): 1/4, 1/4 + 2/3,
    # 1/4 + 2/3 + 4/2, 1/4 + 2/3 + 4/2 + 3/1.
    r = shapley_value(AirportGame([1, 3, 7, 10]))
    assert r.method == "airport-formula"
    np.testing.assert_allclose(r.values, [1 / 4, 11 / 12, 35 / 12, 71 / 12])


@given(st.lists(st.integers(0, 6).map(float), min_size=1, max_size=9))
def test_airport_formulas_equal_enumeration(costs: list[float]) -> None:
    game = AirportGame(np.array(costs))
    for solve in (shapley_value, banzhaf_value):
        closed, exact = solve(game), solve(game, method="exact")
        assert closed.method == "airport-formula"
        np.testing.assert_allclose(closed.values, exact.values, atol=1e-12)


@settings(deadline=None)
@given(st.integers(1, 8), SEEDS)
def test_exact_equals_textbook_loop(n: int, seed: int) -> None:
    v = random_game(n, seed)
    np.testing.assert_allclose(shapley_exact(v).values, textbook_shapley(v), atol=1e-9)
    np.testing.assert_allclose(banzhaf_value(v).values, textbook_banzhaf(v), atol=1e-9)


def test_exact_over_several_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("innoalliance.methods.games.shapley._CHUNK", 16)
    v = random_game(8, 3)
    np.testing.assert_allclose(shapley_exact(v).values, textbook_shapley(v), atol=1e-9)
    np.testing.assert_allclose(banzhaf_value(v).values, textbook_banzhaf(v), atol=1e-9)


@given(st.integers(1, 9), SEEDS)
def test_efficiency(n: int, seed: int) -> None:
    v = random_game(n, seed)
    r = shapley_exact(v)
    assert r.values.sum() == pytest.approx(v[-1], abs=1e-9)
    assert abs(r.efficiency_gap) < 1e-9


@given(st.integers(2, 8), SEEDS, st.data())
def test_symmetry(n: int, seed: int, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, n - 2))
    j = data.draw(st.integers(i + 1, n - 1))
    v = random_game(n, seed)
    masks = np.arange(1 << n)
    differ = ((masks >> i) ^ (masks >> j)) & 1
    swapped = masks ^ (differ << i | differ << j)
    v = v + v[swapped]  # symmetric in i and j
    for solve in (shapley_value, banzhaf_value):
        phi = solve(v).values
        assert phi[i] == pytest.approx(phi[j], abs=1e-9)


@given(st.integers(1, 7), SEEDS, st.floats(-50, 50))
def test_dummy_player_gets_its_own_value(n: int, seed: int, alone: float) -> None:
    v = random_game(n, seed)
    game = np.concatenate((v, v + alone))  # the new last player adds `alone` to every coalition
    for solve in (shapley_value, banzhaf_value):
        phi = solve(game).values
        assert phi[-1] == pytest.approx(alone, abs=1e-9)


@given(st.integers(1, 8), SEEDS, SEEDS)
def test_additivity(n: int, seed_v: int, seed_w: int) -> None:
    v, w = random_game(n, seed_v), random_game(n, seed_w)
    for solve in (shapley_value, banzhaf_value):
        np.testing.assert_allclose(
            solve(v + w).values, solve(v).values + solve(w).values, atol=1e-9
        )


def test_sampled_converges_on_a_random_game() -> None:
    v = random_game(10, 11)
    exact = shapley_exact(v).values
    r = shapley_sampled(v, samples=4000, seed=5)
    assert r.method == "sampled" and r.samples == 4000 and r.seed == 5
    assert r.standard_error is not None
    within = np.abs(r.values - exact) <= 4 * r.standard_error
    assert within.sum() >= 9
    assert abs(r.efficiency_gap) < 1e-9  # every order's contributions sum to v(N)
    b = banzhaf_value(v, method="sampled", samples=4000, seed=5)
    assert b.standard_error is not None
    assert (np.abs(b.values - banzhaf_value(v).values) <= 4 * b.standard_error).sum() >= 9


def test_sampled_is_reproducible_and_reports_progress() -> None:
    v = random_game(6, 2)
    calls: list[tuple[int, int]] = []
    first = shapley_sampled(v, samples=500, seed=9, progress=lambda d, t: calls.append((d, t)))
    again = shapley_sampled(v, samples=500, seed=9)
    assert first.values.tolist() == again.values.tolist()
    assert calls[-1] == (500, 500)
    other = shapley_sampled(v, samples=500, seed=10)
    assert first.values.tolist() != other.values.tolist()


def test_sampled_on_300_players() -> None:
    rng = np.random.default_rng(1)
    weights = rng.integers(1, 11, 300).astype(float)
    game = WeightedVotingGame(float(weights.sum() // 2 + 1), weights)
    r = shapley_value(game, method="sampled", samples=2000, seed=0)
    assert r.values.sum() == pytest.approx(1.0, abs=1e-9)  # efficient in every permutation
    exact = shapley_value(game).values  # each about 1/300
    assert r.standard_error is not None and r.standard_error.max() < 0.003
    assert np.abs(r.values - exact).max() < 0.006
    claims = rng.uniform(0, 10, 300)
    bankrupt = BankruptcyGame(0.4 * claims.sum(), claims)
    r = shapley_value(bankrupt, samples=50, seed=0)  # auto: too many players, so sampled
    assert r.method == "sampled"
    assert r.values.sum() == pytest.approx(bankrupt.estate, rel=1e-9)


def test_sampled_game_as_a_function() -> None:
    a = np.arange(1.0, 101.0)

    def additive(members: BoolArray) -> FloatArray:
        total: FloatArray = members @ a
        return total

    r = shapley_sampled(additive, samples=20, seed=0, n=100)
    np.testing.assert_allclose(r.values, a)  # every contribution is exact
    assert r.standard_error is not None and (r.standard_error == 0).all()
    with pytest.raises(MethodError, match="needs its number of players"):
        shapley_sampled(additive, samples=20, seed=0)
    with pytest.raises(MethodError, match=r"shape \(3,\) for 20 coalitions"):
        shapley_sampled(lambda m: np.zeros(3), samples=4, seed=0, n=4)
    with pytest.raises(MethodError, match="the value nan") as e:
        shapley_sampled(lambda m: np.full(len(m), np.nan), samples=4, seed=0, n=4)
    assert e.value.hint == "the game must give one finite number per coalition (row)"


def test_errors() -> None:
    big = BankruptcyGame(10.0, np.ones(26))
    with pytest.raises(MethodError, match=r"n = 26 is too large for the exact Shapley value") as e:
        shapley_value(big, method="exact")
    assert "method='sampled' with samples=" in (e.value.hint or "")
    with pytest.raises(MethodError, match="too large for the exact Banzhaf value"):
        banzhaf_value(big)
    with pytest.raises(MethodError, match="at least 2 samples"):
        shapley_sampled(np.zeros(4), samples=1, seed=0)
    with pytest.raises(MethodError, match="needs a number of samples"):
        shapley_value(np.zeros(4), method="sampled")
    with pytest.raises(MethodError, match="unknown method 'fast'"):
        shapley_value(np.zeros(4), method="fast")
    with pytest.raises(MethodError, match="sum to 0"):
        banzhaf_value(np.zeros(4), normalized=True)
    with pytest.raises(MethodError, match="n = 3 was given for a game of 2"):
        shapley_sampled(AirportGame([1, 2]), samples=2, seed=0, n=3)
    with pytest.raises(MethodError, match="empty coalition"):
        shapley_value([1.0, 2.0])
