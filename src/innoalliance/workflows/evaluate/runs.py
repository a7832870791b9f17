"""Evaluations and ratings from the store, saved as runs and written as HTML and JSON reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from innoalliance.ingest.indexsystem import IndexSystem
from innoalliance.reports.credit import credit_report
from innoalliance.reports.evaluation import evaluation_report
from innoalliance.workflows.common import Done, fingerprint, save_run, write_outputs
from innoalliance.workflows.evaluate.credit import rate_members
from innoalliance.workflows.evaluate.store import Progress, evaluate, with_uncertainty


def evaluate_and_report(engine: Engine, system: IndexSystem, years: list[int], *, draws: int,
                        seed: int, output: Path, progress: Progress | None = None) -> Done:
    """Evaluate, add the uncertainty analysis, record the run, write the reports."""
    result = evaluate(engine, system, years)
    if draws:
        result = with_uncertainty(result, draws=draws, seed=seed, progress=progress)
    summary = result.summary()
    run_id = save_run(engine, "evaluate",
                      {"system": system.name, "years": years, "draws": draws, "seed": seed},
                      {"system_file": system.file, "indicator_values": fingerprint(result.raw)},
                      summary)
    summary["run"] = run_id
    html, json_path = write_outputs(summary, output, lambda path: evaluation_report(result, path))
    return Done(summary, html, json_path, run_id)


def rate_and_report(engine: Engine, alliance: str, *, as_of: dt.date, system: IndexSystem,
                    forgetting: float, weight_behaviour: float, min_confidence: float,
                    output: Path) -> Done:
    """Rate an alliance's members, record the run, write the reports."""
    ratings = rate_members(engine, alliance, as_of=as_of, system=system, forgetting=forgetting,
                           weight_behaviour=weight_behaviour, min_confidence=min_confidence)
    summary = ratings.summary()
    run_id = save_run(engine, "credit",
                      {"alliance": alliance, "as_of": as_of.isoformat(), "system": system.name,
                       "forgetting": forgetting, "weight_behaviour": weight_behaviour,
                       "min_confidence": min_confidence},
                      {"evidence": fingerprint(ratings.evidence)}, summary)
    summary["run"] = run_id
    html, json_path = write_outputs(summary, output, lambda path: credit_report(ratings, path))
    return Done(summary, html, json_path, run_id)
