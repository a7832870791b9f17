"""Routes written once for several scopes (an alliance's records, a member's own): module-level
handlers registered on a :class:`ScopedRoutes` table, added to the app once for each
:class:`Spec`.

A handler's first parameter is the :class:`Spec`; its parameters annotated :data:`Kind`,
:data:`InScope`, :data:`User` and :data:`Reader` are declared for FastAPI as that scope's: the
``{kind}`` path parameter limited to the kinds it keeps, the dependency giving the scope, and
the access rule (:data:`~innoalliance.web.access.RULES`) of the route's name in that scope.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from fastapi import Depends, FastAPI, Path

from innoalliance.web.access import permit, require
from innoalliance.web.auth import Principal
from innoalliance.web.context import API
from innoalliance.web.routing import Routes, add_route

Scope = dict[str, str]


@dataclass(frozen=True)
class PerScope:
    """Marks a handler parameter that :class:`ScopedRoutes` declares for each scope."""

    what: str  # "kind", "scope", "user" (signed in) or "reader" (maybe anonymous)


#: the ``{kind}`` path parameter, limited to the scope's kinds
Kind = Annotated[str, PerScope("kind")]
#: the scope (an alliance, or the member's organization)
InScope = Annotated[Scope, PerScope("scope")]
#: the signed-in user the route's access rule admits
User = Annotated[Principal, PerScope("user")]
#: the user, or ``None`` for an anonymous visitor the route's access rule admits
Reader = Annotated[Principal | None, PerScope("reader")]


@dataclass(frozen=True)
class Spec:
    """One scope's routes: where they live, what they are called, what they keep."""

    page: str  # path prefix of the pages, before /{kind}
    prefix: str  # route-name prefix ("" for alliances, "my_" for the member's own)
    kinds: tuple[str, ...]
    scope: Callable[..., Scope]  # a FastAPI dependency giving the scope

    def kind_path(self) -> Any:
        """The ``{kind}`` path parameter, limited to this scope's kinds."""
        return Path(pattern=f"^({'|'.join(self.kinds)})$", description=", ".join(self.kinds))

    def name(self, route: str) -> str:
        """This scope's name of ``route`` (``records_page`` → ``my_records_page``,
        ``api_records`` → ``api_my_records``)."""
        api, rest = ("api_", route[4:]) if route.startswith("api_") else ("", route)
        return f"{api}{self.prefix}{rest}"

    def declare(self, what: str, name: str) -> Any:
        """The FastAPI declaration of a :class:`PerScope` parameter of the route ``name``."""
        if what == "kind":
            return Annotated[str, self.kind_path()]
        if what == "scope":
            return Annotated[Scope, Depends(self.scope)]
        if what == "user":
            return Annotated[Principal, Depends(require(name))]
        return Annotated[Principal | None, Depends(permit(name))]


def _for_scope(handler: Callable[..., Any], spec: Spec, name: str) -> Callable[..., Any]:
    """``handler`` given ``spec``, its :class:`PerScope` parameters declared for that scope."""
    signature = inspect.signature(handler, eval_str=True)
    params = []
    for param in list(signature.parameters.values())[1:]:  # all but ``spec``
        marks = [m for m in get_args(param.annotation)[1:] if isinstance(m, PerScope)]
        if get_origin(param.annotation) is Annotated and marks:
            param = param.replace(annotation=spec.declare(marks[0].what, name))
        params.append(param)
    endpoint = functools.partial(handler, spec)
    vars(endpoint).update(__signature__=signature.replace(parameters=params),
                          __doc__=handler.__doc__, __name__=name)
    return endpoint


class ScopedRoutes(Routes):
    """The routes of every scope: handlers registered once (``api=True``: under ``/api/v1``),
    added for each of ``specs``."""

    def __init__(self, *specs: Spec) -> None:
        super().__init__()
        self.specs = specs

    def add_to(self, app: FastAPI) -> None:
        """Add the routes of each scope to ``app`` (scope by scope, in the order registered),
        each named by :meth:`Spec.name` of its handler's name."""
        for spec in self.specs:
            for route in self.routes:
                options = dict(route.options)
                path = f"{API if options.pop('api', False) else ''}{spec.page}{route.path}"
                name = spec.name(route.handler.__name__)
                add_route(app, path, _for_scope(route.handler, spec, name), route.method,
                          {**options, "name": name})
