"""Keeping records on the web and through the API: an alliance's secretariat keeps its members,
commitments, contributions, projects, outputs and events; a member keeps its own offers and
needs.

Each scope gets the same routes (pages under ``/alliances/{name}/records/{kind}`` and
``/me/records/{kind}``, API under ``/api/v1`` with the same paths): a list, a form to add, a form
to edit (carrying the version read: a stale one is a conflict naming who changed the record), a
file import (every problem listed row by row), and JSON read and write. Everything goes through
:mod:`innoalliance.workflows.register.records`, i.e. the import validation and upsert, audited as
``edit``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from innoalliance.errors import Problem, UnknownReference, ValidationError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.ingest.schema import KindSchema
from innoalliance.ingest.writer import ImportResult
from innoalliance.model import Alliance
from innoalliance.web.access import Forbidden, LoginRequired, allowed, permit, require
from innoalliance.web.auth import Auth, Principal
from innoalliance.web.i18n import Lang, column_label, translator
from innoalliance.web.uploads import import_upload, problems_of
from innoalliance.workflows.register.records import (
    ALLIANCE_KINDS,
    OWN_KINDS,
    VERSION,
    VersionConflict,
    import_scoped_file,
    item_key,
    read_record,
    read_records,
    write_rows,
)

API = "/api/v1"
MAX_ROWS = 10_000
Page = Callable[..., HTMLResponse]
Cell = str | int | float | bool | None
Scope = dict[str, str]


class RowsIn(BaseModel):
    """Rows to write, as an import file would hold them (column → cell); a row may carry the
    ``version`` its writer read, and may leave out the scope's column (it is filled in)."""

    rows: list[dict[str, Cell]] = Field(min_length=1, max_length=MAX_ROWS)


class RecordsOut(BaseModel):
    """The records of one kind in one scope, in the import layout, each with its ``version``."""

    kind: str
    scope: dict[str, str]
    records: list[dict[str, Any]]


class ProblemOut(BaseModel):
    """One broken rule: row (1 = the first row sent), column, value, rule, closest known."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    suggestion: str | None


class WriteErrorOut(BaseModel):
    """Why nothing was written: the error, its message and hint, and every problem (422) or
    the version now stored and who changed it (409)."""

    error: str
    message: str
    hint: str | None = None
    problems: list[ProblemOut] = []
    version: int | None = None
    actor: str | None = None


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


def alliance_scope(request: Request,
                   name: Annotated[str, Path(max_length=200, description="alliance name")],
                   ) -> Scope:
    """The scope of an alliance's records: the alliance in the path (404 if unknown)."""
    engine: Engine = request.app.state.engine
    with engine.connect() as conn:
        if conn.execute(select(Alliance.id).where(Alliance.name_zh == name)).first() is None:
            names = list(conn.execute(select(Alliance.name_zh)).scalars())
            raise UnknownReference("alliances", name, closest(name, names) if names else None)
    return {"alliance": name}


def own_scope(request: Request) -> Scope:
    """The scope of a member's own records: its organization (never taken from the request)."""
    auth: Auth = request.app.state.auth
    user = auth.current(request)
    if user is None:
        raise LoginRequired()
    if user.organization is None:
        raise Forbidden()
    return {"organization": user.organization}


ALLIANCE = Spec("/alliances/{name}/records", "", ALLIANCE_KINDS, alliance_scope)
OWN = Spec("/me/records", "my_", OWN_KINDS, own_scope)


def fields(schema: KindSchema, scope: Mapping[str, str], lang: Lang) -> list[dict[str, Any]]:
    """The form fields of ``schema`` outside ``scope``: name, label, input type, choices."""
    out = []
    for col in schema.columns:
        if col.name in scope:
            continue
        kind = {"date": "date", "year": "number"}.get(col.type, "text")
        out.append({"name": col.name, "label": column_label(col.name, lang),
                    "description": col.description, "required": col.required, "input": kind,
                    "choices": [v.value for v in col.vocab] if col.vocab else None,
                    "long": col.type == "text" and col.max_length is None})
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _error_json(exc: ValidationError | VersionConflict) -> JSONResponse:
    if isinstance(exc, VersionConflict):
        return JSONResponse({"error": "VersionConflict", "message": exc.message,
                             "hint": exc.hint, "problems": [], "version": exc.version,
                             "actor": exc.actor or None}, status_code=409)
    return JSONResponse({"error": "ValidationError", "message": exc.message, "hint": exc.hint,
                         "problems": [p.as_dict() for p in exc.problems]}, status_code=422)


def install(app: FastAPI, engine: Engine, page: Page, csrf: list[Any],
            lang_of: Callable[[Request], Lang]) -> None:
    """Add the record routes of both scopes to ``app``."""
    for spec in (ALLIANCE, OWN):
        _install(app, engine, page, csrf, lang_of, spec)


def _install(app: FastAPI, engine: Engine, page: Page, csrf: list[Any],
             lang_of: Callable[[Request], Lang], spec: Spec) -> None:
    name = spec.prefix
    KindPath = Annotated[str, spec.kind_path()]
    ScopeDep = Annotated[Scope, Depends(spec.scope)]
    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": WriteErrorOut}, 403: {"model": WriteErrorOut},
        404: {"model": WriteErrorOut}, 422: {"model": WriteErrorOut}}

    def base(scope: Scope, kind: str) -> str:
        alliance = scope.get("alliance")
        return (f"/alliances/{quote(alliance)}/records/{kind}" if alliance
                else f"/me/records/{kind}")

    def can_edit(request: Request, scope: Scope) -> bool:
        auth: Auth = request.app.state.auth
        return allowed(f"{name}record_edit", auth.current(request),
                       {"name": scope.get("alliance", "")})

    def form_page(request: Request, kind: str, scope: Scope, values: Mapping[str, str],
                  key: str | None, status: int = 200, problems: list[Problem] | None = None,
                  conflict: str | None = None, saved: bool = False) -> HTMLResponse:
        schema = TABLE_KINDS[kind]
        return page(request, "record_edit.html", status, kind=kind, scope=scope, key=key,
                    key_column=item_key(schema, scope), base=base(scope, kind),
                    fields=fields(schema, scope, lang_of(request)), values=values,
                    problems=problems or [], conflict=conflict, saved=saved)

    def list_page(request: Request, kind: str, scope: Scope, records: list[dict[str, Any]],
                  status: int = 200, result: ImportResult | None = None,
                  problems: list[Problem] | None = None) -> HTMLResponse:
        schema = TABLE_KINDS[kind]
        return page(request, "records.html", status, kind=kind, scope=scope,
                    base=base(scope, kind), records=records,
                    columns=[c for c in schema.names if c not in scope],
                    labels={c: column_label(c, lang_of(request)) for c in schema.names},
                    key_column=item_key(schema, scope), can_edit=can_edit(request, scope),
                    kinds=spec.kinds, result=result, problems=problems or [])

    def form_row(request: Request, kind: str, scope: Scope) -> dict[str, str]:
        form = request.state.form
        names = [f["name"] for f in fields(TABLE_KINDS[kind], scope, "en")]
        return {n: str(form.get(n) or "") for n in [*names, VERSION] if n in form}

    def conflict_text(request: Request, exc: VersionConflict) -> str:
        t = translator(lang_of(request))
        return t("conflict_message").format(key=exc.key, actor=exc.actor or t("unknown_actor"),
                                            at=exc.at, version=exc.version)

    def saved_redirect(url: str) -> Response:
        return RedirectResponse(url, status_code=303)

    @app.get(f"{spec.page}/{{kind}}", response_class=HTMLResponse, include_in_schema=False,
             name=f"{name}records_page")
    def records_page(request: Request, kind: KindPath, scope: ScopeDep,
                     _user: Annotated[Principal, Depends(require(f"{name}records_page"))],
                     ) -> HTMLResponse:
        return list_page(request, kind, scope, read_records(engine, kind, scope, spec.kinds))

    @app.get(f"{spec.page}/{{kind}}/add", response_class=HTMLResponse, include_in_schema=False,
             name=f"{name}record_add_form")
    def record_add_form(request: Request, kind: KindPath, scope: ScopeDep,
                        _user: Annotated[Principal, Depends(require(f"{name}record_add_form"))],
                        ) -> HTMLResponse:
        return form_page(request, kind, scope, {}, None)

    @app.post(f"{spec.page}/{{kind}}/add", response_class=HTMLResponse, include_in_schema=False,
              dependencies=csrf, name=f"{name}record_add")
    def record_add(request: Request, kind: KindPath, scope: ScopeDep,
                   user: Annotated[Principal, Depends(require(f"{name}record_add"))],
                   ) -> Response:
        row = form_row(request, kind, scope)
        row.pop(VERSION, None)
        column = item_key(TABLE_KINDS[kind], scope)
        key = row.get(column, "").strip()
        try:
            if key:
                try:
                    read_record(engine, kind, scope, key, spec.kinds)
                except UnknownReference:
                    pass
                else:
                    raise ValidationError([Problem("form", 1, column, key,
                                                   "already exists: edit it instead")])
            write_rows(engine, kind, [row], user.username, scope=scope, kinds=spec.kinds,
                       label="form")
        except ValidationError as exc:
            return form_page(request, kind, scope, row, None, 422, problems_of(exc))
        return saved_redirect(f"{base(scope, kind)}/{quote(key, safe='')}/edit?saved=1")

    @app.get(f"{spec.page}/{{kind}}/{{key}}/edit", response_class=HTMLResponse,
             include_in_schema=False, name=f"{name}record_edit_form")
    def record_edit_form(request: Request, kind: KindPath, scope: ScopeDep,
                         key: Annotated[str, Path(max_length=300)],
                         _user: Annotated[Principal,
                                          Depends(require(f"{name}record_edit_form"))],
                         ) -> HTMLResponse:
        record = read_record(engine, kind, scope, key, spec.kinds)
        return form_page(request, kind, scope, {c: _text(v) for c, v in record.items()}, key,
                         saved=request.query_params.get("saved") == "1")

    @app.post(f"{spec.page}/{{kind}}/{{key}}/edit", response_class=HTMLResponse,
              include_in_schema=False, dependencies=csrf, name=f"{name}record_edit")
    def record_edit(request: Request, kind: KindPath, scope: ScopeDep,
                    key: Annotated[str, Path(max_length=300)],
                    user: Annotated[Principal, Depends(require(f"{name}record_edit"))],
                    ) -> Response:
        stored = read_record(engine, kind, scope, key, spec.kinds)  # 404 for an unknown one
        # a field the form does not send keeps its stored value
        row = {**{c: _text(v) for c, v in stored.items() if c != VERSION},
               **form_row(request, kind, scope), item_key(TABLE_KINDS[kind], scope): key}
        if not row.get(VERSION, "").strip():
            row[VERSION] = "?"  # an edit must say what it saw: a form without it is refused
        try:
            write_rows(engine, kind, [row], user.username, scope=scope, kinds=spec.kinds,
                       label="form")
        except ValidationError as exc:
            return form_page(request, kind, scope, row, key, 422, problems_of(exc))
        except VersionConflict as exc:
            current = read_record(engine, kind, scope, key, spec.kinds)
            return form_page(request, kind, scope, {c: _text(v) for c, v in current.items()},
                             key, 409, conflict=conflict_text(request, exc))
        return saved_redirect(f"{base(scope, kind)}/{quote(key, safe='')}/edit?saved=1")

    @app.post(f"{spec.page}/{{kind}}/import", response_class=HTMLResponse,
              include_in_schema=False, dependencies=csrf, name=f"{name}records_import")
    async def records_import(request: Request, kind: KindPath, scope: ScopeDep,
                             user: Annotated[Principal,
                                             Depends(require(f"{name}records_import"))],
                             file: Annotated[UploadFile, File()]) -> HTMLResponse:
        result, problems = await import_upload(file, lambda path: import_scoped_file(
            engine, kind, path, user.username, scope=scope, kinds=spec.kinds))
        records = await run_in_threadpool(read_records, engine, kind, scope, spec.kinds)
        return list_page(request, kind, scope, records, 422 if problems else 200,
                         result=result, problems=problems)

    @app.get(f"{API}{spec.page}/{{kind}}", response_model=RecordsOut, tags=["records"],
             name=f"api_{name}records", responses=errors)
    def api_records(kind: KindPath,
                    _user: Annotated[Principal | None, Depends(permit(f"api_{name}records"))],
                    scope: ScopeDep) -> dict[str, Any]:
        """The records of ``kind`` in this scope, in the import layout, with versions."""
        return {"kind": kind, "scope": scope,
                "records": read_records(engine, kind, scope, spec.kinds)}

    @app.post(f"{API}{spec.page}/{{kind}}", response_model=ImportResult, tags=["records"],
              name=f"api_{name}records_write",
              responses={**errors, 400: {"model": WriteErrorOut}, 409: {"model": WriteErrorOut}})
    def api_records_write(kind: KindPath, scope: ScopeDep, body: RowsIn,
                          user: Annotated[Principal,
                                          Depends(require(f"api_{name}records_write"))],
                          ) -> Any:
        """Add or change records (upsert by key) through the import validation, all or
        nothing; a row's ``version`` must be the one stored, else 409 and nothing written."""
        try:
            return write_rows(engine, kind, body.rows, user.username, scope=scope,
                              kinds=spec.kinds, label="request").as_dict()
        except (ValidationError, VersionConflict) as exc:
            return _error_json(exc)
