"""``innoalliance govern …``: supervision views of alliances (funding channels)."""

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
    parse_date,
    print_json,
)
from innoalliance.workflows.common import parse_years
from innoalliance.workflows.govern.funding import funding_report
from innoalliance.workflows.govern.overview import write_overview
from innoalliance.workflows.govern.supervision import write_annual_report

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
    as_of: Annotated[str | None, typer.Option(help="date of the charter check's alerts")] = None,
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Counts of a region's alliances by field, batch, kind, stage and status; map; alerts."""
    found, html, json_path = write_overview(engine_for(db), region,
                                            output or Path(f"overview_{region}"),
                                            parse_date(as_of) if as_of else None)
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


@app.command("policies")
@handles_errors
def policies_command(
    alliance: Annotated[str, typer.Option(help="the alliance's Chinese or English name")],
    catalogue: Annotated[str | None, typer.Option(
        help="policy catalogue YAML file (default: the built-in matrix)")] = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="also list the measures that do not apply, with the condition failed")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The measures of the policy matrix (stage × region × industry × kind) that apply, and why."""
    from innoalliance.workflows.govern.policies import applicable_policies

    found = applicable_policies(engine_for(db), alliance, catalogue)
    if as_json:
        print_json(found)
        return
    who = found["alliance"]
    table = Table("measure", "title", "why", "source",
                  title=f"{who['name_zh']}: {who['stage'] or 'no stage'}, region "
                  f"{who['host_region']}, industry {who['industry']}, {who['kind']}")
    for m in found["applicable"]:
        why = "; ".join(f"{w['condition'] or 'any'}: {w.get('how') or w.get('alliance')}"
                        for w in m["why"])
        source = f"seed {m['source']['seed']} {m['source']['section']}"
        table.add_row(m["code"], m["title"], why,
                      source + (" (illustrative)" if m["illustrative"] else ""))
    console.print(table)
    if show_all:
        for m in found["not_applicable"]:
            failed = m["failed"]
            console.print(f"  not {m['code']}: {failed['condition']} requires "
                          f"{', '.join(failed['requires'])}, the alliance has "
                          f"{failed['alliance']}", highlight=False)


@app.command("check")
@handles_errors
def check_command(
    as_of: Annotated[str, typer.Option("--as-of", help="date of the check YYYY-MM-DD")],
    alliance: Annotated[str | None, typer.Option(
        help="the alliance's Chinese name (default: every alliance with a charter)")] = None,
    record: Annotated[bool, typer.Option(
        "--record", help="write each new default as a violation event (lowers credit ratings)"
    )] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Enforcement check: commitments against the charter, defaults, penalties and alerts."""
    from innoalliance.cli.common import parse_date
    from innoalliance.workflows.govern.enforcement import check

    found = check(engine_for(db), parse_date(as_of), alliance, record=record)
    if as_json:
        print_json(found)
        return
    for a in found["alliances"]:
        table = Table("severity", "member", "commitment", "alert",
                      title=f"{a['alliance']}, charter v{a['charter_version']}, as of "
                            f"{found['as_of']}")
        for alert in a["alerts"]:
            table.add_row(alert["severity"], alert["member"], alert["commitment"] or "",
                          alert["message"])
        console.print(table)
        for p in a["penalties"]:
            console.print(f"  {p['member']}: late fee {p['late_fee']['total']:,.2f} 元"
                          + (", rights suspended" if p["suspended"] else "")
                          + (f", excluded (forfeits {p['forfeit_share']:.0%})"
                             if p["excluded"] else ""), highlight=False)
        if a["recorded"]:
            console.print(f"  recorded violation events: {', '.join(a['recorded'])}",
                          highlight=False)
