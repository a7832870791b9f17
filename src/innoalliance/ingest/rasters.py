"""Register raster layers (GeoTIFF, NetCDF and any other GDAL raster) by reading their metadata.

Needs the ``geo`` extra (rasterio). NetCDF is read by the netCDF driver of rasterio's bundled GDAL,
which understands CF ``grid_mapping`` variables (``crs_wkt`` / ``spatial_ref``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from innoalliance.errors import MissingExtra, Problem, ValidationError


@dataclass(frozen=True)
class RasterInfo:
    """What is registered about a raster layer.

    ``crs`` is ``EPSG:<code>`` when the CRS has an EPSG code, else its WKT; ``bounds`` is
    ``(left, bottom, right, top)`` in that CRS; ``band_names`` holds each band's description (for
    NetCDF, the variable name), or ``""``.
    """

    path: str
    driver: str
    crs: str
    width: int
    height: int
    count: int
    bounds: tuple[float, float, float, float]
    band_names: tuple[str, ...]


def _fail(path: Path, rule: str) -> ValidationError:
    return ValidationError([Problem(path.name, None, None, None, rule)])


def inspect_raster(path: Path) -> RasterInfo:
    """Read a raster's grid, CRS and band names without reading its pixels.

    Parameters
    ----------
    path
        A GeoTIFF, a NetCDF file holding one data variable, or any raster GDAL reads.

    Returns
    -------
    RasterInfo
        The metadata; ``crs`` as ``EPSG:<code>`` where possible.

    Raises
    ------
    ValidationError
        With one file-level problem when the file does not exist, cannot be opened as a raster,
        holds several NetCDF variables, or has no CRS or no georeferencing.
    MissingExtra
        When rasterio (extra ``geo``) is not installed.
    """
    try:
        import rasterio
        from rasterio.errors import NotGeoreferencedWarning, RasterioIOError
    except ImportError as exc:
        raise MissingExtra("geo", "registering raster layers") from exc
    if not path.is_file():
        raise _fail(path, "file not found; check the path")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            with rasterio.open(path) as src:
                if src.count == 0 and src.subdatasets:
                    if len(src.subdatasets) > 1:
                        variables = ", ".join(s.rsplit(":", 1)[-1] for s in src.subdatasets)
                        raise _fail(
                            path,
                            f"file holds several variables ({variables}); register "
                            f"one per file, e.g. gdal_translate NETCDF:{path.name}:VAR "
                            "VAR.tif",
                        )
                    with rasterio.open(src.subdatasets[0]) as sub:
                        return _info(path, sub)
                return _info(path, src)
        except RasterioIOError as exc:
            raise _fail(
                path, f"cannot open as a raster ({exc}); give a GeoTIFF or NetCDF file"
            ) from exc


def _info(path: Path, src: Any) -> RasterInfo:
    if src.crs is None:
        raise _fail(
            path, f"raster has no CRS; assign one, e.g. gdal_edit.py -a_srs EPSG:4326 {path.name}"
        )
    if src.transform.is_identity and not src.gcps[0]:
        raise _fail(
            path,
            "raster has no georeferencing (geotransform); assign one, e.g. "
            f"gdal_edit.py -a_ullr ULX ULY LRX LRY {path.name}",
        )
    epsg = src.crs.to_epsg()
    names = tuple(
        src.descriptions[i] or src.tags(i + 1).get("NETCDF_VARNAME", "") for i in range(src.count)
    )
    return RasterInfo(
        path=str(path),
        driver=str(src.driver),
        crs=f"EPSG:{epsg}" if epsg is not None else str(src.crs.to_wkt()),
        width=int(src.width),
        height=int(src.height),
        count=int(src.count),
        bounds=(
            float(src.bounds.left),
            float(src.bounds.bottom),
            float(src.bounds.right),
            float(src.bounds.top),
        ),
        band_names=tuple(str(n) for n in names),
    )
