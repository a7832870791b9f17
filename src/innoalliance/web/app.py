"""The FastAPI application: public, read-only pages (Chinese or English) and the ``/api/v1``
JSON API, and for signed-in users their records, the committee's work and the admin's.

:func:`create_app` builds it from the routes of each area (:mod:`~innoalliance.web.public`,
:mod:`~innoalliance.web.account`, :mod:`~innoalliance.web.records`,
:mod:`~innoalliance.web.committee`, :mod:`~innoalliance.web.runs`,
:mod:`~innoalliance.web.admin`); their handlers reach the store and the sessions through the
request (:mod:`innoalliance.web.context`). Errors answer as a page, or in the API as the one JSON
shape of :func:`innoalliance.web.errors.error_response`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi import HTTPException as FastAPIHTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from innoalliance import __version__
from innoalliance.errors import ConflictError, InnoallianceError, StoreError, UnknownReference
from innoalliance.store.engine import make_engine
from innoalliance.web import account, admin, committee, public, records, runs
from innoalliance.web.auth import Auth, secret_from_env
from innoalliance.web.context import API, is_api, lang_of, page, refuse_nul, render
from innoalliance.web.errors import (
    Forbidden,
    HTTPException,
    InvalidRequest,
    LoginRequired,
    error_response,
)
from innoalliance.web.uploads import MAX_UPLOAD

DESCRIPTION = (
    "The public registry of industrial technology innovation alliances, their members, "
    "projects and outputs, and the technology offers and needs board; for signed-in users "
    "(session or `Authorization: Bearer TOKEN`) their records, written through the import "
    "rules with version checks, and the committee's sharing runs and allocation ledger.")

#: the largest request body taken (bytes): an upload of :data:`MAX_UPLOAD` and the form around it
MAX_BODY = MAX_UPLOAD + 2**20


def too_large(limit: int) -> FastAPIHTTPException:
    """The refusal (413) of a request body over ``limit`` bytes."""
    return FastAPIHTTPException(
        413, f"request body larger than {limit // 2**20} MB; split the file or use: "
             "innoalliance import")


class LimitBody:
    """ASGI middleware: refuse (413) a request whose declared ``Content-Length`` is over
    ``limit`` before anything of it is read, and stop reading a body (chunked, or longer than
    declared) as soon as it passes ``limit``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body counted, or answer 413."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.strip().isdigit() and int(declared) > self.limit:
            response = await http_error(Request(scope), too_large(self.limit))
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise too_large(self.limit)
            return message

        await self.app(scope, limited, send)


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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the application; dispose of its engine on shutdown."""
    try:
        yield
    finally:
        engine: Engine = app.state.engine
        engine.dispose()


# -- errors --------------------------------------------------------------------------------------

def answer(request: Request, exc: InnoallianceError, status: int, title_key: str) -> Response:
    """``exc`` as the API's JSON error, or as the error page titled ``title_key``."""
    if is_api(request):
        return error_response(exc, status)
    suggestion = exc.closest if isinstance(exc, UnknownReference) else None
    return render(request, "error.html", lang_of(request), status, title_key=title_key,
                  message=exc.message, hint=exc.hint, suggestion=suggestion)


async def bad_request(request: Request, exc: Exception) -> Response:
    """A request FastAPI's validation (or :func:`refuse_nul`) refused: 422."""
    assert isinstance(exc, RequestValidationError)
    return answer(request, InvalidRequest(exc.errors()), 422, "bad_request")


async def not_found(request: Request, exc: Exception) -> Response:
    """A name or code that refers to nothing known: 404 with the closest known."""
    assert isinstance(exc, UnknownReference)
    return answer(request, exc, 404, "not_found")


async def store_down(request: Request, exc: Exception) -> Response:
    """The store cannot be reached or refused: 503."""
    assert isinstance(exc, StoreError)
    request.state.principal = None  # the page's header must not ask the store who is signed in
    return answer(request, exc, 503, "unavailable")


async def store_unreachable(request: Request, exc: Exception) -> Response:
    """The database driver could not connect or lost the connection (SQLAlchemy's
    ``OperationalError`` / ``InterfaceError``): a :class:`StoreError`, 503."""
    assert isinstance(exc, OperationalError | InterfaceError)
    return await store_down(request, StoreError(
        "the store cannot be reached: " + str(exc.orig or exc).strip().splitlines()[0],
        hint="check that the database server is running and INNOALLIANCE_DB names it; "
             "try again shortly"))


async def conflict(request: Request, exc: Exception) -> Response:
    """Someone else's write came first (a version moved on, the record's head changed): 409."""
    assert isinstance(exc, ConflictError)
    return answer(request, exc, 409, "conflict")


async def user_error(request: Request, exc: Exception) -> Response:
    """Any other mistake of the user's: 422."""
    assert isinstance(exc, InnoallianceError)
    return answer(request, exc, 422, "bad_request")


async def http_error(request: Request, exc: Exception) -> Response:
    """A refusal of the framework (no such path, method not allowed, ...), with its status."""
    assert isinstance(exc, StarletteHTTPException)
    key = "not_found" if exc.status_code == 404 else "bad_request"
    return answer(request, HTTPException(str(exc.detail)), exc.status_code, key)


async def login_required(request: Request, exc: Exception) -> Response:
    """No (valid) session or token: the API answers 401, a page redirects to /login."""
    assert isinstance(exc, LoginRequired)
    if is_api(request):
        return error_response(exc, 401, headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def forbidden(request: Request, exc: Exception) -> Response:
    """Signed in, but not allowed: 403, said in the page language."""
    assert isinstance(exc, Forbidden)
    refusal = exc.in_language(lang_of(request))
    if is_api(request):
        return error_response(refusal, 403)
    return page(request, "error.html", 403, title_key="forbidden", message=refusal.message,
                hint=None, suggestion=None)


HANDLERS: dict[type[Exception], Any] = {
    RequestValidationError: bad_request, UnknownReference: not_found, StoreError: store_down,
    InnoallianceError: user_error, ConflictError: conflict, StarletteHTTPException: http_error,
    LoginRequired: login_required, Forbidden: forbidden,
    OperationalError: store_unreachable, InterfaceError: store_unreachable}


#: the areas of the web, each a module with its ``routes``, in the order they are added
AREAS = (public, account, records, committee, runs, admin)


# -- the app -------------------------------------------------------------------------------------

def create_app(engine_url: str) -> FastAPI:
    """The web application over the store at ``engine_url`` (one engine, disposed on shutdown).

    A weak session secret in ``INNOALLIANCE_SECRET`` is refused
    (:func:`~innoalliance.web.auth.secret_from_env`)."""
    secret = secret_from_env()
    app = FastAPI(title="innoalliance", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # /docs (public) serves its assets itself
                  dependencies=[Depends(refuse_nul)], description=DESCRIPTION)
    engine = make_engine(engine_url)
    app.state.engine = engine
    app.state.auth = Auth(engine, secret)
    app.add_middleware(DropEmptyQuery)
    app.add_middleware(LimitBody, limit=MAX_BODY)
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    for area in AREAS:
        area.routes.add_to(app)
    # after /static/plotly.min.js, so that route wins; Swagger UI's files from its package
    app.mount(public.SWAGGER, StaticFiles(directory=swagger_ui_path), name="swagger_static")
    app.mount("/static", StaticFiles(packages=[("innoalliance.web", "static")]), name="static")
    return app
