"""The audit log as the admin browses it (filters, pages, newest first) and exports it (CSV).

The CSV export escapes formula-like text (a user name such as ``=HYPERLINK(…)``) with a leading
``'`` so that a spreadsheet shows it instead of running it; see
:func:`innoalliance.ingest.cells.escape_formula`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Engine, RowMapping, func, select

from innoalliance.ingest.cells import escape_formula
from innoalliance.model import AuditEntry

AUDIT_PAGE = 50

def _audit_query(kind: str | None, actor: str | None) -> Any:
    query = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action,
                   AuditEntry.kind, AuditEntry.detail)
    if kind:
        query = query.where(AuditEntry.kind == kind)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return query


def _entry(row: RowMapping) -> dict[str, Any]:
    at = row["at"]
    return {"id": row["id"], "at": at.isoformat(timespec="seconds") if at else "",
            "actor": row["actor"], "action": row["action"], "kind": row["kind"],
            "detail": row["detail"]}


def audit_page(engine: Engine, kind: str | None, actor: str | None, page: int,
               ) -> dict[str, Any]:
    """One page of the audit log, newest first, filtered by kind and actor."""
    query = _audit_query(kind, actor)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(AuditEntry.id.desc())
                            .limit(AUDIT_PAGE).offset((page - 1) * AUDIT_PAGE)).mappings()
        entries = [_entry(r) for r in rows]
        kinds = list(conn.execute(select(AuditEntry.kind).distinct()
                                  .order_by(AuditEntry.kind)).scalars())
    pages = max(1, -(-int(total) // AUDIT_PAGE))
    return {"entries": entries, "total": int(total), "page": page, "pages": pages,
            "kind": kind or "", "actor": actor or "", "kinds": kinds}


def _cell(value: Any) -> Any:
    return escape_formula(value) if isinstance(value, str) else value


def audit_csv(engine: Engine, kind: str | None, actor: str | None) -> str:
    """The (filtered) audit log as CSV, newest first, with a BOM so spreadsheets read UTF-8;
    formula-like text cells are escaped with a leading ``'``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "at", "actor", "action", "kind", "detail"])
    with engine.connect() as conn:
        for row in conn.execute(_audit_query(kind, actor).order_by(AuditEntry.id.desc())
                                ).mappings():
            entry = _entry(row)
            writer.writerow([_cell(entry[c]) for c in ("id", "at", "actor", "action", "kind",
                                                       "detail")])
    return "\ufeff" + out.getvalue()
