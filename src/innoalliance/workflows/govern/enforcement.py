"""The enforcement check: each chartered alliance's commitments against its charter, as of a date.

For every alliance with a charter (or one), :func:`check` reads the commitments the charter
obliges and their deliveries, applies the charter's penalty clauses
(:mod:`innoalliance.methods.governance.enforcement`), and reports statuses, defaults, penalties
with their
computation, alerts by severity, the ownership of outputs that follows from the charter's IP rule,
and correction factors for the modified Shapley value. With ``record=True`` every newly found
default is written as a ``violation`` event (ref ``DEFAULT-<commitment>``, so running again writes
nothing new); the credit rating (:mod:`innoalliance.workflows.evaluate.credit`) counts it as
negative
evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import NoCharter
from innoalliance.methods.governance import enforcement as enf
from innoalliance.model import (
    Commitment,
    Contribution,
    Event,
    Membership,
    Organization,
    Output,
    OutputOwner,
    ProjectParticipant,
)
from innoalliance.store.audit import audit_entry, key_text
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.common import actor
from innoalliance.workflows.govern.charter import (
    StoredCharter,
    chartered_alliances,
    require_charter,
)

EVENT_PREFIX = "DEFAULT-"
EVENT_SOURCE = "charter enforcement check"


def clauses_of(document: Mapping[str, Any]) -> enf.Penalties:
    """The penalty clauses of a stored charter document."""
    p = document["penalties"]
    return enf.Penalties(late_fee_rate=float(p["late_fee_rate"]), grace_days=int(p["grace_days"]),
                         suspend_rights_after=int(p["suspend_rights_after"]),
                         exclude_after=int(p["exclude_after"]),
                         forfeit_share=float(p["forfeit_share"]))


def obligation_refs(document: Mapping[str, Any]) -> list[str]:
    """The refs of the commitments a charter obliges, in charter order."""
    return [str(o.get("commitment") or o["ref"]) for o in document["obligations"]]


def _ledger(session: Session, alliance: str, refs: Sequence[str]
            ) -> tuple[list[enf.Commitment], list[enf.Delivery]]:
    rows = {c.ref: c for c in session.execute(select(Commitment).where(
        Commitment.alliance == alliance, Commitment.ref.in_(list(refs)))).scalars()}
    commitments = [enf.Commitment(r, rows[r].organization, rows[r].kind, float(rows[r].amount),
                                  rows[r].unit, rows[r].due) for r in refs if r in rows]
    deliveries = [enf.Delivery(d.commitment, d.date, float(d.amount)) for d in session.execute(
        select(Contribution).where(Contribution.alliance == alliance,
                                   Contribution.commitment.in_(list(refs)))).scalars()]
    return commitments, deliveries


def _members(session: Session, alliance: str, as_of: dt.date) -> list[Membership]:
    rows = session.execute(select(Membership).where(Membership.alliance == alliance)
                           .order_by(Membership.joined, Membership.organization)).scalars()
    return [m for m in rows if (m.joined is None or m.joined <= as_of)
            and (m.left is None or m.left > as_of)]


def _shares(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()} if total > 0 else {}


def ownership(session: Session, alliance: str, document: Mapping[str, Any],
              as_of: dt.date) -> dict[str, Any]:
    """Who owns the alliance's outputs under the charter's IP rule, beside the recorded shares.

    ``contribution_share``: each member's money delivered (元, every contribution up to
    ``as_of``) over all money delivered; ``equal``: equal among the members on ``as_of``;
    ``lead``: all to the lead; ``project_participants``: equal among the participants of each
    output's project; ``explicit``: the shares the charter gives.
    """
    rule_value = document["ip"]["ownership"]
    rule = "explicit" if isinstance(rule_value, dict) else str(rule_value)
    members = _members(session, alliance, as_of)
    basis: dict[str, float] = {}
    alliance_shares: dict[str, float] | None = None
    if rule == "contribution_share":
        for d in session.execute(select(Contribution).where(
                Contribution.alliance == alliance, Contribution.date <= as_of,
                Contribution.unit == enf.MONEY_UNIT)).scalars():
            basis[d.organization] = basis.get(d.organization, 0.0) + float(d.amount)
        alliance_shares = _shares(basis)
    elif rule == "equal":
        alliance_shares = _shares({m.organization: 1.0 for m in members})
    elif rule == "lead":
        alliance_shares = {m.organization: 1.0 for m in members if m.role == "lead"}
    elif rule == "explicit":
        alliance_shares = {str(k): float(v) for k, v in rule_value["explicit"].items()}
    outputs = []
    for o in session.execute(select(Output).where(Output.alliance == alliance)
                             .order_by(Output.date, Output.name)).scalars():
        if o.date is not None and o.date > as_of:
            continue
        recorded = {r.organization: float(r.share) for r in session.execute(
            select(OutputOwner).where(OutputOwner.alliance == alliance,
                                      OutputOwner.output == o.name)).scalars()}
        if alliance_shares is not None:
            charter = alliance_shares
        elif o.project is None:
            charter = {}
        else:
            charter = _shares({p.organization: 1.0 for p in session.execute(
                select(ProjectParticipant).where(ProjectParticipant.alliance == alliance,
                                                 ProjectParticipant.project == o.project))
                .scalars()})
        outputs.append({"output": o.name, "type": o.type, "project": o.project,
                        "recorded": recorded, "charter": charter})
    total = sum(basis.values())
    return {
        "rule": rule, "licence_back": bool(document["ip"].get("licence_back", True)),
        "basis": None if rule != "contribution_share" else {
            "what": "money delivered (元) up to the date of the check", "total": total,
            "by_member": [{"member": k, "delivered": v, "share": v / total if total else 0.0,
                           "computation": f"{v:,.2f} / {total:,.2f}"}
                          for k, v in sorted(basis.items(), key=lambda kv: -kv[1])]},
        "shares": alliance_shares, "outputs": outputs,
    }


def _record(session: Session, alliance: str, assessment: enf.Assessment,
            clauses: enf.Penalties, who: str) -> tuple[list[str], list[str]]:
    existing = set(session.execute(select(Event.ref).where(
        Event.alliance == alliance, Event.ref.like(f"{EVENT_PREFIX}%"))).scalars())
    new: list[str] = []
    already: list[str] = []
    records: list[dict[str, Any]] = []
    for s in assessment.statuses:
        if not s.in_default:
            continue
        c = s.commitment
        ref = f"{EVENT_PREFIX}{c.ref}"[:64]
        if ref in existing:
            already.append(ref)
            continue
        assert c.due is not None
        began = c.due + dt.timedelta(days=clauses.grace_days + 1)
        what = "stopped paying in" if s.stopped_paying_in else s.status
        event = Event(alliance=alliance, ref=ref, type="violation", date=began,
                      organization=c.member, source=EVENT_SOURCE,
                      description=f"{c.ref} in default under the charter ({what}): "
                                  f"{s.delivered_share:.0%} delivered, "
                                  f"{s.outstanding:,.2f} {c.unit} outstanding "
                                  f"{clauses.grace_days} days after the due date {c.due}")
        session.add(event)
        new.append(ref)
        records.append({"key": key_text(alliance, ref), "after": {
            "alliance": alliance, "ref": ref, "type": event.type, "date": began.isoformat(),
            "organization": event.organization, "description": event.description,
            "source": event.source}})
    if records:
        audit_entry(session, who, "record", "events", inserted=len(records),
                    inserted_keys=[r["key"] for r in records], inserted_records=records)
    return new, already


def _named(alert: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The alert with the member's name beside its credit code, in the message too."""
    name = names.get(alert["member"])
    if name is None:
        return alert
    return {**alert, "member_name": name,
            "message": alert["message"].replace(alert["member"], f"{name} ({alert['member']})")}


def check_alliance(engine: Engine, charter: StoredCharter, as_of: dt.date, *,
                   record: bool = False, who: str | None = None) -> dict[str, Any]:
    """The enforcement check of one alliance under its current charter.

    With ``record`` the new violation events are written, with one audit entry (action
    ``record``, kind ``events``) naming ``who`` (default: :func:`.register.actor`)."""
    doc = charter.document
    clauses = clauses_of(doc)
    with transaction(engine) as session:
        commitments, deliveries = _ledger(session, charter.alliance, obligation_refs(doc))
        assessment = enf.assess(commitments, deliveries, as_of, clauses)
        members = [m.organization for m in _members(session, charter.alliance, as_of)]
        owners = ownership(session, charter.alliance, doc, as_of)
        recorded, already = (_record(session, charter.alliance, assessment, clauses,
                                     who or actor()) if record else ([], []))
        codes = {a.member for a in assessment.alerts} | {m.member for m in assessment.members}
        names = {code: name for code, name in session.execute(
            select(Organization.credit_code, Organization.name_zh)
            .where(Organization.credit_code.in_(codes)))}
    statuses = [s.as_dict() for s in assessment.statuses]
    defaults = [{"member": s.commitment.member, "commitment": s.commitment.ref,
                 "outstanding": s.outstanding, "unit": s.commitment.unit,
                 "days_overdue": s.days_overdue,
                 "days_beyond_grace": s.days_overdue - clauses.grace_days,
                 "stopped_paying_in": s.stopped_paying_in}
                for s in assessment.statuses if s.in_default]
    return {
        "alliance": charter.alliance, "charter_version": charter.version,
        "adopted": charter.adopted.isoformat(), "clauses": doc["penalties"],
        "benefit_sharing": doc["benefit_sharing"],
        "commitments": statuses, "defaults": defaults,
        "penalties": [{**m.as_dict(clauses), "member_name": names.get(m.member)}
                      for m in assessment.members if m.defaults or m.late_fee > 0],
        "alerts": [_named(a.as_dict(), names) for a in assessment.alerts],
        "ownership": owners,
        "correction_factors": correction_factors(assessment, members),
        "recorded": recorded, "already_recorded": already,
    }


def correction_factors(assessment: enf.Assessment, members: Sequence[str]) -> dict[str, Any]:
    """Investment and risk factors for the modified Shapley value after enforcement.

    A share run can pass ``factors`` as the investment and risk columns of the factor table of
    :func:`innoalliance.methods.games.modified_shapley.modified_shapley` in place of the raw ledger
    sums, so that a defaulted promise earns no risk share and an excluded member keeps only
    1 − ``forfeit_share`` of its factors.
    """
    return {"what": "investment = money delivered × kept_share; risk = (money committed − "
                    "outstanding in default) × kept_share; kept_share = 1 − forfeit_share if "
                    "excluded, else 1 (money commitments of the charter, 元)",
            "factors": enf.correction_factors(assessment, members)}


def check(engine: Engine, as_of: dt.date, alliance: str | None = None, *,
          record: bool = False, who: str | None = None) -> dict[str, Any]:
    """The enforcement check (JSON-ready) of every chartered alliance, or of one; ``record``
    writes new defaults as violation events, audited as written by ``who`` (default: the
    ``INNOALLIANCE_ACTOR`` or login name)."""
    require_current(engine)
    names = [alliance] if alliance is not None else chartered_alliances(engine)
    results = [check_alliance(engine, require_charter(engine, name), as_of, record=record,
                              who=who)
               for name in names]
    return {"as_of": as_of.isoformat(), "record": record,
            "severity_rules": enf.SEVERITY_RULES, "alliances": results}


def enforced_factors(engine: Engine, alliance: str, as_of: dt.date
                     ) -> dict[str, dict[str, float]] | None:
    """The charter check's investment and risk factors per member, or None without a charter."""
    try:
        found = check(engine, as_of, alliance)["alliances"]
    except NoCharter:  # the raw ledger factors stand
        return None
    if not found:
        return None
    factors: dict[str, dict[str, float]] = found[0]["correction_factors"]["factors"]
    return factors
