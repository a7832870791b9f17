"""Published analysis runs: the plans and evaluations anyone may read (pages ``/reports`` and
API ``/api/v1/runs``), and every run for the admin (``/api/v1/admin/runs``).

A run is what the command line saved (:func:`innoalliance.workflows.common.save_run`): workflow,
time, software version, parameters, input fingerprints and results, shown as stored.
"""

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import UnknownReference
from innoalliance.model import Run
from innoalliance.web.access import require
from innoalliance.web.auth import Principal
from innoalliance.web.context import API, EngineDep, page
from innoalliance.web.queries import PageNumber, Paging, PagingDep, page_of, pager, window
from innoalliance.web.routing import Routes
from innoalliance.web.schemas import ErrorOut, Page

#: the workflows whose runs are published: regional plans and evaluations
PUBLISHED = ("plan", "evaluate")
ALL = ("plan", "evaluate", "credit", "share", "match")
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Workflow = Annotated[str | None, Query(pattern=f"^({'|'.join(ALL)})$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 422)}

routes = Routes()


class RunSummary(BaseModel):
    """One saved run, without its results."""

    id: int
    workflow: str
    created_at: str
    software_version: str
    parameters: Any


class RunOut(RunSummary):
    """One saved run with its input fingerprints and results."""

    inputs: Any
    results: Any


def _summary(run: Run | dict[str, Any]) -> dict[str, Any]:
    row = run if isinstance(run, dict) else vars(run)
    return {"id": row["id"], "workflow": row["workflow"],
            "created_at": row["created_at"].isoformat(timespec="seconds"),
            "software_version": row["software_version"],
            "parameters": json.loads(row["parameters"])}


def list_runs(engine: Engine, workflows: Sequence[str], workflow: str | None = None,
              paging: Paging | None = None) -> tuple[int, list[dict[str, Any]]]:
    """How many saved runs of ``workflows`` (or of ``workflow`` among them) there are, and
    those of ``paging``, newest first (issue 16 item 9: cut in the database)."""
    wanted = [w for w in workflows if workflow in (None, w)]
    query = select(Run.id, Run.workflow, Run.created_at, Run.software_version,
                   Run.parameters).where(Run.workflow.in_(wanted))
    total, rows = window(engine, query, paging or Paging(), [Run.id.desc()])
    return total, [_summary(r) for r in rows]


def get_run(engine: Engine, run_id: int, workflows: Sequence[str]) -> dict[str, Any]:
    """One run of ``workflows`` with inputs and results (404 for another one)."""
    with Session(engine) as db:
        run = db.execute(select(Run).where(Run.id == run_id, Run.workflow.in_(workflows))
                         ).scalar_one_or_none()
    if run is None:
        raise UnknownReference("runs", str(run_id))
    return {**_summary(run), "inputs": json.loads(run.inputs),
            "results": json.loads(run.results) if run.results else None}


MAX_ROWS, MAX_COLUMNS = 300, 30


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if _scalar(value):
        return str(value)
    return json.dumps(value, ensure_ascii=False)[:80]


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(c for row in rows for c in row))[:MAX_COLUMNS]


def block(value: Any) -> dict[str, Any]:
    """How a stored value is shown: ``pairs`` (name → scalar), ``table`` (rows of columns, from
    a list of records or a mapping of mappings) or ``json`` (anything else, as text)."""
    if isinstance(value, dict) and value and all(_scalar(v) for v in value.values()):
        return {"kind": "pairs", "rows": [(str(k), _cell(v)) for k, v in value.items()]}
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        columns = _columns(list(value.values()))
        return {"kind": "table", "columns": ["", *columns],
                "rows": [[str(k), *(_cell(v.get(c)) for c in columns)]
                         for k, v in list(value.items())[:MAX_ROWS]]}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns = _columns(value)
        return {"kind": "table", "columns": columns,
                "rows": [[_cell(v.get(c)) for c in columns] for v in value[:MAX_ROWS]]}
    return {"kind": "json", "text": json.dumps(value, ensure_ascii=False, indent=1)[:20000]}


@routes.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request, engine: EngineDep, workflow: Workflow = None,
                 page_no: PageNumber = 1) -> HTMLResponse:
    """The published runs, newest first, a page at a time (issue 16 item 9)."""
    total, runs = list_runs(engine, PUBLISHED, workflow, Paging.page(page_no))
    return page(request, "reports.html", runs=runs, pager=pager(request, page_no, total))


@routes.get("/reports/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request, run_id: RunId, engine: EngineDep) -> HTMLResponse:
    """One published run: its parameters and each part of its results."""
    run = get_run(engine, run_id, PUBLISHED)
    results = run["results"] if isinstance(run["results"], dict) else {"": run["results"]}
    return page(request, "report.html", run=run, parameters=block(run["parameters"]),
                sections=[(key, block(value)) for key, value in results.items()])


@routes.get(f"{API}/runs", response_model=Page[RunSummary], tags=["runs"], responses=ERRORS)
def api_runs(engine: EngineDep, window: PagingDep, workflow: Workflow = None) -> dict[str, Any]:
    """The published runs (regional plans and evaluations), newest first: ``limit`` (at most
    200) from ``offset`` on, and the ``total``."""
    return page_of(*list_runs(engine, PUBLISHED, workflow, window), window)


@routes.get(f"{API}/runs/{{run_id}}", response_model=RunOut, tags=["runs"], responses=ERRORS)
def api_run(run_id: RunId, engine: EngineDep) -> dict[str, Any]:
    """One published run with its parameters, input fingerprints and results."""
    return get_run(engine, run_id, PUBLISHED)


@routes.get(f"{API}/admin/runs", response_model=Page[RunSummary], tags=["runs"],
            responses=ERRORS)
def api_admin_runs(_user: Annotated[Principal, Depends(require("api_admin_runs"))],
                   engine: EngineDep, window: PagingDep, workflow: Workflow = None,
                   ) -> dict[str, Any]:
    """Every saved run (sharing, credit and matching runs too), newest first: ``limit`` (at
    most 200) from ``offset`` on, and the ``total``."""
    return page_of(*list_runs(engine, ALL, workflow, window), window)


@routes.get(f"{API}/admin/runs/{{run_id}}", response_model=RunOut, tags=["runs"],
            responses=ERRORS)
def api_admin_run(run_id: RunId,
                  _user: Annotated[Principal, Depends(require("api_admin_run"))],
                  engine: EngineDep) -> dict[str, Any]:
    """Any saved run with its parameters, input fingerprints and results."""
    return get_run(engine, run_id, ALL)
