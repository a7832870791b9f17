"""Claims (bankruptcy) rules: divide an estate that cannot pay every claim in full.

A claims problem is an estate E ≥ 0 and claims c_i ≥ 0 with E ≤ Σ c (O'Neill 1982, Math. Soc.
Sci. 2:345-371). Rules (Thomson 2003, "Axiomatic and game-theoretic analysis of bankruptcy and
taxation problems: a survey", Math. Soc. Sci. 45:249-297):

* :func:`proportional` — a_i = (E / Σc) · c_i;
* :func:`constrained_equal_awards` (CEA) — a_i = min(c_i, λ);
* :func:`constrained_equal_losses` (CEL) — a_i = max(0, c_i − μ);
* :func:`talmud` — Aumann & Maschler (1985), the nucleolus of the bankruptcy game.

Closed forms for any number of claimants: λ and μ are found exactly by sorting the claims
(:func:`water_fill`), so awards sum to E up to floating-point rounding. Indices in messages are
1-based ("claimant 2"); indices in results 0-based.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_nonnegative

RULES = ("proportional", "cea", "cel", "talmud")
"""Names accepted by :func:`claims_rule`."""

_KIND = "claimant"


@dataclass(frozen=True)
class ClaimsResult:
    """Awards of a claims rule and the problem they solve.

    ``losses`` are claims − awards. ``parameter`` is the rule's level: E/Σc for proportional
    (0 when every claim is 0), λ for CEA (awards min(c_i, λ)), μ for CEL (awards
    max(0, c_i − μ)), and for the Talmud rule λ of CEA on the half-claims when E ≤ Σc/2, else μ
    of CEL on the half-claims.
    """

    awards: FloatArray
    losses: FloatArray
    rule: str
    estate: float
    claims: FloatArray
    parameter: float


def check_claims(
    estate: float, claims: npt.ArrayLike, names: Sequence[str] | None = None
) -> tuple[float, FloatArray]:
    """Validate a claims problem; return the estate and the claims as a new float array.

    The estate must be a finite number ≥ 0 and the claims one or more finite numbers ≥ 0 with
    E ≤ Σc. An estate above the total claims by no more than 1e-9 · max(1, Σc) (rounding) is
    taken as exactly Σc.
    """
    try:
        c = np.array(claims, dtype=np.float64)
        e = float(estate)
    except (TypeError, ValueError):
        raise MethodError(
            "the estate and the claims must be numbers", hint="give one claim per claimant"
        ) from None
    if c.ndim != 1:
        raise MethodError(
            f"expected a list of claims, got an array of shape {c.shape}",
            hint="give one claim per claimant",
        )
    if c.size == 0:
        raise MethodError("no claims were given", hint="give at least one claim")
    if names is not None and len(names) != c.size:
        raise MethodError(
            f"{len(names)} name(s) given for {c.size} claimant(s)",
            hint="give exactly one name per claimant, in order",
        )
    check_nonnegative(c, "claim", names, kind=_KIND)
    if not np.isfinite(e):
        raise MethodError(f"the estate is {e}", hint="give the finite amount to be divided")
    if e < 0:
        raise MethodError(
            f"a negative estate ({e:g}) cannot be divided",
            hint="give the amount available to divide, zero or more",
        )
    total = float(c.sum())
    if e > total + 1e-9 * max(1.0, total):
        raise MethodError(
            f"the estate ({e:g}) exceeds the total claims ({total:g}): this is not a bankruptcy "
            "problem",
            hint="pay every claim in full; divide only what is left over by another rule",
        )
    return min(e, total), c


def water_fill(
    amount: float, caps: FloatArray, rates: FloatArray | None = None
) -> tuple[FloatArray, float]:
    """Return awards a_i = min(cap_i, rate_i · t) summing to ``amount``, and the level t.

    The constrained-equal-awards fill (rates 1) and its weighted form. t is found exactly by
    sorting the breakpoints cap_i / rate_i. Caps may be infinite; players with rate 0 get 0.
    ``amount`` must lie between 0 and the sum of the caps of players with a positive rate (the
    callers check it); when it equals that sum the smallest such t is returned.
    """
    r = np.ones_like(caps) if rates is None else rates
    active = np.flatnonzero(r > 0)
    awards = np.zeros_like(caps)
    if active.size == 0 or amount <= 0:
        return awards, 0.0
    breaks = caps[active] / r[active]
    order = np.argsort(breaks, kind="stable")
    cap_sorted, rate_sorted, break_sorted = caps[active][order], r[active][order], breaks[order]
    capped_before = np.concatenate(([0.0], np.cumsum(cap_sorted)[:-1]))
    rate_from = np.cumsum(rate_sorted[::-1])[::-1]
    filled = capped_before + break_sorted * rate_from
    k = min(int(np.searchsorted(filled, amount)), active.size - 1)
    t = (amount - capped_before[k]) / rate_from[k]
    awards[active] = np.minimum(caps[active], r[active] * t)
    return awards, float(t)


def _result(
    rule: str, estate: float, claims: FloatArray, awards: FloatArray, p: float
) -> ClaimsResult:
    return ClaimsResult(awards, claims - awards, rule, estate, claims, p)


def proportional(
    estate: float, claims: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> ClaimsResult:
    """Proportional rule: a_i = (E / Σc) · c_i (O'Neill 1982; Thomson 2003, §2).

    ``parameter`` is the ratio E / Σc (0 when every claim, hence the estate, is 0).
    """
    e, c = check_claims(estate, claims, names)
    total = float(c.sum())
    ratio = e / total if total > 0 else 0.0
    return _result("proportional", e, c, ratio * c, ratio)


def constrained_equal_awards(
    estate: float, claims: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> ClaimsResult:
    """Constrained equal awards: a_i = min(c_i, λ) with Σ a = E (Maimonides; Thomson 2003, §2).

    λ (``parameter``) is solved exactly by sorting the claims; when E = Σc it is the largest
    claim.
    """
    e, c = check_claims(estate, claims, names)
    awards, lam = water_fill(e, c)
    return _result("cea", e, c, awards, lam)


def constrained_equal_losses(
    estate: float, claims: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> ClaimsResult:
    """Constrained equal losses: a_i = max(0, c_i − μ) with Σ a = E (Thomson 2003, §2).

    Computed as the dual of CEA, CEL(E, c) = c − CEA(Σc − E, c): the losses are min(c_i, μ).
    μ (``parameter``) is the largest claim when E = 0.
    """
    e, c = check_claims(estate, claims, names)
    losses, mu = water_fill(float(c.sum()) - e, c)
    return _result("cel", e, c, c - losses, mu)


def talmud(
    estate: float, claims: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> ClaimsResult:
    """Talmud rule (Aumann & Maschler 1985, J. Econ. Theory 36:195-213).

    With half-claims h = c/2: if E ≤ Σh, a = CEA(E, h); otherwise a = h + CEL(E − Σh, h), i.e.
    a_i = c_i − min(h_i, μ). It equals the nucleolus of the bankruptcy game
    v(S) = max(0, E − Σ_{j∉S} c_j) (their Theorem A) and is self-dual:
    T(E, c) = c − T(Σc − E, c). ``parameter`` is λ (first case) or μ (second case).
    """
    e, c = check_claims(estate, claims, names)
    half = c / 2.0
    half_total = float(half.sum())
    if e <= half_total:
        awards, p = water_fill(e, half)
    else:
        losses, p = water_fill(float(c.sum()) - e, half)
        awards = c - losses
    return _result("talmud", e, c, awards, p)


_DISPATCH: dict[str, Callable[..., ClaimsResult]] = {
    "proportional": proportional,
    "cea": constrained_equal_awards,
    "cel": constrained_equal_losses,
    "talmud": talmud,
}


def claims_rule(
    rule: str, estate: float, claims: npt.ArrayLike, *, names: Sequence[str] | None = None
) -> ClaimsResult:
    """Apply the claims rule named ``rule`` (one of :data:`RULES`, case-insensitive)."""
    key = rule.strip().lower() if isinstance(rule, str) else rule
    if key not in _DISPATCH:
        raise MethodError(f"unknown claims rule {rule!r}", hint=f"use one of {', '.join(RULES)}")
    return _DISPATCH[key](estate, claims, names=names)
