"""Records of one alliance (or one organization) read, edited and imported by the people who
keep them: through the very validation and upsert of file imports, scoped, and without lost
updates.

A *scope* names the columns a writer may not choose: ``{"alliance": name}`` for an alliance's
secretariat, ``{"organization": code}`` for a member's own offers and needs. A row that leaves a
scope column empty gets the scope's value; a row naming another value is a problem of that row.

A row may carry the ``version`` its writer saw. If the stored record has moved on since,
:class:`VersionConflict` says who changed it last and nothing at all is written, also when the
record moves on between the check and the write (the version is checked again after writing, in
the same transaction, and an update that finds the record moved on is the same conflict).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select, tuple_

from innoalliance.errors import (
    ConflictError,
    Problem,
    ProblemList,
    UnknownReference,
    ValidationError,
)
from innoalliance.ingest.cells import closest
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.ingest.known import Known
from innoalliance.ingest.readers import Table, read_table, text_frame
from innoalliance.ingest.schema import KindSchema
from innoalliance.ingest.validate import validate
from innoalliance.ingest.writer import ImportResult, StaleRecords, write
from innoalliance.model import AuditEntry
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.register.export import export_frame, json_value

#: what an alliance's secretariat keeps (scope ``alliance``)
ALLIANCE_KINDS = ("memberships", "commitments", "contributions", "projects", "outputs", "events")
#: of those, what anyone may read
PUBLIC_KINDS = ("memberships", "projects", "outputs")
#: what a member keeps of its own (scope ``organization``)
OWN_KINDS = ("offers", "needs")
EDIT = "edit"
VERSION = "version"


class VersionConflict(ConflictError):
    """The record changed since its writer read it: which record, its version now, and who
    changed it last (``actor`` and ``at`` empty when the audit log does not tell)."""

    def __init__(self, kind: str, key: str, version: int, actor: str, at: str) -> None:
        who = f" by {actor}" if actor else ""
        when = f" at {at}" if at else ""
        super().__init__(
            f"{kind} record {key!r} was changed{who}{when} (now version {version}) after you "
            "read it; nothing was written",
            hint="read the record again, then make your change to the current values")
        self.kind, self.key, self.version, self.actor, self.at = kind, key, version, actor, at


def schema_of(kind: str, kinds: Sequence[str]) -> KindSchema:
    """The import schema of ``kind``, one of ``kinds`` (else :class:`UnknownReference`)."""
    if kind not in kinds:
        raise UnknownReference("kinds", kind, closest(kind, list(kinds)))
    return TABLE_KINDS[kind]


def item_key(schema: KindSchema, scope: Mapping[str, str]) -> str:
    """The one key column that tells records apart within ``scope`` (``ref``, ``name``, …)."""
    rest = [k for k in schema.key if k not in scope]
    if len(rest) != 1:
        raise ValueError(f"{schema.kind} has no single key within {sorted(scope)}")
    return rest[0]


def key_text(schema: KindSchema, values: Mapping[str, Any]) -> str:
    """A record's key as the audit log writes it (``alliance | ref``)."""
    return " | ".join(str(values[k]) for k in schema.key)


def _scope_filter(schema: KindSchema, scope: Mapping[str, str]) -> list[Any]:
    """The ``WHERE`` conditions of ``scope`` on the table of ``schema``."""
    table = schema.model.__table__
    return [table.c[c] == v for c, v in scope.items()]


def count_records(engine: Engine, kind: str, scope: Mapping[str, str],
                  kinds: Sequence[str] = ALLIANCE_KINDS) -> int:
    """How many records of ``kind`` lie in ``scope``, counted in the database (the ``total``
    of a page of :func:`read_records`)."""
    schema = schema_of(kind, kinds)
    require_current(engine)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.model.__table__)
                                .where(*_scope_filter(schema, scope))).scalar_one())


def read_records(engine: Engine, kind: str, scope: Mapping[str, str],
                 kinds: Sequence[str] = ALLIANCE_KINDS, *, limit: int | None = None,
                 offset: int = 0) -> list[dict[str, Any]]:
    """The records of ``kind`` in ``scope``, in the import layout, each with its ``version``,
    ordered by the kind's key (as :func:`~innoalliance.workflows.register.export.export_frame`
    orders them).

    Without ``limit`` every record from ``offset`` on (the command line, exports); with it, at
    most ``limit`` records from ``offset`` (0-based) on: the page's keys are chosen with
    ``LIMIT``/``OFFSET`` in the database and only those records (and their participants or
    owners) are read, each exactly as the whole read gives it. Count them with
    :func:`count_records`."""
    schema = schema_of(kind, kinds)
    if limit is None and offset == 0:
        frames = [export_frame(engine, kind, where=scope, with_version=True)]
    else:
        require_current(engine)
        table = schema.model.__table__
        keys = (select(*(table.c[k] for k in schema.key)).where(*_scope_filter(schema, scope))
                .order_by(*(table.c[k] for k in schema.key)).offset(offset))
        if limit is not None:
            keys = keys.limit(limit)
        with engine.connect() as conn:
            page = conn.execute(keys).all()
        # one record a read, by its whole key: the same cells as the whole read, bounded
        frames = [export_frame(engine, kind, with_version=True, where={
            **scope, **dict(zip(schema.key, row, strict=True))})
            for row in page]
    return [{str(c): json_value(v) for c, v in row.items()}
            for frame in frames for row in frame.to_dict("records")]


def read_record(engine: Engine, kind: str, scope: Mapping[str, str], key: str,
                kinds: Sequence[str] = ALLIANCE_KINDS) -> dict[str, Any]:
    """One record of ``kind`` in ``scope`` by its key within the scope (see :func:`item_key`)."""
    column = item_key(schema_of(kind, kinds), scope)
    found = read_records(engine, kind, {**scope, column: key}, kinds)
    if found:
        return found[0]
    known = [str(r[column]) for r in read_records(engine, kind, scope, kinds)]
    raise UnknownReference(kind, key, closest(key, known) if known else None)


def _cell(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _table(rows: Sequence[Mapping[str, Any]], schema: KindSchema, scope: Mapping[str, str],
           label: str) -> tuple[Table, list[int | None]]:
    """The rows as an import table (row 1 is the first), with their scope filled in and their
    versions taken out; every scope breach and bad version is a problem."""
    found = ProblemList()
    versions: list[int | None] = []
    cells: list[dict[str, str | None]] = []
    for number, row in enumerate(rows, start=1):
        text = {str(c): _cell(v) for c, v in row.items() if c != VERSION}
        for column, value in scope.items():
            given = (text.get(column) or "").strip()
            if not given:
                text[column] = value
            elif given != value:
                found.add(Problem(label, number, column, given,
                                  f"must be {value!r}: you may write only its records"))
        seen = row.get(VERSION)
        if seen is None or seen == "":
            versions.append(None)
        elif isinstance(seen, int | str) and str(seen).strip().isdigit():
            versions.append(int(str(seen).strip()))
        else:
            versions.append(None)
            found.add(Problem(label, number, VERSION, str(seen),
                              "the version you read must be a whole number"))
        cells.append(text)
    unknown = sorted({c for r in cells for c in r} - set(schema.names))
    for column in unknown:
        found.add(Problem(label, None, column, None,
                          f"unknown column of {schema.kind}",
                          closest(column, schema.names)))
    found.raise_if_any()
    frame = text_frame(pd.DataFrame(cells, columns=list(dict.fromkeys(
        [*schema.names, *[c for r in cells for c in r]]))).astype(object))
    return Table(Path(label), frame, 1), versions


def last_change(engine: Engine, kind: str, key: str) -> tuple[str, str] | None:
    """(actor, when) of the newest audit entry that wrote the record ``key`` of ``kind``."""
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.actor, AuditEntry.at, AuditEntry.detail)
                            .where(AuditEntry.kind == kind).order_by(AuditEntry.id.desc()))
        for actor, at, detail in rows:
            try:
                data = json.loads(detail)
            except ValueError:
                continue
            if not isinstance(data, dict):
                continue
            if (data.get("key") == key or key in data.get("inserted_keys", ())
                    or any(isinstance(u, dict) and u.get("key") == key
                           for u in data.get("updated_records", ()))):
                return str(actor), at.isoformat(timespec="seconds") if at else ""
    return None


def _versions(session: Any, schema: KindSchema, keys: list[tuple[Any, ...]]
              ) -> dict[tuple[Any, ...], int]:
    table = schema.model.__table__
    key_cols = [table.c[k] for k in schema.key]
    found: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        for row in session.execute(select(*key_cols, table.c.version)
                                   .where(tuple_(*key_cols).in_(chunk))):
            found[tuple(row[:-1])] = int(row[-1])
    return found


def write_rows(engine: Engine, kind: str, rows: Sequence[Mapping[str, Any]], actor: str, *,
               scope: Mapping[str, str], kinds: Sequence[str] = ALLIANCE_KINDS,
               label: str = "request") -> ImportResult:
    """Validate ``rows`` (cells as an import file would hold them) and upsert them in one
    transaction, audited as action ``edit``; nothing is written on any problem or conflict."""
    schema = schema_of(kind, kinds)
    require_current(engine)
    if not rows:
        raise ValidationError([Problem(label, None, None, None, "no rows to write")])
    table, seen = _table(rows, schema, scope, label)
    try:
        with transaction(engine) as session:
            validated = validate(table, schema, Known(session))
            keys = [tuple(k) for k in validated.rows[list(schema.key)].itertuples(index=False)]
            expected = {k: v for k, v in zip(keys, seen, strict=True) if v is not None}
            before = _versions(session, schema, list(expected))
            try:
                result = write(session, validated, actor, EDIT)
            except StaleRecords as stale:  # moved on between reading and updating
                raise _Stale(stale.keys[0], None) from None
            after = _versions(session, schema, list(expected))
            for k, version in expected.items():
                now = after.get(k)
                # unchanged: still as read; changed: exactly one step on from what was read
                if now is None or before.get(k) != version or now - version not in (0, 1):
                    # moved on before the write: the version read then; during it: read it
                    # after the rollback (``now`` may count this very write)
                    raise _Stale(k, None if before.get(k) == version else before.get(k) or 0)
    except _Stale as stale:
        key, now = stale.args
        if now is None:  # the transaction is over: read the version it has now
            with transaction(engine) as session:
                now = _versions(session, schema, [key]).get(key, 0)
        text = key_text(schema, dict(zip(schema.key, key, strict=True)))
        actor, at = last_change(engine, schema.kind, text) or ("", "")
        raise VersionConflict(schema.kind, text, now, actor, at) from None
    return result


class _Stale(Exception):
    """Internal: a record's version moved on (key, version found or ``None``: read it)."""


def import_scoped_file(engine: Engine, kind: str, path: Path, actor: str, *,
                       scope: Mapping[str, str], kinds: Sequence[str] = ALLIANCE_KINDS,
                       sheet: str | None = None) -> ImportResult:
    """Import a CSV/XLSX/JSON file of ``kind`` whose rows must all lie in ``scope`` (empty scope
    cells are filled in); all or nothing, every problem listed with its row."""
    schema_of(kind, kinds)
    require_current(engine)
    table = read_table(path, sheet)
    found = ProblemList()
    for column, value in scope.items():
        if column not in table.frame:
            table.frame[column] = value
            continue
        cells = table.frame[column]
        table.frame[column] = cells.where(cells.notna(), value)
        for position in (cells.notna() & (cells != value)).to_numpy().nonzero()[0]:
            found.add(Problem(table.label, int(table.row_number([int(position)])[0]), column,
                              str(cells.iloc[position]),
                              f"must be {value!r}: you may import only its records"))
    found.raise_if_any()
    with transaction(engine) as session:
        validated = validate(table, TABLE_KINDS[kind], Known(session))
        return write(session, validated, actor)
