"""Enforcement of a charter: commitment status, defaults, penalties and alerts (pure).

Seed 000 (section II.B.2) observes that members "may suspend capital investment due to the lack of
appropriate penalties". This module applies a charter's penalty clauses to commitments and their
dated deliveries, as of a date:

* status of a commitment: ``delivered`` (in full, maybe late), ``not yet due``, ``partly
  delivered`` (due date passed, part delivered) or ``overdue`` (due date passed, nothing
  delivered); ``days_overdue`` counts from the due date while something is outstanding;
* a **default** is a commitment still outstanding more than ``grace_days`` after its due date;
* a member **stopped paying in** when a commitment in default had deliveries, but none since its
  due date (the seed's suspended investment);
* **late fee** (money commitments only): ``late_fee_rate`` × amount × days beyond grace, summed
  over the amount still outstanding (days up to the date of the check) and over every late
  instalment (days up to its delivery), so the fee never falls as time passes;
* **suspension** of a member's rights after ``suspend_rights_after`` defaults, **exclusion** after
  ``exclude_after``, and on exclusion the member forfeits ``forfeit_share`` of its benefit share.

Alerts have a severity by :data:`SEVERITY_RULES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError

#: the one vocabulary of a commitment's status, used by the check, the reports and the web
STATUSES = ("delivered", "partly delivered", "overdue", "not yet due")
SEVERITIES = ("critical", "warning", "info")
SEVERITY_RULES: dict[str, str] = {
    "critical": "the member reached the exclusion threshold (defaults ≥ exclude_after), or "
                "stopped paying in: it delivered part of a commitment, then nothing since the due "
                "date, and the rest is overdue beyond the grace period",
    "warning": "a commitment is in default (outstanding beyond the grace period), or the "
               "member's rights are suspended (defaults ≥ suspend_rights_after)",
    "info": "a commitment is overdue but still within the grace period, or was delivered late "
            "and a late fee accrued",
}
MONEY_UNIT = "元"


@dataclass(frozen=True)
class Penalties:
    """A charter's penalty clauses; the defaults are those of ``docs/charters.md``."""

    late_fee_rate: float = 0.0005  # per day, of the overdue amount
    grace_days: int = 30
    suspend_rights_after: int = 1
    exclude_after: int = 3
    forfeit_share: float = 0.5


@dataclass(frozen=True)
class Commitment:
    """What is due: ``amount`` in ``unit`` (the stored unit; late fees only for 元) by ``due``."""

    ref: str
    member: str
    kind: str
    amount: float
    unit: str
    due: dt.date | None


@dataclass(frozen=True)
class Delivery:
    """An amount delivered against a commitment (same unit as the commitment) on a date."""

    commitment: str
    date: dt.date
    amount: float


@dataclass(frozen=True)
class FeePart:
    """One term of a late fee: ``rate`` × ``amount`` × ``days`` (beyond grace) = ``fee``."""

    on: str  # "outstanding" or "late instalment of YYYY-MM-DD"
    rate: float
    amount: float
    days: int
    fee: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the computation written out."""
        return {"on": self.on, "rate": self.rate, "amount": self.amount, "days": self.days,
                "fee": self.fee,
                "computation": f"{self.rate:g} × {self.amount:,.2f} × {self.days} = "
                               f"{self.fee:,.2f}"}


@dataclass(frozen=True)
class CommitmentStatus:
    """Where one commitment stands on the date of the check."""

    commitment: Commitment
    status: str
    delivered: float
    delivered_share: float
    outstanding: float
    days_overdue: int
    in_default: bool
    delivered_late: bool
    last_delivery: dt.date | None
    stopped_paying_in: bool
    fee_parts: tuple[FeePart, ...]

    @property
    def late_fee(self) -> float:
        """The late fee accrued (0 for commitments not in money)."""
        return sum((p.fee for p in self.fee_parts), 0.0)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        c = self.commitment
        return {"commitment": c.ref, "member": c.member, "kind": c.kind, "amount": c.amount,
                "unit": c.unit, "due": c.due.isoformat() if c.due else None,
                "status": self.status, "delivered": self.delivered,
                "delivered_share": self.delivered_share, "outstanding": self.outstanding,
                "days_overdue": self.days_overdue, "in_default": self.in_default,
                "delivered_late": self.delivered_late,
                "last_delivery": self.last_delivery.isoformat() if self.last_delivery else None,
                "stopped_paying_in": self.stopped_paying_in, "late_fee": self.late_fee}


@dataclass(frozen=True)
class MemberStanding:
    """A member's defaults and the penalties that follow from them."""

    member: str
    defaults: tuple[str, ...]
    stopped_paying_in: tuple[str, ...]
    late_fee: float
    fee_parts: tuple[tuple[str, FeePart], ...]  # (commitment ref, part)
    suspended: bool
    excluded: bool
    forfeit_share: float

    def as_dict(self, clauses: Penalties) -> dict[str, Any]:
        """JSON-ready, with the computation of every penalty shown."""
        return {
            "member": self.member, "defaults": list(self.defaults),
            "stopped_paying_in": list(self.stopped_paying_in),
            "late_fee": {"total": self.late_fee,
                         "parts": [{"commitment": ref, **p.as_dict()}
                                   for ref, p in self.fee_parts]},
            "suspended": self.suspended,
            "suspension_rule": f"{len(self.defaults)} default(s); rights suspended after "
                               f"{clauses.suspend_rights_after}",
            "excluded": self.excluded,
            "exclusion_rule": f"{len(self.defaults)} default(s); excluded after "
                              f"{clauses.exclude_after}",
            "forfeit_share": self.forfeit_share,
        }


@dataclass(frozen=True)
class Alert:
    """Something for the secretariat to act on, with the rule that set its severity."""

    severity: str
    member: str
    commitment: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"severity": self.severity, "member": self.member, "commitment": self.commitment,
                "message": self.message, "rule": SEVERITY_RULES[self.severity]}


@dataclass(frozen=True)
class Assessment:
    """The enforcement check of a set of commitments as of a date."""

    as_of: dt.date
    clauses: Penalties
    statuses: tuple[CommitmentStatus, ...]
    members: tuple[MemberStanding, ...]
    alerts: tuple[Alert, ...] = field(default=())

    def standing(self, member: str) -> MemberStanding | None:
        """One member's standing, if it has commitments."""
        return next((m for m in self.members if m.member == member), None)


def late_fee(rate: float, amount: float, days_overdue: int, grace_days: int) -> float:
    """``rate`` × ``amount`` × days beyond the grace period (0 within it); never negative."""
    return max(0.0, rate) * max(0.0, amount) * max(0, days_overdue - grace_days)


def check_clauses(clauses: Penalties) -> None:
    """Refuse clauses no charter check would have let through."""
    if not (clauses.late_fee_rate >= 0 and clauses.grace_days >= 0
            and 1 <= clauses.suspend_rights_after <= clauses.exclude_after
            and 0 <= clauses.forfeit_share <= 1):
        raise MethodError(f"penalty clauses out of range: {clauses}",
                          hint="rates and days ≥ 0, 1 ≤ suspend_rights_after ≤ exclude_after, "
                               "forfeit_share between 0 and 1")


def delivery_status(outstanding: npt.ArrayLike, delivered: npt.ArrayLike,
                    past_due: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """The status (one of :data:`STATUSES`) of each commitment: ``delivered`` when nothing is
    outstanding, ``not yet due`` while its due date has not passed (``past_due`` false: the
    due date is the last day to deliver, and a commitment without one is never past due), else
    ``partly delivered`` if anything was delivered, or ``overdue``."""
    rest = np.asarray(outstanding, dtype=np.float64) > 0
    late = np.asarray(past_due, dtype=bool)
    some = np.asarray(delivered, dtype=np.float64) > 0
    return np.select([~rest, ~late, some], ["delivered", "not yet due", "partly delivered"],
                     "overdue").astype(np.str_)


def commitment_status(c: Commitment, deliveries: Iterable[Delivery], as_of: dt.date,
                      clauses: Penalties) -> CommitmentStatus:
    """The status of one commitment on ``as_of`` from its deliveries (later ones are ignored)."""
    made = sorted((d for d in deliveries if d.date <= as_of), key=lambda d: d.date)
    delivered = sum((max(0.0, d.amount) for d in made), 0.0)
    amount = max(0.0, c.amount)
    share = 1.0 if amount == 0 else min(1.0, delivered / amount)
    outstanding = max(0.0, amount - delivered)
    money = c.unit == MONEY_UNIT
    parts: list[FeePart] = []
    late = False
    counted = 0.0
    if c.due is not None:
        for d in made:
            needed = max(0.0, min(d.amount, amount - counted))
            counted += max(0.0, d.amount)
            if d.date > c.due and needed > 0:
                late = True
                days = (d.date - c.due).days - clauses.grace_days
                if money and days > 0 and clauses.late_fee_rate > 0:
                    parts.append(FeePart(f"late instalment of {d.date.isoformat()}",
                                         clauses.late_fee_rate, needed, days,
                                         late_fee(clauses.late_fee_rate, needed, days, 0)))
    overdue = c.due is not None and as_of > c.due and outstanding > 0
    days_overdue = (as_of - c.due).days if overdue and c.due is not None else 0
    beyond = days_overdue - clauses.grace_days
    if overdue and money and beyond > 0 and clauses.late_fee_rate > 0:
        parts.append(FeePart("outstanding", clauses.late_fee_rate, outstanding, beyond,
                             late_fee(clauses.late_fee_rate, outstanding, beyond, 0)))
    status = str(delivery_status([outstanding], [delivered],
                                 [c.due is not None and as_of > c.due])[0])
    in_default = overdue and beyond > 0
    last = made[-1].date if made else None
    stopped = in_default and last is not None and c.due is not None and last <= c.due
    return CommitmentStatus(c, status, delivered, share, outstanding, days_overdue, in_default,
                            late, last, stopped, tuple(parts))


def _severity_of(s: CommitmentStatus) -> tuple[str, str] | None:
    c = s.commitment
    if s.stopped_paying_in:
        return "critical", (f"{c.member} stopped paying in: {s.delivered_share:.0%} of {c.ref} "
                            f"delivered, nothing since {s.last_delivery}, {s.days_overdue} days "
                            "overdue")
    if s.in_default:
        return "warning", (f"{c.ref} of {c.member} is in default: {s.status}, "
                           f"{s.days_overdue} days overdue")
    if s.days_overdue > 0:
        return "info", f"{c.ref} of {c.member} is {s.days_overdue} days overdue, within grace"
    if s.delivered_late and s.late_fee > 0:
        return "info", f"{c.ref} of {c.member} was delivered late; late fee {s.late_fee:,.2f}"
    return None


def assess(commitments: Sequence[Commitment], deliveries: Sequence[Delivery], as_of: dt.date,
           clauses: Penalties) -> Assessment:
    """Statuses, members' defaults and penalties, and alerts sorted by severity."""
    check_clauses(clauses)
    refs = [c.ref for c in commitments]
    if len(set(refs)) != len(refs):
        raise MethodError("two commitments have the same ref", hint="give each a unique ref")
    by_ref: dict[str, list[Delivery]] = {r: [] for r in refs}
    for d in deliveries:
        if d.commitment in by_ref:
            by_ref[d.commitment].append(d)
    statuses = tuple(commitment_status(c, by_ref[c.ref], as_of, clauses) for c in commitments)
    alerts: list[Alert] = []
    for s in statuses:
        found = _severity_of(s)
        if found:
            alerts.append(Alert(found[0], s.commitment.member, s.commitment.ref, found[1]))
    members: list[MemberStanding] = []
    for member in dict.fromkeys(c.member for c in commitments):
        own = [s for s in statuses if s.commitment.member == member]
        defaults = tuple(s.commitment.ref for s in own if s.in_default)
        excluded = len(defaults) >= clauses.exclude_after
        suspended = len(defaults) >= clauses.suspend_rights_after
        parts = tuple((s.commitment.ref, p) for s in own for p in s.fee_parts)
        members.append(MemberStanding(
            member, defaults, tuple(s.commitment.ref for s in own if s.stopped_paying_in),
            sum((p.fee for _, p in parts), 0.0), parts, suspended, excluded,
            clauses.forfeit_share if excluded else 0.0))
        if excluded:
            alerts.append(Alert("critical", member, None,
                                f"{member} has {len(defaults)} defaults (exclusion after "
                                f"{clauses.exclude_after}): exclude it, forfeiting "
                                f"{clauses.forfeit_share:.0%} of its benefit share"))
        elif suspended:
            alerts.append(Alert("warning", member, None,
                                f"{member} has {len(defaults)} default(s) (suspension after "
                                f"{clauses.suspend_rights_after}): suspend its rights"))
    alerts.sort(key=lambda a: (SEVERITIES.index(a.severity), a.member, a.commitment or ""))
    return Assessment(as_of, clauses, statuses, tuple(members), tuple(alerts))


def correction_factors(assessment: Assessment,
                       members: Sequence[str]) -> dict[str, dict[str, float]]:
    """Investment and risk factors for the modified Shapley value, corrected by enforcement.

    For each member (money commitments only, in 元): ``investment`` = money delivered, ``risk`` =
    money committed less what is outstanding in default (a defaulted promise carries no risk the
    member bore); both are multiplied by 1 − the share forfeited on exclusion. ``committed`` and
    ``defaulted`` are shown beside them.
    """
    factors: dict[str, dict[str, float]] = {}
    for member in members:
        own = [s for s in assessment.statuses
               if s.commitment.member == member and s.commitment.unit == MONEY_UNIT]
        standing = assessment.standing(member)
        keep = 1.0 - (standing.forfeit_share if standing else 0.0)
        delivered = sum((min(s.delivered, s.commitment.amount) for s in own), 0.0)
        committed = sum((s.commitment.amount for s in own), 0.0)
        defaulted = sum((s.outstanding for s in own if s.in_default), 0.0)
        factors[member] = {"committed": committed, "delivered": delivered,
                           "defaulted": defaulted, "kept_share": keep,
                           "investment": delivered * keep, "risk": (committed - defaulted) * keep}
    return factors
