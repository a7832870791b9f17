"""The admin's work on the web: users (add, disable and enable, revoke API tokens) and imports
of any kind of table into the whole store, with every problem listed row by row.

Thin shells over :mod:`innoalliance.cli.user` and :func:`innoalliance.workflows.register.imports.
import_table_file`, the same functions the command line uses, so every change is audited alike.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError, Problem
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.web.access import require
from innoalliance.web.auth import Principal
from innoalliance.web.uploads import import_upload, problems_of
from innoalliance.workflows.accounts.users import add_user, revoke_tokens, set_active
from innoalliance.workflows.register.imports import import_table_file

Page = Callable[..., HTMLResponse]
UserName = Annotated[str, Path(max_length=64)]
Text = Annotated[str, Form(max_length=1024)]


def install(app: FastAPI, engine: Engine, page: Page, csrf: list[Any],
            users_page: Callable[..., HTMLResponse]) -> None:
    """Add the admin's user and import routes to ``app``."""

    def back() -> Response:
        return RedirectResponse("/admin/users", status_code=303)

    @app.post("/admin/users", response_class=HTMLResponse, include_in_schema=False,
              dependencies=csrf)
    def admin_user_add(request: Request,
                       user: Annotated[Principal, Depends(require("admin_user_add"))],
                       username: Annotated[str, Form(max_length=64)], role: Text,
                       password: Text, organization: Text = "", alliance: Text = "",
                       ) -> Response:
        try:
            add_user(engine, username.strip(), role, password,
                     organization=organization.strip() or None,
                     alliance=alliance.strip() or None, who=user.username)
        except InnoallianceError as exc:
            return users_page(request, 422, problems=problems_of(exc))
        return back()

    @app.post("/admin/users/{username}/active", include_in_schema=False, dependencies=csrf)
    def admin_user_active(username: UserName,
                          user: Annotated[Principal, Depends(require("admin_user_active"))],
                          active: Annotated[str, Form(pattern="^[01]$")]) -> Response:
        set_active(engine, username, active == "1", who=user.username)
        return back()

    @app.post("/admin/users/{username}/revoke", include_in_schema=False, dependencies=csrf)
    def admin_user_revoke(username: UserName,
                          user: Annotated[Principal, Depends(require("admin_user_revoke"))],
                          ) -> Response:
        revoke_tokens(engine, username, who=user.username)
        return back()

    def import_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        return page(request, "admin_import.html", status, kinds=list(TABLE_KINDS),
                    **{"result": None, "problems": [], "kind": "", **context})

    @app.get("/admin/import", response_class=HTMLResponse, include_in_schema=False)
    def admin_import_form(request: Request,
                          _user: Annotated[Principal, Depends(require("admin_import_form"))],
                          ) -> HTMLResponse:
        return import_page(request)

    @app.post("/admin/import", response_class=HTMLResponse, include_in_schema=False,
              dependencies=csrf)
    async def admin_import(request: Request,
                           user: Annotated[Principal, Depends(require("admin_import"))],
                           kind: Annotated[str, Form(max_length=32)],
                           file: Annotated[UploadFile, File()]) -> HTMLResponse:
        if kind not in TABLE_KINDS:
            return import_page(request, 422, kind=kind, problems=[Problem(
                "form", None, "kind", kind, f"use one of: {', '.join(TABLE_KINDS)}")])
        result, problems = await import_upload(file, lambda path: import_table_file(
            engine, kind, path, who=user.username))
        return import_page(request, 422 if problems else 200, result=result,
                           problems=problems, kind=kind)

