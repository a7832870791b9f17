"""TU games: bitmask convention, coalition tables, CoopGame order, structured games, properties."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.games.forms import (
    MAX_EXACT_PLAYERS,
    AirportGame,
    BankruptcyGame,
    Game,
    TableGame,
    WeightedVotingGame,
    as_membership,
    binary_to_lexicographic,
    check_game,
    coalition_label,
    coalition_mask,
    is_convex,
    is_monotonic,
    is_superadditive,
    lexicographic_to_binary,
    members_of,
    subset_reduce,
    table_game,
)

# Meinhardt's TuGames / MatTuGames documentation, 3-player example: v(1) = v(2) = v(3) = 0,
# v(12) = 90, v(13) = 100, v(23) = 120, v(123) = 220 (Shapley value (65, 75, 80)).
TUGAMES = {"A": 0, "B": 0, "C": 0, "A+B": 90, "A+C": 100, "B+C": 120, "A+B+C": 220}
TUGAMES_V = [0, 0, 0, 90, 0, 100, 120, 220]


def random_game(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).uniform(-10, 10, 1 << n)
    v[0] = 0.0
    return v


def test_masks_and_members() -> None:
    assert coalition_mask([0, 2]) == 5
    assert members_of(5, 3) == (0, 2)
    assert members_of(0, 3) == ()
    assert coalition_label(5, 3) == "players 1+3"
    assert coalition_label(2, 3) == "player 2"
    assert coalition_label(6, 3, ["A", "B", "C"]) == "B+C"
    assert coalition_label(0, 3) == "∅"
    with pytest.raises(MethodError):
        members_of(8, 3)
    with pytest.raises(MethodError):
        coalition_mask([-1])


def test_check_game_accepts_binary_order() -> None:
    v = check_game(TUGAMES_V, 3)
    assert v.dtype == np.float64 and v.tolist() == TUGAMES_V


@pytest.mark.parametrize("v", [[0, 1, 2], [], [[0, 1], [2, 3]], [0]])
def test_check_game_refuses_non_power_of_two(v: list[object]) -> None:
    with pytest.raises(MethodError, match="2ⁿ coalition values"):
        check_game(v)


def test_check_game_names_the_empty_coalition() -> None:
    with pytest.raises(MethodError, match="empty coalition") as e:
        check_game([1, 0, 0, 0])
    assert e.value.hint == "the empty coalition is worth 0"


def test_check_game_names_a_non_finite_value() -> None:
    with pytest.raises(MethodError, match=r"v\(players 1\+2\) is nan"):
        check_game([0, 0, 0, np.nan])


def test_check_game_checks_n() -> None:
    with pytest.raises(MethodError, match="3 players were named"):
        check_game([0, 1, 2, 3], 3)


def test_check_game_refuses_26_players() -> None:
    v = np.broadcast_to(0.0, 1 << (MAX_EXACT_PLAYERS + 1))  # no memory behind it
    with pytest.raises(MethodError, match="n = 26") as e:
        check_game(v)
    assert "structured" in (e.value.hint or "") and "sampled" in (e.value.hint or "")


def test_table_game_tugames_example() -> None:
    assert table_game(["A", "B", "C"], TUGAMES).tolist() == TUGAMES_V


def test_table_game_order_whitespace_and_empty() -> None:
    values = {" C + B ": 120, "B+A": 90, "C+A": 100, "A": 0, "B": 0, "C": 0, "C+A+B": 220}
    assert table_game(["A", "B", "C"], {**values, "∅": 0}).tolist() == TUGAMES_V
    assert table_game([" A", "B", "C "], {**values, "": 0.0}).tolist() == TUGAMES_V


def test_table_game_names_a_missing_coalition() -> None:
    values = {k: v for k, v in TUGAMES.items() if k not in ("A+C", "B+C")}
    with pytest.raises(MethodError, match=r"'A\+C' has no value \(2 of 7 coalitions are missing\)"):
        table_game(["A", "B", "C"], values)


def test_table_game_suggests_the_closest_player() -> None:
    with pytest.raises(MethodError, match="unknown player 'Alpah'") as e:
        table_game(["Alpha", "Beta"], {"Alpha": 0, "Beta": 0, "Alpah+Beta": 1})
    assert e.value.hint == "did you mean 'Alpha'?"


def test_table_game_refuses_the_same_coalition_twice() -> None:
    with pytest.raises(MethodError, match=r"'B\+A' is the same as 'A\+B'"):
        table_game(["A", "B"], {"A": 0, "B": 0, "A+B": 1, "B+A": 2})


@pytest.mark.parametrize(
    ("players", "values", "message"),
    [
        (["A", "A "], {}, "both named 'A'"),
        (["A+B"], {}, "named 'A\\+B'"),
        ([], {}, "no players"),
        (["A", "B"], {"": 5, "A": 0, "B": 0, "A+B": 1}, "empty coalition is given the value 5"),
        (["A", "B"], {"A+A": 1}, "names player 'A' twice"),
        (["A", "B"], {"A": "x", "B": 0, "A+B": 1}, "value of coalition 'A' is 'x'"),
        (["A", "B"], {"A": True, "B": 0, "A+B": 1}, "value of coalition 'A' is True"),
    ],
)
def test_table_game_errors(players: list[str], values: dict[str, object], message: str) -> None:
    with pytest.raises(MethodError, match=message):
        table_game(players, values)  # type: ignore[arg-type]


def test_coopgame_order_for_three_players() -> None:
    # CoopGame: {1}, {2}, {3}, {1,2}, {1,3}, {2,3}, {1,2,3}
    lex = [1, 2, 3, 12, 13, 23, 123]
    v = lexicographic_to_binary(lex, 3)
    assert v.tolist() == [0, 1, 2, 12, 3, 13, 23, 123]
    assert binary_to_lexicographic(v).tolist() == lex


@given(st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_coopgame_order_round_trip_and_definition(n: int, seed: int) -> None:
    v = random_game(n, seed)
    lex = binary_to_lexicographic(v)
    expected = [
        v[coalition_mask(c)] for size in range(1, n + 1) for c in combinations(range(n), size)
    ]
    assert lex.tolist() == expected
    assert lexicographic_to_binary(lex, n).tolist() == v.tolist()


def test_lexicographic_length_is_checked() -> None:
    with pytest.raises(MethodError, match="7 non-empty coalitions"):
        lexicographic_to_binary([1, 2, 3], 3)


def test_bankruptcy_game_value_coopgame_example() -> None:
    # CoopGame's bankruptcyGameValue(S = c(2, 3), d = c(100, 200, 300), E = 300) = 200.
    game = BankruptcyGame(300, [100, 200, 300])
    assert game.value(coalition_mask([1, 2])) == 200
    assert game.values().tolist() == [0, 0, 0, 0, 0, 100, 200, 300]


def test_bankruptcy_game_errors() -> None:
    with pytest.raises(MethodError, match="a negative estate"):
        BankruptcyGame(-1, [1, 2])
    with pytest.raises(MethodError, match="not a bankruptcy problem") as e:
        BankruptcyGame(10, [1, 2])
    assert "every claim in full" in (e.value.hint or "")


def test_weighted_voting_game() -> None:
    game = WeightedVotingGame(3, [2, 1, 1])
    assert game.values().tolist() == [0, 0, 0, 1, 0, 1, 0, 1]
    with pytest.raises(MethodError, match="more than the total weight 4"):
        WeightedVotingGame(5, [2, 1, 1])
    with pytest.raises(MethodError, match="even the empty one"):
        WeightedVotingGame(0, [2, 1, 1])
    with pytest.raises(MethodError, match="the weight of player 'B' is -1"):
        WeightedVotingGame(1, [2, -1], names=("A", "B"))


def test_weighted_voting_rounding_agrees() -> None:
    game = WeightedVotingGame(0.3, [0.1, 0.2, 0.7])
    assert game.value(0b011) == 1.0
    assert game.values()[0b011] == 1.0


def test_airport_game() -> None:
    game = AirportGame([3, 1, 2])
    assert game.values().tolist() == [0, 3, 1, 3, 2, 3, 2, 3]
    with pytest.raises(MethodError, match="the cost of player 2 is -1"):
        AirportGame([1, -1])
    with pytest.raises(MethodError, match="one cost per player"):
        AirportGame([])


GAMES = st.one_of(
    st.builds(
        AirportGame, st.lists(st.integers(0, 9).map(float), min_size=1, max_size=8).map(np.array)
    ),
    st.lists(st.integers(1, 9), min_size=1, max_size=8).flatmap(
        lambda w: st.builds(WeightedVotingGame, st.integers(1, sum(w)), st.just(np.array(w, float)))
    ),
    st.lists(st.integers(0, 9), min_size=1, max_size=8).flatmap(
        lambda c: st.builds(
            BankruptcyGame, st.integers(0, sum(c)).map(float), st.just(np.array(c, float))
        )
    ),
)


@given(GAMES)
def test_every_evaluation_agrees(game: AirportGame | WeightedVotingGame | BankruptcyGame) -> None:
    n = game.n
    assert isinstance(game, Game)
    v = game.values()
    masks = np.arange(1 << n)
    assert v[0] == 0
    assert game.value_of_masks(masks).tolist() == v.tolist()
    assert game.value_of_masks(as_membership(masks, n)).tolist() == v.tolist()
    assert [game.value(m) for m in range(1 << n)] == v.tolist()
    assert TableGame(v).value_of_masks(as_membership(masks, n)).tolist() == v.tolist()


def test_large_structured_games() -> None:
    game = BankruptcyGame(50.0, np.ones(100))
    assert game.value((1 << 100) - 1) == 50.0
    assert game.value(1 << 99) == 0.0
    members = np.zeros((2, 100), dtype=bool)
    members[1, :60] = True
    assert game.value_of_masks(members).tolist() == [0.0, 10.0]
    with pytest.raises(MethodError, match="at most 62 players") as e:
        game.value_of_masks(np.array([1, 2]))
    assert "boolean membership matrix" in (e.value.hint or "")
    with pytest.raises(MethodError, match="n = 100 players is too many"):
        game.values()


def test_membership_checks() -> None:
    with pytest.raises(MethodError, match="not a coalition of 3"):
        as_membership([8], 3)
    with pytest.raises(MethodError, match=r"shape \(k, 3\)"):
        as_membership(np.ones((2, 4), dtype=bool), 3)


def test_subset_reduce() -> None:
    assert subset_reduce(np.array([1.0, 2.0, 4.0]), np.add).tolist() == list(range(8))
    assert subset_reduce(np.array([3.0, 1.0]), np.maximum).tolist() == [0, 3, 1, 3]


def test_properties_of_known_games() -> None:
    assert is_convex(TUGAMES_V) and is_superadditive(TUGAMES_V) and is_monotonic(TUGAMES_V)
    # Bankruptcy games are convex (Curiel, Maschler & Tijs 1987, Z. Oper. Res. 31:A143).
    assert is_convex(BankruptcyGame(300, [100, 200, 300]).values())
    # The 1958 EEC Council (weights 4, 4, 4, 2, 2, 1, quota 12): a proper simple game, so
    # superadditive, but not convex.
    eec = WeightedVotingGame(12, [4, 4, 4, 2, 2, 1]).values()
    assert is_monotonic(eec) and is_superadditive(eec)
    check = is_convex(eec)
    assert not check and "adds 1 to" in check.reason
    # An airport cost game is concave: convex only with the sign turned.
    cost = AirportGame([1, 3, 7, 10]).values()
    assert not is_convex(cost) and is_convex(-cost) and not is_monotonic(-cost)


def test_property_reasons_name_coalitions() -> None:
    v = np.array([0, 2, 2, 3.0])
    names = ["A", "B"]
    check = is_superadditive(v, names)
    assert not check and check.reason == "v(A+B) = 3 < v(A) + v(B) = 2 + 2"
    check = is_monotonic(np.array([0, 2, 1, 1.0]))
    assert not check and check.reason == "v(players 1+2) = 1 < v(player 1) = 2"


def brute_superadditive(v: np.ndarray, n: int) -> bool:
    return all(
        v[a | b] >= v[a] + v[b] - 1e-9 for a in range(1 << n) for b in range(1 << n) if not a & b
    )


def brute_convex(v: np.ndarray, n: int) -> bool:
    return all(
        v[s | t] + v[s & t] >= v[s] + v[t] - 1e-9 for s in range(1 << n) for t in range(1 << n)
    )


def brute_monotonic(v: np.ndarray, n: int) -> bool:
    return all(v[s] <= v[t] + 1e-9 for s in range(1 << n) for t in range(1 << n) if s & t == s)


@settings(max_examples=60)
@given(st.integers(1, 5), st.integers(0, 2**32 - 1), st.floats(0, 3))
def test_properties_match_their_definitions(n: int, seed: int, pull: float) -> None:
    # pull the random game towards a convex one (v(S) = |S|²) so both answers occur
    sizes = np.bitwise_count(np.arange(1 << n)).astype(float)
    v = random_game(n, seed) + pull * 10 * sizes**2
    assert bool(is_superadditive(v)) == brute_superadditive(v, n)
    assert bool(is_convex(v)) == brute_convex(v, n)
    assert bool(is_monotonic(v)) == brute_monotonic(v, n)
    if is_convex(v):
        assert is_superadditive(v)


def test_superadditivity_splits_large_games() -> None:
    # 13 players: the outer loop over the last two players' pairs is exercised
    n = 13
    sizes = np.bitwise_count(np.arange(1 << n)).astype(float)
    v = sizes**2
    assert is_superadditive(v)
    v[-1] = 100.0  # < v(N∖{13}) + v({13}) = 144 + 1
    check = is_superadditive(v)
    assert not check and "v(players 1+2+3+4+5+6+7+8+9+10+11+12+13) = 100" in check.reason


def test_superadditivity_refuses_19_players() -> None:
    with pytest.raises(MethodError, match="3\\^19") as e:
        is_superadditive(np.zeros(1 << 19))
    assert "is_convex" in (e.value.hint or "")
