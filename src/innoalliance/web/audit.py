"""The audit log as the admin browses it (filters, pages, newest first) and exports it (CSV).

The CSV export escapes formula-like text (a user name such as ``=HYPERLINK(…)``) with a leading
``'`` so that a spreadsheet shows it instead of running it; see
:func:`innoalliance.ingest.cells.escape_formula`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Engine, select

from innoalliance.ingest.cells import escape_formula
from innoalliance.model import AuditEntry
from innoalliance.web.queries import Paging, window

#: rows of the CSV export read from the database and written out at a time
CSV_CHUNK = 1000
COLUMNS = ("id", "at", "actor", "action", "kind", "detail")



def _audit_query(kind: str | None, actor: str | None) -> Any:
    query = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action,
                   AuditEntry.kind, AuditEntry.detail)
    if kind:
        query = query.where(AuditEntry.kind == kind)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return query


def _entry(row: Mapping[Any, Any]) -> dict[str, Any]:
    at = row["at"]
    return {"id": row["id"], "at": at.isoformat(timespec="seconds") if at else "",
            "actor": row["actor"], "action": row["action"], "kind": row["kind"],
            "detail": row["detail"]}


def audit_page(engine: Engine, kind: str | None, actor: str | None, paging: Paging,
               ) -> tuple[int, dict[str, Any]]:
    """How many entries match, and those of ``paging``, newest first, filtered by kind and
    actor, with the kinds to filter by (issue 16 item 9: cut in the database)."""
    total, rows = window(engine, _audit_query(kind, actor), paging, [AuditEntry.id.desc()])
    with engine.connect() as conn:
        kinds = list(conn.execute(select(AuditEntry.kind).distinct()
                                  .order_by(AuditEntry.kind)).scalars())
    return total, {"entries": [_entry(r) for r in rows], "total": total,
                   "kind": kind or "", "actor": actor or "", "kinds": kinds}


def _cell(value: Any) -> Any:
    return escape_formula(value) if isinstance(value, str) else value


def audit_csv_chunks(engine: Engine, kind: str | None, actor: str | None,
                     ) -> Iterator[str]:
    """The (filtered) audit log as CSV text, newest first, with a BOM so spreadsheets read
    UTF-8; formula-like text cells are escaped with a leading ``'``. Complete, but streamed:
    read :data:`CSV_CHUNK` rows at a time (``yield_per``), never all held at once."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield "\ufeff" + out.getvalue()
    with engine.connect() as conn:
        result = conn.execute(_audit_query(kind, actor).order_by(AuditEntry.id.desc())
                              .execution_options(yield_per=CSV_CHUNK)).mappings()
        for chunk in result.partitions():
            out.seek(0)
            out.truncate()
            for row in chunk:
                entry = _entry(row)
                writer.writerow([_cell(entry[c]) for c in COLUMNS])
            yield out.getvalue()


def audit_csv(engine: Engine, kind: str | None, actor: str | None) -> str:
    """The whole CSV of :func:`audit_csv_chunks` as one text (for tests and small logs)."""
    return "".join(audit_csv_chunks(engine, kind, actor))
