"""Write validated rows: insert the new, update the changed, leave the same alone; audit it.

Records are matched on their natural key, so importing a file twice changes nothing the second
time. An update is conditional on the ``version`` read a moment before; if another writer moved
it on, the import fails with :class:`~innoalliance.errors.ConflictError` and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Table, bindparam, delete, insert, select, tuple_
from sqlalchemy.orm import Session

from ..errors import ConflictError
from ..model import AuditEntry, OrganizationIndustry, OutputOwner, ProjectParticipant
from .bulk import bulk_insert
from .schema import KindSchema
from .validate import Validated

AUDIT_LIST_LIMIT = 1000
_MISSING = "\x00missing"

#: list column → (child table, parent key columns in the child, item column, extra column)
CHILD_TABLES: dict[tuple[str, str], tuple[Table, tuple[str, ...], str, str | None]] = {
    ("organizations", "industries"): (
        OrganizationIndustry.__table__, ("organization",), "industry", None
    ),
    ("projects", "participants"): (
        ProjectParticipant.__table__, ("alliance", "project"), "organization", None
    ),
    ("outputs", "owners"): (OutputOwner.__table__, ("alliance", "output"), "organization", "share"),
}


@dataclass(frozen=True)
class ImportResult:
    """What one file did to the store."""

    kind: str
    file: str
    rows: int
    inserted: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return asdict(self)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, recorded in the audit log."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), _MISSING)


def _existing(session: Session, table: Table, key: Sequence[str], rows: pd.DataFrame,
              columns: Sequence[str]) -> pd.DataFrame:
    first = table.c[key[0]]
    wanted = list(pd.unique(rows[key[0]]))
    parts = []
    select_cols = [table.c.id, table.c.version, *(table.c[c] for c in columns)]
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start:start + 5000]
        result = session.execute(select(*select_cols).where(first.in_(chunk)))
        parts.append(pd.DataFrame(result.all(), columns=["id", "version", *columns]))
    if not parts:
        return pd.DataFrame(columns=["id", "version", *columns])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _children_now(session: Session, validated: Validated, parents: pd.DataFrame
                  ) -> dict[str, dict[tuple[Any, ...], frozenset[Any]]]:
    out: dict[str, dict[tuple[Any, ...], frozenset[Any]]] = {}
    kind = validated.schema.kind
    for column in validated.children:
        child, pkey, item, extra = CHILD_TABLES[(kind, column)]
        cols = [child.c[c] for c in (*pkey, item)] + ([child.c[extra]] if extra else [])
        stored: dict[tuple[Any, ...], set[Any]] = {}
        keys = [tuple(k) for k in parents[list(validated.schema.key)].itertuples(index=False)]
        for start in range(0, len(keys), 2000):
            chunk = keys[start:start + 2000]
            cond = (child.c[pkey[0]].in_([k[0] for k in chunk]) if len(pkey) == 1
                    else tuple_(*(child.c[c] for c in pkey)).in_(chunk))
            for row in session.execute(select(*cols).where(cond)):
                parent = tuple(row[: len(pkey)])
                stored.setdefault(parent, set()).add(tuple(row[len(pkey):]))
        out[column] = {k: frozenset(v) for k, v in stored.items()}
    return out


def _children_in_file(validated: Validated) -> dict[str, dict[tuple[Any, ...], frozenset[Any]]]:
    out: dict[str, dict[tuple[Any, ...], frozenset[Any]]] = {}
    key = list(validated.schema.key)
    for column, frame in validated.children.items():
        items = ["item"] + (["share"] if "share" in frame else [])
        grouped: dict[tuple[Any, ...], set[Any]] = {}
        for row in frame.itertuples(index=False):
            parent = tuple(getattr(row, k) for k in key)
            grouped.setdefault(parent, set()).add(tuple(getattr(row, c) for c in items))
        out[column] = {k: frozenset(v) for k, v in grouped.items()}
    return out


def write(session: Session, validated: Validated, actor: str) -> ImportResult:
    """Upsert ``validated`` rows by natural key in the session's transaction and audit it."""
    schema = validated.schema
    table: Table = schema.model.__table__  # type: ignore[assignment]
    key = list(schema.key)
    columns = schema.stored_columns
    rows = validated.rows
    existing = _existing(session, table, key, rows, columns)
    merged = _comparable(rows).merge(
        _comparable(existing), on=key, how="left", suffixes=("", "__old"), indicator=True
    )
    is_new = (merged["_merge"] == "left_only").to_numpy()
    others = [c for c in columns if c not in key]
    differs = pd.Series(False, index=merged.index)
    for col in others:
        differs |= merged[col] != merged[f"{col}__old"]
    file_children = _children_in_file(validated)
    old_children = _children_now(session, validated, rows[~is_new]) if (~is_new).any() else {}
    child_changed = pd.Series(False, index=merged.index)
    for column, by_parent in file_children.items():
        stored = old_children.get(column, {})
        parents = [tuple(k) for k in merged[key].itertuples(index=False)]
        child_changed |= pd.Series(
            [by_parent.get(p, frozenset()) != stored.get(p, frozenset()) for p in parents],
            index=merged.index,
        )
    changed = ~pd.Series(is_new, index=merged.index) & (differs | child_changed)

    new_rows = _parents_first(schema, rows[is_new])
    if len(new_rows):
        bulk_insert(session, table, new_rows)
    updates = merged[changed.to_numpy()]
    if len(updates):
        _update(session, table, columns, rows[changed.to_numpy()], updates)
    _replace_children(session, validated, merged, is_new | changed.to_numpy())
    result = ImportResult(
        schema.kind, validated.table.label, len(rows), int(is_new.sum()), int(changed.sum()),
        int(len(rows) - is_new.sum() - changed.sum()),
    )
    _audit(session, actor, validated, result, merged, is_new, changed, others)
    return result


def _parents_first(schema: KindSchema, rows: pd.DataFrame) -> pd.DataFrame:
    """Order rows so that a row referring to its own kind (a parent) follows that row."""
    own = [c.name for c in schema.columns if c.type == "ref" and c.ref == schema.kind]
    if not own or len(schema.key) != 1 or rows.empty:
        return rows
    key = schema.key[0]
    pending = rows
    ordered = []
    while len(pending):
        waiting = set(pending[key])
        ready = ~pending[own].isin(waiting).any(axis=1)
        if not ready.any():  # a cycle: let the database refuse it
            ordered.append(pending)
            break
        ordered.append(pending[ready])
        pending = pending[~ready]
    return pd.concat(ordered) if len(ordered) > 1 else ordered[0]


def _update(session: Session, table: Table, columns: Sequence[str], rows: pd.DataFrame,
            merged: pd.DataFrame) -> None:
    params = [{f"v_{k}": v for k, v in r.items()} for r in rows[list(columns)].to_dict("records")]
    for record, (row_id, version) in zip(
        params, merged[["id", "version"]].itertuples(index=False), strict=True
    ):
        record["_id"] = int(row_id)
        record["_version"] = int(version)
    statement = (
        table.update()
        .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
        .values({**{c: bindparam(f"v_{c}") for c in columns}, "version": table.c.version + 1})
    )
    done = 0
    for record in params:
        done += session.execute(statement, record).rowcount  # type: ignore[attr-defined]
    if done != len(params):
        raise ConflictError(
            f"{len(params) - done} {table.name} record(s) were changed by someone else "
            "during this import; nothing was written",
            hint="import the file again",
        )


def _replace_children(session: Session, validated: Validated, merged: pd.DataFrame,
                      touched: Any) -> None:
    kind = validated.schema.kind
    key = list(validated.schema.key)
    parents = [tuple(k) for k in merged.loc[touched, key].itertuples(index=False)]
    if not parents:
        return
    wanted = set(parents)
    for column, frame in validated.children.items():
        child, pkey, item, extra = CHILD_TABLES[(kind, column)]
        for start in range(0, len(parents), 2000):
            chunk = parents[start:start + 2000]
            cond = (child.c[pkey[0]].in_([p[0] for p in chunk]) if len(pkey) == 1
                    else tuple_(*(child.c[c] for c in pkey)).in_(chunk))
            session.execute(delete(child).where(cond))
        records = []
        for row in frame.itertuples(index=False):
            parent = tuple(getattr(row, k) for k in key)
            if parent not in wanted:
                continue
            record = dict(zip(pkey, parent, strict=True))
            record[item] = row.item
            if extra:
                record[extra] = row.share
            records.append(record)
        if records:
            session.execute(insert(child), records)


def _key_text(values: Iterable[Any]) -> str:
    return " | ".join(str(v) for v in values)


def _audit(session: Session, actor: str, validated: Validated, result: ImportResult,
           merged: pd.DataFrame, is_new: Any, changed: pd.Series, others: list[str]) -> None:
    key = list(validated.schema.key)
    inserted = [_key_text(k) for k in merged.loc[is_new, key].head(AUDIT_LIST_LIMIT).itertuples(
        index=False)]
    updated = []
    for _, row in merged[changed.to_numpy()].head(AUDIT_LIST_LIMIT).iterrows():
        diff = {c: [_plain(row[f"{c}__old"]), _plain(row[c])] for c in others
                if row[c] != row[f"{c}__old"]}
        updated.append({"key": _key_text(row[key]), "changes": diff})
    detail = {
        **result.as_dict(),
        "sha256": sha256(validated.table.path),
        "inserted_keys": inserted,
        "updated_records": updated,
        "lists_truncated": result.inserted > AUDIT_LIST_LIMIT or result.updated > AUDIT_LIST_LIMIT,
    }
    session.add(AuditEntry(
        at=dt.datetime.now(dt.UTC), actor=actor, action="import", kind=result.kind,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
    ))


def _plain(value: Any) -> Any:
    return None if value == _MISSING else value
