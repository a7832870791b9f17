"""Boundaries attach to known regions; rasters register after opening; both are idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import box, mapping
from sqlalchemy import Engine, select

from innoalliance.errors import ValidationError
from innoalliance.model import RasterLayer, Region
from innoalliance.workflows.register.export import export_frame, frame_to_text
from innoalliance.workflows.register.imports import import_files

from .test_rasters import geotiff


def _collection(features: list[tuple[str, object]]) -> str:
    return json.dumps({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": code}, "geometry": geom}
                     for code, geom in features],
    })


def test_boundaries_attach_to_regions(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text(_collection([("330100", mapping(box(119.0, 29.0, 120.5, 30.5)))]), "utf-8")
    first = import_files(engine, "boundaries", [path])[0]
    again = import_files(engine, "boundaries", [path])[0]
    assert (first.updated, again.updated, again.unchanged) == (1, 0, 1)
    with engine.connect() as conn:
        geometry = conn.execute(select(Region.geometry).where(Region.code == "330100")).scalar()
    assert geometry is not None and json.loads(geometry)["type"] == "Polygon"


def test_unknown_region_code_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    square = mapping(box(0, 0, 1, 1))
    path.write_text(_collection([("330100", square), ("330199", square)]), "utf-8")
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "boundaries", [path])
    (problem,) = exc.value.problems
    assert (problem.row, problem.value, problem.suggestion) == (2, "330199", "330109")
    with engine.connect() as conn:
        assert conn.execute(select(Region.geometry).where(Region.code == "330100")).scalar() is None


def test_rasters_register_and_round_trip(engine: Engine, tmp_path: Path) -> None:
    tif = geotiff(tmp_path / "ndvi.tif", bands=("NDVI", "LST"))
    assert import_files(engine, "rasters", [tif])[0].inserted == 1
    assert import_files(engine, "rasters", [tif])[0].unchanged == 1
    with engine.connect() as conn:
        layer = conn.execute(select(RasterLayer)).one()
    assert (layer.crs, layer.band_count, layer.bands) == ("EPSG:4326", 2, "NDVI;LST")
    manifest = tmp_path / "rasters.csv"
    manifest.write_text(frame_to_text(export_frame(engine, "rasters"), "csv"), "utf-8")
    assert import_files(engine, "rasters", [manifest])[0].unchanged == 1


def test_raster_without_crs_is_refused(engine: Engine, tmp_path: Path) -> None:
    import warnings

    from rasterio.errors import NotGeoreferencedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        tif = geotiff(tmp_path / "bare.tif", crs=None)
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"name,path,bands\nbare,{tif.name},NDVI\nmissing,nope.tif,\n", "utf-8")
    with pytest.raises(ValidationError) as exc:
        import_files(engine, "rasters", [manifest])
    rows = [(p.row, p.column) for p in exc.value.problems]
    assert rows == [(2, "path"), (3, "path")]
    assert "CRS" in exc.value.problems[0].rule


def test_missing_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from innoalliance.errors import MissingExtra
    from innoalliance.ingest.boundaries import read_boundaries

    monkeypatch.setitem(sys.modules, "pyogrio", None)
    (tmp_path / "b.gpkg").write_bytes(b"")
    with pytest.raises(MissingExtra) as exc:
        read_boundaries(tmp_path / "b.gpkg")
    assert exc.value.hint == "pip install 'innoalliance[geo]'"
