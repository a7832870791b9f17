from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning
from rasterio.shutil import copy as gdal_copy

from innoalliance.errors import ValidationError
from innoalliance.ingest.rasters import RasterInfo, inspect_raster

GRID = Affine(0.25, 0.0, 120.0, 0.0, -0.25, 31.0)  # 4 x 3 cells from 120E, 31N


def geotiff(
    path: Path,
    crs: str | None = "EPSG:4326",
    bands: tuple[str, ...] = ("gdp",),
    transform: Affine | None = GRID,
    netcdf_names: bool = False,
) -> Path:
    profile = {
        "driver": "GTiff",
        "width": 4,
        "height": 3,
        "count": len(bands),
        "dtype": "float32",
        "crs": crs,
        "transform": transform,
    }
    with rasterio.open(path, "w", **profile) as dst:
        for i, name in enumerate(bands, start=1):
            dst.write(np.full((3, 4), i, dtype="float32"), i)
            dst.set_band_description(i, name)
            if netcdf_names:  # the NetCDF variable name GDAL's CreateCopy will use
                dst.update_tags(i, NETCDF_VARNAME=name)
    return path


def netcdf(path: Path, crs: str | None = "EPSG:4326", bands: tuple[str, ...] = ("gdp",)) -> Path:
    # rasterio cannot create NetCDF directly; GDAL's CreateCopy writes CF grid_mapping "crs".
    gdal_copy(
        geotiff(path.with_suffix(".tif"), crs, bands, netcdf_names=True), path, driver="netCDF"
    )
    return path


def rule_of(path: Path) -> str:
    with pytest.raises(ValidationError) as exc:
        inspect_raster(path)
    [problem] = exc.value.problems
    assert (problem.file, problem.row, problem.column) == (path.name, None, None)
    return problem.rule


def test_geotiff(tmp_path: Path) -> None:
    path = geotiff(tmp_path / "gdp.tif", bands=("gdp", ""))
    assert inspect_raster(path) == RasterInfo(
        path=str(path),
        driver="GTiff",
        crs="EPSG:4326",
        width=4,
        height=3,
        count=2,
        bounds=(120.0, 30.25, 121.0, 31.0),
        band_names=("gdp", ""),
    )


def test_projected_and_non_epsg_crs(tmp_path: Path) -> None:
    utm = Affine(1000.0, 0.0, 500000.0, 0.0, -1000.0, 3350000.0)
    info = inspect_raster(geotiff(tmp_path / "utm.tif", "EPSG:32651", transform=utm))
    assert info.crs == "EPSG:32651"
    assert info.bounds == (500000.0, 3347000.0, 504000.0, 3350000.0)
    albers = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m"
    info = inspect_raster(geotiff(tmp_path / "albers.tif", albers, transform=utm))
    assert info.crs.startswith(("PROJCS[", "PROJCRS["))
    assert "Albers" in info.crs


def test_geotiff_without_crs(tmp_path: Path) -> None:
    path = geotiff(tmp_path / "nocrs.tif", crs=None)
    assert (
        rule_of(path)
        == "raster has no CRS; assign one, e.g. gdal_edit.py -a_srs EPSG:4326 nocrs.tif"
    )


def test_geotiff_without_georeferencing(tmp_path: Path) -> None:
    with pytest.warns(NotGeoreferencedWarning):
        path = geotiff(tmp_path / "pixels.tif", transform=None)
    assert "no georeferencing" in rule_of(path)


def test_netcdf(tmp_path: Path) -> None:
    path = netcdf(tmp_path / "gdp.nc")
    info = inspect_raster(path)
    assert (info.driver, info.crs, info.width, info.height, info.count) == (
        "netCDF",
        "EPSG:4326",
        4,
        3,
        1,
    )
    assert info.bounds == (120.0, 30.25, 121.0, 31.0)
    assert info.band_names == ("gdp",)


def test_netcdf_without_crs(tmp_path: Path) -> None:
    assert "raster has no CRS" in rule_of(netcdf(tmp_path / "nocrs.nc", crs=None))


def test_netcdf_with_several_variables(tmp_path: Path) -> None:
    rule = rule_of(netcdf(tmp_path / "two.nc", bands=("gdp", "pop")))
    assert "several variables (gdp" in rule and "pop" in rule


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    assert "file not found" in rule_of(tmp_path / "absent.tif")
    text = tmp_path / "notes.tif"
    text.write_text("not a raster", encoding="utf-8")
    assert "cannot open as a raster" in rule_of(text)
