"""Export every kind back to the files it is imported from (CSV, JSON, GeoJSON, GeoPackage).

Exports use the import schemas' columns, so export → import into an empty store → export gives
the same files. Quantities are written in their stored unit (money in 元).

CSV and XLSX exports escape formula-like text (OWASP "CSV injection"): a text cell starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` so a spreadsheet shows it
instead of running it; text that is a plain number (``-5``) and numeric cells are left as they
are. Importing such a file drops the ``'`` again, so the round trip still gives the same files.
JSON is not a spreadsheet format and is written unescaped.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, select

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.boundaries import write_boundaries
from innoalliance.ingest.cells import escape_formula
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.ingest.units import STORED_UNIT
from innoalliance.ingest.writer import CHILD_TABLES
from innoalliance.model import RasterLayer, Region
from innoalliance.store.engine import require_current

RASTER_COLUMNS = ("name", "path", "bands", "date", "driver", "crs", "width", "height",
                  "band_count", "source")


def export_frame(engine: Engine, kind: str, where: Mapping[str, str] | None = None,
                 with_version: bool = False) -> pd.DataFrame:
    """The records of a table kind (or rasters) as a frame in the import layout.

    ``where`` keeps only the records whose columns equal the values given (e.g. one alliance's:
    ``{"alliance": name}``); ``with_version`` adds each record's ``version`` as the last column.
    """
    require_current(engine)
    if kind == "rasters":
        cols = [getattr(RasterLayer, c) for c in RASTER_COLUMNS]
        with engine.connect() as conn:
            rows = conn.execute(select(*cols).order_by(RasterLayer.name)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=list(RASTER_COLUMNS), dtype=object)
    schema = TABLE_KINDS[kind]
    table = schema.model.__table__
    stored = schema.stored_columns
    key = list(schema.key)
    where = dict(where or {})
    names = [*stored, "version"] if with_version else stored
    with engine.connect() as conn:
        rows = conn.execute(
            select(*(table.c[c] for c in names)).where(*(table.c[c] == v for c, v in where.items()))
            .order_by(*(table.c[k] for k in key))
        ).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=names, dtype=object)
        for col in schema.columns:
            if col.type in ("codes", "owners"):
                frame[col.name] = _joined_children(conn, kind, col.name, frame, key, where)
    for col in schema.columns:
        if col.type == "unit" and col.name not in stored:
            frame[col.name] = STORED_UNIT["money"]
    if kind == "statistics":
        frame["industry"] = frame["industry"].replace("", None)
    return frame[[*schema.names, "version"] if with_version else schema.names]


def _joined_children(conn: Any, kind: str, column: str, frame: pd.DataFrame,
                     key: list[str], where: Mapping[str, str]) -> pd.Series:
    child, pkey, item, extra = CHILD_TABLES[(kind, column)]
    cols = [child.c[c] for c in (*pkey, item)] + ([child.c[extra]] if extra else [])
    # the parent's key columns are the child's first ones: filter the children alike
    of_parent = {pkey[key.index(c)]: v for c, v in where.items() if c in key}
    grouped: dict[tuple[Any, ...], list[str]] = {}
    for row in conn.execute(select(*cols).where(*(child.c[c] == v for c, v in of_parent.items()))
                            .order_by(*cols[: len(pkey) + 1])):
        parent = tuple(row[: len(pkey)])
        text = f"{row[len(pkey)]}:{row[len(pkey) + 1]!r}" if extra else str(row[len(pkey)])
        grouped.setdefault(parent, []).append(text)
    parents = frame[key].itertuples(index=False)
    return pd.Series([";".join(grouped.get(tuple(p), [])) or None for p in parents],
                     index=frame.index, dtype=object)


def json_value(value: Any) -> Any:
    """A stored or computed value as JSON holds it: NumPy scalars as Python numbers, dates as
    ISO text (a midnight timestamp as its date), NaN, NaT and None as ``None``."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def frame_to_text(frame: pd.DataFrame, fmt: str) -> str:
    """CSV (header row) or JSON (a list of objects) text of an exported frame."""
    if fmt == "json":
        records = [{k: json_value(v) for k, v in r.items()} for r in frame.to_dict("records")]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    return str(escape_frame(frame).to_csv(index=False, lineterminator="\n"))


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are escaped for spreadsheets (see
    :func:`innoalliance.ingest.cells.escape_formula`); numbers, dates and empty cells as they
    are."""
    escaped = frame.copy()
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype == object:
            values = np.empty(len(column), dtype=object)
            values[:] = [escape_formula(v) if isinstance(v, str) else v for v in column]
            escaped.isetitem(position, values)
    return escaped


def frame_to_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "data") -> None:
    """Write an exported frame to the XLSX workbook ``path`` (one sheet, header row), its text
    cells escaped so that none becomes a formula; ``innoalliance import`` reads it back."""
    cells = escape_frame(frame).map(json_value)
    cells.to_excel(path, sheet_name=sheet, index=False, engine="openpyxl")


def export_boundaries(engine: Engine, path: Path, fmt: str) -> int:
    """Write every region that has a boundary to GeoJSON or GeoPackage; return the count."""
    require_current(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Region.code, Region.name_zh, Region.level, Region.geometry)
            .where(Region.geometry.is_not(None)).order_by(Region.code)
        ).all()
    items = [(c, n, lv, shapely.from_geojson(g)) for c, n, lv, g in rows]
    write_boundaries(items, path, fmt)
    return len(items)


def check_format(kind: str, fmt: str) -> None:
    """Refuse a format that cannot hold ``kind``."""
    spatial = kind == "boundaries"
    ok = fmt in ("geojson", "gpkg") if spatial else fmt in ("csv", "json", "xlsx")
    if not ok:
        allowed = "geojson or gpkg" if spatial else "csv, json or xlsx"
        raise ValidationError(
            [Problem("--format", None, None, fmt, f"{kind} export as {allowed}")],
            message=f"{kind} cannot be exported as {fmt}; use {allowed}",
            hint=f"choose --format {allowed.replace(' or ', ' | ').replace(', ', ' | ')}",
        )
