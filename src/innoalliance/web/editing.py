"""Web writes: the secretariat's editing of an alliance's commitments, without lost updates, and
the audit log behind them (browsed and exported by the admin).

Every web write runs in one transaction that also appends an :class:`AuditEntry` (action
``edit``) whose JSON ``detail`` holds the record's ``key`` (as imports write it:
``alliance | ref``) and its ``before`` and ``after`` values. A write names the ``version`` the
user saw; when the row has moved on since, nothing is written and :class:`ConflictError` says who
changed it last, taken from the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, RowMapping, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..errors import ConflictError, UnknownReference
from ..ingest.cells import closest
from ..ingest.units import parse_unit
from ..model import AuditEntry, Commitment

KIND = "commitments"
EDIT = "edit"
FIELDS = ("amount", "unit", "due", "description")
#: the dimensions of each kind of commitment (as the import rules check them)
DIMENSIONS: Mapping[str, tuple[str, ...]] = {
    "capital": ("money",), "equipment": ("money",), "ip": ("money",),
    "personnel": ("persons", "person_time"),
}
AUDIT_PAGE = 50
Translate = Callable[[str], str]


def key_text(alliance: str, ref: str) -> str:
    """The record's key as the audit log writes it (as imports do)."""
    return f"{alliance} | {ref}"


def number_text(value: float | None) -> str:
    """A stored amount as a person types it (no ``.0``, no exponent)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _values(row: Commitment) -> dict[str, Any]:
    return {"amount": row.amount, "unit": row.unit,
            "due": row.due.isoformat() if row.due else None, "description": row.description}


def load_commitment(engine: Engine, alliance: str, ref: str) -> dict[str, Any]:
    """One commitment's editable values, its kind, organization and version."""
    with Session(engine) as db:
        row = db.execute(select(Commitment).where(Commitment.alliance == alliance,
                                                  Commitment.ref == ref)).scalar_one_or_none()
        if row is None:
            refs = list(db.execute(select(Commitment.ref)
                                   .where(Commitment.alliance == alliance)).scalars())
            raise UnknownReference("commitments", ref, closest(ref, refs) if refs else None)
        return {**_values(row), "alliance": row.alliance, "ref": row.ref, "kind": row.kind,
                "organization": row.organization, "version": row.version}


@dataclass(frozen=True)
class Problem:
    """One broken rule of the edit form: the field and the label of the rule."""

    field: str
    label: str
    value: str


@dataclass(frozen=True)
class Edit:
    """Validated new values of a commitment, in the stored unit."""

    amount: float
    unit: str
    due: dt.date | None
    description: str | None
    version: int


def validate(kind: str, form: Mapping[str, str], t: Translate) -> Edit | list[Problem]:
    """The edit, or every problem of the submitted form (labels in the user's language)."""
    problems: list[Problem] = []
    amount_text = form.get("amount", "").strip()
    try:
        amount: float | None = float(amount_text.replace(",", ""))
    except ValueError:
        amount = None
    if amount is None or not amount > 0 or amount == float("inf"):
        problems.append(Problem("amount", t("edit_amount_invalid"), amount_text))
    unit_text = form.get("unit", "").strip()
    unit = parse_unit(unit_text) if unit_text else None
    if unit is None:
        problems.append(Problem("unit", t("edit_unit_unknown"), unit_text))
    elif kind in DIMENSIONS and unit.dimension not in DIMENSIONS[kind]:
        problems.append(Problem("unit", t("edit_unit_dimension").format(
            kind=kind, dimensions=", ".join(DIMENSIONS[kind])), unit_text))
    due_text = form.get("due", "").strip()
    due: dt.date | None = None
    if due_text:
        try:
            due = dt.date.fromisoformat(due_text)
        except ValueError:
            problems.append(Problem("due", t("edit_due_invalid"), due_text))
    version_text = form.get("version", "").strip()
    version = int(version_text) if version_text.isdigit() else None
    if version is None:
        problems.append(Problem("version", t("edit_version_invalid"), version_text))
    if problems:
        return problems
    assert amount is not None and unit is not None and version is not None
    description = form.get("description", "").strip() or None
    return Edit(amount * unit.factor, unit.stored, due, description, version)


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


def conflict(engine: Engine, alliance: str, ref: str, version: int, t: Translate,
             ) -> ConflictError:
    """The error telling that ``alliance | ref`` moved on to ``version``, and who moved it."""
    key = key_text(alliance, ref)
    who = last_change(engine, KIND, key)
    actor, at = who if who else (t("unknown_actor"), "")
    return ConflictError(t("conflict_message").format(key=key, actor=actor, at=at,
                                                       version=version),
                         hint=t("conflict_hint"))


def save_commitment(engine: Engine, alliance: str, ref: str, edit: Edit, actor: str,
                    t: Translate) -> dict[str, Any]:
    """Write ``edit`` and its audit entry in one transaction; :class:`ConflictError` (nothing
    written) when the row's version is no longer ``edit.version``."""
    moved: int | None = None
    saved: dict[str, Any] = {}
    try:
        with Session(engine) as db, db.begin():
            row = db.execute(select(Commitment).where(Commitment.alliance == alliance,
                                                      Commitment.ref == ref)
                             ).scalar_one_or_none()
            if row is None:
                raise UnknownReference("commitments", ref)
            if row.version != edit.version:
                moved = row.version
            else:
                before = _values(row)
                row.amount, row.unit = edit.amount, edit.unit
                row.due, row.description = edit.due, edit.description
                after = _values(row)
                db.flush()  # UPDATE ... WHERE version = seen: StaleDataError if it moved since
                db.add(AuditEntry(
                    at=dt.datetime.now(dt.UTC), actor=actor, action=EDIT, kind=KIND,
                    detail=json.dumps({"key": key_text(alliance, ref), "before": before,
                                       "after": after, "version": row.version},
                                      ensure_ascii=False, default=str)))
                saved = {**after, "version": row.version}
    except StaleDataError:
        moved = load_commitment(engine, alliance, ref)["version"]
    if moved is not None:
        raise conflict(engine, alliance, ref, moved, t)
    return saved


# -- the audit log -------------------------------------------------------------------------------

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


def audit_csv(engine: Engine, kind: str | None, actor: str | None) -> str:
    """The (filtered) audit log as CSV, newest first, with a BOM so spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "at", "actor", "action", "kind", "detail"])
    with engine.connect() as conn:
        for row in conn.execute(_audit_query(kind, actor).order_by(AuditEntry.id.desc())
                                ).mappings():
            entry = _entry(row)
            writer.writerow([entry[c] for c in ("id", "at", "actor", "action", "kind",
                                                "detail")])
    return "\ufeff" + out.getvalue()
