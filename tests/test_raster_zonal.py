from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from affine import Affine
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from innoalliance.errors import MethodError, Problem, ValidationError
from innoalliance.methods.spatial.rsei import rsei
from innoalliance.methods.spatial.zonal import zonal_stats
from innoalliance.workflows.plan.zonal_files import (
    read_zones,
    rsei_file,
    write_geotiff,
    zonal_file,
)

from .test_methods_rsei import BANDS, scene

rasterio = pytest.importorskip("rasterio")
pyogrio = pytest.importorskip("pyogrio")
pyproj = pytest.importorskip("pyproj")

UTM = "EPSG:32650"
GRID = Affine(100.0, 0.0, 500_000.0, 0.0, -100.0, 3_400_000.0)  # 20 rows x 30 columns of 100 m
LEFT, TOP, RIGHT, BOTTOM = 500_000.0, 3_400_000.0, 503_000.0, 3_398_000.0


def write_raster(path: Path, values: np.ndarray, crs: str | None = UTM,
                 nodata: float | None = -9999.0) -> Path:
    data = values if values.ndim == 3 else values[None]
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[2], height=data.shape[1],
                       count=data.shape[0], dtype=str(data.dtype), crs=crs, transform=GRID,
                       nodata=nodata) as dst:
        dst.write(data)
    return path


def write_geojson(path: Path, rows: list[tuple[dict[str, Any], BaseGeometry | None]],
                  crs: str | None = UTM) -> Path:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": None if geom is None else mapping(geom)} for props, geom in rows]}
    if crs is not None:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def values() -> np.ndarray:
    rng = np.random.default_rng(11)
    data = rng.normal(20.0, 5.0, (20, 30)).astype(np.float32)
    data[rng.random(data.shape) < 0.1] = -9999.0
    data[0:3, 25:30] = -9999.0  # a corner of nodata only
    return data


def zones() -> list[tuple[str, BaseGeometry]]:
    return [
        ("东区", shapely.box(500_050.0, 3_398_130.0, 501_420.0, 3_399_610.0)),
        ("west-1", shapely.Polygon([(501_500, 3_398_100), (502_900, 3_398_500),
                                    (502_000, 3_399_900)])),
        ("ring", shapely.box(500_200, 3_398_200, 502_800, 3_399_800).difference(
            shapely.box(500_900, 3_398_900, 502_100, 3_399_100))),
    ]


def rule(exc: pytest.ExceptionInfo[ValidationError]) -> Problem:
    [problem] = exc.value.problems
    return problem


def test_zonal_file_matches_the_method(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    path = write_geojson(tmp_path / "z.geojson", [({"name": n}, g) for n, g in zones()])
    table = zonal_file(raster, path, "name", thresholds=[20.0])
    assert list(table) == ["东区", "west-1", "ring"]
    expected = zonal_stats(values(), GRID, [g for _, g in zones()], nodata=-9999.0,
                           thresholds=[20.0])
    for (name, _), result in zip(zones(), expected, strict=True):
        assert table[name] == pytest.approx(result.as_dict(), rel=1e-12)
        assert set(table[name]) == {"count", "sum", "mean", "min", "max", "std",
                                    "share_above_20", "share_below_20"}
    assert table.warnings == ()
    assert (table.crs, table.band, table.weighting) == (UTM, 1, "exact")
    centres = zonal_file(raster, path, "name", weighting="centroid")
    assert centres["东区"]["count"] == float(int(centres["东区"]["count"] or 0))


def test_zones_are_reprojected_to_the_raster(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    to_lonlat = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", UTM, always_xy=True)

    def move(geom: BaseGeometry, transformer: Any) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: np.column_stack(
            transformer.transform(xy[:, 0], xy[:, 1])))

    lonlat = [(n, move(g, to_lonlat)) for n, g in zones()]
    path = write_geojson(tmp_path / "z.geojson", [({"id": n}, g) for n, g in lonlat], crs=None)
    table = zonal_file(raster, path, "id")
    expected = zonal_stats(values(), GRID, [move(g, to_utm) for _, g in lonlat],
                           nodata=-9999.0)
    for (name, _), result in zip(lonlat, expected, strict=True):
        assert table[name] == pytest.approx(result.as_dict(), rel=1e-9)


def test_zones_without_valid_cells_are_warnings(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    path = write_geojson(tmp_path / "z.geojson", [
        ({"code": 7}, shapely.box(600_000, 3_000_000, 600_100, 3_000_100)),
        ({"code": 8}, shapely.box(502_600, 3_399_750, 502_900, 3_399_950)),
        ({"code": 9}, shapely.box(500_000, 3_398_000, 500_100, 3_398_100)),
    ])
    table = zonal_file(raster, path, "code")
    assert table["7"] == {"count": 0.0, "sum": 0.0, "mean": None, "min": None, "max": None,
                          "std": None}
    assert table["8"]["count"] == 0.0
    assert table.warnings == ("zone '7' does not overlap the raster; count 0",
                              "zone '8' covers no valid cell (nodata only); count 0")


def test_raster_without_crs(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "nocrs.tif", values(), crs=None)
    path = write_geojson(tmp_path / "z.geojson", [({"name": "a"}, zones()[0][1])])
    with pytest.raises(ValidationError) as exc:
        zonal_file(raster, path, "name")
    problem = rule(exc)
    assert problem.file == "nocrs.tif"
    assert "gdal_edit.py -a_srs EPSG:4326 nocrs.tif" in problem.rule


def test_zones_without_the_id_field(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    path = write_geojson(tmp_path / "z.geojson", [({"name": "a", "area": 1}, zones()[0][1])])
    with pytest.raises(ValidationError) as exc:
        zonal_file(raster, path, "Name")
    problem = rule(exc)
    assert (problem.file, problem.row, problem.column) == ("z.geojson", None, "Name")
    assert problem.rule == "no field 'Name'; the fields are: name, area"
    assert problem.suggestion == "name"
    with pytest.raises(ValidationError) as exc:
        read_zones(path, "nme")
    assert rule(exc).suggestion == "name"


def test_duplicate_and_missing_ids_and_bad_geometries(tmp_path: Path) -> None:
    box = shapely.box(500_100, 3_398_100, 500_500, 3_398_500)
    path = write_geojson(tmp_path / "z.geojson", [
        ({"id": "a"}, box),
        ({"id": "b"}, box),
        ({"id": "a"}, box),
        ({"id": None}, box),
        ({"id": "c"}, None),
        ({"id": "d"}, shapely.Point(500_100, 3_398_100)),
    ])
    with pytest.raises(ValidationError) as exc:
        read_zones(path, "id")
    found = [(p.row, p.column, p.value, p.rule) for p in exc.value.problems]
    assert found == [
        (3, "id", "a", "duplicate id; feature 1 has it too"),
        (4, "id", None, "missing id"),
        (5, "geometry", None, "missing or empty geometry"),
        (6, "geometry", None, "Point is not a Polygon or MultiPolygon"),
    ]


def test_invalid_geometry_is_repaired_and_said(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    bowtie = shapely.Polygon([(500_100, 3_398_100), (501_100, 3_399_100),
                              (501_100, 3_398_100), (500_100, 3_399_100)])
    path = write_geojson(tmp_path / "z.geojson", [({"id": 1}, bowtie)])
    zoned = read_zones(path, "id")
    assert zoned.geometries[0].is_valid
    assert zoned.geometries[0].area == pytest.approx(500_000.0)
    table = zonal_file(raster, path, "id")
    [note] = table.warnings
    assert note.startswith("z.geojson: feature 1 (id '1'): invalid geometry (Self-intersection")
    assert note.endswith("repaired with make_valid")
    # the two triangles of the bow tie: 50 cells of area, less the nodata ones
    assert 0 < (table["1"]["count"] or 0) <= 50.0


def test_layers_without_crs_and_other_formats(tmp_path: Path) -> None:
    geoms = [g for _, g in zones()]
    gpkg = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):  # pyogrio's, expected
        pyogrio.raw.write(gpkg, shapely.to_wkb(geoms), [np.array([1, 2, 3])], ["fid_code"],
                          driver="GPKG", geometry_type="Polygon", crs=None)
    with pytest.raises(ValidationError) as exc:
        read_zones(gpkg, "fid_code")
    assert "layer has no CRS; define it, e.g. ogr2ogr -a_srs EPSG:4326" in rule(exc).rule
    good = tmp_path / "zones.gpkg"
    pyogrio.raw.write(good, shapely.to_wkb(geoms), [np.array([10, 20, 30])], ["zone"],
                      driver="GPKG", geometry_type="Polygon", crs=UTM)
    zoned = read_zones(good, "zone")
    assert zoned.ids == ("10", "20", "30")
    assert zoned.rows == (1, 2, 3)
    assert pyproj.CRS(zoned.crs).to_epsg() == 32650
    raster = write_raster(tmp_path / "v.tif", values())
    assert zonal_file(raster, good, "zone")["20"]["count"] > 0


def test_projected_geojson_without_crs_member(tmp_path: Path) -> None:
    # metres read as degrees: GeoJSON without "crs" is EPSG:4326
    raster = write_raster(tmp_path / "v.tif", values())
    path = write_geojson(tmp_path / "z.geojson", [({"id": "x"}, zones()[0][1])], crs=None)
    with pytest.raises(ValidationError) as exc:
        zonal_file(raster, path, "id")
    problem = rule(exc)
    assert (problem.row, problem.column) == (1, "geometry")
    assert "cannot be reprojected from EPSG:4326" in problem.rule


@pytest.mark.parametrize("which", ["zones", "raster", "not-a-raster"])
def test_missing_and_unreadable_files(tmp_path: Path, which: str) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    path = write_geojson(tmp_path / "z.geojson", [({"id": "x"}, zones()[0][1])])
    if which == "zones":
        path = tmp_path / "none.geojson"
    elif which == "raster":
        raster = tmp_path / "none.tif"
    else:
        raster = tmp_path / "text.tif"
        raster.write_text("not a raster")
    with pytest.raises(ValidationError) as exc:
        zonal_file(raster, path, "id")
    problem = rule(exc)
    assert problem.rule.startswith("file not found" if which != "not-a-raster"
                                   else "cannot open as a raster")


def test_band_out_of_range(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "v.tif", values())
    path = write_geojson(tmp_path / "z.geojson", [({"id": "x"}, zones()[0][1])])
    with pytest.raises(ValidationError) as exc:
        zonal_file(raster, path, "id", band=2)
    problem = rule(exc)
    assert (problem.column, problem.value) == ("band", "2")
    assert problem.rule == "band 2 does not exist; the raster has 1 band(s), numbered 1 to 1"


def landsat_stack(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    bands = {name: v.astype(np.float32) for name, v in scene(9, (20, 30)).items()}
    bands["red"][4, 4] = -9999.0  # nodata
    order = ("tir", *BANDS)  # band 1 is thermal, then blue … swir2
    path = write_raster(tmp_path / "landsat.tif", np.stack([bands[n] for n in order]))
    return path, bands


def test_rsei_file_reads_the_declared_bands(tmp_path: Path) -> None:
    path, bands = landsat_stack(tmp_path)
    band_map = {"tir": 1, "blue": 2, "green": 3, "red": 4, "nir": 5, "swir1": 6, "swir2": 7}
    result, transform, crs = rsei_file(path, band_map, wetness="oli")
    assert (transform, crs) == (GRID, UTM)
    arrays = {n: np.where(v == -9999.0, np.nan, v.astype(np.float64)) for n, v in bands.items()}
    expected = rsei(arrays, wetness="oli")
    np.testing.assert_allclose(result.rsei, expected.rsei, atol=1e-12)
    assert not result.valid[4, 4]
    out = tmp_path / "rsei.tif"
    write_geotiff(out, result.rsei, transform, crs)
    with rasterio.open(out) as src:
        back = src.read(1)
        assert (src.crs.to_epsg(), src.transform, src.dtypes[0]) == (32650, GRID, "float32")
        assert math.isnan(src.nodata)
    np.testing.assert_allclose(back, result.rsei.astype(np.float32), equal_nan=True)
    masked, _, _ = rsei_file(path, band_map, wetness="oli", mask_water=True)
    assert masked.valid.sum() <= result.valid.sum()


def test_rsei_file_errors(tmp_path: Path) -> None:
    path, _ = landsat_stack(tmp_path)
    with pytest.raises(ValidationError) as exc:
        rsei_file(path, {"ndvi": 1, "wet": 2, "lst": 3, "ndbsi": 9})
    problem = rule(exc)
    assert (problem.column, problem.value) == ("ndbsi", "9")
    assert "the raster has 7 band(s)" in problem.rule
    with pytest.raises(MethodError, match=r"unknown band meaning.*'thermal'") as method:
        rsei_file(path, {"ndvi": 1, "wet": 2, "thermal": 3, "ndbsi": 4})
    assert "tir" in str(method.value.hint)
    with pytest.raises(MethodError, match=r"missing band meaning\(s\): swir2 \(for wet\)"):
        rsei_file(path, {"tir": 1, "blue": 2, "green": 3, "red": 4, "nir": 5, "swir1": 6},
                  wetness="oli")
    with pytest.raises(MethodError, match="masking water needs"):
        rsei_file(path, {"ndvi": 1, "wet": 2, "lst": 3, "ndbsi": 4}, mask_water=True)
