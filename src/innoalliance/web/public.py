"""The public, read-only part (Chinese or English pages and the ``/api/v1`` JSON API, both thin
shells over :mod:`innoalliance.web.queries`): home, registry, alliance page, map, board, and the
API's alliances, regions, offers and needs; also plotly.js and the Swagger UI page, served from
their installed packages (no CDN).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from plotly.offline import get_plotlyjs

from innoalliance.model.vocab import AllianceKind, RegionLevel, Stage
from innoalliance.reports.html import figure_html
from innoalliance.web import queries
from innoalliance.web.cache import store_cache
from innoalliance.web.context import API, EngineDep, LangDep, render
from innoalliance.web.routing import Routes
from innoalliance.web.schemas import (
    AllianceDetail,
    AlliancePage,
    ErrorOut,
    KnowledgePage,
    RegionPage,
)

SWAGGER = "/static/swagger"
ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}
Name = Annotated[str, Path(max_length=200)]
Search = Annotated[str | None, Query(max_length=200)]

routes = Routes()


@functools.cache
def plotly_js() -> str:
    """plotly.js of the installed plotly package, read once."""
    return str(get_plotlyjs())


def alliance_filter(
    q: Annotated[str | None, Query(max_length=200,
                                   description="substring of the Chinese or English name")] = None,
    industry: Annotated[str | None, Query(max_length=32, description="industry code")] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{1,6}$",
                                        description="host region code prefix")] = None,
    kind: AllianceKind | None = None,
    batch: Annotated[int | None, Query(ge=1, le=1000)] = None,
    stage: Stage | None = None,
    sort: Annotated[queries.Sort, Query(description="name, year or batch; '-' descends")] = "name",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> queries.AllianceFilter:
    """The registry's query parameters, validated."""
    return queries.AllianceFilter(q=q, industry=industry, region=region,
                                  kind=kind.value if kind else None, batch=batch,
                                  stage=stage.value if stage else None, sort=sort, page=page)


FilterDep = Annotated[queries.AllianceFilter, Depends(alliance_filter)]


# -- assets --------------------------------------------------------------------------------------

@routes.get("/static/plotly.min.js", include_in_schema=False)
def plotly_script() -> Response:
    """plotly.js, cached by browsers for a day."""
    return Response(plotly_js(), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


@routes.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def swagger_ui_html(request: Request) -> HTMLResponse:
    """The Swagger UI of the API, its scripts and styles served by the app itself."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json", title="innoalliance API",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png")


# -- pages ---------------------------------------------------------------------------------------

@routes.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, lang: LangDep, engine: EngineDep) -> HTMLResponse:
    """The home page: what the registry holds."""
    return render(request, "home.html", lang, counts=queries.counts(engine))


@routes.get("/alliances", response_class=HTMLResponse, include_in_schema=False)
def registry(request: Request, lang: LangDep, f: FilterDep, engine: EngineDep) -> HTMLResponse:
    """The registry: search, filters, sort and pages."""
    total, rows = queries.search_alliances(engine, f)
    names = queries.industries(engine)
    hosts = queries.region_names(engine, {r["host_region"] for r in rows})
    return render(
        request, "alliances.html", lang, f=f, total=total, rows=rows,
        industry_names=names, host_names=hosts, industries=queries.used_industries(engine),
        kinds=[k.value for k in AllianceKind], stages=[s.value for s in Stage],
        pager=queries.pager(request, f.page, total, queries.PAGE_SIZE))


@routes.get("/alliances/{name}", response_class=HTMLResponse, include_in_schema=False)
def alliance_page(request: Request, lang: LangDep, name: Name, engine: EngineDep,
                  page: queries.PageNumber = 1) -> HTMLResponse:
    """One alliance: members, projects, outputs (a page of each) and grade."""
    record = queries.alliance_detail(engine, name, queries.Paging.page(page))
    most = max(record["members_total"], record["projects_total"], record["outputs_total"])
    return render(request, "alliance.html", lang, a=record,
                  pager=queries.pager(request, page, most),
                  industry_names=queries.industries(engine),
                  host_names=queries.region_names(engine, {record["host_region"]}))


@routes.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, lang: LangDep, engine: EngineDep) -> HTMLResponse:
    """The map of the alliances' host regions (kept while the store is unchanged)."""

    def drawn() -> tuple[str | None, list[dict[str, Any]], list[str]]:
        figure, table, off_map = queries.host_map(engine, lang)
        return (figure_html(figure) if figure is not None else None), table, off_map

    html, table, off_map = store_cache(engine).get(("map", lang), drawn)
    return render(request, "map.html", lang, table=table, off_map=off_map, figure=html)


@routes.get("/board", response_class=HTMLResponse, include_in_schema=False)
def board(request: Request, lang: LangDep, engine: EngineDep, q: Search = None,
          page: queries.PageNumber = 1) -> HTMLResponse:
    """The board of technology offers and needs, :data:`queries.DEFAULT_LIMIT` of each a page
    (issue 16 item 9)."""
    window = queries.Paging.page(page)
    offers_total, offers = queries.knowledge(engine, "offers", q, window)
    needs_total, needs = queries.knowledge(engine, "needs", q, window)
    return render(request, "board.html", lang, q=q or "", offers=offers, needs=needs,
                  offers_total=offers_total, needs_total=needs_total,
                  industry_names=queries.industries(engine),
                  pager=queries.pager(request, page, max(offers_total, needs_total)))


# -- API -----------------------------------------------------------------------------------------

@routes.get(f"{API}/alliances", response_model=AlliancePage, tags=["alliances"],
            responses=ERRORS)
def api_alliances(
    f: FilterDep, engine: EngineDep,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT, description=(
        f"rows to answer, at most {queries.MAX_LIMIT} (default {queries.PAGE_SIZE})"))
    ] = queries.PAGE_SIZE,
    offset: Annotated[int | None, Query(ge=0, le=queries.MAX_OFFSET, description=(
        "rows to skip (0-based); instead of page"))] = None,
) -> dict[str, Any]:
    """The registry: search, filters, sort, and ``limit`` (20 unless asked, at most 200) from
    ``offset`` (or from ``page``) on, with the ``total``."""
    f = dataclasses.replace(f, limit=limit, offset=offset)
    total, rows = queries.search_alliances(engine, f)
    return {"total": total, "limit": f.limit, "offset": f.start,
            "page": f.start // f.limit + 1, "page_size": f.limit, "items": rows}


@routes.get(f"{API}/alliances/{{name}}", response_model=AllianceDetail, tags=["alliances"],
            responses={404: {"model": ErrorOut}, **ERRORS})
def api_alliance(name: Name, engine: EngineDep, window: queries.PagingDep) -> dict[str, Any]:
    """One alliance: members, projects, outputs (of each ``limit``, at most 200, from
    ``offset`` on, and the totals) and latest activity grade."""
    return queries.alliance_detail(engine, name, window)


@routes.get(f"{API}/regions", response_model=RegionPage, tags=["regions"],
            responses=ERRORS)
def api_regions(engine: EngineDep, window: queries.PagingDep, level: RegionLevel | None = None,
                ) -> dict[str, Any]:
    """GB/T 2260 regions, optionally of one level, in code order: ``limit`` (at most
    200) from ``offset`` on, and the ``total``."""
    return queries.page_of(*queries.regions(engine, level.value if level else None, window), window)


@routes.get(f"{API}/offers", response_model=KnowledgePage, tags=["board"],
            responses=ERRORS)
def api_offers(engine: EngineDep, window: queries.PagingDep, q: Search = None) -> dict[str, Any]:
    """Technology offers (title or organization name containing ``q``) by title: ``limit``
    (at most 200) from ``offset`` on, and the ``total``."""
    return queries.page_of(*queries.knowledge(engine, "offers", q, window), window)


@routes.get(f"{API}/needs", response_model=KnowledgePage, tags=["board"],
            responses=ERRORS)
def api_needs(engine: EngineDep, window: queries.PagingDep, q: Search = None) -> dict[str, Any]:
    """Technology needs (title or organization name containing ``q``) by title: ``limit``
    (at most 200) from ``offset`` on, and the ``total``."""
    return queries.page_of(*queries.knowledge(engine, "needs", q, window), window)
