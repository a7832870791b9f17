"""Keeping records on the web and through the API: an alliance's secretariat keeps its members,
commitments, contributions, projects, outputs and events; a member keeps its own offers and
needs.

Each scope gets the same routes (pages under ``/alliances/{name}/records/{kind}`` and
``/me/records/{kind}``, API under ``/api/v1`` with the same paths): a list, a form to add, a form
to edit (carrying the version read: a stale one is a conflict naming who changed the record), a
file import (every problem listed row by row), and JSON read and write. Lists are paged
(issue 16 item 9): counted and cut with ``LIMIT``/``OFFSET`` in the database, in key order.
Everything goes through :mod:`innoalliance.workflows.register.records`, i.e. the import
validation and upsert, audited as ``edit``.

The handlers are written once for both scopes, :data:`ALLIANCE` and :data:`OWN`
(:mod:`innoalliance.web.scoped`).
"""

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from innoalliance.errors import Problem, UnknownReference, ValidationError
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.ingest.known import require_known
from innoalliance.ingest.schema import KindSchema
from innoalliance.ingest.writer import ImportResult
from innoalliance.web.access import allowed
from innoalliance.web.context import CSRF, EngineDep, get_auth, get_engine, lang_of, page
from innoalliance.web.errors import Forbidden, LoginRequired, error_response
from innoalliance.web.i18n import Lang, column_label, translator
from innoalliance.web.queries import PageNumber, Paging, PagingDep, pager
from innoalliance.web.schemas import RecordsOut, RowsIn, WriteErrorOut
from innoalliance.web.scoped import InScope, Kind, Reader, Scope, ScopedRoutes, Spec, User
from innoalliance.web.uploads import form_file, import_upload, problems_of
from innoalliance.workflows.register.records import (
    ALLIANCE_KINDS,
    OWN_KINDS,
    VERSION,
    VersionConflict,
    count_records,
    import_scoped_file,
    item_key,
    read_record,
    read_records,
    write_rows,
)


def alliance_scope(request: Request,
                   name: Annotated[str, Path(max_length=200, description="alliance name")],
                   ) -> Scope:
    """The scope of an alliance's records: the alliance in the path (404 if unknown)."""
    require_known(get_engine(request), "alliances", name)
    return {"alliance": name}


def own_scope(request: Request) -> Scope:
    """The scope of a member's own records: its organization (never taken from the request)."""
    user = get_auth(request).current(request)
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


def _base(scope: Scope, kind: str) -> str:
    alliance = scope.get("alliance")
    return (f"/alliances/{quote(alliance)}/records/{kind}" if alliance
            else f"/me/records/{kind}")


def _form_page(request: Request, kind: str, scope: Scope, values: Mapping[str, str],
               key: str | None, status: int = 200, problems: list[Problem] | None = None,
               conflict: str | None = None, saved: bool = False) -> HTMLResponse:
    schema = TABLE_KINDS[kind]
    return page(request, "record_edit.html", status, kind=kind, scope=scope, key=key,
                key_column=item_key(schema, scope), base=_base(scope, kind),
                fields=fields(schema, scope, lang_of(request)), values=values,
                problems=problems or [], conflict=conflict, saved=saved)


def records_window(engine: Engine, kind: str, scope: Scope, kinds: Sequence[str],
                   paging: Paging) -> tuple[int, list[dict[str, Any]]]:
    """How many records of ``kind`` lie in ``scope``, and those of ``paging`` (by key), both
    counted and cut in the database (issue 16 item 9)."""
    return (count_records(engine, kind, scope, kinds),
            read_records(engine, kind, scope, kinds, limit=paging.limit, offset=paging.offset))


def _list_page(request: Request, spec: Spec, kind: str, scope: Scope,
               paged: tuple[int, list[dict[str, Any]]], status: int = 200,
               result: ImportResult | None = None,
               problems: list[Problem] | None = None, number: int = 1) -> HTMLResponse:
    schema = TABLE_KINDS[kind]
    total, records = paged
    lang = lang_of(request)
    can_edit = allowed(spec.name("record_edit"), get_auth(request).current(request),
                       {"name": scope.get("alliance", "")})
    return page(request, "records.html", status, kind=kind, scope=scope,
                base=_base(scope, kind), records=records,
                columns=[c for c in schema.names if c not in scope],
                labels={c: column_label(c, lang) for c in schema.names},
                key_column=item_key(schema, scope), can_edit=can_edit,
                kinds=spec.kinds, result=result, problems=problems or [],
                pager=pager(request, number, total))


def _form_row(request: Request, kind: str, scope: Scope) -> dict[str, str]:
    form = request.state.form
    names = [f["name"] for f in fields(TABLE_KINDS[kind], scope, "en")]
    return {n: str(form.get(n) or "") for n in [*names, VERSION] if n in form}


def _conflict_text(request: Request, exc: VersionConflict) -> str:
    t = translator(lang_of(request))
    return t("conflict_message").format(key=exc.key, actor=exc.actor or t("unknown_actor"),
                                        at=exc.at, version=exc.version)


def _saved(scope: Scope, kind: str, key: str) -> Response:
    return RedirectResponse(f"{_base(scope, kind)}/{quote(key, safe='')}/edit?saved=1",
                            status_code=303)


# -- the routes of every scope -------------------------------------------------------------------

routes = ScopedRoutes(ALLIANCE, OWN)
PAGE: dict[str, Any] = {"response_class": HTMLResponse, "include_in_schema": False}
FORM: dict[str, Any] = {**PAGE, "dependencies": CSRF}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": WriteErrorOut} for code in (401, 403, 404, 422)}


@routes.get("/{kind}", **PAGE)
def records_page(spec: Spec, request: Request, kind: Kind, scope: InScope, _user: User,
                 engine: EngineDep, page_no: PageNumber = 1) -> HTMLResponse:
    """The records of ``kind`` in the scope, a page at a time, with the forms to add, edit and
    import."""
    return _list_page(request, spec, kind, scope,
                      records_window(engine, kind, scope, spec.kinds, Paging.page(page_no)),
                      number=page_no)


@routes.get("/{kind}/add", **PAGE)
def record_add_form(spec: Spec, request: Request, kind: Kind, scope: InScope, _user: User,
                    ) -> HTMLResponse:
    """The empty form of a new record."""
    return _form_page(request, kind, scope, {}, None)


@routes.post("/{kind}/add", **FORM)
def record_add(spec: Spec, request: Request, kind: Kind, scope: InScope, user: User,
               engine: EngineDep) -> Response:
    """Add a record (refused if its key is taken): on to its form, or the problems."""
    row = _form_row(request, kind, scope)
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
        return _form_page(request, kind, scope, row, None, 422, problems_of(exc))
    return _saved(scope, kind, key)


@routes.get("/{kind}/{key}/edit", **PAGE, slashes=("key",))
def record_edit_form(spec: Spec, request: Request, kind: Kind, scope: InScope,
                     key: Annotated[str, Path(max_length=300)], _user: User,
                     engine: EngineDep) -> HTMLResponse:
    """The form of a stored record, carrying the version read."""
    record = read_record(engine, kind, scope, key, spec.kinds)
    return _form_page(request, kind, scope, {c: _text(v) for c, v in record.items()}, key,
                      saved=request.query_params.get("saved") == "1")


@routes.post("/{kind}/{key}/edit", **FORM, slashes=("key",))
def record_edit(spec: Spec, request: Request, kind: Kind, scope: InScope,
                key: Annotated[str, Path(max_length=300)], user: User,
                engine: EngineDep) -> Response:
    """Change a record: refused, with the current values, if it changed since it was read."""
    stored = read_record(engine, kind, scope, key, spec.kinds)  # 404 for an unknown one
    # a field the form does not send keeps its stored value
    row = {**{c: _text(v) for c, v in stored.items() if c != VERSION},
           **_form_row(request, kind, scope), item_key(TABLE_KINDS[kind], scope): key}
    if not row.get(VERSION, "").strip():
        row[VERSION] = "?"  # an edit must say what it saw: a form without it is refused
    try:
        write_rows(engine, kind, [row], user.username, scope=scope, kinds=spec.kinds,
                   label="form")
    except ValidationError as exc:
        return _form_page(request, kind, scope, row, key, 422, problems_of(exc))
    except VersionConflict as exc:
        current = read_record(engine, kind, scope, key, spec.kinds)
        return _form_page(request, kind, scope, {c: _text(v) for c, v in current.items()},
                          key, 409, conflict=_conflict_text(request, exc))
    return _saved(scope, kind, key)


@routes.post("/{kind}/import", **FORM)
async def records_import(spec: Spec, request: Request, kind: Kind, scope: InScope, user: User,
                         engine: EngineDep) -> HTMLResponse:
    """Import an uploaded file of ``kind`` (the form's ``file``, read only once the user is
    admitted) into the scope: what was written, or every problem."""
    result, problems = await import_upload(form_file(request), lambda path: import_scoped_file(
        engine, kind, path, user.username, scope=scope, kinds=spec.kinds))
    paged = await run_in_threadpool(records_window, engine, kind, scope, spec.kinds,
                                    Paging.page(1))
    return _list_page(request, spec, kind, scope, paged, 422 if problems else 200,
                      result=result, problems=problems)


@routes.get("/{kind}", api=True, response_model=RecordsOut, tags=["records"], responses=ERRORS)
def api_records(spec: Spec, kind: Kind, _user: Reader, scope: InScope,
                engine: EngineDep, window: PagingDep) -> dict[str, Any]:
    """The records of ``kind`` in this scope, in the import layout, with versions: ``limit``
    (at most 200) from ``offset`` on, and the ``total``."""
    total, records = records_window(engine, kind, scope, spec.kinds, window)
    return {"kind": kind, "scope": scope, "total": total, "limit": window.limit,
            "offset": window.offset, "records": records}


@routes.post("/{kind}", api=True, response_model=ImportResult, tags=["records"],
               responses={**ERRORS, 400: {"model": WriteErrorOut},
                          409: {"model": WriteErrorOut}})
def api_records_write(spec: Spec, kind: Kind, scope: InScope, body: RowsIn, user: User,
                      engine: EngineDep) -> Any:
    """Add or change records (upsert by key) through the import validation, all or
    nothing; a row's ``version`` must be the one stored, else 409 and nothing written."""
    try:
        return write_rows(engine, kind, body.rows, user.username, scope=scope,
                          kinds=spec.kinds, label="request").as_dict()
    except ValidationError as exc:
        return error_response(exc, 422)
    except VersionConflict as exc:
        return error_response(exc, 409)
