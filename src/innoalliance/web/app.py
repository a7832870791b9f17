"""The FastAPI application: public, read-only pages (Chinese or English) and the ``/api/v1``
JSON API, both thin shells over :mod:`innoalliance.web.queries`.

Pages are rendered on the server with Jinja2; the only script is plotly.js, served from the
installed plotly package (no CDN), and maps are drawn from stored boundaries without tiles.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from plotly.offline import get_plotlyjs
from sqlalchemy import Engine
from starlette.datastructures import URL
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from innoalliance import __version__
from innoalliance.errors import InnoallianceError, StoreError, UnknownReference
from innoalliance.model.vocab import AllianceKind, RegionLevel, Stage
from innoalliance.reports.html import figure_html
from innoalliance.store.engine import make_engine
from innoalliance.web import queries
from innoalliance.web.cache import store_cache
from innoalliance.web.i18n import COOKIE, DEFAULT_LANG, LANGS, Lang, code_label, translator
from innoalliance.web.private import install as install_private
from innoalliance.web.schemas import AllianceDetail, AlliancePage, ErrorOut, KnowledgeOut, RegionOut

API = "/api/v1"
SWAGGER = "/static/swagger"
COOKIE_AGE = 365 * 24 * 3600

_env = Environment(
    loader=PackageLoader("innoalliance.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@functools.cache
def plotly_js() -> str:
    """plotly.js of the installed plotly package, read once."""
    return str(get_plotlyjs())


class DropEmptyQuery:
    """ASGI middleware: drop ``name=`` pairs with an empty value from the query string of the
    pages, so that an HTML form's blank fields mean "no filter" rather than a bad value. The API
    keeps them: there an empty value is refused (422) as its OpenAPI document says."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its empty query parameters removed."""
        if (scope["type"] == "http" and scope.get("query_string")
                and not str(scope.get("path", "")).startswith(API)):
            pairs = scope["query_string"].split(b"&")
            kept = [p for p in pairs if p and not p.endswith(b"=")]
            scope = {**scope, "query_string": b"&".join(kept)}
        await self.app(scope, receive, send)


def _lang_of(request: Request) -> Lang:
    asked = request.query_params.get("lang")
    for lang in LANGS:
        if asked == lang:
            return lang
    cookie = request.cookies.get(COOKIE)
    for lang in LANGS:
        if cookie == lang:
            return lang
    return DEFAULT_LANG


def page_lang(request: Request,
              lang: Annotated[Literal["zh", "en"] | None,
                              Query(description="page language, kept in a cookie")] = None,
              ) -> Lang:
    """The page language: ``?lang=``, else the cookie, else Chinese."""
    return lang or _lang_of(request)


LangDep = Annotated[Lang, Depends(page_lang)]


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


def refuse_nul(request: Request) -> None:
    """Refuse (422) a path or query value holding a NUL character: no stored text can hold one
    (PostgreSQL refuses NUL in text outright), so such a value names nothing on any backend.
    A dependency of every route of the app."""
    where = [("path", k, v) for k, v in request.path_params.items()]
    where += [("query", k, v) for k, v in request.query_params.multi_items()]
    errors = [{"type": "string_pattern_mismatch", "loc": (kind, key), "input": value,
               "msg": "String should not contain a NUL character"}
              for kind, key, value in where if isinstance(value, str) and "\x00" in value]
    if errors:
        raise RequestValidationError(errors)


def _relative(url: URL) -> str:
    """``url`` without scheme and host, so that links stay on whatever host serves the page."""
    return url.path + (f"?{url.query}" if url.query else "")


def _validation_message(errors: list[Any]) -> str:
    parts = []
    for error in errors:
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path"))
        got = error.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int) else ""
        parts.append(f"{where}: {error.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "invalid request"


def create_app(engine_url: str) -> FastAPI:
    """The web application over the store at ``engine_url`` (one engine, disposed on shutdown)."""
    engine: Engine = make_engine(engine_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="innoalliance", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # /docs below serves its assets itself
                  dependencies=[Depends(refuse_nul)],
                  description="The public registry of industrial technology innovation "
                              "alliances, their members, projects and outputs, and the "
                              "technology offers and needs board; for signed-in users (session "
                              "or `Authorization: Bearer TOKEN`) their records, written through "
                              "the import rules with version checks, and the committee's "
                              "sharing runs and allocation ledger.")
    app.state.engine = engine
    app.add_middleware(DropEmptyQuery)

    def render(request: Request, template: str, lang: Lang, status: int = 200,
               **context: Any) -> HTMLResponse:
        other: Lang = "en" if lang == "zh" else "zh"
        if "user" not in context:  # public pages: who is signed in, for the header
            context["user"] = request.app.state.auth.current(request)
        html = _env.get_template(template).render(
            t=translator(lang), v=lambda code: code_label(code, lang), lang=lang,
            version=__version__, request=request,
            switch_url=_relative(request.url.include_query_params(lang=other)), **context)
        response = HTMLResponse(html, status_code=status)
        if request.query_params.get("lang") == lang:
            response.set_cookie(COOKIE, lang, max_age=COOKIE_AGE, samesite="lax")
        return response

    def error(request: Request, status: int, title_key: str, message: str,
              hint: str | None = None, suggestion: str | None = None,
              error_type: str = "Error") -> Response:
        if request.url.path.startswith(API):
            body: dict[str, Any] = {"error": error_type, "message": message, "hint": hint}
            if suggestion is not None:
                body["suggestion"] = suggestion
            return JSONResponse(body, status_code=status)
        return render(request, "error.html", _lang_of(request), status, title_key=title_key,
                      message=message, hint=hint, suggestion=suggestion)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        message = _validation_message(list(exc.errors()))
        if request.url.path.startswith(API):
            return JSONResponse({"error": "ValidationError", "message": message,
                                 "detail": jsonable_encoder(exc.errors())}, status_code=422)
        return error(request, 422, "bad_request", message)

    @app.exception_handler(UnknownReference)
    async def unknown(request: Request, exc: UnknownReference) -> Response:
        return error(request, 404, "not_found", exc.message, exc.hint, exc.closest,
                     type(exc).__name__)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, exc: StoreError) -> Response:
        return error(request, 503, "unavailable", exc.message, exc.hint,
                     error_type=type(exc).__name__)

    @app.exception_handler(InnoallianceError)
    async def user_error(request: Request, exc: InnoallianceError) -> Response:
        return error(request, 422, "bad_request", exc.message, exc.hint,
                     error_type=type(exc).__name__)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = "not_found" if exc.status_code == 404 else "bad_request"
        return error(request, exc.status_code, key, str(exc.detail),
                     error_type="HTTPException")

    # -- pages ---------------------------------------------------------------------------------

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_script() -> Response:
        return Response(plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def swagger_ui_html() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title="innoalliance API",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, lang: LangDep) -> HTMLResponse:
        return render(request, "home.html", lang, counts=queries.counts(engine))

    @app.get("/alliances", response_class=HTMLResponse, include_in_schema=False)
    def registry(request: Request, lang: LangDep, f: FilterDep) -> HTMLResponse:
        total, rows = queries.search_alliances(engine, f)
        names = queries.industries(engine)
        hosts = queries.region_names(engine, {r["host_region"] for r in rows})
        pages = max(1, -(-total // queries.PAGE_SIZE))
        url = request.url
        return render(
            request, "alliances.html", lang, f=f, total=total, rows=rows, pages=pages,
            industry_names=names, host_names=hosts, industries=queries.used_industries(engine),
            kinds=[k.value for k in AllianceKind], stages=[s.value for s in Stage],
            previous=_relative(url.include_query_params(page=f.page - 1)) if f.page > 1 else None,
            next=_relative(url.include_query_params(page=f.page + 1)) if f.page < pages else None)

    @app.get("/alliances/{name}", response_class=HTMLResponse, include_in_schema=False)
    def alliance_page(request: Request, lang: LangDep,
                      name: Annotated[str, Path(max_length=200)]) -> HTMLResponse:
        record = queries.alliance_detail(engine, name)
        return render(request, "alliance.html", lang, a=record,
                      industry_names=queries.industries(engine),
                      host_names=queries.region_names(
                          engine, {record["host_region"]}))

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, lang: LangDep) -> HTMLResponse:
        def drawn() -> tuple[str | None, list[dict[str, Any]], list[str]]:
            figure, table, off_map = queries.host_map(engine, lang)
            return (figure_html(figure) if figure is not None else None), table, off_map

        html, table, off_map = store_cache(engine).get(("map", lang), drawn)
        return render(request, "map.html", lang, table=table, off_map=off_map,
                      figure=html)

    @app.get("/board", response_class=HTMLResponse, include_in_schema=False)
    def board(request: Request, lang: LangDep,
              q: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
        return render(request, "board.html", lang, q=q or "",
                      offers=queries.knowledge(engine, "offers", q),
                      needs=queries.knowledge(engine, "needs", q),
                      industry_names=queries.industries(engine))

    # -- API -----------------------------------------------------------------------------------

    errors: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}}

    @app.get(f"{API}/alliances", response_model=AlliancePage, tags=["alliances"],
             responses=errors)
    def api_alliances(f: FilterDep) -> dict[str, Any]:
        """The registry: search, filters, sort and pages of 20."""
        total, rows = queries.search_alliances(engine, f)
        return {"total": total, "page": f.page, "page_size": queries.PAGE_SIZE, "items": rows}

    @app.get(f"{API}/alliances/{{name}}", response_model=AllianceDetail, tags=["alliances"],
             responses={404: {"model": ErrorOut}, **errors})
    def api_alliance(name: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
        """One alliance: members, projects, outputs and latest activity grade."""
        return queries.alliance_detail(engine, name)

    @app.get(f"{API}/regions", response_model=list[RegionOut], tags=["regions"],
             responses=errors)
    def api_regions(level: RegionLevel | None = None) -> list[dict[str, Any]]:
        """GB/T 2260 regions, optionally of one level."""
        return queries.regions(engine, level.value if level else None)

    @app.get(f"{API}/offers", response_model=list[KnowledgeOut], tags=["board"],
             responses=errors)
    def api_offers(q: Annotated[str | None, Query(max_length=200)] = None,
                   ) -> list[dict[str, Any]]:
        """Technology offers (title or organization name containing ``q``)."""
        return queries.knowledge(engine, "offers", q)

    @app.get(f"{API}/needs", response_model=list[KnowledgeOut], tags=["board"],
             responses=errors)
    def api_needs(q: Annotated[str | None, Query(max_length=200)] = None,
                  ) -> list[dict[str, Any]]:
        """Technology needs (title or organization name containing ``q``)."""
        return queries.knowledge(engine, "needs", q)

    install_private(app, engine, render, _lang_of)

    # after /static/plotly.min.js, so that route wins; Swagger UI's files from its package
    app.mount(SWAGGER, StaticFiles(directory=swagger_ui_path), name="swagger_static")
    app.mount("/static", StaticFiles(packages=[("innoalliance.web", "static")]), name="static")
    return app
