"""Values the pages compute from the whole store (the map, every alliance's activity grade),
kept while the store is unchanged.

Every write appends to the audit log, so the log's newest id stamps the store's state: a value
is reused while the stamp is the one it was computed at, and for at most :data:`TTL` seconds (a
change made outside innoalliance is picked up within that time). Under a steady stream of writes
a value is still reused for :data:`FRESH` seconds, so that the pages show a change within that
time without recomputing the whole store's grades on every request. One cache per engine and
process; each server worker keeps its own.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select

from innoalliance.model import AuditEntry

TTL = 300.0
FRESH = 5.0
T = TypeVar("T")


class StoreCache:
    """Computed values keyed by name, each valid for one stamp of the store."""

    def __init__(self, engine: Engine, ttl: float = TTL, fresh: float = FRESH) -> None:
        self.engine, self.ttl, self.fresh = engine, ttl, fresh
        self._values: dict[Hashable, tuple[int, float, Any]] = {}
        self._lock = threading.Lock()

    def stamp(self) -> int:
        """The newest audit entry's id (0 for an empty log)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(AuditEntry.id), 0)))
                       .scalar_one())

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key``: the cached one if the store is unchanged, else ``compute()``."""
        stamp, now = self.stamp(), time.monotonic()
        with self._lock:
            found = self._values.get(key)
        age = now - found[1] if found is not None else float("inf")
        if found is not None and (age < self.fresh or (found[0] == stamp and age < self.ttl)):
            value: T = found[2]
            return value
        value = compute()
        with self._lock:
            self._values[key] = (stamp, now, value)
        return value


_caches: weakref.WeakKeyDictionary[Engine, StoreCache] = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def store_cache(engine: Engine) -> StoreCache:
    """The cache of ``engine``'s store in this process."""
    with _guard:
        if engine not in _caches:
            _caches[engine] = StoreCache(engine)
        return _caches[engine]
