"""Record agreed allocations in a hash chain, and verify that nothing recorded was changed.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON (keys
sorted, no insignificant whitespace, numbers as Python writes them, times in UTC ISO 8601). The
first entry chains from 64 zeros. Verification recomputes every hash in id order and names the
first entry whose content or link does not match (Crosby & Wallach 2009, "Efficient data
structures for tamper-evident logging"; the same idea as Certificate Transparency, RFC 9162).

Appends are serialised: on PostgreSQL a transaction-scoped advisory lock is taken before the
head of the chain is read, on SQLite the transaction starts with ``BEGIN IMMEDIATE`` (the write
lock first). Should two appends still link to the same entry (the unique ``prev_hash``), the
loser is retried on the new head a few times, then refused with a :class:`ConflictError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from innoalliance import __version__
from innoalliance.errors import ConflictError
from innoalliance.model import Allocation
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.common import actor

GENESIS = "0" * 64
#: the PostgreSQL advisory lock key that serialises appends to the chain
CHAIN_LOCK = 0x1A110CA7
#: how often an append that lost the race for the head is tried again on the new head
ATTEMPTS = 5


def canonical(data: Any) -> str:
    """The one JSON text of ``data`` that its hash is taken over."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False, default=str)


def _content(entry: Allocation) -> dict[str, Any]:
    at = entry.recorded_at
    if at.tzinfo is None:  # SQLite hands back naive datetimes; they were written in UTC
        at = at.replace(tzinfo=dt.UTC)
    return {"recorded_at": at.astimezone(dt.UTC).isoformat(), "actor": entry.actor,
            "alliance": entry.alliance, "subject": entry.subject, "kind": entry.kind,
            "method": entry.method, "payload": json.loads(entry.payload)}


def entry_hash(prev_hash: str, entry: Allocation) -> str:
    """SHA-256 of the previous hash and the entry's canonical content."""
    text = prev_hash + "\n" + canonical(_content(entry))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    """Serialise appends: hold the chain's lock (until the transaction ends) before the head is
    read."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    elif connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection \
            .in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lost_race(exc: IntegrityError) -> bool:
    """Whether ``exc`` is another append having taken the head first (``prev_hash`` unique)."""
    return "prev_hash" in str(exc.orig)


def record_allocation(engine: Engine, *, alliance: str | None, subject: str, kind: str,
                      method: str, payload: dict[str, Any], who: str | None = None) -> Allocation:
    """Append one agreed allocation to the chain; returns the stored entry with its hash.

    Concurrent appends are serialised (see the module docstring); one that still cannot link
    to the head after :data:`ATTEMPTS` tries raises :class:`ConflictError`, nothing written.
    The audit log gets an entry (action ``record``, kind ``allocations``) naming the entry by
    its id; the payload stays in the chain."""
    require_current(engine)
    payload = {**payload, "software_version": __version__}
    for _attempt in range(ATTEMPTS):
        try:
            return _append(engine, alliance=alliance, subject=subject, kind=kind,
                           method=method, payload=payload, who=who)
        except IntegrityError as exc:
            if not _lost_race(exc):
                raise
    raise ConflictError(
        f"the allocation record of {subject!r} could not be appended: other recordings took "
        f"the head of the chain {ATTEMPTS} times; nothing was written",
        hint="record it again")


def _append(engine: Engine, *, alliance: str | None, subject: str, kind: str, method: str,
            payload: dict[str, Any], who: str | None) -> Allocation:
    """One attempt of :func:`record_allocation`, in one transaction."""
    with transaction(engine) as session:
        _lock_chain(session)
        last = session.execute(select(Allocation).order_by(Allocation.id.desc()).limit(1)
                               ).scalar_one_or_none()
        entry = Allocation(
            recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0), actor=who or actor(),
            alliance=alliance, subject=subject, kind=kind, method=method,
            payload=canonical(payload), prev_hash=last.hash if last else GENESIS, hash="")
        entry.hash = entry_hash(entry.prev_hash, entry)
        session.add(entry)
        session.flush()
        audit_entry(session, entry.actor, "record", "allocations", key=str(entry.id),
                    id=entry.id, alliance=alliance, subject=subject, allocation_kind=kind,
                    method=method, hash=entry.hash, prev_hash=entry.prev_hash, before=None)
    return entry


@dataclass(frozen=True)
class Verification:
    """The result of checking the chain: how many entries, and the first broken one if any."""

    entries: int
    ok: bool
    first_broken: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"entries": self.entries, "ok": self.ok, "first_broken": self.first_broken,
                "reason": self.reason}


def verify_chain(engine: Engine) -> Verification:
    """Recompute every hash in order; name the first entry that does not match."""
    require_current(engine)
    with transaction(engine) as session:
        entries = session.execute(select(Allocation).order_by(Allocation.id)).scalars().all()
    previous = GENESIS
    for entry in entries:
        if entry.prev_hash != previous:
            return Verification(len(entries), False, entry.id,
                                "its link to the entry before does not match (an entry was "
                                "removed, inserted or changed before it)")
        try:
            expected = entry_hash(previous, entry)
        except (ValueError, TypeError):
            return Verification(len(entries), False, entry.id, "its content is not valid JSON")
        if entry.hash != expected:
            return Verification(len(entries), False, entry.id,
                                "its content was changed after it was recorded")
        previous = entry.hash
    return Verification(len(entries), True)


def list_allocations(engine: Engine, alliance: str | None = None) -> list[dict[str, Any]]:
    """The recorded allocations (newest last), optionally of one alliance."""
    require_current(engine)
    query = select(Allocation).order_by(Allocation.id)
    if alliance is not None:
        query = query.where(Allocation.alliance == alliance)
    with transaction(engine) as session:
        rows = session.execute(query).scalars().all()
        return [{"id": e.id, **_content(e), "hash": e.hash} for e in rows]
