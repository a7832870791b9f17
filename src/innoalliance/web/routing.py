"""The route table of an area of the web (public, account, records, ...): its module-level
handlers are registered with ``@routes.get(path, ...)`` / ``@routes.post(path, ...)`` as on an
``APIRouter``, and :meth:`Routes.add_to` adds each of them straight onto the app.

Not an ``APIRouter`` with ``app.include_router``: FastAPI keeps an included router as one entry
of ``app.routes``, and the access rules (:data:`innoalliance.web.access.RULES`) are checked
against ``app.routes`` route by route; added to the app itself, every route is listed there and
gets the app's dependencies like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI
from starlette.routing import compile_path

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Route:
    """One registered handler: its path, method and the options of ``add_api_route``."""

    path: str
    method: str
    handler: Callable[..., Any]
    options: dict[str, Any]


class Routes:
    """The routes of one area, in the order registered."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, path: str, method: str, **options: Any) -> Callable[[F], F]:
        """Register the decorated handler for ``method`` on ``path``; it stays as it is."""

        def register(handler: F) -> F:
            self.routes.append(Route(path, method, handler, options))
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        """Register the decorated handler for GET on ``path``."""
        return self.route(path, "GET", **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        """Register the decorated handler for POST on ``path``."""
        return self.route(path, "POST", **options)

    def add_to(self, app: FastAPI) -> None:
        """Add every route to ``app``, named after its handler unless ``name=`` says."""
        for route in self.routes:
            add_route(app, route.path, route.handler, route.method, dict(route.options))


def add_route(app: FastAPI, path: str, handler: Callable[..., Any], method: str,
              options: dict[str, Any]) -> None:
    """Add one route to ``app``; the option ``slashes`` (names of path parameters) lets those
    parameters hold "/" (a record's key such as "TCP/IP 协议栈"), as Starlette's ``path``
    convertor does, while the route's ``path`` keeps the plain ``{name}`` form."""
    slashes: tuple[str, ...] = options.pop("slashes", ())
    app.add_api_route(path, handler, methods=[method], **options)
    if slashes:
        added: Any = app.router.routes[-1]
        full = added.path
        for param in slashes:
            full = full.replace(f"{{{param}}}", f"{{{param}:path}}")
        added.path_regex, added.path_format, added.param_convertors = compile_path(full)
