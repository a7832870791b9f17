"""The public reads behind the web pages and the API: only registry, members, projects, outputs,
grades, regions and the offers/needs board (never commitments, contributions, ratings or audit).

Filtering happens in SQL; sorting and paging of the registry in Python, so that names sort by
code point on every backend (PostgreSQL collations would order Chinese differently).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import shapely
from plotly import graph_objects as go
from sqlalchemy import Engine, func, or_, select

from innoalliance.errors import InnoallianceError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.indexsystem import load_system
from innoalliance.ingest.known import unknown
from innoalliance.model import (
    Alliance,
    Contribution,
    Event,
    Industry,
    Membership,
    Need,
    Offer,
    Organization,
    Output,
    Project,
    Region,
)
from innoalliance.model.vocab import MemberRole
from innoalliance.reports.maps import Region as MapRegion
from innoalliance.reports.maps import choropleth
from innoalliance.web.cache import store_cache
from innoalliance.workflows.evaluate.store import evaluate

PAGE_SIZE = 20
Sort = Literal["name", "-name", "year", "-year", "batch", "-batch"]
ACTIVITY_SYSTEM = "alliance_activity"
ROLE_ORDER = {role.value: k for k, role in enumerate(MemberRole)}


class BadQuery(InnoallianceError, ValueError):
    """A query value that passes its type but names nothing known (shown as 422)."""


@dataclass(frozen=True)
class AllianceFilter:
    """The registry's search, filters, sort and page."""

    q: str | None = None
    industry: str | None = None
    region: str | None = None
    kind: str | None = None
    batch: int | None = None
    stage: str | None = None
    sort: Sort = "name"
    page: int = 1


SUMMARY = ("name_zh", "name_en", "kind", "industry", "host_region", "lead", "stage", "batch",
           "approval_year", "status")


def counts(engine: Engine) -> dict[str, int]:
    """How many alliances, organizations, projects, outputs, offers and needs are public."""
    models = {"alliances": Alliance, "organizations": Organization, "projects": Project,
              "outputs": Output, "offers": Offer, "needs": Need}
    with engine.connect() as conn:
        return {k: int(conn.execute(select(func.count()).select_from(m)).scalar_one())
                for k, m in models.items()}


def industries(engine: Engine) -> dict[str, tuple[str, str]]:
    """Industry names (zh, en) by code."""
    with engine.connect() as conn:
        rows = conn.execute(select(Industry.code, Industry.name_zh, Industry.name_en)
                            .order_by(Industry.code)).all()
    return {c: (zh, en or zh) for c, zh, en in rows}


def used_industries(engine: Engine) -> list[str]:
    """Codes of the industries some alliance works in (for the filter's choices)."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(Alliance.industry).distinct()).scalars())


def region_names(engine: Engine, codes: set[str]) -> dict[str, tuple[str, str]]:
    """Region names (zh, en) by code, for ``codes``."""
    if not codes:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(Region.code, Region.name_zh, Region.name_en)
                            .where(Region.code.in_(sorted(codes)))).all()
    return {c: (zh, en or zh) for c, zh, en in rows}


def _sort_key(sort: Sort) -> Any:
    field = sort.lstrip("-")
    sign = -1 if sort.startswith("-") else 1
    if field == "name":
        return None
    column = "approval_year" if field == "year" else "batch"
    return lambda row: (row[column] is None, sign * (row[column] or 0), row["name_zh"])


def search_alliances(engine: Engine, f: AllianceFilter) -> tuple[int, list[dict[str, Any]]]:
    """The alliances matching ``f``: their total and the rows of page ``f.page``."""
    query = select(*(getattr(Alliance, c) for c in SUMMARY))
    if f.q:
        needle = f.q.strip().lower()
        query = query.where(or_(func.lower(Alliance.name_zh).contains(needle, autoescape=True),
                                func.lower(Alliance.name_en).contains(needle, autoescape=True)))
    if f.industry:
        known = industries(engine)
        if f.industry not in known:
            raise BadQuery(f"no industry {f.industry!r} is known",
                           hint=_did_you_mean(f.industry, list(known)))
        query = query.where(Alliance.industry.in_(
            select(Industry.code).where(or_(Industry.code == f.industry,
                                            Industry.parent == f.industry,
                                            Industry.maps_to == f.industry))))
    if f.region:
        query = query.where(Alliance.host_region.startswith(f.region, autoescape=True))
    if f.kind:
        query = query.where(Alliance.kind == f.kind)
    if f.batch is not None:
        query = query.where(Alliance.batch == f.batch)
    if f.stage:
        query = query.where(Alliance.stage == f.stage)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    rows.sort(key=lambda row: row["name_zh"], reverse=f.sort == "-name")
    key = _sort_key(f.sort)
    if key is not None:
        rows.sort(key=key)
    start = (f.page - 1) * PAGE_SIZE
    return len(rows), rows[start:start + PAGE_SIZE]


def _did_you_mean(value: str, candidates: list[str]) -> str | None:
    near = closest(value, candidates)
    return f"did you mean {near!r}?" if near else None


def alliance_names(engine: Engine) -> list[str]:
    """Every alliance's Chinese name."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(Alliance.name_zh)).scalars())


def alliance_detail(engine: Engine, name: str) -> dict[str, Any]:
    """One alliance's public record: summary, members, projects, outputs and activity grade.

    Raises :class:`UnknownReference` (with the closest name) for an unknown name.
    """
    with engine.connect() as conn:
        row = conn.execute(select(*(getattr(Alliance, c) for c in SUMMARY))
                           .where(Alliance.name_zh == name)).mappings().first()
        if row is None:
            raise unknown(conn, "alliances", name)
        members = conn.execute(
            select(Organization.name_zh, Organization.name_en, Organization.type,
                   Membership.role)
            .join(Organization, Organization.credit_code == Membership.organization)
            .where(Membership.alliance == name)).mappings().all()
        projects = conn.execute(
            select(Project.name, Project.status, Project.start, Project.end)
            .where(Project.alliance == name)).mappings().all()
        outputs = conn.execute(
            select(Output.name, Output.type, Output.date)
            .where(Output.alliance == name)).mappings().all()
    record = dict(row)
    record["members"] = sorted((dict(m) for m in members),
                               key=lambda m: (ROLE_ORDER.get(m["role"], 99), m["name_zh"]))
    record["projects"] = sorted((dict(p) for p in projects),
                                key=lambda p: (p["start"] or dt.date.max, p["name"]))
    record["outputs"] = sorted((dict(o) for o in outputs),
                               key=lambda o: (o["date"] or dt.date.max, o["name"]))
    record["grade"] = latest_grade(engine, name)
    return record


def ledger_year(engine: Engine) -> int | None:
    """The latest year the ledger has any record in (not after this year)."""
    columns = (Contribution.date, Output.date, Event.date, Project.start)
    with engine.connect() as conn:
        dates = [conn.execute(select(func.max(c))).scalar_one() for c in columns]
    years = [d.year if isinstance(d, dt.date) else int(str(d)[:4]) for d in dates if d]
    return min(max(years), dt.date.today().year) if years else None


def _activity(engine: Engine) -> tuple[int | None, pd.DataFrame | None]:
    """Every alliance's activity scores in the ledger's latest year (``None``: not evaluable)."""
    year = ledger_year(engine)
    if year is None:
        return None, None
    try:
        return year, evaluate(engine, load_system(ACTIVITY_SYSTEM), [year]).scores
    except InnoallianceError:
        return year, None


def latest_grade(engine: Engine, name: str) -> dict[str, Any] | None:
    """The alliance's ``alliance_activity`` grade in the ledger's latest year, or ``None`` when
    it cannot be evaluated."""
    year, scores = store_cache(engine).get("activity", lambda: _activity(engine))
    if year is None or scores is None:
        return None
    if (name, year) not in scores.index:
        return None
    score: Any = scores.at[(name, year), "score"]
    return {"system": ACTIVITY_SYSTEM, "year": year,
            "grade": str(scores.at[(name, year), "grade"]), "score": round(float(score), 4)}


def regions(engine: Engine, level: str | None = None) -> list[dict[str, Any]]:
    """Regions (code, level, parent, names, whether a boundary is stored), in code order."""
    query = select(Region.code, Region.level, Region.parent, Region.name_zh, Region.name_en,
                   Region.geometry.is_not(None).label("has_boundary")).order_by(Region.code)
    if level:
        query = query.where(Region.level == level)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def knowledge(engine: Engine, which: Literal["offers", "needs"], q: str | None = None,
              ) -> list[dict[str, Any]]:
    """The offers or needs: title, organization (code and name), industry, keywords, date;
    ``q`` keeps those whose title or organization name contains it."""
    model = Offer if which == "offers" else Need
    query = (select(model.title, model.organization,
                    Organization.name_zh.label("organization_name"), model.industry,
                    model.keywords, model.published)
             .join(Organization, Organization.credit_code == model.organization))
    if q:
        needle = q.strip().lower()
        query = query.where(or_(func.lower(model.title).contains(needle, autoescape=True),
                                func.lower(Organization.name_zh).contains(needle,
                                                                          autoescape=True)))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda r: (r["title"], r["organization"]))


def host_map(engine: Engine, lang: str) -> tuple[go.Figure | None, list[dict[str, Any]],
                                                 list[str]]:
    """Alliances counted by host city on the stored boundaries: the figure (``None`` without
    boundaries), the counts per drawn region, and the alliances whose host has no boundary."""
    with engine.connect() as conn:
        parents: dict[str, str | None] = {
            c: p for c, p in conn.execute(select(Region.code, Region.parent)).all()}
        drawn = conn.execute(select(Region.code, Region.name_zh, Region.name_en,
                                    Region.geometry)
                             .where(Region.geometry.is_not(None))
                             .order_by(Region.code)).all()
        hosts = conn.execute(select(Alliance.name_zh, Alliance.host_region)).all()
    with_boundary = {code for code, *_ in drawn}
    tally: dict[str, int] = {}
    off_map: list[str] = []
    for alliance, host in hosts:
        code: str | None = host
        while code is not None and code not in with_boundary:
            code = parents.get(code)
        if code is None:
            off_map.append(alliance)
        else:
            tally[code] = tally.get(code, 0) + 1
    names = {c: (en or zh) if lang == "en" else zh for c, zh, en, _ in drawn}
    table = [{"code": c, "name": names[c], "alliances": tally[c]} for c in sorted(tally)]
    if not drawn:
        return None, table, sorted(off_map)
    shapes = [MapRegion(c, names[c], shapely.from_geojson(g)) for c, _, _, g in drawn]
    label = "联盟数" if lang == "zh" else "alliances"
    figure = choropleth(shapes, {c: float(tally[c]) if c in tally else None
                                 for c in with_boundary}, label=label, colorscale="Blues")
    return figure, table, sorted(off_map)
