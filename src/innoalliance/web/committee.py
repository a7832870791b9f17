"""The committee's work on the web and through the API: compare the sharing rules on its
alliance's profit or on a risk fund, record the agreed allocation in the hash-chained ledger,
verify the ledger; and the annual supervision report of the alliance.

Thin shells over :mod:`innoalliance.workflows.share.store`,
:mod:`~innoalliance.workflows.share.runs`,
:mod:`~innoalliance.workflows.share.allocations` and
:mod:`~innoalliance.workflows.govern.supervision`; the reports are the same self-contained HTML
the command line writes.
"""

import datetime as dt
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from pydantic import ValidationError as Invalid
from sqlalchemy import Engine

from innoalliance.errors import ConflictError, InnoallianceError
from innoalliance.web.access import allowed, require
from innoalliance.web.auth import Principal
from innoalliance.web.context import API, CSRF, DateInRange, EngineDep, get_auth, page
from innoalliance.web.queries import PageNumber, Paging, PagingDep, pager
from innoalliance.web.records import alliance_scope
from innoalliance.web.routing import Routes
from innoalliance.web.schemas import ErrorOut
from innoalliance.workflows.govern.supervision import write_annual_report
from innoalliance.workflows.share.allocations import (
    count_allocations,
    list_allocations,
    verify_chain,
)
from innoalliance.workflows.share.runs import ShareRequest, compare, save_and_record

Name = Annotated[str, Path(max_length=200, description="alliance name")]
RiskRule = Literal["proportional", "cea", "cel", "talmud"]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}

routes = Routes()


class ShareIn(BaseModel):
    """A sharing run: the alliance's profit to ``as_of`` (synergy exponent ``gamma``) or a risk
    fund of ``fund`` yuan shared by ``rule`` with members' co-payment ``copay``; ``record`` names
    the rule whose allocation is recorded as agreed (none: compare only)."""

    kind: Literal["profit", "risk"] = "profit"
    as_of: DateInRange = None
    gamma: float = Field(default=1.0, ge=1.0, le=10.0)
    fund: float | None = Field(default=None, gt=0, le=1e13)
    rule: RiskRule = "talmud"
    copay: float = Field(default=0.2, ge=0.0, le=1.0)
    record: str | None = Field(default=None, max_length=40)


class ShareOut(BaseModel):
    """The comparison (every rule's allocation, core checks, notes), the saved run, and what
    was recorded."""

    alliance: str
    kind: str
    subject: str
    total: float
    allocations: dict[str, dict[str, float]]
    in_core: dict[str, bool | None]
    notes: list[str]
    players: list[dict[str, str]]
    run: int
    recorded: dict[str, Any] | None = None


class LedgerOut(BaseModel):
    """A page of the alliance's recorded allocations, oldest first (``total`` of them,
    ``allocations`` are ``limit``, at most 200, from ``offset``), and the check of the whole
    chain."""

    total: int
    limit: int
    offset: int
    allocations: list[dict[str, Any]]
    verification: dict[str, Any]


def run(engine: Engine, alliance: str, params: ShareIn, who: str) -> dict[str, Any]:
    """Compare the rules on the alliance's profit or a risk fund (as the command line does),
    save the run and, if asked, record the agreed rule; the run's summary."""
    request = ShareRequest(kind=params.kind, as_of=params.as_of or dt.date.today(),
                           alliance=alliance, gamma=params.gamma, fund=params.fund,
                           rule=params.rule, copay=params.copay)
    return save_and_record(engine, compare(engine, request), record=params.record, who=who)


def ledger(engine: Engine, alliance: str, paging: Paging | None = None) -> dict[str, Any]:
    """The alliance's recorded allocations of ``paging`` (oldest first) with their total, both
    counted and cut in the database (issue 16 item 9), and the verification of the whole chain
    (which reads every entry: that is its job)."""
    window = paging or Paging()
    total = count_allocations(engine, alliance)
    rows = list_allocations(engine, alliance, limit=window.limit, offset=window.offset)
    return {"total": total, "limit": window.limit, "offset": window.offset,
            "allocations": rows, "verification": verify_chain(engine).as_dict()}


def _form_params(form: Any) -> ShareIn:
    def number(key: str, default: float | None) -> float | None:
        text = str(form.get(key) or "").strip()
        return float(text) if text else default

    as_of = str(form.get("as_of") or "").strip()
    return ShareIn.model_validate({
        "kind": form.get("kind") or "profit", "as_of": as_of or None,
        "gamma": number("gamma", 1.0), "fund": number("fund", None),
        "rule": form.get("rule") or "talmud", "copay": number("copay", 0.2),
        "record": (str(form.get("record") or "").strip() or None)})


def _ledger_page(request: Request, engine: Engine, name: str, status: int = 200,
                 comparison: dict[str, Any] | None = None, params: ShareIn | None = None,
                 problem: str | None = None, number: int = 1) -> HTMLResponse:
    can_run = allowed("allocations_run", get_auth(request).current(request), {"name": name})
    entries = ledger(engine, name, Paging.page(number))
    return page(request, "allocations.html", status, name=name, l=entries,
                pager=pager(request, number, entries["total"]),
                comparison=comparison, params=params or ShareIn(), problem=problem,
                can_run=can_run, recorded=request.query_params.get("recorded"))


@routes.get("/alliances/{name}/allocations", response_class=HTMLResponse,
            include_in_schema=False)
def allocations_page(request: Request, name: Name,
                     _user: Annotated[Principal, Depends(require("allocations_page"))],
                     engine: EngineDep, page_no: PageNumber = 1) -> HTMLResponse:
    """The alliance's allocation ledger, a page at a time, and for its committee the form of
    a sharing run."""
    alliance_scope(request, name)
    return _ledger_page(request, engine, name, number=page_no)


@routes.post("/alliances/{name}/allocations", response_class=HTMLResponse,
             include_in_schema=False, dependencies=CSRF)
def allocations_run(request: Request, name: Name,
                    user: Annotated[Principal, Depends(require("allocations_run"))],
                    engine: EngineDep) -> Response:
    """Compare the sharing rules (a saved run) and, if asked, record the agreed one."""
    alliance_scope(request, name)
    try:
        params = _form_params(request.state.form)
        result = run(engine, name, params, user.username)
    except (Invalid, ValueError) as exc:
        return _ledger_page(request, engine, name, 422, problem=str(exc).splitlines()[0])
    except ConflictError as exc:
        return _ledger_page(request, engine, name, 409, problem=exc.message)
    except InnoallianceError as exc:
        return _ledger_page(request, engine, name, 422, problem=exc.message)
    if result.get("recorded"):
        return RedirectResponse(f"{request.url.path}?recorded={result['recorded']['id']}",
                                status_code=303)
    return _ledger_page(request, engine, name, comparison=result, params=params)


@routes.get("/alliances/{name}/supervision", response_class=HTMLResponse,
            include_in_schema=False)
def supervision_report(request: Request, name: Name,
                       _user: Annotated[Principal, Depends(require("supervision_report"))],
                       engine: EngineDep,
                       year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
                       ) -> HTMLResponse:
    """The alliance's annual supervision report (this year by default)."""
    alliance_scope(request, name)
    with tempfile.TemporaryDirectory() as folder:
        _report, paths = write_annual_report(engine, name, year or dt.date.today().year,
                                             FilePath(folder) / "supervision")
        return HTMLResponse(paths[0].read_text(encoding="utf-8"))


@routes.get(f"{API}/alliances/{{name}}/allocations", response_model=LedgerOut,
            tags=["sharing"], responses=ERRORS)
def api_allocations(request: Request, name: Name,
                    _user: Annotated[Principal, Depends(require("api_allocations"))],
                    engine: EngineDep, window: PagingDep) -> dict[str, Any]:
    """The alliance's recorded allocations, oldest first: ``limit`` (at most 200) from
    ``offset`` on, and the ``total``; and the verification of the whole hash chain."""
    alliance_scope(request, name)
    return ledger(engine, name, window)


@routes.post(f"{API}/alliances/{{name}}/allocations", response_model=ShareOut,
             tags=["sharing"], responses={**ERRORS, 400: {"model": ErrorOut}})
def api_allocations_run(name: Name, body: ShareIn,
                        user: Annotated[Principal, Depends(require("api_allocations_run"))],
                        engine: EngineDep) -> dict[str, Any]:
    """Compare the sharing rules (a saved run); with ``record``, record that rule's
    allocation as agreed."""
    return run(engine, name, body, user.username)
