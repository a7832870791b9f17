"""Fast inserts of many new rows: PostgreSQL ``COPY``, SQLite ``executemany`` on tuples.

Both run inside the caller's transaction, so a failure leaves nothing written.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

COPY_THRESHOLD = 2000


def bulk_insert(session: Session, table: Table, rows: pd.DataFrame) -> None:
    """Insert ``rows`` (columns named as the table's) with ``version`` 1."""
    frame = rows.assign(version=1)
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(frame) >= COPY_THRESHOLD:
        _copy(session, table, frame)
        return
    if connection.dialect.name == "sqlite":
        columns = list(frame.columns)
        placeholders = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})'
        data = list(frame.itertuples(index=False, name=None))
        connection.exec_driver_sql(sql, data)  # type: ignore[arg-type]
        return
    session.execute(insert(table), frame.to_dict("records"))


def _copy(session: Session, table: Table, frame: pd.DataFrame) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row(row)
