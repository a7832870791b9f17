"""Evaluations and ratings from the store, saved as runs and written as HTML and JSON reports."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError
from innoalliance.ingest.indexsystem import IndexSystem, load_system
from innoalliance.reports.credit import credit_report
from innoalliance.reports.evaluation import evaluation_report
from innoalliance.workflows.common import fingerprint, save_run
from innoalliance.workflows.evaluate.credit import MIN_CONFIDENCE, rate_members
from innoalliance.workflows.evaluate.store import Progress, evaluate, with_uncertainty

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")


@dataclass(frozen=True)
class Done:
    """A finished, recorded run and where its reports are."""

    summary: dict[str, Any]
    html: Path
    json: Path
    run_id: int


def parse_years(text: str) -> list[int]:
    """``2015`` or ``2014-2016`` as a list of years."""
    match = _YEARS.match(text)
    if not match:
        raise InnoallianceError(f"years {text!r} are not a year or a range",
                                hint="write e.g. --years 2016 or --years 2014-2016")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise InnoallianceError(f"years {text!r} run backwards", hint=f"write {last}-{first}")
    return list(range(first, last + 1))


def _with(output: Path, suffix: str) -> Path:
    """``output`` + suffix (a given .html or .json suffix is replaced, any other kept)."""
    if output.suffix.lower() in (".html", ".json"):
        output = output.with_suffix("")
    return output.parent / (output.name + suffix)


def write_outputs(summary: dict[str, Any], output: Path,
                  html: Callable[[Path], Path]) -> tuple[Path, Path]:
    """Write ``output``.html (by ``html``) and ``output``.json (the summary)."""
    path = _with(output, ".json")
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str),
                    encoding="utf-8")
    return html(_with(output, ".html")), path


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


DEMO_YEARS = [2014, 2015, 2016]
DEMO_RATED = "电动汽车产学研技术创新联盟"  # seed 000's alliance whose member stopped paying in


def demo_evaluations(engine: Engine, folder: Path, progress: Progress | None = None,
                     ) -> list[tuple[str, Path]]:
    """The demo's evaluations: alliance activity and performance, regional capacity, credit."""
    folder.mkdir(parents=True, exist_ok=True)
    done: list[tuple[str, Path]] = []
    for name in ("alliance_activity", "alliance_performance", "regional_innovation"):
        result = evaluate_and_report(engine, load_system(name), DEMO_YEARS, draws=256, seed=0,
                                     output=folder / name, progress=progress)
        done.append((load_system(name).title, result.html))
    ratings = rate_and_report(engine, DEMO_RATED, as_of=dt.date(DEMO_YEARS[-1], 12, 31),
                              system=load_system("member_contribution"), forgetting=0.9,
                              weight_behaviour=0.6, min_confidence=MIN_CONFIDENCE,
                              output=folder / "member_credit")
    done.append((f"Member credit ratings, {DEMO_RATED}", ratings.html))
    return done
