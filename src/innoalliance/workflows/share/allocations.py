"""Record agreed allocations in a hash chain, and verify that nothing recorded was changed.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON (keys
sorted, no insignificant whitespace, numbers as Python writes them, times in UTC ISO 8601). The
first entry chains from 64 zeros. Verification recomputes every hash in id order and names the
first entry whose content or link does not match (Crosby & Wallach 2009, "Efficient data
structures for tamper-evident logging"; the same idea as Certificate Transparency, RFC 9162).

The chain alone cannot show that its newest entries were deleted: what is left still links.
So verification also reports the *head* (the hash of the last entry; :data:`GENESIS` when there is
none) and the count of entries. Keep ``COUNT:HEAD`` somewhere the database's owner cannot change
(a signed minute, another system); later :func:`verify_chain` with ``expect`` finds that head in
the chain: at the end (nothing added or removed), earlier (entries appended since, which is
normal) or nowhere (entries removed from the end, or the history rewritten).

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

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from innoalliance import __version__
from innoalliance.errors import ConflictError, InnoallianceError
from innoalliance.model import Allocation
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.common import actor

GENESIS = "0" * 64
#: the PostgreSQL advisory lock key that serialises appends to the chain
CHAIN_LOCK = 0x1A110CA7
#: how often an append that lost the race for the head is tried again on the new head
ATTEMPTS = 5
#: the fewest hex digits of a head that an expectation may give (48 bits: a chance match of
#: another entry's hash is about 1 in 3 × 10¹⁴ per entry)
MIN_PREFIX = 12


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
class Expected:
    """A head kept elsewhere, as ``--expect`` gives it: ``HASH`` or ``COUNT:HASH``.

    ``prefix`` is the hash or its first :data:`MIN_PREFIX` or more hex digits, lower case;
    ``count`` the number of entries the chain had then, if given."""

    prefix: str
    count: int | None = None

    @classmethod
    def parse(cls, text: str) -> Expected:
        """``HASH`` or ``COUNT:HASH`` (spaces around either part ignored); a malformed one is
        refused with an :class:`InnoallianceError` saying what is accepted."""
        count_text, _, hash_text = text.strip().rpartition(":")
        prefix = hash_text.strip().lower()
        count: int | None = None
        if count_text.strip():
            if not (count_text.strip().isascii() and count_text.strip().isdigit()):
                raise InnoallianceError(
                    f"--expect {text!r}: {count_text.strip()!r} before the ':' is not a count "
                    "of entries", hint="give HASH or COUNT:HASH, as `share verify` prints them")
            count = int(count_text)
        if not (MIN_PREFIX <= len(prefix) <= len(GENESIS)) or any(
                c not in "0123456789abcdef" for c in prefix):
            raise InnoallianceError(
                f"--expect {text!r}: the head must be {MIN_PREFIX} to {len(GENESIS)} hex digits "
                f"(0-9, a-f), not {hash_text.strip()!r}",
                hint="copy the head that `share verify` printed, e.g. its first 16 digits")
        return cls(prefix, count)

    def __str__(self) -> str:
        return self.prefix if self.count is None else f"{self.count}:{self.prefix}"


@dataclass(frozen=True)
class HeadCheck:
    """Where an expected head was found in the chain.

    ``found_at`` is the number of entries the chain had when the expected hash was its head
    (0: the empty chain, whose head is :data:`GENESIS`), ``None`` when the hash is not in the
    chain; ``appended`` the entries recorded since (``None`` when not found); ``ok`` whether the
    chain still holds everything the copy vouched for; ``message`` says what was found."""

    expected: Expected
    found_at: int | None
    appended: int | None
    ok: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"head": self.expected.prefix, "count": self.expected.count,
                "found_at": self.found_at, "appended": self.appended, "ok": self.ok,
                "message": self.message}


@dataclass(frozen=True)
class Verification:
    """The result of checking the chain: how many entries, its head, the first broken entry if
    any, and, when an expected head was given, where it was found.

    ``entries`` is the count of entries; ``head`` the hash of the last one (:data:`GENESIS` for
    an empty chain), as stored. ``ok`` is the chain's own consistency; :attr:`passed` adds the
    expected head."""

    entries: int
    ok: bool
    first_broken: int | None = None
    reason: str | None = None
    head: str = GENESIS
    expectation: HeadCheck | None = None

    @property
    def count(self) -> int:
        """The number of entries in the chain (the same as ``entries``)."""
        return self.entries

    @property
    def passed(self) -> bool:
        """The chain is consistent and, if a head was expected, still holds it."""
        return self.ok and (self.expectation is None or self.expectation.ok)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``expected`` only when a head was expected)."""
        out: dict[str, Any] = {"entries": self.entries, "head": self.head, "ok": self.ok,
                               "first_broken": self.first_broken, "reason": self.reason}
        if self.expectation is not None:
            out["expected"] = self.expectation.as_dict()
            out["passed"] = self.passed
        return out


def _short(digest: str) -> str:
    """The first 16 hex digits of a hash, as messages show it."""
    return digest[:16]


def _entries(n: int) -> str:
    """``1 entry``, ``2 entries``."""
    return f"{n} entry" if n == 1 else f"{n} entries"


def check_head(heads: list[str], expected: Expected) -> HeadCheck:
    """Find ``expected`` among ``heads`` (the chain's successive heads: ``heads[k]`` is the head
    after ``k`` entries, ``heads[0]`` = :data:`GENESIS`) and say what that means."""
    count, head = len(heads) - 1, heads[-1]
    now = f"the chain now has {_entries(count)}, head {_short(head)}"
    found = [k for k, h in enumerate(heads) if h.startswith(expected.prefix)]
    if len(found) > 1:
        return HeadCheck(expected, None, None, False,
                         f"the expected head {expected.prefix} matches the heads after "
                         f"{', '.join(map(str, found))} entries; give more of its digits")
    if not found:
        had = "" if expected.count is None else f" (of {_entries(expected.count)})"
        return HeadCheck(
            expected, None, None, False,
            f"the expected head {expected.prefix}{had} is not in the chain: entries were removed "
            "(the newest ones deleted, perhaps others added after) or the history was rewritten "
            f"since the copy was taken (or the copy is of another store); {now}. "
            "Restore the missing entries from a backup, and find out who changed the record")
    at = found[0]
    if expected.count is not None and expected.count != at:
        return HeadCheck(
            expected, at, None, False,
            f"the expected head {expected.prefix} was taken with {_entries(expected.count)} but "
            f"is the head after {_entries(at)}: entries before it were removed or added since "
            f"the copy was taken; {now}")
    if at == count:
        return HeadCheck(expected, at, 0, True,
                         f"the head is the one expected: no entry was added or removed since "
                         f"the copy was taken ({_entries(count)}, head {_short(head)})")
    return HeadCheck(
        expected, at, count - at, True,
        f"the expected head is the head after {_entries(at)}; {_entries(count - at)} appended "
        f"since the copy was taken (normal), none removed before it; {now}")


def verify_chain(engine: Engine, expect: Expected | str | None = None) -> Verification:
    """Recompute every hash in order; name the first entry that does not match.

    With ``expect`` (an :class:`Expected`, or its text ``HASH`` / ``COUNT:HASH``), also find that
    head in the chain (see :func:`check_head`): the check fails when the head kept elsewhere is
    no longer in the chain, i.e. entries were removed from its end or the chain was rewritten."""
    require_current(engine)
    wanted = Expected.parse(expect) if isinstance(expect, str) else expect
    with transaction(engine) as session:
        entries = session.execute(select(Allocation).order_by(Allocation.id)).scalars().all()
    heads = [GENESIS, *(entry.hash for entry in entries)]
    found = None if wanted is None else check_head(heads, wanted)

    def result(first_broken: int | None = None, reason: str | None = None) -> Verification:
        return Verification(len(entries), first_broken is None, first_broken, reason,
                            heads[-1], found)

    previous = GENESIS
    for entry in entries:
        if entry.prev_hash != previous:
            return result(entry.id, "its link to the entry before does not match (an entry was "
                                    "removed, inserted or changed before it)")
        try:
            expected = entry_hash(previous, entry)
        except (ValueError, TypeError):
            return result(entry.id, "its content is not valid JSON")
        if entry.hash != expected:
            return result(entry.id, "its content was changed after it was recorded")
        previous = entry.hash
    return result()


def _of_alliance(alliance: str | None) -> list[Any]:
    """The ``WHERE`` conditions keeping one alliance's entries (none: every entry)."""
    return [] if alliance is None else [Allocation.alliance == alliance]


def count_allocations(engine: Engine, alliance: str | None = None) -> int:
    """How many allocations are recorded, optionally of one alliance, counted in the database
    (the ``total`` of a page of :func:`list_allocations`)."""
    require_current(engine)
    with transaction(engine) as session:
        return int(session.execute(select(func.count()).select_from(Allocation)
                                   .where(*_of_alliance(alliance))).scalar_one())


def list_allocations(engine: Engine, alliance: str | None = None, *, limit: int | None = None,
                     offset: int = 0) -> list[dict[str, Any]]:
    """The recorded allocations in id order (newest last), optionally of one alliance.

    Without ``limit`` every entry from ``offset`` on (the command line, the supervision report);
    with it, at most ``limit`` entries from ``offset`` (0-based) on, cut with ``LIMIT``/``OFFSET``
    in the database. Count them with :func:`count_allocations`."""
    require_current(engine)
    query = select(Allocation).where(*_of_alliance(alliance)).order_by(Allocation.id)
    if limit is not None or offset:
        query = query.limit(limit).offset(offset)
    with transaction(engine) as session:
        rows = session.execute(query).scalars().all()
        return [{"id": e.id, **_content(e), "hash": e.hash} for e in rows]
