"""What every route reaches through its request: the store's engine and the sessions
(``app.state``, set by :func:`innoalliance.web.app.create_app`), the page language, the page
rendering and the checks every request or every form passes (no NUL, the CSRF token).

Handlers take these as FastAPI dependencies (:data:`EngineDep`, :data:`LangDep`) or call them
with their ``request`` (:func:`render`, :func:`page`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import AfterValidator, BeforeValidator
from sqlalchemy import Engine
from starlette.datastructures import URL

from innoalliance import __version__
from innoalliance.web.access import RULES, check_access
from innoalliance.web.auth import Auth
from innoalliance.web.errors import Forbidden
from innoalliance.web.i18n import COOKIE, DEFAULT_LANG, LANGS, Lang, code_label, translator

API = "/api/v1"
COOKIE_AGE = 365 * 24 * 3600
#: the dates the web takes (``as_of`` and the like): none of the registry's records is older
#: than the People's Republic, and a date past 2100 is a typing mistake
FIRST_DATE = dt.date(1949, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_env = Environment(
    loader=PackageLoader("innoalliance.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# -- shared state --------------------------------------------------------------------------------

def get_engine(request: Request) -> Engine:
    """The engine of the application's store."""
    engine: Engine = request.app.state.engine
    return engine


def get_auth(request: Request) -> Auth:
    """The application's sessions, tokens and login limit."""
    auth: Auth = request.app.state.auth
    return auth


EngineDep = Annotated[Engine, Depends(get_engine)]


def is_api(request: Request) -> bool:
    """Whether the request is one of the JSON API (errors answer in JSON, not as a page)."""
    return request.url.path.startswith(API)


# -- language ------------------------------------------------------------------------------------

def lang_of(request: Request) -> Lang:
    """The page language: ``?lang=``, else the cookie, else Chinese."""
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
    return lang or lang_of(request)


LangDep = Annotated[Lang, Depends(page_lang)]


# -- pages ---------------------------------------------------------------------------------------

def relative(url: URL) -> str:
    """``url`` without scheme and host, so that links stay on whatever host serves the page."""
    return url.path + (f"?{url.query}" if url.query else "")


def render(request: Request, template: str, lang: Lang, status: int = 200,
           **context: Any) -> HTMLResponse:
    """``template`` in ``lang`` (the choice kept in a cookie when asked for in the URL); the
    header shows who is signed in unless ``context`` gives the ``user``."""
    other: Lang = "en" if lang == "zh" else "zh"
    if "user" not in context:  # public pages: who is signed in, for the header
        context["user"] = get_auth(request).current(request)
    html = _env.get_template(template).render(
        t=translator(lang), v=lambda code: code_label(code, lang), lang=lang,
        version=__version__, request=request,
        switch_url=relative(request.url.include_query_params(lang=other)), **context)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_AGE, samesite="lax")
    return response


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the signed-in part: rendered with the user and the session's CSRF token for
    its forms, and the session cookie written if the session changed."""
    auth = get_auth(request)
    response = render(request, template, lang_of(request), status, user=auth.current(request),
                      csrf=auth.csrf_token(request), **context)
    auth.write_cookie(request, response)
    return response


# -- checks --------------------------------------------------------------------------------------

def iso_date(value: object) -> object:
    """A date written other than ``YYYY-MM-DD`` refused with a ``ValueError`` (422): pydantic
    would read ``0`` or ``20200101`` as a Unix time, a date nobody meant."""
    if isinstance(value, str | int | float) and not (
            isinstance(value, str) and ISO_DATE.fullmatch(value.strip())):
        raise ValueError("date must be written YYYY-MM-DD, e.g. 2024-06-30")
    return value


def date_in_range(value: dt.date | None) -> dt.date | None:
    """``value`` if between :data:`FIRST_DATE` and :data:`LAST_DATE` (or ``None``), else a
    ``ValueError`` that the request's validation answers with 422."""
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"date must be between {FIRST_DATE.isoformat()} and "
                         f"{LAST_DATE.isoformat()}")
    return value


#: a date (or none) the web takes: written YYYY-MM-DD, within :data:`FIRST_DATE` ..
#: :data:`LAST_DATE`
DateInRange = Annotated[dt.date | None, BeforeValidator(iso_date),
                        AfterValidator(date_in_range)]


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


async def check_csrf(request: Request) -> AsyncIterator[None]:
    """Refuse (403) any POST whose form lacks the session's CSRF token; before its body is read,
    refuse a user the route's access rule does not admit (no upload of anyone else is parsed,
    let alone spooled to disk). The form is closed (its spooled files removed) after the
    handler."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        yield
        return
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    if isinstance(name, str) and name in RULES:
        check_access(name, request)
    auth = get_auth(request)
    form = await request.form()
    try:
        if not auth.csrf_ok(request, form.get("csrf")):
            raise Forbidden("csrf_failed")
        request.state.form = form  # for handlers whose fields depend on the path (records)
        yield
    finally:
        await form.close()


#: the dependencies of every POST form route
CSRF = [Depends(check_csrf)]
