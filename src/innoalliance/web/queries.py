"""The public reads behind the web pages and the API: only registry, members, projects, outputs,
grades, regions and the offers/needs board (never commitments, contributions, ratings or audit).

Filtering happens in SQL; sorting and paging of the registry in Python, so that names sort by
code point on every backend (PostgreSQL collations would order Chinese differently). Every other
list (the board's offers and needs, the regions, an alliance's members, projects and outputs,
and through :func:`window` the runs, users and audit log) is sorted and paged in SQL (issue 16
item 9): at most :data:`MAX_LIMIT` rows a request (:class:`Paging`, :data:`PagingDep`), ``ORDER
BY`` code point on both backends; pages show :func:`pager` with ``_pager.html``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pandas as pd
import shapely
from fastapi import Depends, Query, Request
from plotly import graph_objects as go
from sqlalchemy import ColumnElement, Engine, Select, String, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

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
from innoalliance.web.context import relative
from innoalliance.workflows.evaluate.store import evaluate

PAGE_SIZE = 20
#: rows of a list the API answers unless asked for fewer (``limit``), and the most it answers
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: the furthest ``offset`` a list may be read from (deeper pages: narrow the search instead)
MAX_OFFSET = 1_000_000
Sort = Literal["name", "-name", "year", "-year", "batch", "-batch"]
ACTIVITY_SYSTEM = "alliance_activity"
ROLE_ORDER = {role.value: k for k, role in enumerate(MemberRole)}


class BadQuery(InnoallianceError, ValueError):
    """A query value that passes its type but names nothing known (shown as 422)."""


@dataclass(frozen=True)
class Paging:
    """A window of a list: ``limit`` rows (1 to :data:`MAX_LIMIT`) from ``offset`` (0-based)."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    @classmethod
    def page(cls, number: int, size: int = DEFAULT_LIMIT) -> Paging:
        """Page ``number`` (1-based) of ``size`` rows."""
        return cls(size, (number - 1) * size)


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=(
        f"rows to answer, at most {MAX_LIMIT} (default {DEFAULT_LIMIT})"))] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip (0-based)")] = 0,
) -> Paging:
    """A list's window (``limit`` and ``offset``), validated: the API's paging parameters."""
    return Paging(limit, offset)


#: the API's ``limit`` and ``offset`` parameters (``limit`` at most :data:`MAX_LIMIT`)
PagingDep = Annotated[Paging, Depends(paging)]
#: a page's ``page`` parameter (1-based, :data:`DEFAULT_LIMIT` rows a page)
PageNumber = Annotated[int, Query(alias="page", ge=1, le=MAX_OFFSET // DEFAULT_LIMIT,
                                  description="page (1-based)")]


def page_of(total: int, rows: list[dict[str, Any]], p: Paging) -> dict[str, Any]:
    """The API's answer of a paged list: ``{total, limit, offset, items}``."""
    return {"total": total, "limit": p.limit, "offset": p.offset, "items": rows}


def pager(request: Request, number: int, total: int, size: int = DEFAULT_LIMIT,
          ) -> dict[str, Any]:
    """What ``_pager.html`` shows for page ``number`` of ``total`` rows: the page, how many
    pages, and the links to the previous and next ones (``None`` at either end)."""
    pages = max(1, -(-total // size))
    url = request.url
    return {"page": number, "pages": pages, "total": total,
            "previous": relative(url.include_query_params(page=number - 1)) if number > 1
            else None,
            "next": relative(url.include_query_params(page=number + 1)) if number < pages
            else None}


def _codepoint(engine: Engine, column: Any) -> Any:
    """``column`` ordered by code point: SQLite's default, PostgreSQL's ``"C"`` collation (text
    columns only; anything else, e.g. ``id.desc()``, as given)."""
    if engine.dialect.name == "postgresql" and isinstance(getattr(column, "type", None), String):
        return column.collate("C")
    return column


def window(engine: Engine, query: Select[*tuple[Any, ...]], paging: Paging,
           order: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any] | Any],
           ) -> tuple[int, list[dict[str, Any]]]:
    """The total rows of ``query`` and the rows of ``paging``, ordered by ``order`` (text by
    code point; the order must be total, e.g. end with a key), both counted and cut in the
    database."""
    total_query = select(func.count()).select_from(query.order_by(None).subquery())
    rows_query = (query.order_by(*(_codepoint(engine, c) for c in order))
                  .limit(paging.limit).offset(paging.offset))
    with engine.connect() as conn:
        total = int(conn.execute(total_query).scalar_one())
        rows = [dict(r) for r in conn.execute(rows_query).mappings()]
    return total, rows


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
    #: rows a page (at most :data:`MAX_LIMIT`), and where to start instead of ``page``
    limit: int = PAGE_SIZE
    offset: int | None = None

    @property
    def start(self) -> int:
        """The first row (0-based) answered: ``offset`` if given, else ``page``'s first."""
        return self.offset if self.offset is not None else (self.page - 1) * self.limit


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
    return len(rows), rows[f.start:f.start + f.limit]


def _did_you_mean(value: str, candidates: list[str]) -> str | None:
    near = closest(value, candidates)
    return f"did you mean {near!r}?" if near else None


def alliance_names(engine: Engine) -> list[str]:
    """Every alliance's Chinese name."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(Alliance.name_zh)).scalars())


def alliance_detail(engine: Engine, name: str, paging: Paging | None = None,
                    ) -> dict[str, Any]:
    """One alliance's public record: summary, the ``paging`` window of each of its members (by
    role, then name), projects (by start) and outputs (by date) with how many of each there
    are (``members_total`` ...), and its activity grade (issue 16 item 9: cut in the database).

    Raises :class:`UnknownReference` (with the closest name) for an unknown name.
    """
    window_ = paging or Paging()
    with engine.connect() as conn:
        row = conn.execute(select(*(getattr(Alliance, c) for c in SUMMARY))
                           .where(Alliance.name_zh == name)).mappings().first()
        if row is None:
            raise unknown(conn, "alliances", name)
    lists = {
        "members": (select(Organization.name_zh, Organization.name_en, Organization.type,
                           Membership.role)
                    .join(Organization, Organization.credit_code == Membership.organization)
                    .where(Membership.alliance == name),
                    [case(ROLE_ORDER, value=Membership.role, else_=len(ROLE_ORDER)),
                     Organization.name_zh, Organization.credit_code]),
        "projects": (select(Project.name, Project.status, Project.start, Project.end)
                     .where(Project.alliance == name),
                     [Project.start.is_(None), Project.start, Project.name, Project.id]),
        "outputs": (select(Output.name, Output.type, Output.date).where(Output.alliance == name),
                    [Output.date.is_(None), Output.date, Output.name, Output.id]),
    }
    record = dict(row)
    for key, (query, order) in lists.items():
        record[f"{key}_total"], record[key] = window(engine, query, window_, order)
    record.update(limit=window_.limit, offset=window_.offset,
                  grade=latest_grade(engine, name))
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


def regions(engine: Engine, level: str | None = None, paging: Paging | None = None,
            ) -> tuple[int, list[dict[str, Any]]]:
    """How many regions (optionally of one level) there are, and those of ``paging`` (code,
    level, parent, names, whether a boundary is stored), in code order."""
    query = select(Region.code, Region.level, Region.parent, Region.name_zh, Region.name_en,
                   Region.geometry.is_not(None).label("has_boundary"))
    if level:
        query = query.where(Region.level == level)
    return window(engine, query, paging or Paging(), [Region.code])


def knowledge(engine: Engine, which: Literal["offers", "needs"], q: str | None = None,
              paging: Paging | None = None) -> tuple[int, list[dict[str, Any]]]:
    """How many offers or needs there are, and those of ``paging`` (title, organization code
    and name, industry, keywords, date) by title and organization; ``q`` keeps those whose
    title or organization name contains it."""
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
    return window(engine, query, paging or Paging(), [model.title, model.organization])


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
