"""Engine and sessions from a database URL, and schema migration to the newest revision.

A URL is resolved in this order: the ``--db`` option, the ``INNOALLIANCE_DB`` environment
variable, then the embedded default ``sqlite:///innoalliance.db`` in the working directory. A bare
file path means a SQLite file; ``postgresql://`` URLs use the psycopg 3 driver.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from innoalliance.errors import StoreError

ENV_VAR = "INNOALLIANCE_DB"
DEFAULT_URL = "sqlite:///innoalliance.db"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use, following the order in the module docstring."""
    text = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in text:
        return f"sqlite:///{Path(text)}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`); SQLite enforces foreign keys."""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
        engine = create_engine(parsed, future=True)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(
            f"cannot use database URL {resolved!r}: {exc}",
            hint="use sqlite:///FILE.db or postgresql://USER@HOST:PORT/DB",
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files(__package__) / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this version of innoalliance."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files(__package__) / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at, ``None`` if it was never initialised."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision (idempotent)."""
    command.upgrade(_alembic_config(engine), "head")


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not initialised or is at another revision."""
    revision = current_revision(engine)
    if revision is None:
        tables = inspect(engine).get_table_names()
        what = "is empty" if not tables else "was not made by innoalliance"
        raise StoreError(
            f"the database {engine.url.render_as_string(hide_password=True)} {what}",
            hint="run: innoalliance init (or innoalliance demo)",
        )
    if revision != head_revision():
        raise StoreError(
            f"the database is at schema revision {revision}, this innoalliance needs "
            f"{head_revision()}",
            hint="run: innoalliance init (it migrates the schema)",
        )


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
