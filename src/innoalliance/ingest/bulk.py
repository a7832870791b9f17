"""Fast inserts of many new rows: PostgreSQL ``COPY``, SQLite ``executemany`` on tuples.

Both run inside the caller's transaction, so a failure leaves nothing written. Rows travel as
columns of Python objects zipped into tuples, never as a frame's rows one by one.

PostgreSQL checks a foreign key with a trigger per inserted row, which costs several times the
insert itself. A large load into an empty table therefore drops the table's foreign keys for the
``COPY`` and adds them back, which checks all rows in one join: the bulk-loading advice of the
PostgreSQL manual ("Populating a Database"). It all happens in the caller's transaction, so no one
ever sees the table without its keys; while it runs, the table and the tables it refers to are
locked against other readers. A user without the right to alter the table gets the row-by-row
checks instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, islice, repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

COPY_THRESHOLD = 2000
KEYS_ONCE_THRESHOLD = 20_000
SQLITE_CACHE_KIB = 64 * 1024
SQLITE_ROWS_PER_INSERT = 200


def bulk_insert(session: Session, table: Table, rows: pd.DataFrame,
                same: Mapping[str, Any] | None = None, into_empty: bool = False,
                key: Sequence[str] = ()) -> None:
    """Insert ``rows``, whose columns are named as the table's, plus columns ``same`` in all.

    ``into_empty`` says that the table held no rows when the transaction began; ``key`` names
    the columns of the table's unique index, if any.
    """
    if rows.empty:
        return
    names = [*rows.columns, *(same or {})]
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql" and len(rows) >= COPY_THRESHOLD:
        with _keys_checked_once(session, table, into_empty and len(rows) >= KEYS_ONCE_THRESHOLD):
            _copy(session, table, names, _tuples(rows, same))
    elif dialect == "sqlite":
        _sqlite_insert(connection.connection.driver_connection, table, names,
                       _tuples(rows, same), len(rows), bool(key) and _in_order(rows, key))
    else:
        records = [dict(zip(names, row, strict=True)) for row in _tuples(rows, same)]
        session.execute(insert(table), records)


def _sqlite_insert(raw: Any, table: Table, names: list[str], rows: Iterator[tuple[Any, ...]],
                   count: int, in_order: bool) -> None:
    """``executemany`` of the rows, ``in_order`` of the unique index many rows a statement.

    Measured on SQLite 3.40: rows that arrive in index order go in twice as fast with a few
    hundred a statement, while rows in random order go in a third slower that way.
    """
    per = max(1, min(SQLITE_ROWS_PER_INSERT if in_order else 1,
                     raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(names)))
    one = "(" + ", ".join("?" for _ in names) + ")"
    insert = f'INSERT INTO "{table.name}" (' + ", ".join(f'"{c}"' for c in names) + ") VALUES "
    batches = (tuple(chain.from_iterable(islice(rows, per))) for _ in range(count // per))
    cursor = raw.cursor()
    # a page cache large enough for the table's indexes spares rereading their pages while
    # the keys arrive in random order; the connection's own setting comes back afterwards
    cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    try:
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        cursor.executemany(insert + ", ".join([one] * per), batches)
        cursor.executemany(insert + one, rows)  # the rest, fewer than ``per``
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        cursor.close()


def _in_order(rows: pd.DataFrame, key: Sequence[str]) -> bool:
    """Whether ``rows`` are sorted by the ``key`` columns (in the order a database sorts)."""
    undecided = np.ones(max(len(rows) - 1, 0), dtype=bool)  # adjacent rows equal so far
    try:
        for name in key:
            values = rows[name].to_numpy(dtype=object)
            before, after = values[:-1], values[1:]
            if (undecided & (before > after)).any():
                return False
            undecided &= before == after
    except TypeError:  # an empty cell among them
        return False
    return True


def _tuples(rows: pd.DataFrame, same: Mapping[str, Any] | None) -> Iterator[tuple[Any, ...]]:
    columns: list[Iterable[Any]] = [rows[c].tolist() for c in rows.columns]
    columns += [repeat(value, len(rows)) for value in (same or {}).values()]
    return zip(*columns, strict=True)


def _copy(session: Session, table: Table, names: list[str],
          rows: Iterator[tuple[Any, ...]]) -> None:
    columns = ", ".join(f'"{c}"' for c in names)
    raw = session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,  # type: ignore[union-attr]
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)


@contextmanager
def _keys_checked_once(session: Session, table: Table, wanted: bool) -> Iterator[None]:
    """Without its foreign keys inside, with them (and every row checked) after; see above."""
    connection = session.connection()
    keys = connection.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %(table)s::regclass AND contype = 'f' ORDER BY conname",
        {"table": f'"{table.name}"'},
    ).all() if wanted else []
    if keys:
        savepoint = connection.begin_nested()
        try:
            connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ' + ", ".join(
                f'DROP CONSTRAINT "{name}"' for name, _ in keys))
            savepoint.commit()
        except DBAPIError:  # not the table's owner: check row by row
            savepoint.rollback()
            keys = []
    yield
    if keys:
        connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ' + ", ".join(
            f'ADD CONSTRAINT "{name}" {definition}' for name, definition in keys))
