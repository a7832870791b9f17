"""The demo's analyses, each saved as a run and written as a report into one folder: evaluations
and credit, sharing (each agreed allocation recorded), matching, the plan and supervision."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

from innoalliance.demo.cases import (
    AS_OF,
    EV_ALLIANCE,
    HZB_ALLIANCE,
    IMAGE,
    MATCH_AS_OF,
    OVERVIEW_REGION,
    REPORT_YEAR,
    RISK_FUND,
    YEARS,
)
from innoalliance.demo.image import write_demo_image
from innoalliance.ingest.indexsystem import load_system
from innoalliance.workflows.evaluate.credit import MIN_CONFIDENCE
from innoalliance.workflows.evaluate.runs import evaluate_and_report, rate_and_report
from innoalliance.workflows.evaluate.store import Progress
from innoalliance.workflows.govern.overview import write_overview
from innoalliance.workflows.govern.supervision import write_annual_report
from innoalliance.workflows.match.runs import match_and_report
from innoalliance.workflows.plan.regions import resolve_regions
from innoalliance.workflows.plan.runs import plan_and_report
from innoalliance.workflows.register.layers import import_raster_file
from innoalliance.workflows.share.runs import report_and_record
from innoalliance.workflows.share.store import compare_cost, compare_profit, profit_game, risk_fund

Written = list[tuple[str, Path]]


def demo_evaluations(engine: Engine, folder: Path, progress: Progress | None = None) -> Written:
    """The demo's evaluations: alliance activity and performance, regional capacity, credit."""
    folder.mkdir(parents=True, exist_ok=True)
    done: Written = []
    for name in ("alliance_activity", "alliance_performance", "regional_innovation"):
        result = evaluate_and_report(engine, load_system(name), YEARS, draws=256, seed=0,
                                     output=folder / name, progress=progress)
        done.append((load_system(name).title, result.html))
    ratings = rate_and_report(engine, EV_ALLIANCE, as_of=AS_OF,
                              system=load_system("member_contribution"), forgetting=0.9,
                              weight_behaviour=0.6, min_confidence=MIN_CONFIDENCE,
                              output=folder / "member_credit")
    done.append((f"Member credit ratings, {EV_ALLIANCE}", ratings.html))
    return done


def demo_sharing(engine: Engine, folder: Path) -> Written:
    """The demo's sharing runs, each agreed allocation recorded: profit, facility cost, risk."""
    folder.mkdir(parents=True, exist_ok=True)
    needs = Path(str(resources.files("innoalliance.demo") / "data" / "facility_needs.csv"))
    runs = [
        ("profit", compare_profit(profit_game(engine, EV_ALLIANCE, as_of=AS_OF),
                                  EV_ALLIANCE, as_of=AS_OF), "shapley"),
        ("cost", compare_cost(engine, EV_ALLIANCE, needs), "shapley"),
        ("risk", risk_fund(engine, RISK_FUND, rule="talmud", as_of=AS_OF), "talmud"),
    ]
    done = []
    for kind, comparison, rule in runs:
        result = report_and_record(engine, comparison, output=folder / f"share_{kind}",
                                   record=rule)
        done.append((f"Sharing: {comparison.subject}", result.html))
    return done


def demo_matching(engine: Engine, folder: Path) -> Written:
    """The demo's matching run: the Hangzhou Bay new-materials alliance (seed 002)."""
    done = match_and_report(engine, output=folder / "match", alliance=HZB_ALLIANCE,
                            as_of=MATCH_AS_OF)
    return [(f"Knowledge-transfer matching, {HZB_ALLIANCE}", done.html)]


def demo_plan(engine: Engine, folder: Path) -> Written:
    """The demo's plan: the six Hangzhou Bay cities (seed 002), with an illustrative image."""
    regions = resolve_regions(engine, ["hangzhou-bay"])
    image = write_demo_image(folder / f"{IMAGE}.tif",
                             [g for g in regions.geometries if g is not None])
    manifest = folder / f"{IMAGE}.csv"
    manifest.write_text("name,path,bands,source\n"
                        f"{IMAGE},{image.resolve()},blue;green;red;nir;swir1;swir2;tir,"
                        "illustrative image made by the demo\n", encoding="utf-8")
    import_raster_file(engine, manifest, "demo")
    done = plan_and_report(engine, ["hangzhou-bay"], output=folder / "plan_hangzhou_bay",
                           raster=IMAGE)
    return [("Regional diagnosis and alliance layout, Hangzhou Bay", done.html)]


def demo_govern(engine: Engine, folder: Path) -> Written:
    """The demo's supervision reports: the EV alliance's annual report and Guangdong's overview."""
    _, paths = write_annual_report(engine, EV_ALLIANCE, REPORT_YEAR,
                                   folder / f"supervision_{REPORT_YEAR}", pdf=True)
    _, html, _ = write_overview(engine, OVERVIEW_REGION, folder / f"overview_{OVERVIEW_REGION}",
                                AS_OF)
    return [(f"Annual supervision report {REPORT_YEAR}, {EV_ALLIANCE} (also PDF)", paths[0]),
            ("Regional overview of alliances, Guangdong", html)]
