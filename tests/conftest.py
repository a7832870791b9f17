"""Fixtures: every behaviour test runs against SQLite and against PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (trust auth, database ``test``), or the URL in
``INNOALLIANCE_TEST_POSTGRES``; each test gets a schema of its own, dropped afterwards. The
PostgreSQL runs are never skipped: an unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from innoalliance.demo.loader import load_demo
from innoalliance.store.engine import make_engine
from innoalliance.workflows.register.setup import init_store

POSTGRES = os.environ.get(
    "INNOALLIANCE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def _postgres_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _url(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
    else:
        yield from _postgres_schema()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database on each backend."""
    yield from _url(request.param, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An initialised store (schema and catalogues) on each backend."""
    eng = make_engine(db_url)
    init_store(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[str]:
    """URL of a store holding the demo dataset, shared by read-only tests (one per backend)."""
    for url in _url(request.param, tmp_path_factory.mktemp("demo")):
        eng = make_engine(url)
        load_demo(eng)
        eng.dispose()
        yield url


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    """Engine on the shared demo store; tests using it must not write."""
    eng = make_engine(demo_url)
    yield eng
    eng.dispose()


def write(path: Path, text: str) -> Path:
    """Write ``text`` (a table as CSV) to ``path`` and return the path."""
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def demo_store(db_url: str) -> Iterator[Engine]:
    """A demo store of the test's own, which it may write to (each backend)."""
    eng = make_engine(db_url)
    load_demo(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def client(demo_url: str) -> Iterator[Any]:
    """A web client (``fastapi.testclient.TestClient``) of the shared demo store."""
    import warnings

    from innoalliance.web.app import create_app

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
        from fastapi.testclient import TestClient
    with TestClient(create_app(demo_url)) as c:
        yield c
