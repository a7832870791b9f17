"""Engine and sessions from a database URL, and schema migration to the newest revision.

A URL is resolved in this order: the ``--db`` option, the ``INNOALLIANCE_DB`` environment
variable, then the embedded default ``sqlite:///innoalliance.db`` in the working directory. A bare
file path means a SQLite file; ``postgresql://`` URLs use the psycopg 3 driver.

Only ``innoalliance init`` and ``innoalliance demo`` create a store: an engine made without
``create=True`` refuses to open a SQLite file that does not exist instead of creating it, and
:func:`replace_store` swaps a store's contents for new ones all at once or not at all.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from innoalliance.errors import StoreError

ENV_VAR = "INNOALLIANCE_DB"
DEFAULT_URL = "sqlite:///innoalliance.db"
T = TypeVar("T")


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


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite store, ``None`` for other backends and in-memory databases."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or engine.url.query.get("uri"):
        return None  # a SQLite URI: its own mode= decides
    return Path(database)


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _missing_file(engine: Engine, path: Path) -> StoreError:
    return StoreError(
        f"the SQLite file {path} does not exist (reading never creates a database)",
        hint=f"to create it: innoalliance init --db {_shown(engine)} (or innoalliance demo "
             f"--db ...); otherwise check the path",
    )


def make_engine(url: str | None = None, *, create: bool = False) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`); SQLite enforces foreign keys.

    Without ``create`` a SQLite file that does not exist is refused (a :class:`StoreError`
    naming it, on the first connection) rather than created; only ``init`` and ``demo`` create.
    """
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
        path = sqlite_file(engine)
        if path is not None and not create:

            def refuse_missing(*_args: Any) -> None:
                if not path.exists():
                    raise _missing_file(engine, path)

            event.listen(engine, "do_connect", refuse_missing)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _require_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise StoreError(f"cannot create the SQLite file {path}: the folder {path.parent} does "
                         "not exist", hint="create the folder first, or check the path")


def create_store_file(engine: Engine) -> None:
    """Create the (empty) file of a SQLite store if it does not exist; other backends: nothing."""
    path = sqlite_file(engine)
    if path is None or path.exists():
        return
    _require_folder(path)
    try:
        sqlite3.connect(path).close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot create the SQLite file {path}: {exc}") from exc


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


def _drop_orphan_trigger_functions(engine: Engine) -> None:
    """Drop the ``TABLE_append_only`` trigger functions left without their table in the current
    schema of an uninitialised PostgreSQL store (a store wiped by an older innoalliance kept
    them, and the first migration would then fail to create them)."""
    with engine.begin() as conn:
        if MigrationContext.configure(conn).get_current_revision() is not None:
            return
        rows = conn.exec_driver_sql(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND right(p.proname, 12) = '_append_only' "
            "AND p.pronargs = 0 AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE "
            "c.relnamespace = n.oid AND c.relname = left(p.proname, -length('_append_only')))"
        ).scalars().all()
        for name in rows:
            conn.exec_driver_sql(f'DROP FUNCTION IF EXISTS "{name}"() CASCADE')


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision (idempotent)."""
    if engine.dialect.name == "postgresql":
        _drop_orphan_trigger_functions(engine)
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


def replace_store(engine: Engine, build: Callable[[Engine], T]) -> T:
    """Replace the whole contents of ``engine``'s store with what ``build`` makes; its result.

    ``build`` gets an engine on a new, empty store (a file beside a SQLite store, a new schema
    of a PostgreSQL database) and fills it; only when it succeeded does the new store take the
    place of the old one, in one step (SQLite's backup, or one PostgreSQL transaction that drops
    the old tables and trigger functions and moves the new ones in). If anything fails the
    store is left as it was and the new one is discarded.
    """
    if engine.dialect.name == "postgresql":
        return _replace_postgresql(engine, build)
    path = sqlite_file(engine)
    if engine.dialect.name != "sqlite" or path is None:
        raise StoreError(f"cannot replace the contents of {_shown(engine)}",
                         hint="use a SQLite file or a PostgreSQL database")
    _require_folder(path)
    staging = path.with_name(f".{path.name}.new-{uuid.uuid4().hex[:8]}")
    try:
        new = make_engine(f"sqlite:///{staging.resolve()}", create=True)
        try:
            result = build(new)
        finally:
            new.dispose()
        engine.dispose()  # no pooled connection keeps the old contents open
        try:
            source, target = sqlite3.connect(staging), sqlite3.connect(path)
            try:
                source.backup(target)  # all pages in one step: one write transaction
            finally:
                source.close()
                target.close()
        except sqlite3.Error as exc:
            raise StoreError(f"could not replace the contents of {path}: {exc}; "
                             "it was left as it was") from exc
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
    return result


def _pg_failed(engine: Engine, exc: DBAPIError) -> StoreError:
    return StoreError(f"could not replace the contents of {_shown(engine)}: "
                      f"{str(exc.orig).strip()}; it was left as it was",
                      hint="check the --db URL, and that its user may create schemas")


def _replace_postgresql(engine: Engine, build: Callable[[Engine], T]) -> T:
    try:
        with engine.connect() as conn:
            target = conn.exec_driver_sql("SELECT current_schema()").scalar()
    except DBAPIError as exc:
        raise _pg_failed(engine, exc) from exc
    if target is None:
        raise StoreError(f"{_shown(engine)} has no schema to write to (its search_path names "
                         "none that exists)", hint="create the schema, or fix the search_path")
    staging = f"innoalliance_new_{uuid.uuid4().hex[:12]}"
    options = " ".join(filter(None, [str(engine.url.query.get("options") or ""),
                                     f"-csearch_path={staging}"]))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{staging}"')
        new = create_engine(engine.url.update_query_dict({"options": options}), future=True)
        try:
            result = build(new)
        finally:
            new.dispose()
        with engine.begin() as conn:
            _swap_schema(conn, staging, target)
    except DBAPIError as exc:
        raise _pg_failed(engine, exc) from exc
    finally:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{staging}" CASCADE')
        except DBAPIError:
            pass  # the server went away: the original error says more
    return result


def _swap_schema(conn: Connection, staging: str, target: str) -> None:
    """In ``conn``'s transaction: drop from ``target`` what ``staging`` holds, move it there."""
    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    tables = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %(s)s AND c.relkind IN ('r', 'p') "
        "AND NOT c.relispartition", {"s": staging}).scalars().all()
    loose_sequences = conn.exec_driver_sql(  # sequences no table owns move on their own
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %(s)s AND c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))", {"s": staging}).scalars().all()
    functions = conn.exec_driver_sql(
        "SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(s)s",
        {"s": staging}).all()
    old = set(inspect(conn).get_table_names(schema=target))
    for table in {"alembic_version", *(t for t in tables if t in old)}:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {q(target)}.{q(table)} CASCADE")
    for name in loose_sequences:
        conn.exec_driver_sql(f"DROP SEQUENCE IF EXISTS {q(target)}.{q(name)} CASCADE")
    for name, args in functions:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {q(target)}.{q(name)}({args}) CASCADE")
    for table in tables:
        conn.exec_driver_sql(f"ALTER TABLE {q(staging)}.{q(table)} SET SCHEMA {q(target)}")
    for name in loose_sequences:
        conn.exec_driver_sql(f"ALTER SEQUENCE {q(staging)}.{q(name)} SET SCHEMA {q(target)}")
    for name, args in functions:
        conn.exec_driver_sql(
            f"ALTER FUNCTION {q(staging)}.{q(name)}({args}) SET SCHEMA {q(target)}")
