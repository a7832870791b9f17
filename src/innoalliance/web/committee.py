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
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from pydantic import ValidationError as Invalid
from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError
from innoalliance.web.access import allowed, require
from innoalliance.web.auth import Auth, Principal
from innoalliance.web.records import alliance_scope
from innoalliance.web.schemas import ErrorOut
from innoalliance.workflows.govern.supervision import write_annual_report
from innoalliance.workflows.share.allocations import list_allocations, verify_chain
from innoalliance.workflows.share.runs import save_and_record
from innoalliance.workflows.share.store import Comparison, compare_profit, profit_game, risk_fund

API = "/api/v1"
Page = Callable[..., HTMLResponse]
Name = Annotated[str, Path(max_length=200, description="alliance name")]
RiskRule = Literal["proportional", "cea", "cel", "talmud"]


class ShareIn(BaseModel):
    """A sharing run: the alliance's profit to ``as_of`` (synergy exponent ``gamma``) or a risk
    fund of ``fund`` yuan shared by ``rule`` with members' co-payment ``copay``; ``record`` names
    the rule whose allocation is recorded as agreed (none: compare only)."""

    kind: Literal["profit", "risk"] = "profit"
    as_of: dt.date | None = None
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
    """The alliance's recorded allocations and the check of the whole chain."""

    allocations: list[dict[str, Any]]
    verification: dict[str, Any]


def compare(engine: Engine, alliance: str, params: ShareIn) -> Comparison:
    """Every rule on the alliance's profit game, or on the risk fund (a fund is needed)."""
    as_of = params.as_of or dt.date.today()
    if params.kind == "risk":
        if params.fund is None:
            raise InnoallianceError("a risk run needs the fund", hint="give the fund in yuan")
        return risk_fund(engine, params.fund, rule=params.rule, copay=params.copay,
                         alliance=alliance, as_of=as_of)
    return compare_profit(profit_game(engine, alliance, as_of=as_of, gamma=params.gamma),
                          alliance, as_of=as_of)


def run(engine: Engine, alliance: str, params: ShareIn, who: str) -> dict[str, Any]:
    """Compare, save the run and, if asked, record the agreed rule; the run's summary."""
    return save_and_record(engine, compare(engine, alliance, params), record=params.record,
                           who=who)


def ledger(engine: Engine, alliance: str) -> dict[str, Any]:
    """The alliance's recorded allocations and the verification of the whole chain."""
    return {"allocations": list_allocations(engine, alliance),
            "verification": verify_chain(engine).as_dict()}


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


def install(app: FastAPI, engine: Engine, page: Page, csrf: list[Any]) -> None:
    """Add the committee's pages and API routes to ``app``."""

    def may_record(request: Request, name: str) -> bool:
        auth: Auth = request.app.state.auth
        return allowed("allocations_run", auth.current(request), {"name": name})

    def ledger_page(request: Request, name: str, status: int = 200,
                    comparison: dict[str, Any] | None = None, params: ShareIn | None = None,
                    problem: str | None = None) -> HTMLResponse:
        return page(request, "allocations.html", status, name=name, l=ledger(engine, name),
                    comparison=comparison, params=params or ShareIn(), problem=problem,
                    can_run=may_record(request, name),
                    recorded=request.query_params.get("recorded"))

    @app.get("/alliances/{name}/allocations", response_class=HTMLResponse,
             include_in_schema=False)
    def allocations_page(request: Request, name: Name,
                         _user: Annotated[Principal, Depends(require("allocations_page"))],
                         ) -> HTMLResponse:
        alliance_scope(request, name)
        return ledger_page(request, name)

    @app.post("/alliances/{name}/allocations", response_class=HTMLResponse,
              include_in_schema=False, dependencies=csrf)
    def allocations_run(request: Request, name: Name,
                        user: Annotated[Principal, Depends(require("allocations_run"))],
                        ) -> Response:
        alliance_scope(request, name)
        try:
            params = _form_params(request.state.form)
            result = run(engine, name, params, user.username)
        except (Invalid, ValueError) as exc:
            return ledger_page(request, name, 422, problem=str(exc).splitlines()[0])
        except InnoallianceError as exc:
            return ledger_page(request, name, 422, problem=exc.message)
        if result.get("recorded"):
            return RedirectResponse(f"{request.url.path}?recorded={result['recorded']['id']}",
                                    status_code=303)
        return ledger_page(request, name, comparison=result, params=params)

    @app.get("/alliances/{name}/supervision", response_class=HTMLResponse,
             include_in_schema=False)
    def supervision_report(request: Request, name: Name,
                           _user: Annotated[Principal, Depends(require("supervision_report"))],
                           year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
                           ) -> HTMLResponse:
        alliance_scope(request, name)
        with tempfile.TemporaryDirectory() as folder:
            _report, paths = write_annual_report(engine, name, year or dt.date.today().year,
                                                 FilePath(folder) / "supervision")
            return HTMLResponse(paths[0].read_text(encoding="utf-8"))

    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
        422: {"model": ErrorOut}}

    @app.get(f"{API}/alliances/{{name}}/allocations", response_model=LedgerOut,
             tags=["sharing"], responses=errors)
    def api_allocations(request: Request, name: Name,
                        _user: Annotated[Principal, Depends(require("api_allocations"))],
                        ) -> dict[str, Any]:
        """The alliance's recorded allocations, and the verification of the hash chain."""
        alliance_scope(request, name)
        return ledger(engine, name)

    @app.post(f"{API}/alliances/{{name}}/allocations", response_model=ShareOut,
              tags=["sharing"], responses={**errors, 400: {"model": ErrorOut}})
    def api_allocations_run(name: Name, body: ShareIn,
                            user: Annotated[Principal, Depends(require("api_allocations_run"))],
                            ) -> dict[str, Any]:
        """Compare the sharing rules (a saved run); with ``record``, record that rule's
        allocation as agreed."""
        return run(engine, name, body, user.username)
