"""Charters in the store: import (a new version each time), export, the current version.

A charter is checked against the store (:mod:`innoalliance.ingest.charter`) and written with any
new obligations it declares (as ``Commitment`` rows with source ``charter``) in one transaction:
either all of it is written or nothing is. Earlier versions stay as they were.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import NoCharter
from innoalliance.ingest.charter import (
    PENALTY_DEFAULTS,
    TOP_KEYS,
    CommitmentTerms,
    MemberInfo,
    StoreContext,
    alliance_of,
    check_charter,
    read_document,
)
from innoalliance.ingest.charter import Charter as CheckedCharter
from innoalliance.ingest.known import require_known
from innoalliance.model import Alliance, Charter, Commitment, Membership
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.share.files import METHODS

COMMITMENT_SOURCE = "charter"


@dataclass(frozen=True)
class StoredCharter:
    """One stored version of a charter."""

    alliance: str
    version: int
    adopted: dt.date
    document: dict[str, Any]
    source: str | None
    actor: str
    recorded_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"alliance": self.alliance, "version": self.version,
                "adopted": self.adopted.isoformat(), "source": self.source, "actor": self.actor,
                "recorded_at": self.recorded_at.isoformat(), "document": self.document}


@dataclass(frozen=True)
class CharterImport:
    """What an import wrote: the version, and the commitments it created."""

    alliance: str
    version: int
    obligations: int
    new_commitments: tuple[str, ...]
    unchanged: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"alliance": self.alliance, "version": self.version,
                "obligations": self.obligations, "new_commitments": list(self.new_commitments),
                "unchanged": self.unchanged}


def store_context(session: Session, alliance: str) -> StoreContext:
    """The alliances, and the members and commitments of ``alliance``, as the checks need them."""
    alliances = session.execute(select(Alliance.name_zh)).scalars().all()
    members = {m.organization: MemberInfo(m.joined, m.left, m.role) for m in session.execute(
        select(Membership).where(Membership.alliance == alliance)).scalars()}
    commitments = {c.ref: CommitmentTerms(c.organization, c.kind, float(c.amount), c.unit, c.due)
                   for c in session.execute(
                       select(Commitment).where(Commitment.alliance == alliance)).scalars()}
    return StoreContext(list(alliances), members, commitments, METHODS)


def _stored(row: Charter) -> StoredCharter:
    document: dict[str, Any] = json.loads(row.document)
    return StoredCharter(row.alliance, row.version, row.adopted, document, row.source, row.actor,
                         row.recorded_at)


def latest_charter(session: Session, alliance: str) -> Charter | None:
    """The newest stored version of ``alliance``'s charter in ``session``, ``None`` if none."""
    return session.execute(select(Charter).where(Charter.alliance == alliance)
                           .order_by(Charter.version.desc()).limit(1)).scalar_one_or_none()


def import_document(engine: Engine, data: object, file: str, who: str, *,
                    skip_unchanged: bool = False) -> CharterImport:
    """Check a charter's data and store it as the alliance's next version (all or nothing)."""
    require_current(engine)
    with transaction(engine) as session:
        checked = check_charter(data, file, store_context(session, alliance_of(data)))
        return store_checked(session, checked, file, who, skip_unchanged=skip_unchanged)


def store_checked(session: Session, charter: CheckedCharter, file: str, who: str, *,
                  skip_unchanged: bool = False) -> CharterImport:
    """Add a checked charter as its alliance's next version in ``session`` (the caller's
    transaction: a step that needs the charter stores it in the same commit), with the new
    commitments it declares; ``skip_unchanged`` keeps a document equal to the newest version."""
    latest = latest_charter(session, charter.alliance)
    if skip_unchanged and latest is not None and json.loads(latest.document) == \
            charter.document:
        return CharterImport(charter.alliance, latest.version, len(charter.obligations), (),
                             unchanged=True)
    version = 1 + (0 if latest is None else latest.version)
    existing = set(session.execute(select(Commitment.ref).where(
        Commitment.alliance == charter.alliance)).scalars())
    new: list[str] = []
    for o in charter.obligations:
        if not o.declared or o.ref in existing:
            continue
        assert o.kind and o.stored_amount is not None and o.stored_unit
        session.add(Commitment(alliance=charter.alliance, ref=o.ref, organization=o.member,
                               kind=o.kind, amount=o.stored_amount, unit=o.stored_unit,
                               due=o.due, description=o.description,
                               source=COMMITMENT_SOURCE))
        new.append(o.ref)
    now = dt.datetime.now(dt.UTC)
    session.add(Charter(alliance=charter.alliance, version=version, adopted=charter.adopted,
                        document=json.dumps(charter.document, ensure_ascii=False,
                                            sort_keys=True),
                        source=file, actor=who, recorded_at=now))
    audit_entry(session, who, "import", "charters", alliance=charter.alliance,
                version=version, file=file, new_commitments=new)
    return CharterImport(charter.alliance, version, len(charter.obligations), tuple(new))


def import_charter(engine: Engine, path: Path, who: str) -> CharterImport:
    """Import a charter file (YAML or JSON) as a new version of its alliance's charter."""
    data, file = read_document(path)
    return import_document(engine, data, file, who)


def current_charter(engine: Engine, alliance: str) -> StoredCharter | None:
    """The newest version of an alliance's charter, ``None`` if it has none."""
    require_current(engine)
    with transaction(engine) as session:
        row = latest_charter(session, alliance)
        return None if row is None else _stored(row)


def charter_versions(engine: Engine, alliance: str) -> list[StoredCharter]:
    """Every stored version of an alliance's charter, oldest first."""
    require_current(engine)
    with transaction(engine) as session:
        rows = session.execute(select(Charter).where(Charter.alliance == alliance)
                               .order_by(Charter.version)).scalars().all()
        return [_stored(r) for r in rows]


def chartered_alliances(engine: Engine) -> list[str]:
    """The alliances that have a charter."""
    require_current(engine)
    with transaction(engine) as session:
        return sorted(session.execute(select(Charter.alliance).distinct()).scalars())


def require_charter(engine: Engine, alliance: str) -> StoredCharter:
    """The current charter of ``alliance``, or a clear error naming the chartered alliances."""
    found = current_charter(engine, alliance)
    if found is None:
        require_known(engine, "alliances", alliance)
        raise NoCharter(alliance)
    return found


def export_charter(engine: Engine, alliance: str) -> dict[str, Any]:
    """The current charter's document (YAML- and JSON-ready); importing it gives it back."""
    document = copy.deepcopy(require_charter(engine, alliance).document)
    ordered = {k: document[k] for k in TOP_KEYS if k in document}
    ordered["penalties"] = {k: document["penalties"][k] for k in PENALTY_DEFAULTS}
    return ordered
