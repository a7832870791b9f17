"""The admin's work on the web: users (list, add, disable and enable, revoke API tokens),
imports of any kind of table into the whole store (every problem listed row by row), and the
audit log (browse with filters, export as CSV).

Thin shells over :mod:`innoalliance.workflows.accounts.users`,
:func:`innoalliance.workflows.register.imports.import_table_file` and
:mod:`innoalliance.web.audit`, the same functions the command line uses, so every change is
audited alike.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import Engine, func, select

from innoalliance.errors import InnoallianceError, Problem
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.model import ApiToken, User
from innoalliance.model.accounts import ROLES
from innoalliance.web import audit
from innoalliance.web.access import require
from innoalliance.web.auth import Principal
from innoalliance.web.context import CSRF, EngineDep, page
from innoalliance.web.queries import PageNumber, Paging, pager, window
from innoalliance.web.routing import Routes
from innoalliance.web.uploads import form_file, import_upload, problems_of
from innoalliance.workflows.accounts.users import add_user, revoke_tokens, set_active
from innoalliance.workflows.register.export import json_value
from innoalliance.workflows.register.imports import import_table_file

UserName = Annotated[str, Path(max_length=64)]
Text = Annotated[str, Form(max_length=1024)]
Kind = Annotated[str | None, Query(max_length=32)]
Actor = Annotated[str | None, Query(max_length=200)]

routes = Routes()


def list_users(engine: Engine, paging: Paging | None = None,
               ) -> tuple[int, list[dict[str, Any]]]:
    """How many users there are, and those of ``paging`` by name (never a hash), with how many
    unrevoked API tokens each holds (issue 16 item 9: cut in the database)."""
    tokens = (select(ApiToken.user, func.count().label("n"))
              .where(ApiToken.revoked.is_(False)).group_by(ApiToken.user).subquery())
    query = (select(User.username, User.role, User.organization, User.alliance, User.active,
                    User.created_at, func.coalesce(tokens.c.n, 0).label("tokens"))
             .outerjoin(tokens, tokens.c.user == User.id))
    total, rows = window(engine, query, paging or Paging(), [User.username])
    return total, [{k: json_value(v) for k, v in r.items()} for r in rows]


def _users_page(request: Request, engine: Engine, status: int = 200,
                problems: list[Problem] | None = None, number: int = 1) -> HTMLResponse:
    total, users = list_users(engine, Paging.page(number))
    return page(request, "users.html", status, users=users, roles=ROLES,
                problems=problems or [], pager=pager(request, number, total))


def _back() -> Response:
    return RedirectResponse("/admin/users", status_code=303)


def _import_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    return page(request, "admin_import.html", status, kinds=list(TABLE_KINDS),
                **{"result": None, "problems": [], "kind": "", **context})


# -- users ---------------------------------------------------------------------------------------

@routes.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def admin_users(request: Request, _user: Annotated[Principal, Depends(require("admin_users"))],
                engine: EngineDep, page_no: PageNumber = 1) -> HTMLResponse:
    """The users, a page at a time by name, with forms to add one, disable or enable one,
    revoke one's tokens."""
    return _users_page(request, engine, number=page_no)


@routes.post("/admin/users", response_class=HTMLResponse, include_in_schema=False,
             dependencies=CSRF)
def admin_user_add(request: Request,
                   user: Annotated[Principal, Depends(require("admin_user_add"))],
                   engine: EngineDep,
                   username: Annotated[str, Form(max_length=64)], role: Text,
                   password: Text, organization: Text = "", alliance: Text = "",
                   ) -> Response:
    """Add a user (the list again with the problems, if any)."""
    try:
        add_user(engine, username.strip(), role, password,
                 organization=organization.strip() or None,
                 alliance=alliance.strip() or None, who=user.username)
    except InnoallianceError as exc:
        return _users_page(request, engine, 422, problems=problems_of(exc))
    return _back()


@routes.post("/admin/users/{username}/active", include_in_schema=False, dependencies=CSRF)
def admin_user_active(username: UserName,
                      user: Annotated[Principal, Depends(require("admin_user_active"))],
                      engine: EngineDep,
                      active: Annotated[str, Form(pattern="^[01]$")]) -> Response:
    """Enable (``active=1``) or disable (``0``) a user."""
    set_active(engine, username, active == "1", who=user.username)
    return _back()


@routes.post("/admin/users/{username}/revoke", include_in_schema=False, dependencies=CSRF)
def admin_user_revoke(username: UserName,
                      user: Annotated[Principal, Depends(require("admin_user_revoke"))],
                      engine: EngineDep) -> Response:
    """Revoke every API token of a user."""
    revoke_tokens(engine, username, who=user.username)
    return _back()


# -- imports -------------------------------------------------------------------------------------

@routes.get("/admin/import", response_class=HTMLResponse, include_in_schema=False)
def admin_import_form(request: Request,
                      _user: Annotated[Principal, Depends(require("admin_import_form"))],
                      ) -> HTMLResponse:
    """The form to import a table of any kind."""
    return _import_page(request)


@routes.post("/admin/import", response_class=HTMLResponse, include_in_schema=False,
             dependencies=CSRF)
async def admin_import(request: Request,
                       user: Annotated[Principal, Depends(require("admin_import"))],
                       engine: EngineDep) -> HTMLResponse:
    """Import an uploaded table of the form's ``kind`` (its ``file``; the form is read only
    once the admin is admitted): what was written, or every problem."""
    given = request.state.form.get("kind")
    kind = given if isinstance(given, str) else ""
    file = form_file(request)
    if kind not in TABLE_KINDS:
        return _import_page(request, 422, kind=kind, problems=[Problem(
            "form", None, "kind", kind, f"use one of: {', '.join(TABLE_KINDS)}")])
    result, problems = await import_upload(file, lambda path: import_table_file(
        engine, kind, path, who=user.username))
    return _import_page(request, 422 if problems else 200, result=result, problems=problems,
                        kind=kind)


# -- audit log -----------------------------------------------------------------------------------

@routes.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def admin_audit(request: Request, _user: Annotated[Principal, Depends(require("admin_audit"))],
                engine: EngineDep, kind: Kind = None, actor: Actor = None,
                page_no: PageNumber = 1) -> HTMLResponse:
    """One page of the audit log, newest first, filtered by kind and actor."""
    total, entries = audit.audit_page(engine, kind, actor, Paging.page(page_no))
    return page(request, "audit.html", a=entries, pager=pager(request, page_no, total))


@routes.get("/admin/audit.csv", include_in_schema=False)
def admin_audit_csv(_user: Annotated[Principal, Depends(require("admin_audit_csv"))],
                    engine: EngineDep, kind: Kind = None, actor: Actor = None) -> Response:
    """The (filtered) audit log as a CSV file, complete but streamed in chunks."""
    return StreamingResponse(audit.audit_csv_chunks(engine, kind, actor), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
