"""Nucleolus, prenucleolus, least core and core membership of explicit TU games.

Games are explicit arrays (see :mod:`innoalliance.methods.games.forms`): entry ``v[S]`` is the
worth of
the coalition whose bitmask is S (bit i ↔ player i), ``v[0] = 0``, ``v[-1] = v(N)``. The excess of
a coalition S at an allocation x is e(S, x) = v(S) − x(S); for a cost game pass the savings game
or −c and negate the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, as_floats
from innoalliance.methods.games.forms import check_game

MAX_NUCLEOLUS_PLAYERS = 15
"""Largest game :func:`nucleolus` accepts: each LP has 2ⁿ − 2 rows."""

_DUAL_TOL = 1e-9
_SLACK_TOL = 1e-7
_CHUNK_BITS = 20


@dataclass(frozen=True)
class NucleolusResult:
    """The (pre)nucleolus and the levels of its sequence of LPs (see :func:`nucleolus`).

    ``excesses[k]`` is the excess ε fixed by the k-th LP and ``tight[k]`` the coalitions (bitmasks)
    fixed at that level: their excess at ``values`` equals ``excesses[k]``.
    """

    values: FloatArray
    excesses: tuple[float, ...]
    stages: int
    tight: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class LeastCoreResult:
    """The least-core value ε and a point of the least core (see :func:`least_core`).

    ``in_core`` is true when ε ≤ tol: the core is non-empty and ``values`` lies in it.
    """

    values: FloatArray
    epsilon: float
    in_core: bool


@dataclass(frozen=True)
class CoreCheck:
    """Whether an allocation lies in the core, and its worst coalition (see :func:`in_core`).

    ``efficiency_gap`` is x(N) − v(N); ``worst_coalition`` is the bitmask of a proper coalition with
    the largest excess v(S) − x(S) (the smallest mask on ties) and ``worst_excess`` that excess.
    """

    in_core: bool
    efficiency_gap: float
    worst_coalition: int
    worst_excess: float


def _players(g: FloatArray) -> int:
    n = g.size.bit_length() - 1
    if n < 2:
        raise MethodError(
            f"a game of {n} player(s) has nothing to share between members",
            hint="give a game of at least two players",
        )
    return n


def _scale(*arrays: FloatArray) -> float:
    """The largest magnitude in the arrays (1 when all are zero): the unit of the tolerances."""
    return max(float(np.abs(a).max()) for a in arrays) or 1.0


def _membership(n: int) -> tuple[npt.NDArray[np.int64], FloatArray]:
    masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
    members = ((masks[:, None] >> np.arange(n)) & 1).astype(np.float64)
    return masks, members


def _row_basis(rows: FloatArray) -> FloatArray:
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    rank = int((s > 1e-9 * s[0]).sum())
    return vt[:rank]


def nucleolus(v: npt.ArrayLike, *, imputation: bool = True) -> NucleolusResult:
    """Nucleolus (Schmeidler 1969, SIAM J. Appl. Math. 17:1163-1170) of an explicit game.

    The allocation that lexicographically minimises the non-increasingly ordered excesses of the
    proper non-empty coalitions, over imputations (x(N) = v(N), x_i ≥ v({i})) when
    ``imputation`` is true, else over all efficient allocations (the prenucleolus).

    Algorithm: successive LPs (Kohlberg 1971, SIAM J. Appl. Math. 20:62-66; Maschler, Peleg &
    Shapley 1979, Math. Oper. Res. 4:303-338), solved by HiGHS. Stage k minimises ε subject to
    e(S, x) ≤ ε for every coalition not yet fixed, e(S, x) = ε_j for coalitions fixed at earlier
    levels, x(N) = v(N) and the imputation bounds. The coalitions fixed at ε_k are those with a
    positive dual (they are tight in every optimal solution, by complementary slackness; the
    duals sum to 1, so at least one is found). Fixing every *tight* coalition instead is a known
    error (Guajardo & Jörnsten 2015, Eur. J. Oper. Res. 241:931-935). Coalitions whose indicator
    vectors fall in the span of the fixed ones have a constant excess from then on and are
    dropped (Fromen 1997, Eur. J. Oper. Res. 98:626-636). Each stage raises the rank of the
    fixed system, so at most n − 1 LPs are solved; it stops at rank n and the point is
    recomputed from that system by least squares.

    At most :data:`MAX_NUCLEOLUS_PLAYERS` players. An empty imputation set (Σ v({i}) > v(N)) is
    refused; the prenucleolus (``imputation=False``) always exists.
    """
    g = check_game(v)
    n = _players(g)
    if n > MAX_NUCLEOLUS_PLAYERS:
        raise MethodError(
            f"the nucleolus of a {n}-player game needs linear programs with {2**n - 2} rows; "
            f"at most {MAX_NUCLEOLUS_PLAYERS} players are supported",
            hint="use the Shapley value (sampled for large games), or group members into "
            "fewer players",
        )
    scale = _scale(g)
    gs = g / scale
    singles = gs[1 << np.arange(n)]
    if imputation and singles.sum() > gs[-1] + 1e-9:
        raise MethodError(
            f"the members' stand-alone values sum to {singles.sum() * scale:g}, more than "
            f"v(N) = {g[-1]:g}: there is no imputation, so no nucleolus",
            hint="check the coalition values, or use imputation=False for the prenucleolus",
        )
    masks, members = _membership(n)
    free = np.ones(masks.size, dtype=bool)
    eq_rows, eq_rhs = [np.ones(n)], [gs[-1]]
    bounds = [(float(s), None) if imputation else (None, None) for s in singles] + [(None, None)]
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    levels: list[float] = []
    tight: list[tuple[int, ...]] = []
    while True:
        rows = np.flatnonzero(free)
        res = linprog(
            cost,
            A_ub=np.hstack([-members[rows], -np.ones((rows.size, 1))]),
            b_ub=-gs[masks[rows]],
            A_eq=np.hstack([np.array(eq_rows), np.zeros((len(eq_rows), 1))]),
            b_eq=np.array(eq_rhs),
            bounds=bounds,
            method="highs",
        )
        if res.status != 0:
            raise MethodError(
                f"the linear program of stage {len(levels) + 1} failed: {res.message}",
                hint="check that the game's values are of a sensible magnitude",
            )
        eps = float(res.x[-1])
        duals = -np.asarray(res.ineqlin.marginals)
        tight_now = np.asarray(res.ineqlin.residual) <= _SLACK_TOL
        fixed = (duals > _DUAL_TOL) & tight_now
        if not fixed.any():
            fixed = duals == duals.max()
        new = rows[fixed]
        free[new] = False
        levels.append(eps)
        tight.append(tuple(int(m) for m in masks[new]))
        eq_rows.extend(members[new])
        eq_rhs.extend(gs[masks[new]] - eps)
        basis = _row_basis(np.array(eq_rows))
        if basis.shape[0] == n:
            break
        rest = np.flatnonzero(free)
        residual = members[rest] - (members[rest] @ basis.T) @ basis
        free[rest[np.abs(residual).max(axis=1) < 1e-9]] = False
    x = np.linalg.lstsq(np.array(eq_rows), np.array(eq_rhs), rcond=None)[0]
    return NucleolusResult(x * scale, tuple(e * scale for e in levels), len(levels), tuple(tight))


def least_core(v: npt.ArrayLike, *, tol: float = 1e-9) -> LeastCoreResult:
    """Least core (Maschler, Peleg & Shapley 1979): min ε s.t. x(S) ≥ v(S) − ε, x(N) = v(N).

    ε is the first level of the prenucleolus LPs and ``values`` the prenucleolus, a point of
    the least core (chosen to make the result deterministic; it equals the nucleolus whenever
    the core is non-empty). ε ≤ ``tol`` · max|v| means the core is non-empty.
    """
    pre = nucleolus(v, imputation=False)
    eps = pre.excesses[0]
    return LeastCoreResult(pre.values, eps, eps <= tol * _scale(check_game(v)))


def is_core_empty(v: npt.ArrayLike, *, tol: float = 1e-9) -> bool:
    """Whether the core is empty: the least-core ε exceeds ``tol`` (see :func:`least_core`)."""
    return not least_core(v, tol=tol).in_core


def in_core(v: npt.ArrayLike, x: npt.ArrayLike, *, tol: float = 1e-9) -> CoreCheck:
    """Check x(N) = v(N) and x(S) ≥ v(S) for every coalition S (Gillies 1959).

    Vectorised over all 2ⁿ masks (any game :func:`~innoalliance.methods.games.forms.check_game`
    accepts), in chunks of 2²⁰ coalitions. Both tests allow ``tol`` · max(max|v|, max|x|).
    """
    g = check_game(v)
    n = _players(g)
    a = as_floats(x, "the allocation", "one number per player")
    if a.shape != (n,) or not np.isfinite(a).all():
        raise MethodError(
            f"expected an allocation of {n} finite numbers, got {a.tolist()}",
            hint="give one finite amount per player, in player order",
        )
    low = min(n, _CHUNK_BITS)
    low_sums = np.zeros(1 << low)
    for i in range(low):
        low_sums[1 << i : 1 << (i + 1)] = low_sums[: 1 << i] + a[i]
    size = 1 << low
    worst_mask, worst = 0, -np.inf
    for start in range(0, g.size, size):
        high_sum = float(a[low:] @ (((start >> low) >> np.arange(n - low)) & 1))
        excess = g[start : start + size] - (low_sums + high_sum)
        if start == 0:
            excess[0] = -np.inf
        if start + size == g.size:
            excess[-1] = -np.inf
        k = int(np.argmax(excess))
        if excess[k] > worst:
            worst_mask, worst = start + k, float(excess[k])
    gap = float(a.sum() - g[-1])
    limit = tol * _scale(g, a)
    return CoreCheck(abs(gap) <= limit and worst <= limit, gap, worst_mask, worst)
