"""Append one entry to the append-only audit log, in the caller's transaction.

Every write to the store goes through here: imports, record edits, life-cycle steps, recorded
allocations, violation events, runs and web accounts. ``detail`` is JSON text; an entry about one
record names it as ``key`` (the natural key's values joined by `` | ``), one about several lists
``inserted_keys`` / ``updated_records`` [{key, …}], so that
:func:`innoalliance.workflows.register.records.last_change` finds the last writer of a record.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from innoalliance.model import AuditEntry


def audit_entry(session: Session, actor: str, action: str, kind: str, /,
                **detail: object) -> AuditEntry:
    """Add an audit entry (now, UTC) to ``session``: ``actor`` did ``action`` to records of
    ``kind``; ``detail`` is stored as JSON (dates and other values as text). Returns it.

    It is written when the session's transaction commits, so the entry and the write it
    describes are stored together or not at all.
    """
    entry = AuditEntry(at=dt.datetime.now(dt.UTC), actor=actor, action=action, kind=kind,
                       detail=json.dumps(detail, ensure_ascii=False, default=str))
    session.add(entry)
    return entry


def key_text(*values: object) -> str:
    """A record's key in the audit log: its natural key's values joined by `` | ``."""
    return " | ".join(str(v) for v in values)
