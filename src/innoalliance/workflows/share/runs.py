"""Sharing runs: compare the rules, write the reports, and record the agreed allocation."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from innoalliance.errors import MethodError
from innoalliance.reports.share import share_report
from innoalliance.workflows.common import save_run
from innoalliance.workflows.evaluate.runs import Done, write_outputs
from innoalliance.workflows.share.allocations import record_allocation
from innoalliance.workflows.share.store import (
    Comparison,
    compare_cost,
    compare_profit,
    profit_game,
    risk_fund,
)


def save_and_record(engine: Engine, comparison: Comparison, *, record: str | None = None,
                    who: str | None = None) -> dict[str, Any]:
    """Save the run and, if ``record`` names a rule, record its allocation (by ``who``, default
    the login name); the comparison's summary with ``run`` and, if recorded, ``recorded``."""
    summary = comparison.summary()
    if record is not None:
        if record not in comparison.allocations.columns:
            raise MethodError(f"no rule {record!r} in this comparison",
                              hint=f"record one of {', '.join(comparison.allocations.columns)}")
        entry = record_allocation(
            engine, alliance=comparison.alliance or None, subject=comparison.subject,
            kind=comparison.kind, method=record,
            payload={"allocation": summary["allocations"][record], "game": summary["game"],
                     "in_core": summary["in_core"][record], "compared": summary["allocations"],
                     "notes": summary["notes"]}, who=who)
        summary["recorded"] = {"id": entry.id, "rule": record, "hash": entry.hash}
    summary["run"] = save_run(engine, "share", {"kind": comparison.kind,
                                                "subject": comparison.subject,
                                                "record": record},
                              {"game": comparison.game}, summary, who=who)
    return summary


def report_and_record(engine: Engine, comparison: Comparison, *, output: Path,
                      record: str | None = None, who: str | None = None) -> Done:
    """:func:`save_and_record`, then write the reports."""
    summary = save_and_record(engine, comparison, record=record, who=who)
    html, json_path = write_outputs(summary, output,
                                    lambda path: share_report(comparison, path))
    return Done(summary, html, json_path, summary["run"])


DEMO_ALLIANCE = "电动汽车产学研技术创新联盟"
DEMO_AS_OF = dt.date(2016, 12, 31)
DEMO_FUND = 5_000_000.0  # yuan: an illustrative provincial risk compensation fund


def demo_sharing(engine: Engine, folder: Path) -> list[tuple[str, Path]]:
    """The demo's sharing runs, each agreed allocation recorded: profit, facility cost, risk."""
    folder.mkdir(parents=True, exist_ok=True)
    needs = Path(str(resources.files("innoalliance.demo") / "data" / "facility_needs.csv"))
    runs = [
        ("profit", compare_profit(profit_game(engine, DEMO_ALLIANCE, as_of=DEMO_AS_OF),
                                  DEMO_ALLIANCE, as_of=DEMO_AS_OF), "shapley"),
        ("cost", compare_cost(engine, DEMO_ALLIANCE, needs), "shapley"),
        ("risk", risk_fund(engine, DEMO_FUND, rule="talmud", as_of=DEMO_AS_OF), "talmud"),
    ]
    done = []
    for kind, comparison, rule in runs:
        result = report_and_record(engine, comparison, output=folder / f"share_{kind}",
                                   record=rule)
        done.append((f"Sharing: {comparison.subject}", result.html))
    return done
