"""``innoalliance region …``: structure analysis and zonal statistics on a user's own files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from innoalliance.cli.common import JsonOption, console, errors, handles_errors, print_json
from innoalliance.ingest.panel_file import TAXONOMY_CHOICES
from innoalliance.methods.spatial.zonal import Weighting
from innoalliance.workflows.plan.files import structure_file
from innoalliance.workflows.plan.zonal_files import zonal_file

app = typer.Typer(no_args_is_help=True,
                  help="Regional analysis of files: industrial structure, zonal statistics.")

TaxonomyOption = Annotated[str, typer.Option(
    help=f"check industry codes against a taxonomy: {', '.join(TAXONOMY_CHOICES)} (auto: when "
         "most labels are codes of one)")]


@app.command("structure")
@handles_errors
def structure_command(
    file: Annotated[Path, typer.Argument(
        show_default=False, help="CSV/XLSX with columns region,industry,value[,year]")],
    threshold: Annotated[float, typer.Option(help="RCA at or above which an industry is "
                                                  "present")] = 1.0,
    taxonomy: TaxonomyOption = "auto",
    as_json: JsonOption = False,
) -> None:
    """Similarity (UNIDO), Krugman index, RCA, density and complexity of a region set."""
    result = structure_file(file, threshold=threshold, taxonomy=taxonomy)
    if as_json:
        print_json(result)
        return
    for year, one in (result.get("years") or {"": result}).items():
        regions = one["regions"]
        table = Table("region", *regions, title=f"structural similarity {year}".strip())
        for name, row in zip(regions, one["similarity"], strict=True):
            table.add_row(name, *(f"{v:.3f}" for v in row))
        console.print(table)


@app.command("zonal")
@handles_errors
def zonal_command(
    raster: Annotated[Path, typer.Argument(show_default=False, help="a GeoTIFF or NetCDF")],
    boundaries: Annotated[Path, typer.Argument(show_default=False,
                                               help="GeoJSON, GeoPackage or Shapefile")],
    id_field: Annotated[str, typer.Option(help="the field naming each boundary")] = "code",
    band: Annotated[int, typer.Option(help="raster band, from 1")] = 1,
    threshold: Annotated[list[float] | None, typer.Option(
        help="also the coverage-weighted shares of cells above and below this value "
             "(repeatable)")] = None,
    weighting: Annotated[Weighting, typer.Option(
        help="exact (coverage-weighted, as exactextract) or centroid (cell centres inside, as "
             "rasterstats)")] = "exact",
    as_json: JsonOption = False,
) -> None:
    """Count, mean, min, max, sum and std of a raster band within each boundary."""
    stats = zonal_file(raster, boundaries, id_field, band=band, thresholds=threshold,
                       weighting=weighting)
    for warning in stats.warnings:
        errors.print(f"warning: {warning}", highlight=False, markup=False)
    if as_json:
        print_json(dict(stats))
        return
    columns = list(next(iter(stats.values()), {}))
    table = Table(id_field, *columns)
    for key, values in stats.items():
        table.add_row(key, *("—" if v is None else f"{v:.6g}" for v in values.values()))
    console.print(table)
