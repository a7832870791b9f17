"""Who may use which route: the one place that decides authorization.

:data:`RULES` names every route of the application (by its route name) and says who may use it:
:data:`ANYONE` (no sign-in), a set of roles, or a predicate of the user and the route's path
parameters (for scoping: a secretariat or committee user only for their own alliance). Every
non-public route depends on :func:`require`; a test walks ``app.routes`` against this table.

Scoping of data that is not in the path (a member sees only its own organization) is by
construction: those routes take the organization from the signed-in user, never the request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request

from ..model.accounts import ROLES
from .auth import Auth, Principal

ANONYMOUS = "anonymous"
Predicate = Callable[[Principal, Mapping[str, Any]], bool]
Rule = frozenset[str] | Predicate

#: no sign-in needed
ANYONE: frozenset[str] = frozenset({ANONYMOUS, *ROLES})
#: any signed-in user
SIGNED_IN: frozenset[str] = frozenset(ROLES)


def own_alliance(user: Principal, params: Mapping[str, Any]) -> bool:
    """Admin, or the secretariat or committee of the alliance named in the path."""
    if user.role == "admin":
        return True
    return (user.role in ("secretariat", "committee") and user.alliance is not None
            and user.alliance == params.get("name"))


def edits_alliance(user: Principal, params: Mapping[str, Any]) -> bool:
    """Admin, or the secretariat of the alliance named in the path (its committee only reads:
    it sees the commitments on the secretariat page but may not open or submit the edit form)."""
    if user.role == "admin":
        return True
    return (user.role == "secretariat" and user.alliance is not None
            and user.alliance == params.get("name"))


RULES: dict[str, Rule] = {
    # public, read-only pages and API
    "home": ANYONE,
    "registry": ANYONE,
    "alliance_page": ANYONE,
    "map_page": ANYONE,
    "board": ANYONE,
    "plotly_script": ANYONE,
    "static": ANYONE,
    "api_alliances": ANYONE,
    "api_alliance": ANYONE,
    "api_regions": ANYONE,
    "api_offers": ANYONE,
    "api_needs": ANYONE,
    "openapi": ANYONE,
    "swagger_ui_html": ANYONE,
    "swagger_ui_redirect": ANYONE,
    "redoc_html": ANYONE,
    "login_form": ANYONE,
    "login": ANYONE,
    # signed in
    "logout": SIGNED_IN,
    "me_page": frozenset({"member"}),
    "api_me": frozenset({"member"}),
    "secretariat_page": own_alliance,
    "admin_users": frozenset({"admin"}),
    # web writes, and their audit log
    "commitment_edit_form": edits_alliance,
    "commitment_edit": edits_alliance,
    "admin_audit": frozenset({"admin"}),
    "admin_audit_csv": frozenset({"admin"}),
}


def allowed(route: str, user: Principal | None, params: Mapping[str, Any]) -> bool:
    """Whether ``user`` (``None``: anonymous) may use ``route`` with these path parameters."""
    rule = RULES[route]
    if isinstance(rule, frozenset):
        return (user.role if user else ANONYMOUS) in rule
    return user is not None and rule(user, params)


def is_public(route: str) -> bool:
    """Whether ``route`` needs no sign-in."""
    return RULES[route] == ANYONE


class LoginRequired(Exception):
    """No (valid) session or token: pages redirect to /login, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but this user may not do this (403); ``key`` labels the reason."""

    def __init__(self, key: str = "forbidden_message") -> None:
        super().__init__(key)
        self.key = key


def require(route: str) -> Callable[[Request], Principal]:
    """The dependency guarding ``route``: its user, or :class:`LoginRequired` / :class:`Forbidden`
    as :data:`RULES` decides."""
    if route not in RULES:
        raise KeyError(f"route {route!r} has no access rule")

    def dependency(request: Request) -> Principal:
        auth: Auth = request.app.state.auth
        user = auth.current(request)
        if allowed(route, user, request.path_params):
            assert user is not None  # only public routes admit anonymous, and they do not ask
            return user
        if user is None:
            raise LoginRequired()
        raise Forbidden()

    return dependency
