"""Matching runs: match on the store, save the run, write the HTML and JSON reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from innoalliance.reports.match import match_report
from innoalliance.workflows.common import Done, save_run, write_outputs
from innoalliance.workflows.match.store import run_match


def match_and_report(engine: Engine, *, output: Path, **kwargs: Any) -> Done:
    """Run the match, save the run, write the HTML and JSON reports."""
    run = run_match(engine, **kwargs)
    summary = run.summary()
    run_id = save_run(engine, "match", {k: str(v) for k, v in kwargs.items()},
                      {"offers": len(run.context.offers), "needs": len(run.context.needs)},
                      summary)
    summary["run"] = run_id
    html, json_path = write_outputs(summary, output, lambda path: match_report(run, path))
    return Done(summary, html, json_path, run_id)
