"""Write validated rows: insert the new, update the changed, leave the same alone; audit it.

Records are matched on their natural key, so importing a file twice changes nothing the second
time. An update is conditional on the ``version`` read a moment before; if another writer moved
it on, the import fails with :class:`StaleRecords` (a :class:`~innoalliance.errors.ConflictError`
naming those records' keys) and nothing is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Table, bindparam, delete, select, tuple_
from sqlalchemy.orm import Session

from innoalliance.errors import ConflictError
from innoalliance.ingest.bulk import bulk_insert
from innoalliance.ingest.cells import group_codes
from innoalliance.ingest.schema import KindSchema
from innoalliance.ingest.validate import Validated
from innoalliance.model import OrganizationIndustry, OutputOwner, ProjectParticipant
from innoalliance.model.base import Base
from innoalliance.store.audit import audit_entry

AUDIT_LIST_LIMIT = 1000
_MISSING = "\x00missing"


class StaleRecords(ConflictError):
    """Records another writer changed between reading and updating them; ``keys`` are their
    natural keys (as tuples, in the order of the kind's key columns)."""

    def __init__(self, table: str, keys: list[tuple[Any, ...]]) -> None:
        super().__init__(
            f"{len(keys)} {table} record(s) were changed by someone else during this import; "
            "nothing was written",
            hint="import the file again",
        )
        self.keys = keys


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


#: list column → (child table, parent key columns in the child, item column, extra column)
CHILD_TABLES: dict[tuple[str, str], tuple[Table, tuple[str, ...], str, str | None]] = {
    ("organizations", "industries"): (
        _table(OrganizationIndustry), ("organization",), "industry", None
    ),
    ("projects", "participants"): (
        _table(ProjectParticipant), ("alliance", "project"), "organization", None
    ),
    ("outputs", "owners"): (_table(OutputOwner), ("alliance", "output"), "organization", "share"),
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
              columns: Sequence[str], any_stored: bool) -> pd.DataFrame:
    """The stored records sharing the first key column with ``rows``: id, version, columns."""
    names = ["id", "version", *columns]
    records: list[Any] = []
    if any_stored:
        first = table.c[key[0]]
        wanted = list(pd.unique(rows[key[0]]))
        select_cols = [table.c[name] for name in names]
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start:start + 5000]
            records += session.execute(select(*select_cols).where(first.in_(chunk))).all()
    return pd.DataFrame([tuple(r) for r in records], columns=names, dtype=object)


def _match(rows: pd.DataFrame, existing: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
    """For each row, the position of the stored record with its key, -1 for a new one."""
    if existing.empty:
        return np.full(len(rows), -1, dtype=np.int64)
    codes = group_codes([
        np.concatenate([rows[k].to_numpy(dtype=object), existing[k].to_numpy(dtype=object)])
        for k in key
    ])
    return np.asarray(pd.Index(codes[len(rows):]).get_indexer(codes[:len(rows)]))


def _differs(after: pd.Series, before: pd.Series) -> np.ndarray:
    """Where two aligned columns differ; a missing value equals only a missing value."""
    new, old = after.to_numpy(dtype=object), before.to_numpy(dtype=object)
    differs = np.asarray(new != old, dtype=bool)  # None equals None; NaN is sorted out below
    suspects = np.flatnonzero(differs)
    differs[suspects] = ~(pd.isna(new[suspects]) & pd.isna(old[suspects]))
    return differs


def _parent_keys(frame: pd.DataFrame, key: Sequence[str]) -> list[tuple[Any, ...]]:
    return list(zip(*(frame[k].tolist() for k in key), strict=True))


def _of_parents(child: Table, pkey: Sequence[str], parents: list[tuple[Any, ...]]
                ) -> Iterator[ColumnElement[bool]]:
    """Conditions selecting the child rows of ``parents``, 2,000 parents at a time."""
    for start in range(0, len(parents), 2000):
        chunk = parents[start:start + 2000]
        if len(pkey) == 1:
            yield child.c[pkey[0]].in_([p[0] for p in chunk])
        else:
            yield tuple_(*(child.c[c] for c in pkey)).in_(chunk)


def _children_now(session: Session, validated: Validated, parents: pd.DataFrame
                  ) -> dict[str, dict[tuple[Any, ...], frozenset[Any]]]:
    out: dict[str, dict[tuple[Any, ...], frozenset[Any]]] = {}
    kind = validated.schema.kind
    for column in validated.children:
        child, pkey, item, extra = CHILD_TABLES[(kind, column)]
        cols = [child.c[c] for c in (*pkey, item)] + ([child.c[extra]] if extra else [])
        stored: dict[tuple[Any, ...], set[Any]] = {}
        for cond in _of_parents(child, pkey, _parent_keys(parents, validated.schema.key)):
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
        for parent, item in zip(_parent_keys(frame, key), _parent_keys(frame, items),
                                strict=True):
            grouped.setdefault(parent, set()).add(item)
        out[column] = {k: frozenset(v) for k, v in grouped.items()}
    return out


def _children_changed(session: Session, validated: Validated, parents: pd.DataFrame
                      ) -> np.ndarray:
    """Which of the stored ``parents`` get a different set of list items from the file."""
    changed = np.zeros(len(parents), dtype=bool)
    if not validated.children or parents.empty:
        return changed
    stored = _children_now(session, validated, parents)
    keys = _parent_keys(parents, validated.schema.key)
    nothing: frozenset[Any] = frozenset()
    for column, by_parent in _children_in_file(validated).items():
        now = stored.get(column, {})
        changed |= np.array([by_parent.get(p, nothing) != now.get(p, nothing) for p in keys],
                            dtype=bool)
    return changed


def write(session: Session, validated: Validated, actor: str, action: str = "import",
          ) -> ImportResult:
    """Upsert ``validated`` rows by natural key in the session's transaction and audit it.

    ``action`` labels the audit entry: ``import`` for files, ``edit`` for records written one by
    one from the web or the API, whose entry also keeps the new records' values.
    """
    schema = validated.schema
    table = _table(schema.model)
    key = list(schema.key)
    columns = schema.stored_columns
    others = [c for c in columns if c not in key]
    rows = validated.rows
    any_stored = session.execute(select(table.c.id).limit(1)).first() is not None
    existing = _existing(session, table, key, rows, columns, any_stored)
    found = _match(rows, existing, key)
    is_new = found < 0
    stored = np.flatnonzero(~is_new)
    after = rows.iloc[stored].reset_index(drop=True)
    before = existing.iloc[found[stored]].reset_index(drop=True)
    differs = np.zeros(len(stored), dtype=bool)
    for col in others:
        differs |= _differs(after[col], before[col])
    differs |= _children_changed(session, validated, after)
    changed = np.zeros(len(rows), dtype=bool)
    changed[stored[differs]] = True

    new_rows = _parents_first(schema, rows if is_new.all() else rows[is_new])
    bulk_insert(session, table, new_rows, {"version": 1}, into_empty=not any_stored, key=key)
    if changed.any():
        _update(session, table, columns, key, rows[changed], before[differs])
    # an empty table has no list items either: they refer to its records
    _replace_children(session, validated, rows, is_new, changed, into_empty=not any_stored)
    result = ImportResult(
        schema.kind, validated.table.label, len(rows), int(is_new.sum()), int(changed.sum()),
        int(len(rows) - is_new.sum() - changed.sum()),
    )
    first_new = rows.iloc[np.flatnonzero(is_new)[:AUDIT_LIST_LIMIT]]
    _audit(session, actor, action, validated, result, first_new, after[differs],
           before[differs], others)
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


def _update(session: Session, table: Table, columns: Sequence[str], key: Sequence[str],
            rows: pd.DataFrame, stored: pd.DataFrame) -> None:
    params = [{f"v_{k}": v for k, v in r.items()} for r in rows[list(columns)].to_dict("records")]
    for record, (row_id, version) in zip(
        params, stored[["id", "version"]].itertuples(index=False), strict=True
    ):
        record["_id"] = int(row_id)
        record["_version"] = int(version)
    statement = (
        table.update()
        .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
        .values({**{c: bindparam(f"v_{c}") for c in columns}, "version": table.c.version + 1})
    )
    stale = []
    for record in params:
        if not session.execute(statement, record).rowcount:  # type: ignore[attr-defined]
            stale.append(tuple(record[f"v_{k}"] for k in key))
    if stale:
        raise StaleRecords(table.name, stale)


def _replace_children(session: Session, validated: Validated, rows: pd.DataFrame,
                      is_new: np.ndarray, changed: np.ndarray, into_empty: bool) -> None:
    """Write the list items of new and changed parents, replacing those of changed ones.

    A new parent has no stored items: the foreign keys of the child tables guarantee it.
    """
    kind = validated.schema.kind
    key = list(validated.schema.key)
    touched = is_new | changed
    if not validated.children or not touched.any():
        return
    stale = _parent_keys(rows[changed], key)
    for column, frame in validated.children.items():
        child, pkey, item, extra = CHILD_TABLES[(kind, column)]
        for cond in _of_parents(child, pkey, stale):
            session.execute(delete(child).where(cond))
        wanted = rows.loc[touched, key]
        codes = group_codes([
            np.concatenate([frame[k].to_numpy(dtype=object), wanted[k].to_numpy(dtype=object)])
            for k in key
        ])
        keep = np.isin(codes[:len(frame)], codes[len(frame):])
        names = {**dict(zip(key, pkey, strict=True)), "item": item}
        if extra:
            names["share"] = extra
        bulk_insert(session, child, frame.loc[keep, list(names)].rename(columns=names),
                    into_empty=into_empty, key=[*pkey, item])


def _key_text(values: Iterable[Any]) -> str:
    return " | ".join(str(v) for v in values)


def _audit(session: Session, actor: str, action: str, validated: Validated,
           result: ImportResult, inserted_rows: pd.DataFrame, updated_rows: pd.DataFrame,
           stored: pd.DataFrame, others: list[str]) -> None:
    key = list(validated.schema.key)
    inserted = [_key_text(k) for k in _comparable(
        inserted_rows[key].head(AUDIT_LIST_LIMIT)).itertuples(index=False)]
    lists: dict[str, list[Any]] = {}
    if action != "import":  # a few records: keep what they were created with
        lists["inserted_records"] = [
            {"key": k, "after": {c: _plain(v) for c, v in row.items()}}
            for k, (_, row) in zip(inserted, _comparable(inserted_rows.head(AUDIT_LIST_LIMIT))
                                   .iterrows(), strict=False)]
    new = _comparable(updated_rows.head(AUDIT_LIST_LIMIT))
    old = _comparable(stored.head(AUDIT_LIST_LIMIT))
    updated = []
    for (_, row), (_, was) in zip(new.iterrows(), old.iterrows(), strict=True):
        diff = {c: [_plain(was[c]), _plain(row[c])] for c in others if row[c] != was[c]}
        updated.append({"key": _key_text(row[key]), "changes": diff})
    audit_import(session, actor, result, validated.table.path, action=action,
                 inserted_keys=inserted, updated_records=updated, **lists)


def audit_import(session: Session, actor: str, result: ImportResult, path: Path | None,
                 action: str = "import", **lists: list[Any]) -> None:
    """Append the audit entry of one import: counts, file hash (when ``path`` is a file, not a
    web form) and (capped) lists of records."""
    detail: dict[str, object] = {**result.as_dict()}
    if path is not None and path.is_file():
        detail["sha256"] = sha256(path)
    detail.update({name: items[:AUDIT_LIST_LIMIT] for name, items in lists.items()})
    detail["lists_truncated"] = any(len(items) > AUDIT_LIST_LIMIT for items in lists.values()) or (
        result.inserted > AUDIT_LIST_LIMIT or result.updated > AUDIT_LIST_LIMIT)
    audit_entry(session, actor, action, result.kind, **detail)


def _plain(value: Any) -> Any:
    return None if value == _MISSING else value
