"""Annual returns: an alliance's yearly data submission, imported in one transaction.

Each part of the return (see :mod:`innoalliance.ingest.returns`) is validated and written by its
import kind exactly as ``innoalliance import KIND FILE`` would, in dependency order and in one
transaction: a later part may refer to what an earlier part adds (a project's participants to the
members part). Problems of every part are collected; if there is any, the transaction is rolled
back and nothing is written. A return that lands is then compared with the store, and what is
missing or inconsistent is listed as *findings* (they do not stop the import):

- ``missing_part``: an expected part is absent (an empty part means "none this year");
- ``member_not_reported``: a member of the alliance in the year absent from the members part;
- ``project_without_update``: a planned or ongoing project of the year absent from the projects
  part;
- ``outside_year``: a dated row (delivery, output, event) outside the return's year;
- ``owner_not_member``: an output owner that was not a member on the output's date;
- ``contribution_not_member``: a delivery by an organisation that was not a member on its date
  (it had left, or not yet joined);
- ``event_not_member``: an event about an organisation that is no member of the alliance.

The return's rows land in the ledger tables, so the ``alliance_activity`` index system reads them
like any other import.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import Problem, ProblemList, UnknownReference, ValidationError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.ingest.known import Known
from innoalliance.ingest.returns import PARTS, AnnualReturn, PartTable, read_return
from innoalliance.ingest.validate import Validated, validate
from innoalliance.ingest.writer import ImportResult, write
from innoalliance.model import Membership, Project
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.common import actor

OPEN_PROJECTS = ("planned", "ongoing")


def _resolve_alliance(known: Known, name: str) -> str:
    if known.has("alliances", name):
        return name
    by_name = known.names("alliances").get(name)
    if by_name:
        return by_name
    raise UnknownReference("alliances", name, closest(name, known.candidates("alliances")))


def _fill(table: PartTable, alliance: str, names: set[str], source: str,
          problems: ProblemList) -> PartTable:
    """Fill the header's alliance and source into the rows; a row of another alliance is wrong."""
    frame = table.frame.copy()
    if "alliance" in frame:
        cells = frame["alliance"]
        other = cells.notna() & ~cells.isin(names)
        for position in np.flatnonzero(other.to_numpy()):
            problems.add(Problem(table.label, int(table.row_number([int(position)])[0]), "alliance",
                                 str(cells.iloc[position]),
                                 f"not the alliance of this return ({alliance})", alliance))
        frame["alliance"] = cells.where(other, alliance)
    else:
        frame.insert(0, "alliance", alliance)
    if "source" in frame:
        frame["source"] = frame["source"].where(frame["source"].notna(), source)
    else:
        frame["source"] = source
    return PartTable(table.path, frame, table.first_row, table.numbers, table.sheet,
                     part=table.part, shared=table.shared)


def import_return(engine: Engine, path: Path, who: str | None = None) -> dict[str, Any]:
    """Validate and write every part of the annual return at ``path`` in one transaction, then
    list the findings (what is missing or inconsistent with the store)."""
    ret = read_return(path)
    require_current(engine)
    units = {"unit": ret.unit, "budget_unit": ret.unit} if ret.unit else None
    results: list[ImportResult] = []
    with transaction(engine) as session:
        alliance = _resolve_alliance(Known(session), ret.alliance)
        names = {ret.alliance, alliance}
        problems = ProblemList()
        validated: dict[str, Validated] = {}
        for part, kind in PARTS.items():
            if part not in ret.parts:
                continue
            table = _fill(ret.parts[part], alliance, names, ret.source, problems)
            if table.frame.empty:
                results.append(ImportResult(kind, table.label, 0, 0, 0, 0))
                continue
            try:
                checked = validate(table, TABLE_KINDS[kind], Known(session), units)
            except ValidationError as exc:
                problems.extend(exc.problems)
                continue
            validated[part] = checked
            if not problems.problems:  # once a part failed, nothing more is written
                results.append(write(session, checked, who or actor()))
        problems.raise_if_any(
            f"{len(problems.problems)} problem(s) in the annual return {path.name}; "
            "nothing was written", "fix the rows listed and import the return again")
        findings = _findings(session, ret, alliance, validated)
    return {
        "file": path.name,
        "alliance": alliance,
        "year": ret.year,
        "parts": [r.as_dict() for r in results],
        "missing_parts": ret.missing_parts,
        "findings": findings,
    }


def _finding(code: str, part: str | None, message: str, row: int | None = None,
             column: str | None = None, value: object = None) -> dict[str, Any]:
    return {"finding": code, "part": part, "row": row, "column": column,
            "value": None if value is None else str(value), "message": message}


def _memberships(session: Session, alliance: str) -> pd.DataFrame:
    rows = session.execute(select(Membership.organization, Membership.joined, Membership.left)
                           .where(Membership.alliance == alliance)).all()
    frame = pd.DataFrame(rows, columns=["organization", "joined", "left"])
    for column in ("joined", "left"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _member_on(members: pd.DataFrame, organization: str, day: pd.Timestamp) -> bool | None:
    """Whether ``organization`` was a member on ``day``; ``None`` if it never was."""
    spells = members[members["organization"] == organization]
    if spells.empty:
        return None
    joined = spells["joined"].isna() | (spells["joined"] <= day)
    stayed = spells["left"].isna() | (spells["left"] >= day)
    return bool((joined & stayed).any())


def _rows(checked: Validated) -> list[tuple[int, dict[str, Any]]]:
    numbers = checked.table.row_number(np.arange(len(checked.rows)))
    records = checked.rows.to_dict("records")
    return [(int(n), {str(k): v for k, v in r.items()})
            for n, r in zip(numbers, records, strict=True)]


def _findings(session: Session, ret: AnnualReturn, alliance: str,
              validated: dict[str, Validated]) -> list[dict[str, Any]]:
    year = ret.year
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    found = [_finding("missing_part", part, f"the return has no {part} part")
             for part in ret.missing_parts]
    members = _memberships(session, alliance)
    if "members" in ret.parts:
        reported = set(ret.parts["members"].frame.get("organization", pd.Series()).dropna())
        current = members[(members["joined"].isna() | (members["joined"] <= last))
                          & (members["left"].isna() | (members["left"] >= first))]
        for org in sorted(set(current["organization"]) - reported):
            found.append(_finding("member_not_reported", "members",
                                  f"{org} is a member in {year} but not in the members part",
                                  column="organization", value=org))
    if "projects" in ret.parts:
        reported = set(ret.parts["projects"].frame.get("name", pd.Series()).dropna())
        stored = session.execute(select(Project.name, Project.start, Project.end)
                                 .where(Project.alliance == alliance,
                                        Project.status.in_(OPEN_PROJECTS))).all()
        for name, start, end in stored:
            running = ((start is None or start <= last.date())
                       and (end is None or end >= first.date()))
            if running and name not in reported:
                found.append(_finding("project_without_update", "projects",
                                      f"project {name!r} is planned or ongoing in {year} but "
                                      "the return gives no status for it",
                                      column="name", value=name))
    for part, column in (("funding", "date"), ("outputs", "date"), ("events", "date")):
        if part not in validated:
            continue
        for row, record in _rows(validated[part]):
            day = record.get(column)
            if isinstance(day, dt.date) and day.year != year:
                found.append(_finding("outside_year", part, f"dated {day}, outside {year}",
                                      row, column, day))
    if "funding" in validated:
        for row, record in _rows(validated["funding"]):
            org, day = record["organization"], record["date"]
            if _member_on(members, org, pd.Timestamp(day)) is False:
                found.append(_finding("contribution_not_member", "funding",
                                      f"{org} delivered on {day} but was not a member then "
                                      "(left, or not yet joined)", row, "organization", org))
    if "outputs" in validated:
        owners = validated["outputs"].children.get("owners", pd.DataFrame())
        dates = {r["name"]: (n, r["date"]) for n, r in _rows(validated["outputs"])}
        for name, org in zip(owners.get("name", []), owners.get("item", []), strict=True):
            row, day = dates[name]
            if day is not None and _member_on(members, org, pd.Timestamp(day)) is False:
                found.append(_finding("owner_not_member", "outputs",
                                      f"{org} owns a share of {name!r} ({day}) but was not a "
                                      "member then", row, "owners", org))
    if "events" in validated:
        for row, record in _rows(validated["events"]):
            org = record.get("organization")
            if org and _member_on(members, org, pd.Timestamp(record["date"])) is None:
                found.append(_finding("event_not_member", "events",
                                      f"the event concerns {org}, which is no member of "
                                      "the alliance", row, "organization", org))
    return found
