"""Transferable-utility (TU) games: explicit value tables and structured forms.

Convention: a coalition is a bitmask, bit i ↔ player i (the i-th entry of the file's ``players``
list). A TU game on n players is a float array ``v`` of length 2ⁿ indexed by bitmask (the *binary*
order of coopgame-py and MatTuGames, here with the empty coalition included), with v[0] = 0. R's
CoopGame and TUGlab list the 2ⁿ − 1 non-empty coalitions by size, then lexicographically:
:func:`lexicographic_to_binary` and :func:`binary_to_lexicographic` convert.

Explicit games (:func:`check_game`, :func:`table_game`, :class:`TableGame`) stop at
:data:`MAX_EXACT_PLAYERS` players (2²⁵ values = 256 MB). The structured games
(:class:`WeightedVotingGame`, :class:`BankruptcyGame`, :class:`AirportGame`) have any number of
players: :meth:`~TUGame.value_of_masks` evaluates many coalitions at once, given as integer
masks (up to :data:`MAX_MASK_PLAYERS` players) or as a boolean membership matrix (k coalitions ×
n players, any n), which is what sampling uses.

Player numbers in messages are 1-based ("player 2" is bit 1); masks are 0-based bits.
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import (
    FloatArray,
    as_floats,
    check_nonnegative,
    check_vector,
    label,
)
from innoalliance.methods.games.claims import check_claims

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Masks = npt.NDArray[Any] | Sequence[int]
"""Coalitions for ``value_of_masks``: 1-D integer masks, or a (k, n) boolean membership matrix."""

MAX_EXACT_PLAYERS = 25
"""Largest n for which the 2ⁿ coalition values are held in memory (2²⁵ float64 = 256 MB)."""
MAX_MASK_PLAYERS = 62
"""Largest n whose coalitions fit an int64 mask; larger games take boolean membership matrices."""

_EMPTY_NAMES = ("", "∅")
_ROUNDING = 1e-9
"""Relative tolerance of the property checks: differences below 1e-9 · max|v| are rounding."""


@runtime_checkable
class Game(Protocol):
    """What the solution methods need of a game: its size and its coalition values."""

    @property
    def n(self) -> int:
        """Number of players."""
        ...

    def value(self, mask: int) -> float:
        """v of one coalition, given as a bitmask."""
        ...

    def values(self) -> FloatArray:
        """All 2ⁿ coalition values in binary order."""
        ...

    def value_of_masks(self, masks: Masks) -> FloatArray:
        """v of many coalitions: integer masks or a (k, n) boolean membership matrix."""
        ...


def coalition_mask(members: Iterable[int]) -> int:
    """The bitmask of the coalition of the given (0-based) players."""
    mask = 0
    for i in members:
        if i < 0:
            raise MethodError(f"player index {i} is negative", hint="players are numbered 0, 1, …")
        mask |= 1 << i
    return mask


def members_of(mask: int, n: int) -> tuple[int, ...]:
    """The (0-based) players in the coalition ``mask`` of an ``n``-player game, in order."""
    if not 0 <= mask < 1 << n:
        raise MethodError(
            f"mask {mask} is not a coalition of {n} players", hint=f"use 0 … 2^{n} − 1"
        )
    return tuple(i for i in range(n) if mask >> i & 1)


def coalition_label(mask: int, n: int, names: Sequence[str] | None = None) -> str:
    """Name a coalition for a message: ``'A+B'`` with names, else ``'players 1+2'``; ``'∅'``."""
    members = members_of(mask, n)
    if not members:
        return "∅"
    if names is not None:
        return "+".join(names[i] for i in members)
    return "player" + ("s " if len(members) > 1 else " ") + "+".join(str(i + 1) for i in members)


def _too_many(n: int) -> MethodError:
    return MethodError(
        f"n = {n} players is too many for an explicit game (2^{n} coalition values)",
        hint=f"at most {MAX_EXACT_PLAYERS} players can be listed coalition by coalition; describe "
        "a larger game in a structured form (weighted voting, bankruptcy, airport) and use "
        "method='sampled' with samples=…",
    )


def check_game(v: npt.ArrayLike, n: int | None = None) -> FloatArray:
    """Check an explicit TU game in binary order and return it as float64 (not copied if it is).

    ``v`` must be 1-D with length 2ⁿ (n ≥ 1, n ≤ :data:`MAX_EXACT_PLAYERS`, and n as given),
    every value finite, and v[0] (the empty coalition) = 0.
    """
    a = as_floats(v, "the game", "give one number per coalition", copy=False)
    size = a.size if a.ndim == 1 else 0
    players = size.bit_length() - 1
    if size < 2 or size != 1 << players:
        raise MethodError(
            f"a game needs 2ⁿ coalition values (2, 4, 8, …), got an array of shape {a.shape}",
            hint="give one value per coalition, indexed by bitmask, the empty coalition first",
        )
    if n is not None and players != n:
        raise MethodError(
            f"the game has 2^{players} values, so {players} players, but {n} players were named",
            hint="give one value per coalition of the listed players",
        )
    if players > MAX_EXACT_PLAYERS:
        raise _too_many(players)
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        mask = int(bad[0])
        raise MethodError(
            f"v({coalition_label(mask, players)}) is {a[mask]}",
            hint="every coalition value must be a finite number",
        )
    if a[0] != 0:
        raise MethodError(
            f"v(∅), the value of the empty coalition, is {a[0]:g}",
            hint="the empty coalition is worth 0",
        )
    return a


def _player_names(players: Sequence[str]) -> list[str]:
    names = [str(p).strip() for p in players]
    if not names:
        raise MethodError("no players were given", hint="list at least one player")
    for i, name in enumerate(names):
        if not name or "+" in name or name == "∅":
            raise MethodError(
                f"{label('player', i, None)} is named {players[i]!r}",
                hint="player names must be non-empty and not contain '+' (it joins coalitions)",
            )
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise MethodError(
                f"players {seen[name] + 1} and {i + 1} are both named {name!r}",
                hint="give every player a different name",
            )
        seen[name] = i
    if len(names) > MAX_EXACT_PLAYERS:
        raise _too_many(len(names))
    return names


def _parse_coalition(key: str, index: Mapping[str, int]) -> int:
    if key.strip() in _EMPTY_NAMES:
        return 0
    mask = 0
    for part in key.split("+"):
        name = part.strip()
        if name not in index:
            close = difflib.get_close_matches(name, list(index), n=1)
            raise MethodError(
                f"coalition {key!r} names an unknown player {name!r}",
                hint=f"did you mean {close[0]!r}?"
                if close
                else f"the players are {', '.join(index)}",
            )
        bit = 1 << index[name]
        if mask & bit:
            raise MethodError(
                f"coalition {key!r} names player {name!r} twice",
                hint="name each member of a coalition once",
            )
        mask |= bit
    return mask


def table_game(players: Sequence[str], values: Mapping[str, float]) -> FloatArray:
    """Build an explicit game from values keyed by coalition, e.g. ``{"A": 0, "A+B": 90, …}``.

    A key joins player names with "+" in any order, whitespace around names ignored; the empty
    coalition may be given as "" or "∅" and must be 0 (it may be left out). Every other
    coalition must be given exactly once. Returns v in binary order (bit i ↔ ``players[i]``).
    """
    names = _player_names(players)
    n = len(names)
    index = {name: i for i, name in enumerate(names)}
    v = np.zeros(1 << n)
    given: dict[int, str] = {}
    for key, value in values.items():
        mask = _parse_coalition(str(key), index)
        if mask in given:
            raise MethodError(
                f"coalition {key!r} is the same as {given[mask]!r}",
                hint="give each coalition's value once",
            )
        given[mask] = str(key)
        if not isinstance(value, Real) or isinstance(value, bool) or not np.isfinite(value):
            raise MethodError(
                f"the value of coalition {key!r} is {value!r}", hint="give a finite number"
            )
        v[mask] = float(value)
    if v[0] != 0:
        raise MethodError(
            f"the empty coalition is given the value {v[0]:g}",
            hint="the empty coalition is worth 0; leave it out",
        )
    missing = (1 << n) - 1 - len(given.keys() - {0})
    if missing:
        first = next(m for m in range(1, 1 << n) if m not in given)
        raise MethodError(
            f"coalition {coalition_label(first, n, names)!r} has no value "
            f"({missing} of {(1 << n) - 1} coalitions are missing)",
            hint="give a value for every non-empty coalition of the players",
        )
    return v


def _lexicographic_order(n: int) -> IntArray:
    """Masks of the non-empty coalitions ordered by size, then lexicographically (CoopGame)."""
    masks = np.arange(1, 1 << n, dtype=np.int64)
    # With player 0 as the most significant bit, lexicographic order within a size is descending.
    reversed_bits = np.zeros_like(masks)
    for i in range(n):
        reversed_bits |= ((masks >> i) & 1) << (n - 1 - i)
    key = np.bitwise_count(masks).astype(np.int64) << n | ((1 << n) - 1 - reversed_bits)
    return masks[np.argsort(key, kind="stable")]


def lexicographic_to_binary(values_by_size_lex: npt.ArrayLike, n: int) -> FloatArray:
    """Convert CoopGame/TUGlab order (2ⁿ − 1 values, no empty set) to binary order with v[0] = 0.

    CoopGame's order for n = 3: {1}, {2}, {3}, {1,2}, {1,3}, {2,3}, {1,2,3}.
    """
    if n < 1:
        raise MethodError(f"a game of {n} players", hint="give at least 1 player")
    if n > MAX_EXACT_PLAYERS:
        raise _too_many(n)
    a = np.asarray(values_by_size_lex, dtype=np.float64)
    if a.shape != ((1 << n) - 1,):
        raise MethodError(
            f"{n} players have {(1 << n) - 1} non-empty coalitions, got an array of shape "
            f"{a.shape}",
            hint="give the values of the non-empty coalitions by size, then lexicographically",
        )
    v = np.zeros(1 << n)
    v[_lexicographic_order(n)] = a
    return check_game(v)


def binary_to_lexicographic(v: npt.ArrayLike) -> FloatArray:
    """Convert a game in binary order to CoopGame/TUGlab order (size, then lexicographic)."""
    a = check_game(v)
    order: FloatArray = a[_lexicographic_order(a.size.bit_length() - 1)]
    return order


def as_membership(masks: Masks, n: int) -> BoolArray:
    """A (k, n) boolean membership matrix from integer masks (1-D) or such a matrix itself."""
    a = np.asarray(masks)
    if a.dtype == np.bool_:
        if a.ndim != 2 or a.shape[1] != n:
            raise MethodError(
                f"a membership matrix of {n} players must have shape (k, {n}), got {a.shape}",
                hint="one row per coalition, one column per player",
            )
        return a
    if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
        raise MethodError(
            f"coalitions must be integer masks or a boolean matrix, got {a.dtype} {a.shape}",
            hint="give a 1-D array of masks, or a (k, n) boolean membership matrix",
        )
    if n > MAX_MASK_PLAYERS:
        raise MethodError(
            f"integer masks hold at most {MAX_MASK_PLAYERS} players, the game has {n}",
            hint="give the coalitions as a (k, n) boolean membership matrix",
        )
    m = a.astype(np.int64)
    if m.size and (m.min() < 0 or m.max() >= 1 << n):
        raise MethodError(
            f"mask {int(m.max() if m.max() >= 1 << n else m.min())} is not a coalition of {n} "
            "players",
            hint=f"masks run from 0 to 2^{n} − 1",
        )
    membership: BoolArray = (m[:, None] >> np.arange(n)) & 1 == 1
    return membership


def subset_reduce(x: FloatArray, op: np.ufunc) -> FloatArray:
    """``op`` folded over the members of every coalition, in binary order (identity 0 for ∅).

    ``subset_reduce(w, np.add)[S] = Σ_{i∈S} w_i``; with ``np.maximum``, max_{i∈S} w_i for w ≥ 0.
    Built by doubling: O(2ⁿ).
    """
    out = np.zeros(1 << x.size)
    for i, xi in enumerate(x):
        half = 1 << i
        op(out[:half], xi, out=out[half : 2 * half])
    return out


def _per_player(x: npt.ArrayLike, what: str, names: Sequence[str] | None) -> FloatArray:
    """Check one finite number ≥ 0 per player; return a new float array."""
    return check_nonnegative(check_vector(x, what, names), what, names)


class TUGame(ABC):
    """Base of the game classes: values of single coalitions, of many at once, or of all 2ⁿ."""

    @property
    @abstractmethod
    def n(self) -> int:
        """Number of players."""

    @abstractmethod
    def _of_members(self, members: BoolArray) -> FloatArray:
        """v of each row of a (k, n) boolean membership matrix."""

    @abstractmethod
    def _all_values(self) -> FloatArray:
        """All 2ⁿ values in binary order (n ≤ MAX_EXACT_PLAYERS)."""

    def values(self) -> FloatArray:
        """All 2ⁿ coalition values in binary order; refused beyond MAX_EXACT_PLAYERS players."""
        if self.n > MAX_EXACT_PLAYERS:
            raise _too_many(self.n)
        return self._all_values()

    def value(self, mask: int) -> float:
        """v of the coalition ``mask`` (a Python int: any number of players)."""
        if not 0 <= mask < 1 << self.n:
            raise MethodError(
                f"mask {mask} is not a coalition of {self.n} players",
                hint=f"masks run from 0 to 2^{self.n} − 1",
            )
        row = np.array([[mask >> i & 1 for i in range(self.n)]], dtype=bool)
        return float(self._of_members(row)[0])

    def value_of_masks(self, masks: Masks) -> FloatArray:
        """v of many coalitions: 1-D integer masks (n ≤ 62) or a (k, n) boolean matrix."""
        return self._of_members(as_membership(masks, self.n))


@dataclass(frozen=True, eq=False)
class TableGame(TUGame):
    """An explicit game: the 2ⁿ values in binary order (checked by :func:`check_game`)."""

    v: FloatArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "v", check_game(self.v))

    @property
    def n(self) -> int:
        """Number of players."""
        return int(self.v.size).bit_length() - 1

    def _of_members(self, members: BoolArray) -> FloatArray:
        masks = members.astype(np.int64) @ (np.int64(1) << np.arange(self.n, dtype=np.int64))
        found: FloatArray = self.v[masks]
        return found

    def _all_values(self) -> FloatArray:
        return self.v


@dataclass(frozen=True, eq=False)
class WeightedVotingGame(TUGame):
    """v(S) = 1 if Σ_{i∈S} w_i ≥ quota, else 0 (a simple game; von Neumann & Morgenstern 1944).

    Weights ≥ 0 and 0 < quota ≤ Σw. The comparison allows 1e-12 · Σw for the rounding of
    non-integer weights (:attr:`threshold`), so that every way of summing agrees.
    """

    quota: float
    weights: FloatArray
    names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        w = _per_player(self.weights, "weight", self.names)
        total = float(w.sum())
        q = float(self.quota)
        if not np.isfinite(q) or q <= 0:
            raise MethodError(
                f"the quota is {q:g}, so every coalition, even the empty one, would win",
                hint="give a quota > 0, e.g. a majority of the total weight",
            )
        if q > total:
            raise MethodError(
                f"the quota {q:g} is more than the total weight {total:g}, so no coalition wins",
                hint=f"give a quota of at most {total:g}",
            )
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "quota", q)

    @property
    def n(self) -> int:
        """Number of players."""
        return int(self.weights.size)

    @property
    def threshold(self) -> float:
        """quota − 1e-12 · Σw: a coalition wins when its weight is at least this."""
        return self.quota - 1e-12 * float(self.weights.sum())

    def _of_members(self, members: BoolArray) -> FloatArray:
        return (members @ self.weights >= self.threshold).astype(np.float64)

    def _all_values(self) -> FloatArray:
        return (subset_reduce(self.weights, np.add) >= self.threshold).astype(np.float64)


@dataclass(frozen=True, eq=False)
class BankruptcyGame(TUGame):
    """O'Neill's (1982) bankruptcy game: v(S) = max(0, E − Σ_{j∉S} c_j).

    What S is sure to get once everyone else's claims are paid in full (CoopGame's
    ``bankruptcyGameValue``). Estate E ≥ 0, claims ≥ 0, E ≤ Σc (checked by
    :func:`~innoalliance.methods.games.claims.check_claims`).
    """

    estate: float
    claims: FloatArray
    names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        estate, claims = check_claims(self.estate, self.claims, self.names)
        object.__setattr__(self, "estate", estate)
        object.__setattr__(self, "claims", claims)

    @property
    def n(self) -> int:
        """Number of players."""
        return int(self.claims.size)

    def _from_claims_in(self, claimed: FloatArray) -> FloatArray:
        return np.maximum(0.0, self.estate - (float(self.claims.sum()) - claimed))

    def _of_members(self, members: BoolArray) -> FloatArray:
        return self._from_claims_in(members @ self.claims)

    def _all_values(self) -> FloatArray:
        return self._from_claims_in(subset_reduce(self.claims, np.add))


@dataclass(frozen=True, eq=False)
class AirportGame(TUGame):
    """Littlechild & Owen's (1973) airport game, a cost game: c(S) = max_{i∈S} c_i, c(∅) = 0.

    Each player needs a facility (runway length) costing c_i ≥ 0; a coalition builds the largest.
    """

    costs: FloatArray
    names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "costs", _per_player(self.costs, "cost", self.names))

    @property
    def n(self) -> int:
        """Number of players."""
        return int(self.costs.size)

    def _of_members(self, members: BoolArray) -> FloatArray:
        largest: FloatArray = np.where(members, self.costs, 0.0).max(axis=1, initial=0.0)
        return largest

    def _all_values(self) -> FloatArray:
        return subset_reduce(self.costs, np.maximum)


@dataclass(frozen=True)
class PropertyCheck:
    """Whether a game has a property; ``reason`` names a violating coalition when it has not."""

    holds: bool
    reason: str

    def __bool__(self) -> bool:
        return self.holds


def _tolerance(v: FloatArray) -> float:
    return _ROUNDING * max(1.0, float(np.abs(v).max()))


def _bit_view(v: FloatArray, i: int) -> npt.NDArray[np.float64]:
    """v as (2^(n−i−1), 2, 2^i): index [:, 0, :] are the coalitions without i, [:, 1, :] with."""
    return v.reshape(-1, 2, 1 << i)


def _unflatten(flat: int, i: int) -> int:
    """The mask of the ``flat``-th entry of ``_bit_view(v, i)[:, 0, :]`` (bit i clear)."""
    high, low = divmod(flat, 1 << i)
    return high << (i + 1) | low


def is_monotonic(v: npt.ArrayLike, names: Sequence[str] | None = None) -> PropertyCheck:
    """v(S) ≤ v(S ∪ {i}) for every coalition S and player i (up to rounding). O(n·2ⁿ)."""
    a = check_game(v)
    n = a.size.bit_length() - 1
    tol = _tolerance(a)
    for i in range(n):
        view = _bit_view(a, i)
        drop = (view[:, 0, :] - view[:, 1, :]).ravel()
        worst = int(np.argmax(drop))
        if drop[worst] > tol:
            s = _unflatten(worst, i)
            return PropertyCheck(
                False,
                f"v({coalition_label(s | 1 << i, n, names)}) = {a[s | 1 << i]:g} < "
                f"v({coalition_label(s, n, names)}) = {a[s]:g}",
            )
    return PropertyCheck(True, "no coalition loses value when a player joins")


def is_convex(v: npt.ArrayLike, names: Sequence[str] | None = None) -> PropertyCheck:
    """Supermodularity (Shapley 1971): v(S∪{i,j}) − v(S∪{j}) ≥ v(S∪{i}) − v(S) for i, j ∉ S.

    Checked pair by pair over all S at once (up to rounding): O(n²·2ⁿ), fine for n ≤ ~20.
    """
    a = check_game(v)
    n = a.size.bit_length() - 1
    tol = _tolerance(a)
    for j in range(1, n):
        for i in range(j):
            view = a.reshape(-1, 2, 1 << (j - i - 1), 2, 1 << i)
            gain = (
                view[:, 1, :, 1, :]
                - view[:, 1, :, 0, :]
                - view[:, 0, :, 1, :]
                + view[:, 0, :, 0, :]
            )
            worst = np.unravel_index(int(np.argmin(gain)), gain.shape)
            if gain[worst] < -tol:
                high, mid, low = (int(k) for k in worst)
                s = high << (j + 1) | mid << (i + 1) | low
                si, sj = s | 1 << i, s | 1 << j
                return PropertyCheck(
                    False,
                    f"{coalition_label(1 << i, n, names)} adds {a[si] - a[s]:g} to "
                    f"{coalition_label(s, n, names)} but only {a[si | sj] - a[sj]:g} to "
                    f"{coalition_label(sj, n, names)}",
                )
    return PropertyCheck(True, "every player adds at least as much to a larger coalition")


_SUPERADDITIVE_MAX_PLAYERS = 18
_INNER_PLAYERS = 11


def _disjoint_pairs(k: int) -> tuple[IntArray, IntArray]:
    """All 3^k pairs (A, B) of disjoint coalitions of players 0 … k−1."""
    a = np.zeros(1, dtype=np.int64)
    b = np.zeros(1, dtype=np.int64)
    for i in range(k):
        bit = np.int64(1 << i)
        a, b = np.concatenate((a, a | bit, a)), np.concatenate((b, b, b | bit))
    return a, b


def is_superadditive(v: npt.ArrayLike, names: Sequence[str] | None = None) -> PropertyCheck:
    """v(A ∪ B) ≥ v(A) + v(B) for all disjoint A, B (up to rounding).

    All 3ⁿ disjoint pairs are checked, vectorised over the pairs of the first 11 players; refused
    for n > 18. A convex game (:func:`is_convex`, O(n²·2ⁿ)) is superadditive.
    """
    a = check_game(v)
    n = a.size.bit_length() - 1
    if n > _SUPERADDITIVE_MAX_PLAYERS:
        raise MethodError(
            f"checking superadditivity of {n} players means 3^{n} pairs of coalitions",
            hint=f"check at most {_SUPERADDITIVE_MAX_PLAYERS} players, or check convexity "
            "(is_convex), which implies superadditivity",
        )
    tol = _tolerance(a)
    inner = min(n, _INNER_PLAYERS)
    a_in, b_in = _disjoint_pairs(inner)
    a_out, b_out = _disjoint_pairs(n - inner)
    for ao, bo in zip((a_out << inner).tolist(), (b_out << inner).tolist(), strict=True):
        left, right = a_in | ao, b_in | bo
        shortfall = a[left] + a[right] - a[left | right]
        worst = int(np.argmax(shortfall))
        if shortfall[worst] > tol:
            x, y = sorted((int(left[worst]), int(right[worst])))
            return PropertyCheck(
                False,
                f"v({coalition_label(x | y, n, names)}) = {a[x | y]:g} < "
                f"v({coalition_label(x, n, names)}) + v({coalition_label(y, n, names)}) = "
                f"{a[x]:g} + {a[y]:g}",
            )
    return PropertyCheck(True, "no two disjoint coalitions are worth more apart than together")
