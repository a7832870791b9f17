"""Concurrent writers: appends to the allocation chain are serialised, and two same-version
edits of one record end in one success and one :class:`VersionConflict` (never a 500 or 422)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, select

from innoalliance.model import Allocation
from innoalliance.store.engine import make_engine, transaction
from innoalliance.workflows.register.records import VersionConflict, read_record, write_rows
from innoalliance.workflows.share import allocations
from innoalliance.workflows.share.allocations import (
    list_allocations,
    record_allocation,
    verify_chain,
)

T = TypeVar("T")
KINDS = ("alliances",)
ALLIANCE = {"name_zh": "并发测试联盟", "kind": "rd_cooperation", "industry": "1.1",
            "host_region": "110000", "status": "active"}


def _at_once(url: str, count: int, work: Callable[[Engine, int], T]) -> list[T | BaseException]:
    """Run ``work`` in ``count`` threads started together, each on an engine of its own."""
    barrier = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("did not run")] * count

    def one(number: int) -> None:
        engine = make_engine(url)
        try:
            with engine.connect():  # connected before the start, so all begin together
                pass
            barrier.wait()
            results[number] = work(engine, number)
        except BaseException as exc:  # the test looks at every outcome
            results[number] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_concurrent_recordings_all_chain(engine: Engine, db_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def record(own: Engine, number: int) -> int:
        entry = record_allocation(own, alliance=None, subject=f"profit {number}", kind="profit",
                                  method="shapley", payload={"allocation": {"A": number}},
                                  who=f"user{number}")
        return entry.id

    monkeypatch.setattr(allocations, "ATTEMPTS", 1)  # the lock alone must serialise them
    results = _at_once(db_url, 12, record)
    failed = [r for r in results if isinstance(r, BaseException)]
    assert not failed, [f"{type(r).__name__}: {r}" for r in failed]
    entries = list_allocations(engine)
    assert len(entries) == 12
    check = verify_chain(engine)
    assert check.ok and check.entries == 12, check
    with transaction(engine) as session:
        links = session.execute(select(Allocation.prev_hash)).scalars().all()
    assert len(set(links)) == 12


def test_two_same_version_edits_one_wins_one_conflicts(engine: Engine, db_url: str) -> None:
    write_rows(engine, "alliances", [ALLIANCE], "creator", scope={}, kinds=KINDS)
    for _round in range(3):  # the race goes either way; each round must end the same
        version = read_record(engine, "alliances", {}, ALLIANCE["name_zh"], KINDS)["version"]

        def edit(own: Engine, number: int, version: Any = version) -> Any:
            row = {**ALLIANCE, "name_en": f"edit {number} of v{version}", "version": version}
            return write_rows(own, "alliances", [row], f"editor{number}", scope={}, kinds=KINDS)

        results = _at_once(db_url, 2, edit)
        ok = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(ok) == 1 and len(lost) == 1, [f"{type(r).__name__}: {r}" for r in results]
        conflict = lost[0]
        assert isinstance(conflict, VersionConflict), f"{type(conflict).__name__}: {conflict}"
        assert conflict.actor in ("editor0", "editor1") and conflict.at
        assert conflict.version == version + 1
        now = read_record(engine, "alliances", {}, ALLIANCE["name_zh"], KINDS)
        assert now["version"] == version + 1
