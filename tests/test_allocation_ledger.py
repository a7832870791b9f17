"""The record of agreed allocations: append-only, hash-chained, and tampering is found."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from innoalliance.workflows.register.setup import init_store
from innoalliance.workflows.share.allocations import (
    GENESIS,
    list_allocations,
    record_allocation,
    verify_chain,
)


def _record(engine: Engine, k: int) -> None:
    record_allocation(engine, alliance="闪联产业联盟", subject=f"profit {2010 + k}",
                      kind="profit", method="shapley",
                      payload={"players": ["A", "B"], "allocation": {"A": 10.5 + k, "B": 4}},
                      who="tester")


def _tamper(engine: Engine, sql: str) -> None:
    """Change a row as someone with the database's owner rights could: around the triggers."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE allocations DISABLE TRIGGER allocations_append_only"))
            conn.execute(text(sql))
            conn.execute(text("ALTER TABLE allocations ENABLE TRIGGER allocations_append_only"))
        else:
            conn.execute(text("DROP TRIGGER allocations_no_update"))
            conn.execute(text("DROP TRIGGER allocations_no_delete"))
            conn.execute(text(sql))


def test_chain_verifies_and_names_the_first_changed_entry(engine: Engine) -> None:
    init_store(engine)
    assert verify_chain(engine).ok and verify_chain(engine).entries == 0
    for k in range(3):
        _record(engine, k)
    entries = list_allocations(engine)
    assert [e["subject"] for e in entries] == ["profit 2010", "profit 2011", "profit 2012"]
    assert verify_chain(engine).ok
    with pytest.raises(DBAPIError), engine.begin() as conn:  # the database refuses an update
        conn.execute(text("UPDATE allocations SET subject = 'x' WHERE id = 2"))
    second = entries[1]["payload"]
    assert second["allocation"] == {"A": 11.5, "B": 4}
    _tamper(engine, "UPDATE allocations SET payload = replace(payload, '11.5', '21.5') "
                    "WHERE id = 2")
    result = verify_chain(engine)
    assert not result.ok and result.first_broken == 2 and "changed" in (result.reason or "")


def test_a_removed_entry_breaks_the_link(engine: Engine) -> None:
    init_store(engine)
    for k in range(3):
        _record(engine, k)
    first = list_allocations(engine)[0]
    assert first["hash"] != GENESIS
    _tamper(engine, "DELETE FROM allocations WHERE id = 2")
    result = verify_chain(engine)
    assert not result.ok and result.first_broken == 3 and "link" in (result.reason or "")
