"""The pages' store cache: a value is reused while the audit log has no new entry, recomputed
after any write (every write appends an audit entry) once it is no longer fresh, and after its
time to live; both backends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from innoalliance.model import AuditEntry
from innoalliance.store.engine import transaction
from innoalliance.web.cache import StoreCache, store_cache


def test_reused_until_the_store_changes(engine: Engine) -> None:
    cache = StoreCache(engine, fresh=0.0)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get("k", compute) == 1
    assert cache.get("k", compute) == 1 and len(calls) == 1
    assert cache.get("other", compute) == 2
    with transaction(engine) as session:
        session.add(AuditEntry(at=dt.datetime.now(dt.UTC), actor="t", action="edit",
                               kind="events", detail="{}"))
    assert cache.get("k", compute) == 3
    assert cache.get("k", compute) == 3
    expired = StoreCache(engine, ttl=0.0, fresh=0.0)
    assert expired.get("k", compute) == 4 and expired.get("k", compute) == 5
    fresh = StoreCache(engine, fresh=3600.0)  # reused for an hour whatever is written
    assert fresh.get("k", compute) == 6
    with transaction(engine) as session:
        session.add(AuditEntry(at=dt.datetime.now(dt.UTC), actor="t", action="edit",
                               kind="events", detail="{}"))
    assert fresh.get("k", compute) == 6
    assert store_cache(engine) is store_cache(engine)
