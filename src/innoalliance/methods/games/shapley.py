"""Shapley and Banzhaf values of TU games: exact, sampled, and closed forms.

Games follow :mod:`innoalliance.methods.games.forms` (bitmask coalitions, bit i ↔ player i, v(∅) =
0).

* Shapley (1953), "A value for n-person games", Contributions to the Theory of Games II:
  φ_i = Σ_{S ⊆ N∖{i}} w(|S|) (v(S ∪ {i}) − v(S)), w(s) = s!(n − s − 1)!/n!.
* Banzhaf (1965), Rutgers Law Review 19:317; Owen (1975) for TU games: the raw value
  β_i = 2^{−(n−1)} Σ_{S ⊆ N∖{i}} (v(S ∪ {i}) − v(S)). ``normalized=True`` rescales the raw values
  to sum to v(N) (CoopGame's ``normalizedBanzhafValue``); the raw values need not sum to v(N).

Exact values enumerate the 2ⁿ coalitions (n ≤ 25, ``MAX_EXACT_PLAYERS``) in O(2ⁿ) time. Sampled
values are means of unbiased one-sample estimates with their standard error sd/√samples
(ddof = 1). Closed forms: the airport game (Littlechild & Owen 1973) and weighted
voting games with integer weights (a dynamic programme over coalition size and weight; Mann &
Shapley 1962), for any number of players. For a cost game (airport) the values are costs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray
from innoalliance.methods.games.forms import (
    MAX_EXACT_PLAYERS,
    AirportGame,
    BoolArray,
    Game,
    TableGame,
    WeightedVotingGame,
    check_game,
)

Progress = Callable[[int, int], None]
ValueFunction = Callable[[BoolArray], npt.ArrayLike]
"""v of each row of a (k, n) boolean membership matrix: a game given by a function."""

_CHUNK = 1 << 20
"""Coalitions per pass of the exact values (8 MB of float64)."""
_CHUNK_CELLS = 1 << 22
"""Membership cells (coalitions × players) per chunk of samples (4 MB of booleans)."""
_DP_MAX_WORK = 2e9
"""Largest (sizes × weights × (players + distinct weights)) of the weighted-voting programme."""


@dataclass(frozen=True)
class ShapleyResult:
    """Values per player and how they were computed.

    ``method`` is "exact", "sampled", "weighted-voting-dp" or "airport-formula"; ``samples``,
    ``standard_error`` (per player) and ``seed`` are set for "sampled" only.
    ``efficiency_gap`` is v(N) − Σ values (0 up to rounding for the exact Shapley value).
    """

    values: FloatArray
    method: str
    samples: int | None
    standard_error: FloatArray | None
    seed: int | None
    efficiency_gap: float


@dataclass(frozen=True)
class BanzhafResult(ShapleyResult):
    """Banzhaf values; ``raw`` are the unnormalised ones (``values`` unless ``normalized``)."""

    raw: FloatArray
    normalized: bool


def _size_weights(n: int) -> FloatArray:
    """w(s) = s!(n − s − 1)!/n! = 1/(n·C(n − 1, s)) for s = 0 … n − 1."""
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])


def _fold(a: FloatArray, weight: FloatArray, total_weight: FloatArray) -> tuple[FloatArray, float]:
    """Σ_{T∋i} weight[|T|]·a(T) for every player i, and Σ_T total_weight[|T|]·a(T).

    The top player's sum is that of the upper half; adding the halves folds the top player away
    and leaves the same problem on n − 1 players, so all n sums cost O(2ⁿ). Coalitions are
    weighed by size (popcount) chunk by chunk while the first fold is made, so the only scratch
    array is 2ⁿ⁻¹ floats.
    """
    n = a.size.bit_length() - 1
    half = a.size // 2
    folded = np.empty(half)
    sums = np.empty(n)
    top = total = 0.0
    for start in range(0, half, _CHUNK):
        stop = min(start + _CHUNK, half)
        size = np.bitwise_count(np.arange(start, stop, dtype=np.uint32))
        lower, upper = a[start:stop], a[half + start : half + stop]
        weighed = upper * weight[size + 1]
        top += float(weighed.sum())
        total += float(lower @ total_weight[size] + upper @ total_weight[size + 1])
        np.multiply(lower, weight[size], out=folded[start:stop])
        folded[start:stop] += weighed
    sums[n - 1] = top
    for i in range(n - 2, -1, -1):
        h = 1 << i
        sums[i] = folded[h : 2 * h].sum()
        folded[:h] += folded[h : 2 * h]
    return sums, total


def shapley_exact(v: npt.ArrayLike) -> ShapleyResult:
    """Exact Shapley value (Shapley 1953) of an explicit game in binary order.

    Rewrites φ_i = Σ_{S∌i} w(|S|)(v(S∪i) − v(S)) as Σ_{T∋i} (w(|T|−1) + w(|T|)) v(T) −
    Σ_T w(|T|) v(T), with w(−1) = w(n) = 0, so one pass weighs every coalition by its size
    (popcount) and folding the array in halves gives the n sums over T ∋ i (:func:`_fold`).
    O(2ⁿ) time; scratch memory half the game's (n = 25: 256 MB in, 128 MB more).
    """
    a = check_game(v)
    n = a.size.bit_length() - 1
    w = _size_weights(n)
    without_i = np.concatenate((w, [0.0]))
    sums, base = _fold(a, np.concatenate(([0.0], w)) + without_i, without_i)
    phi = sums - base
    return ShapleyResult(phi, "exact", None, None, None, float(a[-1] - phi.sum()))


def _banzhaf_exact(v: npt.ArrayLike) -> ShapleyResult:
    """Raw Banzhaf value: β_i = (2 Σ_{T∋i} v(T) − Σ_T v(T)) / 2^{n−1}, O(2ⁿ) (:func:`_fold`)."""
    a = check_game(v)
    n = a.size.bit_length() - 1
    ones = np.ones(n + 1)
    sums, total = _fold(a, ones, ones)
    beta = (2.0 * sums - total) / 2.0 ** (n - 1)
    return ShapleyResult(beta, "exact", None, None, None, float(a[-1] - beta.sum()))


def _airport(costs: FloatArray, share: Callable[[FloatArray], FloatArray]) -> FloatArray:
    """Σ over the segments a player uses of the segment's cost × share(number of its users).

    Sorted costs c_(1) ≤ … ≤ c_(n), c_(0) = 0: segment k costs c_(k) − c_(k−1) and is used by
    the n − k + 1 players of rank ≥ k.
    """
    n = costs.size
    order = np.argsort(costs, kind="stable")
    segment = np.diff(costs[order], prepend=0.0)
    users = (n - np.arange(n)).astype(np.float64)
    out = np.empty(n)
    out[order] = np.cumsum(segment * share(users))
    return out


def _pivot_fractions(game: WeightedVotingGame) -> FloatArray | None:
    """p[i, s]: the share of the coalitions S ⊆ N∖{i} of size s for which i is pivotal.

    i is pivotal when w(S) < q ≤ w(S) + w_i. Needs integer weights (divided by their gcd);
    returns None otherwise or when the programme would exceed its work limit. D[s, t] is the
    share of the size-s coalitions of N with weight t, built player by player as
    D_m[s] = ((m − s) D_{m−1}[s] + s D_{m−1}[s − 1] shifted by w_m) / m — convex combinations,
    so counts like C(300, 150) never overflow. Removing a player of weight u inverts one step,
    R[s] = (n D[s] − s R[s − 1] shifted by u) / (n − s), for s ≤ (n − 1)/2 only (where errors
    shrink); larger sizes follow by complement symmetry, R[n−1−s, t] = R[s, W − u − t]. Players
    of equal weight share one R. Work O(n² W).
    """
    w = game.weights
    if not np.array_equal(w, np.round(w)):
        return None
    wi = w.astype(np.int64)
    g = int(np.gcd.reduce(wi))
    wi //= g
    n, total = wi.size, int(wi.sum())
    half = (n - 1) // 2
    u, player_of = np.unique(wi, return_inverse=True)
    if (half + 1) * (total + 1) * (n + u.size) > _DP_MAX_WORK:
        return None
    threshold = game.threshold / g
    sizes = np.arange(half + 1)[:, None]
    d = np.zeros((half + 1, total + 1))
    d[0, 0] = 1.0
    reach = 0  # the weight of the first m players: D_m is 0 beyond it, and beyond size m
    for m, wm in enumerate(wi.tolist(), start=1):
        top, reach = min(m, half), reach + wm
        moved = d[:top, : reach + 1 - wm] * (sizes[1 : top + 1] / m)
        d[: top + 1, : reach + 1] *= (m - sizes[: top + 1]) / m
        d[1 : top + 1, wm : reach + 1] += moved

    t = np.arange(total + 1)
    source = t[None, :] - u[:, None]
    inside = source >= 0
    source = np.maximum(source, 0)
    rows = np.arange(u.size)
    lo = np.clip(np.ceil(threshold - u), 0, total + 1).astype(np.int64)
    hi = int(np.clip(math.ceil(threshold), 0, total + 1))
    mirror_lo = np.clip(total - u - hi + 1, 0, total + 1)
    mirror_hi = np.clip(total - u - lo + 1, 0, total + 1)
    p = np.zeros((u.size, n))
    r = np.zeros((u.size, total + 1))
    r[:, 0] = 1.0
    for s in range(half + 1):
        if s:
            shifted = np.where(inside, np.take_along_axis(r, source, axis=1), 0.0)
            r = (n * d[s] - s * shifted) / (n - s)
        cum = np.zeros((u.size, total + 2))
        np.cumsum(r, axis=1, out=cum[:, 1:])
        p[:, s] = cum[:, hi] - cum[rows, lo]
        if n - 1 - s != s:
            p[:, n - 1 - s] = cum[rows, mirror_hi] - cum[rows, mirror_lo]
    pivotal: FloatArray = p[player_of]
    return pivotal


@dataclass(frozen=True)
class _Kind:
    """What distinguishes the Shapley from the Banzhaf value in the shared machinery."""

    name: str
    exact: Callable[[npt.ArrayLike], ShapleyResult]
    draw: Callable[[np.random.Generator, int, int], tuple[BoolArray, Callable[..., FloatArray]]]
    segment_share: Callable[[FloatArray], FloatArray]
    size_weights: Callable[[int], FloatArray]


def _permutations(
    rng: np.random.Generator, k: int, n: int
) -> tuple[BoolArray, Callable[[FloatArray], FloatArray]]:
    """k random orders; coalitions: the n + 1 prefixes of each; result: marginal contributions."""
    rank = rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1)
    prefixes = rank[:, None, :] < np.arange(n + 1)[None, :, None]

    def contributions(values: FloatArray) -> FloatArray:
        return np.take_along_axis(np.diff(values, axis=1), rank, axis=1)

    return prefixes.reshape(-1, n), contributions


def _coin_flips(
    rng: np.random.Generator, k: int, n: int
) -> tuple[BoolArray, Callable[[FloatArray], FloatArray]]:
    """k uniform random coalitions S; coalitions: S and S with each player toggled."""
    s = rng.random((k, n)) < 0.5
    toggled = s[:, None, :] ^ np.eye(n, dtype=bool)[None, :, :]
    coalitions = np.concatenate((s[:, None, :], toggled), axis=1)

    def contributions(values: FloatArray) -> FloatArray:
        swing: FloatArray = (values[:, 1:] - values[:, :1]) * np.where(s, -1.0, 1.0)
        return swing

    return coalitions.reshape(-1, n), contributions


def _binomial_weights(n: int) -> FloatArray:
    """C(n − 1, s) / 2^{n−1}: the share of coalitions of N∖{i} that have size s."""
    return np.array([math.comb(n - 1, s) / 2 ** (n - 1) for s in range(n)])


_SHAPLEY = _Kind(
    "Shapley value",
    shapley_exact,
    _permutations,
    lambda users: 1.0 / users,
    lambda n: np.full(n, 1.0 / n),
)
_BANZHAF = _Kind(
    "Banzhaf value",
    _banzhaf_exact,
    _coin_flips,
    lambda users: 0.5 ** (users - 1),
    _binomial_weights,
)


def _evaluator(
    game: Game | ValueFunction | npt.ArrayLike, n: int | None
) -> tuple[Callable[[BoolArray], FloatArray], int]:
    """The game's many-coalition evaluation (checked) and its number of players."""
    if isinstance(game, Game):
        if n is not None and n != game.n:
            raise MethodError(
                f"n = {n} was given for a game of {game.n} players", hint="leave n out"
            )
        fn: Callable[[BoolArray], npt.ArrayLike] = game.value_of_masks
        players = game.n
    elif callable(game):
        if n is None:
            raise MethodError(
                "a game given as a function needs its number of players",
                hint="pass n=…",
            )
        fn, players = game, n
    else:
        table = TableGame(check_game(game, n))
        fn, players = table.value_of_masks, table.n

    def evaluate(members: BoolArray) -> FloatArray:
        out = np.asarray(fn(members), dtype=np.float64)
        hint = "the game must give one finite number per coalition (row)"
        if out.shape != (members.shape[0],):
            raise MethodError(
                f"the game gave an array of shape {out.shape} for {members.shape[0]} coalitions",
                hint=hint,
            )
        bad = np.flatnonzero(~np.isfinite(out))
        if bad.size:
            raise MethodError(f"the game gave the value {out[bad[0]]} to a coalition", hint=hint)
        return out

    return evaluate, players


def _check_samples(samples: object) -> int:
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 2:
        raise MethodError(
            f"samples = {samples!r}: the standard error needs at least 2 samples",
            hint="give samples=… as a whole number ≥ 2, e.g. 10000",
        )
    return samples


def _sampled(
    kind: _Kind,
    game: Game | ValueFunction | npt.ArrayLike,
    samples: int,
    seed: int,
    n: int | None,
    progress: Progress | None,
) -> ShapleyResult:
    """Mean and standard error of ``samples`` one-sample estimates, drawn chunk by chunk.

    Chunk means and sums of squares are merged by Chan, Golub & LeVeque's (1983) update, so
    memory does not grow with ``samples``.
    """
    count = _check_samples(samples)
    evaluate, players = _evaluator(game, n)
    rng = np.random.default_rng(seed)
    per_chunk = max(1, _CHUNK_CELLS // ((players + 1) * players))
    mean, squares, done = np.zeros(players), np.zeros(players), 0
    while done < count:
        k = min(per_chunk, count - done)
        coalitions, contributions = kind.draw(rng, k, players)
        x = contributions(evaluate(coalitions).reshape(k, players + 1))
        chunk_mean = x.mean(axis=0)
        delta = chunk_mean - mean
        squares += ((x - chunk_mean) ** 2).sum(axis=0) + delta**2 * done * k / (done + k)
        mean += delta * k / (done + k)
        done += k
        if progress is not None:
            progress(done, count)
    se = np.sqrt(squares / (count - 1) / count)
    grand = float(evaluate(np.ones((1, players), dtype=bool))[0])
    return ShapleyResult(mean, "sampled", count, se, seed, grand - float(mean.sum()))


def shapley_sampled(
    game: Game | ValueFunction | npt.ArrayLike,
    *,
    samples: int,
    seed: int,
    n: int | None = None,
    progress: Progress | None = None,
) -> ShapleyResult:
    """Shapley value by permutation sampling (Castro, Gómez & Tejada 2009, Comput. Oper. Res.
    36:1726-1730).

    Each of ``samples`` uniformly random orders of the players gives every player its marginal
    contribution v(P ∪ {i}) − v(P), P the players before it; the estimate is the mean and the
    standard error sd/√samples (ddof = 1). No antithetic or stratified draws. The contributions of
    one order sum to v(N) − v(∅), so the estimates are efficient up to rounding. ``game`` is a
    game object, an explicit array, or a function of (k, n) boolean membership matrices (then
    give ``n``); it is evaluated on boolean matrices only, so n may be in the hundreds. The draws
    depend only on ``seed``, n and ``samples``. ``progress(done, samples)`` is called per chunk.
    """
    return _sampled(_SHAPLEY, game, samples, seed, n, progress)


def _by_closed_form(kind: _Kind, game: Game) -> ShapleyResult | None:
    """The airport formula or the weighted-voting programme, where they apply."""
    if isinstance(game, AirportGame):
        values = _airport(game.costs, kind.segment_share)
        method = "airport-formula"
    elif isinstance(game, WeightedVotingGame):
        pivotal = _pivot_fractions(game)
        if pivotal is None:
            return None
        values = pivotal @ kind.size_weights(game.n)
        method = "weighted-voting-dp"
    else:
        return None
    grand = game.value((1 << game.n) - 1)
    return ShapleyResult(values, method, None, None, None, grand - float(values.sum()))


def _solve(
    kind: _Kind,
    game: Game | npt.ArrayLike,
    method: str,
    samples: int | None,
    seed: int,
    progress: Progress | None,
) -> ShapleyResult:
    g = game if isinstance(game, Game) else TableGame(check_game(game))
    if method not in ("auto", "exact", "sampled"):
        raise MethodError(
            f"unknown method {method!r} for the {kind.name}",
            hint="use 'auto', 'exact' or 'sampled'",
        )
    if method == "sampled" or (
        method == "auto" and samples is not None and g.n > MAX_EXACT_PLAYERS
    ):
        if samples is None:
            raise MethodError(
                f"the sampled {kind.name} needs a number of samples", hint="give samples=…"
            )
        return _sampled(kind, g, samples, seed, None, progress)
    if method == "auto":
        closed = _by_closed_form(kind, g)
        if closed is not None:
            return closed
    if g.n > MAX_EXACT_PLAYERS:
        raise MethodError(
            f"n = {g.n} is too large for the exact {kind.name} (2^{g.n} coalitions)",
            hint="use method='sampled' with samples=… (e.g. samples=10000; the standard error "
            "shrinks as 1/√samples)",
        )
    return kind.exact(g.values())


def shapley_value(
    game: Game | npt.ArrayLike,
    *,
    method: str = "auto",
    samples: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> ShapleyResult:
    """Shapley value (Shapley 1953) of a game object or an explicit array in binary order.

    ``method="auto"``: an :class:`~innoalliance.methods.games.forms.AirportGame` by Littlechild &
    Owen's
    (1973, Management Science 20:370) formula — sorted costs, each player pays
    Σ_{k ≤ rank} (c_(k) − c_(k−1))/(n − k + 1); a
    :class:`~innoalliance.methods.games.forms.WeightedVotingGame` with integer weights by the exact
    dynamic programme over coalition size and weight (the Shapley–Shubik index; Mann & Shapley
    1962, generating functions), for hundreds of players; otherwise exactly
    (:func:`shapley_exact`) when n ≤ 25, else by sampling if ``samples`` is given, else an error.
    ``"exact"`` enumerates all coalitions; ``"sampled"`` is :func:`shapley_sampled`.
    """
    return _solve(_SHAPLEY, game, method, samples, seed, progress)


def banzhaf_value(
    game: Game | npt.ArrayLike,
    *,
    normalized: bool = False,
    method: str = "auto",
    samples: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> BanzhafResult:
    """Banzhaf value (Banzhaf 1965; Owen 1975): raw, or normalised to sum to v(N).

    Methods as :func:`shapley_value`: "exact" enumerates (β_i = (2 Σ_{T∋i} v(T) − Σ_T v(T)) /
    2^{n−1}); "sampled" draws uniformly random coalitions S and takes, for every player at once,
    v(S ∪ {i}) − v(S ∖ {i}) (an unbiased one-sample estimate); "auto" also uses the airport
    formula (segment k, used by j players, is paid by i with probability 2^{−(j−1)}) and the
    weighted-voting programme (the Penrose–Banzhaf measure). ``normalized`` multiplies by
    v(N)/Σβ (standard errors too, treating Σβ as fixed); refused when Σβ = 0.
    """
    raw = _solve(_BANZHAF, game, method, samples, seed, progress)
    grand = float(raw.values.sum()) + raw.efficiency_gap
    values, se = raw.values, raw.standard_error
    if normalized:
        total = float(raw.values.sum())
        if total == 0:
            raise MethodError(
                "the Banzhaf values sum to 0, so they cannot be normalised to v(N)",
                hint="use the raw Banzhaf value (normalized=False)",
            )
        values = values * (grand / total)
        se = None if se is None else se * abs(grand / total)
    return BanzhafResult(
        values,
        raw.method,
        raw.samples,
        se,
        raw.seed,
        grand - float(values.sum()),
        raw=raw.values,
        normalized=normalized,
    )
