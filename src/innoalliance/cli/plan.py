"""``innoalliance plan …``: diagnose a region set and lay out its alliances."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    OutputOption,
    console,
    engine_for,
    handles_errors,
    print_done,
    print_json,
)
from innoalliance.errors import InnoallianceError
from innoalliance.ingest.panel_file import TAXONOMY_CHOICES
from innoalliance.workflows.common import Done, parse_years
from innoalliance.workflows.plan.files import layout_file
from innoalliance.workflows.plan.runs import plan_and_report

app = typer.Typer(no_args_is_help=True,
                  help="Plan: regional diagnosis and the spatial layout of alliances.")

RegionsOption = Annotated[list[str] | None, typer.Option(
    "--regions", help="region codes (repeat or comma-separate), a province code, or a preset: "
                      "hangzhou-bay, prd")]
YearsOption = Annotated[str | None, typer.Option(help="years of the output panel, e.g. 2012-2016"
                                                      " (default: all in the store)")]
RasterOption = Annotated[str | None, typer.Option(
    help="registered raster layer with RSEI bands, for the ecology step")]
IndicatorOption = Annotated[str, typer.Option(help="statistic by industry for the structure")]


def _codes(regions: list[str] | None) -> list[str]:
    codes = [c.strip() for item in regions or [] for c in item.split(",") if c.strip()]
    if not codes:
        raise InnoallianceError("no regions given",
                                hint="e.g. --regions hangzhou-bay or --regions 440100,440300")
    return codes


def _print_plan(done: Done) -> None:
    result = done.summary
    table = Table("industry", "lead city", "member cities", title="alliance layout "
                  f"(objective {result['objective']:.4f}, {result['status']})")
    names = result["regions"]
    for code, plan in result["layout"].items():
        table.add_row(result["industries"][code], names[plan["lead"]],
                      ", ".join(names[m] for m in plan["members"]))
    console.print(table)


@app.command("diagnose")
@handles_errors
def diagnose_command(
    regions: RegionsOption = None,
    years: YearsOption = None,
    raster: RasterOption = None,
    indicator: IndicatorOption = "industrial_output",
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Structure, innovation capacity and ecology of a region set, with the layout, as a report."""
    done = plan_and_report(engine_for(db), _codes(regions), output=output or Path("plan"),
                           indicator=indicator, years=parse_years(years) if years else None,
                           raster=raster)
    if as_json:
        print_json(done.summary)
        return
    table = Table("city", "output", "diversity", "ECI", "innovation", "mean similarity",
                  title=f"diagnosis {done.summary['year']}")
    for row in done.summary["regions_table"]:
        table.add_row(row["name"], f"{row['output']:.4g}", str(row["diversity"]),
                      f"{row['eci']:.2f}", f"{row['innovation_capacity']:.1f}",
                      f"{row['mean_similarity']:.3f}")
    console.print(table)
    _print_plan(done)
    print_done(done)


@app.command("layout")
@handles_errors
def layout_command(
    scores: Annotated[Path | None, typer.Option(
        help="standalone: CSV with columns city,industry,score (no store needed)")] = None,
    max_leads_per_city: Annotated[int, typer.Option(help="alliances one city may lead")] = 2,
    taxonomy: Annotated[str, typer.Option(
        help=f"check industry codes: {', '.join(TAXONOMY_CHOICES)}")] = "auto",
    regions: RegionsOption = None,
    years: YearsOption = None,
    raster: RasterOption = None,
    indicator: IndicatorOption = "industrial_output",
    min_members: Annotated[int, typer.Option(help="cities per alliance, lead included")] = 2,
    max_members: Annotated[int | None, typer.Option(help="cities per alliance at most")] = None,
    duplication_penalty: Annotated[float, typer.Option(
        help="cost of two neighbouring cities in the same alliance")] = 0.2,
    eco_weight: Annotated[float, typer.Option(help="cost per membership × eco pressure")] = 0.2,
    eco_limit: Annotated[float | None, typer.Option(
        help="cities with eco pressure (1 − mean RSEI) above this stay out")] = None,
    weights: Annotated[str | None, typer.Option(
        help="component weights, e.g. rca=0.4,density=0.2,innovation=0.2,complementarity=0.2")]
        = None,
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The optimal lead city per industry: from a scores file, or the full layout from the store."""
    if scores is not None:
        result = layout_file(scores, max_leads_per_city=max_leads_per_city, taxonomy=taxonomy)
        if as_json:
            print_json(result)
            return
        table = Table("industry", "lead city", "score", "runner-up", "regret",
                      title=f"objective {result['objective']:.6g} ({result['status']})")
        for row in result["explanation"]:
            table.add_row(row["industry"], row["lead"], f"{row['score']:.4g}",
                          row["runner_up"] or "—",
                          "—" if row["regret"] is None else f"{row['regret']:.4g}")
        console.print(table)
        return
    parsed = _weights(weights)
    done = plan_and_report(engine_for(db), _codes(regions), output=output or Path("plan"),
                           indicator=indicator, years=parse_years(years) if years else None,
                           raster=raster, weights=parsed,
                           max_leads_per_city=max_leads_per_city, min_members=min_members,
                           max_members=max_members, duplication_penalty=duplication_penalty,
                           eco_weight=eco_weight, eco_limit=eco_limit)
    if as_json:
        print_json(done.summary)
        return
    _print_plan(done)
    print_done(done)


def _weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out: dict[str, float] = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InnoallianceError(f"weight {item!r} is not name=number",
                                    hint="e.g. --weights rca=0.4,density=0.3,innovation=0.3"
                                    ) from None
    return out
