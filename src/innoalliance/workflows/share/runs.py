"""Sharing runs: compare the rules, write the reports, and record the agreed allocation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from innoalliance.errors import MethodError
from innoalliance.reports.share import share_report
from innoalliance.workflows.common import Done, save_run, write_outputs
from innoalliance.workflows.share.allocations import record_allocation
from innoalliance.workflows.share.store import (
    Comparison,
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
