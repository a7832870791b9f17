"""The store: migrations match the model, init is idempotent, audit is append-only, versions."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from innoalliance.errors import StoreError
from innoalliance.model import AuditEntry, Base, Region
from innoalliance.store.engine import make_engine, require_current, resolve_url
from innoalliance.workflows.register.setup import init_store


def test_migrations_match_the_model(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_init_twice_changes_nothing(engine: Engine) -> None:
    again = init_store(engine)
    assert [(r.kind, r.inserted, r.updated) for r in again] == [
        ("regions", 0, 0), ("industries", 0, 0)
    ]
    assert again[0].unchanged > 3000


def test_uninitialised_store_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(StoreError) as exc:
        require_current(engine)
    engine.dispose()
    assert exc.value.hint is not None and "init" in exc.value.hint


def test_audit_log_is_append_only(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(select(AuditEntry.id)).first() is not None
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


@pytest.mark.parametrize("table", ["audit_log", "allocations", "alliance_transitions"])
def test_append_only_tables_refuse_truncate(engine: Engine, table: str) -> None:
    """Issue 16 item 16: TRUNCATE fires no row trigger and emptied the audit log and the ledger
    on PostgreSQL. SQLite has no TRUNCATE; its DELETE without WHERE fires the row trigger."""
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    else:
        with engine.connect() as conn:
            triggers = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table}).scalars().all()
        assert f"{table}_no_delete" in triggers


def test_concurrent_edit_is_refused(engine: Engine) -> None:
    with Session(engine) as first, Session(engine) as second:
        a = first.scalars(select(Region).where(Region.code == "330100")).one()
        b = second.scalars(select(Region).where(Region.code == "330100")).one()
        a.name_en = "Hangzhou City"
        first.commit()
        b.name_en = "Hang-chou"
        with pytest.raises(StaleDataError):
            second.commit()


def test_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNOALLIANCE_DB", raising=False)
    assert resolve_url(None) == "sqlite:///innoalliance.db"
    assert resolve_url("data/x.db") == "sqlite:///data/x.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("INNOALLIANCE_DB", "postgresql://u@h/env")
    assert resolve_url(None) == "postgresql+psycopg://u@h/env"
