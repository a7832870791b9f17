"""Nash bargaining over a transferable total, and allocation in proportion to a basis.

Profit problems: larger is better for each member. For a cost problem, bargain over the savings
(stand-alone costs minus the joint cost), or pass the negated total and disagreement point and
negate the result. Indices in messages are 1-based ("member 2"); indices in results 0-based.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_vector, check_weights, label
from innoalliance.methods.games.claims import water_fill
from innoalliance.methods.games.forms import check_game

_KIND = "member"


@dataclass(frozen=True)
class BargainingResult:
    """Nash bargaining payoffs (see :func:`nash_bargaining`).

    ``surplus`` is T − Σ d, the amount bargained over; ``weights`` the bargaining powers β
    (normalised to sum 1).
    """

    values: FloatArray
    surplus: float
    disagreement: FloatArray
    weights: FloatArray


def _vector(x: npt.ArrayLike, n: int | None, what: str, names: Sequence[str] | None) -> FloatArray:
    return check_vector(x, what, names, n=n, kind="member")


def _finite(
    a: FloatArray, what: str, names: Sequence[str] | None, *, allow_inf: bool = False
) -> None:
    bad = np.flatnonzero(np.isnan(a) if allow_inf else ~np.isfinite(a))
    if bad.size:
        i = int(bad[0])
        raise MethodError(f"the {what} of {label(_KIND, i, names)} is {a[i]}", hint="give a number")


def nash_bargaining(
    v_or_total: npt.ArrayLike,
    disagreement: npt.ArrayLike | None = None,
    *,
    weights: npt.ArrayLike | None = None,
    bounds: npt.ArrayLike | None = None,
    names: Sequence[str] | None = None,
) -> BargainingResult:
    """(Asymmetric) Nash bargaining solution of a transferable-utility problem.

    ``v_or_total`` is either an explicit game (then T = v(N) and the disagreement point defaults
    to the stand-alone values d_i = v({i})) or the total T itself (then ``disagreement`` is
    required). The solution maximises Π (x_i − d_i)^β_i over Σx = T, x ≥ d (Nash 1950,
    Econometrica 18:155-162; Kalai 1977, Int. J. Game Theory 6:129-133 for unequal powers β).
    With transferable utility the maximiser is the weighted split of the surplus,
    x_i = d_i + β_i (T − Σd); β is equal by default, otherwise normalised to sum 1.

    ``bounds`` optionally caps what each member can receive (x_i ≤ u_i; ``inf`` for no cap).
    The maximiser is then x_i = d_i + min(u_i − d_i, β_i t), t set so that Σx = T (the KKT
    conditions of the log Nash product: a weighted constrained-equal-awards split of the
    surplus). T < Σd is refused (no agreement beats disagreement), as are caps below d_i and
    caps of the members with power that cannot absorb the surplus.
    """
    if np.ndim(v_or_total) == 0:
        try:
            total = float(np.asarray(v_or_total, dtype=np.float64))
        except (TypeError, ValueError):
            raise MethodError(
                f"the total {v_or_total!r} is not a number", hint="give v(N) or the game"
            ) from None
        if disagreement is None:
            raise MethodError(
                "a total was given without a disagreement point",
                hint="give each member's payoff without agreement, or pass the game itself",
            )
        d = _vector(disagreement, None, "disagreement payoff", names)
    else:
        g = check_game(v_or_total)
        n_game = g.size.bit_length() - 1
        total = float(g[-1])
        d = (
            g[1 << np.arange(n_game)]
            if disagreement is None
            else _vector(disagreement, n_game, "disagreement payoff", names)
        )
    n = d.size
    _finite(d, "disagreement payoff", names)
    if not np.isfinite(total):
        raise MethodError(f"the total is {total}", hint="give a finite amount")
    beta = check_weights(np.ones(n) if weights is None else weights, n, names=names, kind=_KIND)[0]
    surplus = total - float(d.sum())
    if surplus < -1e-9 * max(1.0, abs(total)):
        raise MethodError(
            f"the total ({total:g}) is less than the disagreement payoffs together "
            f"({d.sum():g}): no agreement is better than disagreement for everyone",
            hint="check the disagreement point, or share the loss by a claims rule",
        )
    surplus = max(surplus, 0.0)
    if bounds is None:
        return BargainingResult(d + beta * surplus, surplus, d, beta)
    caps = _vector(bounds, n, "cap", names) - d
    _finite(caps, "cap", names, allow_inf=True)
    below = np.flatnonzero(caps < 0)
    if below.size:
        i = int(below[0])
        raise MethodError(
            f"the cap of {label(_KIND, i, names)} is below its disagreement payoff",
            hint="raise the cap to at least the disagreement payoff",
        )
    room = float(caps[beta > 0].sum())
    if surplus > room + 1e-9 * max(1.0, surplus):
        raise MethodError(
            f"the caps leave {surplus - room:g} of the surplus unallocated",
            hint="raise the caps, or give bargaining power to members below their cap",
        )
    share, _ = water_fill(min(surplus, room), caps, beta)
    return BargainingResult(d + share, surplus, d, beta)


def proportional_allocation(
    total: float, basis: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> FloatArray:
    """Split ``total`` in proportion to a basis: x_i = T · b_i / Σ b.

    The basis (investment, contribution, …) must be finite, none negative and not all zero.
    """
    b = _vector(basis, None, "basis", names)
    _finite(b, "basis", names)
    negative = np.flatnonzero(b < 0)
    if negative.size:
        i = int(negative[0])
        raise MethodError(
            f"the basis of {label(_KIND, i, names)} is negative ({b[i]:g})",
            hint="a proportional split needs bases of zero or more",
        )
    if b.sum() <= 0:
        raise MethodError(
            "every member's basis is zero, so there is nothing to be proportional to",
            hint="give at least one member a positive basis, or split equally",
        )
    t = float(total)
    if not np.isfinite(t):
        raise MethodError(f"the total is {t}", hint="give a finite amount")
    result: FloatArray = t * b / b.sum()
    return result
