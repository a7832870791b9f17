"""A short load test on loopback: a real ``innoalliance serve --workers 2`` subprocess over a
PostgreSQL demo store of its own, 50 readers and 10 writers for a few seconds; no errors, and
every acknowledged write is in the store. Also ``serve --workers``' CLI rules.

Nothing here asserts timings: the report is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from innoalliance.cli.app import app as cli
from innoalliance.demo.loader import load_demo
from innoalliance.store.engine import make_engine
from innoalliance.web.loadtest import (
    LoadReport,
    events_path,
    missing_writes,
    read_paths,
    run_load,
    serve,
)
from innoalliance.workflows.accounts.users import add_user, issue_token

from .conftest import _postgres_schema

A = "电动汽车产学研技术创新联盟"
READERS = 50
WRITERS = 10
SECONDS = 8.0
#: a read or write slower than this is a transport error; generous, as CI machines are shared
#: (50 readers queue at a 2-core server) and nothing here is about speed
TIMEOUT = 120.0


@pytest.fixture(scope="module")
def load_store() -> Iterator[tuple[str, Engine]]:
    """A PostgreSQL demo store of this module's own (the load test writes events to it)."""
    for url in _postgres_schema():
        engine = make_engine(url)
        try:
            load_demo(engine)
            yield url, engine
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def token(load_store: tuple[str, Engine]) -> str:
    """An API token of a secretariat user of alliance A."""
    _, engine = load_store
    username = f"load-{uuid.uuid4().hex[:8]}"
    add_user(engine, username, "secretariat", secrets.token_urlsafe(16), alliance=A)
    return issue_token(engine, username)


def test_readers_and_writers_under_load(load_store: tuple[str, Engine], token: str) -> None:
    url, engine = load_store
    with serve(url, workers=2, secret=secrets.token_urlsafe(32)) as server:
        report = run_load(server.base_url, readers=READERS, writers=WRITERS, seconds=SECONDS,
                          alliance=A, writer_token=token, read_paths=read_paths(A),
                          timeout=TIMEOUT)
        log = server.log()
    print(f"\nPOST {events_path(A)}\n{report.table()}\n{report.path_table()}")
    assert isinstance(report, LoadReport)
    assert not report.errors, f"{report.table()}\nserver log:\n{log}"
    assert report.ok("read") >= READERS
    writers = {ref.split("-")[1] for ref in report.acknowledged}
    assert writers == {str(w) for w in range(WRITERS)}, report.table()
    assert len(set(report.acknowledged)) == len(report.acknowledged)
    assert missing_writes(engine, A, report.acknowledged) == []


def test_missing_writes_names_what_is_not_stored(load_store: tuple[str, Engine]) -> None:
    _, engine = load_store
    refs = ["E-001", f"never-{uuid.uuid4().hex[:8]}", "E-001"]
    assert missing_writes(engine, A, refs, chunk=1) == [refs[1]]
    assert missing_writes(engine, A, []) == []


def test_report_table_and_dict() -> None:
    report = LoadReport(readers=2, writers=1, seconds=1.0, duration=2.0)
    report.latencies["read"].extend([1.0, 2.0, 3.0, 4.0])
    report.errors["read 500"] += 1
    report.acknowledged.append("load-0-0-abcdef")
    data = report.as_dict()
    assert data["requests"]["read"]["ok"] == 4
    assert data["requests"]["read"]["failed"] == 1
    assert data["requests"]["read"]["per_second"] == 2.0
    assert data["requests"]["read"]["p50"] == 2.5
    assert data["errors"] == {"read 500": 1}
    assert data["acknowledged"] == 1
    text = report.table()
    assert "read 500: 1" in text
    assert "acknowledged writes: 1" in text


def test_serve_help_shows_workers() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output
    assert "--forwarded-allow-ips" in result.output


def test_serve_refuses_workers_without_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INNOALLIANCE_SECRET", raising=False)
    started: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    result = CliRunner().invoke(cli, ["serve", "--db", "sqlite:///unused.db", "--workers", "2"])
    assert result.exit_code == 1
    assert "--workers 2 needs INNOALLIANCE_SECRET" in result.output
    assert "INNOALLIANCE_SECRET" in result.output
    assert started == []


def test_serve_with_workers_runs_the_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOALLIANCE_SECRET", "s" * 32)
    monkeypatch.setenv("INNOALLIANCE_DB", "sqlite:///restored-after-the-test.db")
    started: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    result = CliRunner().invoke(cli, ["serve", "--db", "postgresql://u@h/db", "--workers", "3",
                                      "--forwarded-allow-ips", "10.0.0.1"])
    assert result.exit_code == 0, result.output
    (args, kwargs), = started
    assert args == ("innoalliance.cli.serve:app_from_env",)
    assert kwargs["factory"] is True and kwargs["workers"] == 3
    assert kwargs["forwarded_allow_ips"] == "10.0.0.1"
    assert os.environ["INNOALLIANCE_DB"] == "postgresql+psycopg://u@h/db"  # for the workers
