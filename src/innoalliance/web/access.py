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

from innoalliance.model.accounts import ROLES
from innoalliance.web.auth import Auth, Principal
from innoalliance.web.errors import Forbidden, LoginRequired
from innoalliance.workflows.register.records import PUBLIC_KINDS

ANONYMOUS = "anonymous"
Predicate = Callable[[Principal | None, Mapping[str, Any]], bool]
Rule = frozenset[str] | Predicate

#: no sign-in needed
ANYONE: frozenset[str] = frozenset({ANONYMOUS, *ROLES})
#: any signed-in user
SIGNED_IN: frozenset[str] = frozenset(ROLES)


def of_alliance(*roles: str) -> Predicate:
    """Admin, or a user of one of ``roles`` bound to the alliance named in the path."""

    def rule(user: Principal | None, params: Mapping[str, Any]) -> bool:
        if user is None:
            return False
        return user.role == "admin" or (user.role in roles and user.alliance is not None
                                        and user.alliance == params.get("name"))

    return rule


#: the alliance's secretariat and committee see its records and ledger
own_alliance = of_alliance("secretariat", "committee")
#: only its secretariat edits them (the committee reads)
edits_alliance = of_alliance("secretariat")
#: only its committee runs and records the sharing (the secretariat sees the result)
judges_alliance = of_alliance("committee")


def reads_records(user: Principal | None, params: Mapping[str, Any]) -> bool:
    """Anyone for the public kinds (members, projects, outputs); else as :func:`own_alliance`."""
    return params.get("kind") in PUBLIC_KINDS or own_alliance(user, params)


MEMBER: frozenset[str] = frozenset({"member"})
ADMIN: frozenset[str] = frozenset({"admin"})

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
    "swagger_static": ANYONE,
    "reports_page": ANYONE,
    "report_page": ANYONE,
    "api_runs": ANYONE,
    "api_run": ANYONE,
    "login_form": ANYONE,
    "login": ANYONE,
    # signed in
    "logout": SIGNED_IN,
    "me_page": MEMBER,
    "api_me": MEMBER,
    "secretariat_page": own_alliance,
    "admin_users": ADMIN,
    # an alliance's records: the secretariat keeps them, its committee reads them
    "records_page": own_alliance,
    "record_add_form": edits_alliance,
    "record_add": edits_alliance,
    "record_edit_form": edits_alliance,
    "record_edit": edits_alliance,
    "records_import": edits_alliance,
    "api_records": reads_records,
    "api_records_write": edits_alliance,
    # a member's own offers and needs
    "my_records_page": MEMBER,
    "my_record_add_form": MEMBER,
    "my_record_add": MEMBER,
    "my_record_edit_form": MEMBER,
    "my_record_edit": MEMBER,
    "my_records_import": MEMBER,
    "api_my_records": MEMBER,
    "api_my_records_write": MEMBER,
    # the committee: sharing runs, the allocation ledger, supervision
    "allocations_page": own_alliance,
    "allocations_run": judges_alliance,
    "supervision_report": own_alliance,
    "api_allocations": own_alliance,
    "api_allocations_run": judges_alliance,
    # the audit log of every write
    "admin_user_add": ADMIN,
    "admin_user_active": ADMIN,
    "admin_user_revoke": ADMIN,
    "admin_import_form": ADMIN,
    "admin_import": ADMIN,
    "api_admin_runs": ADMIN,
    "api_admin_run": ADMIN,
    "admin_audit": ADMIN,
    "admin_audit_csv": ADMIN,
}


def allowed(route: str, user: Principal | None, params: Mapping[str, Any]) -> bool:
    """Whether ``user`` (``None``: anonymous) may use ``route`` with these path parameters."""
    rule = RULES[route]
    if isinstance(rule, frozenset):
        return (user.role if user else ANONYMOUS) in rule
    return rule(user, params)


def is_public(route: str) -> bool:
    """Whether ``route`` needs no sign-in."""
    return RULES[route] == ANYONE


def check_access(route: str, request: Request) -> Principal | None:
    """The user (``None``: anonymous) if :data:`RULES` admits them to ``route`` with the
    request's path parameters, else :class:`LoginRequired` / :class:`Forbidden`."""
    auth: Auth = request.app.state.auth
    user = auth.current(request)
    if allowed(route, user, request.path_params):
        return user
    if user is None:
        raise LoginRequired()
    raise Forbidden()


def require(route: str) -> Callable[[Request], Principal]:
    """The dependency guarding ``route``, which needs a signed-in user: that user, or
    :class:`LoginRequired` / :class:`Forbidden` as :data:`RULES` decides."""
    if route not in RULES:
        raise KeyError(f"route {route!r} has no access rule")

    def dependency(request: Request) -> Principal:
        user = check_access(route, request)
        if user is None:
            raise LoginRequired()
        return user

    return dependency


def permit(route: str) -> Callable[[Request], Principal | None]:
    """The dependency guarding ``route`` when :data:`RULES` admits anonymous visitors for some
    path parameters: the user (``None``: anonymous) or the refusal."""
    if route not in RULES:
        raise KeyError(f"route {route!r} has no access rule")

    def dependency(request: Request) -> Principal | None:
        return check_access(route, request)

    return dependency
