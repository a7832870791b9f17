"""Sharing runs: compare the rules, write the reports, and record the agreed allocation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError, MethodError
from innoalliance.reports.share import share_report
from innoalliance.workflows.common import Done, save_run, write_outputs
from innoalliance.workflows.share.allocations import record_allocation
from innoalliance.workflows.share.store import (
    Comparison,
    compare_cost,
    compare_profit,
    profit_game,
    risk_fund,
)

ShareKind = Literal["profit", "cost", "risk"]
SHARE_KINDS: tuple[ShareKind, ...] = ("profit", "cost", "risk")


@dataclass(frozen=True)
class ShareRequest:
    """What to share, as the command line and the web ask it: an alliance's ``profit`` to
    ``as_of`` (synergy exponent ``gamma``, modified-Shapley ``factor_weights`` or entropy
    weights, ``samples`` to sample the Shapley value), the ``cost`` of a shared facility from
    the members' ``needs`` (CSV), or a ``risk`` fund of ``fund`` yuan divided by ``rule`` with
    the members' co-payment ``copay`` (one alliance, or every alliance when ``alliance`` is
    None)."""

    kind: ShareKind
    as_of: dt.date
    alliance: str | None = None
    gamma: float = 1.0
    factor_weights: list[float] | None = None
    samples: int | None = None
    needs: Path | None = None
    fund: float | None = None
    rule: str = "talmud"
    copay: float = 0.2


def compare(engine: Engine, request: ShareRequest) -> Comparison:
    """Every sharing rule on what ``request`` asks to share (profit, cost or risk)."""
    if request.kind == "risk":
        if request.fund is None:
            raise InnoallianceError("a risk run needs the fund",
                                    hint="give the fund in yuan (command line: --fund YUAN)")
        return risk_fund(engine, request.fund, rule=request.rule, copay=request.copay,
                         alliance=request.alliance, as_of=request.as_of)
    alliance = request.alliance
    if alliance is None:
        raise InnoallianceError(f"a {request.kind} run needs the alliance",
                                hint="name the alliance (command line: --alliance NAME)")
    if request.kind == "profit":
        game = profit_game(engine, alliance, as_of=request.as_of, gamma=request.gamma)
        return compare_profit(game, alliance, as_of=request.as_of,
                              factor_weights=request.factor_weights, samples=request.samples)
    if request.kind == "cost":
        if request.needs is None:
            raise InnoallianceError("a cost run needs the members' needs",
                                    hint="give a CSV of member, cost (command line: --needs "
                                         "FILE.csv)")
        return compare_cost(engine, alliance, request.needs)
    raise InnoallianceError(f"unknown kind {request.kind!r}",
                            hint=f"use one of {', '.join(SHARE_KINDS)}")


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
