"""``innoalliance govern …``: supervision views of alliances (funding channels)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..workflows.evaluation_runs import parse_years
from ..workflows.funding import funding_report
from ..workflows.overview import write_overview
from ..workflows.supervision import write_annual_report
from .common import (
    DbOption,
    JsonOption,
    OutputOption,
    console,
    engine_for,
    handles_errors,
    print_json,
)

app = typer.Typer(no_args_is_help=True, help="Govern: supervision views of alliances.")


@app.command("report")
@handles_errors
def report_command(
    alliance: Annotated[str, typer.Option(help="the alliance (its Chinese name)")],
    year: Annotated[int, typer.Option(help="the year reported on")],
    pdf: Annotated[bool, typer.Option("--pdf", help="also write a PDF")] = False,
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The annual supervision report of one alliance, as HTML (and PDF) and JSON."""
    report, paths = write_annual_report(engine_for(db), alliance, year,
                                        output or Path(f"report_{year}"), pdf=pdf)
    if as_json:
        print_json(report.summary())
        return
    for t in report.tables:
        console.print(f"  {t.title}: {len(t.rows)} rows", highlight=False)
    for path in paths:
        console.print(f"written: {path}", highlight=False)


@app.command("overview")
@handles_errors
def overview_command(
    region: Annotated[str, typer.Option(help="region code (440000 = Guangdong)")],
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Counts of a region's alliances by field, batch, kind, stage and status; map; alerts."""
    found, html, json_path = write_overview(engine_for(db), region,
                                            output or Path(f"overview_{region}"))
    if as_json:
        print_json(found)
        return
    console.print(f"{found['alliances']} alliances; {len(found['alerts'])} alerts")
    console.print(f"written: {html}\nwritten: {json_path}", highlight=False)


@app.command("funding")
@handles_errors
def funding_command(
    region: Annotated[str | None, typer.Option(
        help="host region code of the alliances (440000 = Guangdong)")] = None,
    years: Annotated[str | None, typer.Option(help="e.g. 2012-2016 (default: all)")] = None,
    max_government_share: Annotated[float, typer.Option(
        help="flag alliances whose government share of the budget exceeds this")] = 0.5,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Budgets by capital channel, leverage, Herfindahl concentration and over-dependence."""
    found = funding_report(engine_for(db), region=region,
                           years=parse_years(years) if years else None,
                           max_government_share=max_government_share)
    if as_json:
        print_json(found)
        return
    table = Table("alliance", "budget 万元", "government", "leverage", "HHI", "flag",
                  title=f"budgets by channel, {found['years'][0]}–{found['years'][-1]}")
    for row in found["alliances"]:
        table.add_row(row["alliance"], f"{row['total'] / 1e4:,.0f}",
                      f"{row['government_share']:.0%}",
                      "—" if row["leverage"] is None else f"{row['leverage']:.2f}",
                      f"{row['herfindahl']:.3f}", "over-dependent" if row["over_dependent"] else "")
    console.print(table)
    console.print(f"leverage: non-government yuan per government yuan; flagged when the "
                  f"government share exceeds {found['max_government_share']:.0%}")
