"""An illustrative Landsat-8-like image of the Hangzhou Bay cities for the demo's ecology step.

The demo has no real scene (nothing downloads at run time), so it makes one: surface reflectance
in seven bands (blue, green, red, nir, swir1, swir2 as reflectance 0–1; tir as brightness
temperature in kelvin) on a 0.01° grid in EPSG:4326. Built-up cores around each city's centre
are bright in red and SWIR, hot and sparse in vegetation; the hills of the south-west are
forested and cool; water outside the land boundaries is dark in NIR and SWIR; a seeded noise
term varies everything a little. The numbers are **illustrative**, made to give the RSEI of the
cities a plausible order, and the registered layer says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from innoalliance.errors import MissingExtra

BANDS = ("blue", "green", "red", "nir", "swir1", "swir2", "tir")
PIXEL = 0.01  # degrees
SEED = 2014  # seed 002's statistics year

#            blue   green  red    nir    swir1  swir2  tir (K)
_FOREST = (0.03, 0.06, 0.04, 0.38, 0.17, 0.08, 293.0)
_CROPS = (0.05, 0.09, 0.07, 0.30, 0.20, 0.12, 297.0)
_BUILT = (0.12, 0.14, 0.16, 0.20, 0.26, 0.22, 309.0)
_WATER = (0.06, 0.07, 0.05, 0.02, 0.01, 0.01, 291.0)


def write_demo_image(path: Path, land: Sequence[BaseGeometry]) -> Path:
    """Write the illustrative seven-band GeoTIFF covering ``land`` (lon/lat polygons)."""
    try:
        import rasterio
        from rasterio.transform import Affine
    except ImportError as exc:
        raise MissingExtra("geo", "making the demo's remote-sensing image") from exc
    left, bottom, right, top = (float(b) for b in shapely.total_bounds(list(land)))
    left, top = np.floor(left / PIXEL) * PIXEL - PIXEL, np.ceil(top / PIXEL) * PIXEL + PIXEL
    width = int(np.ceil((right - left) / PIXEL)) + 1
    height = int(np.ceil((top - bottom) / PIXEL)) + 1
    lon = left + PIXEL * (np.arange(width) + 0.5)
    lat = top - PIXEL * (np.arange(height) + 0.5)
    x, y = np.meshgrid(lon, lat)
    on_land = shapely.contains_xy(shapely.union_all(list(land)), x, y)
    urban = np.zeros_like(x)
    for shape in land:
        centre = shape.centroid
        urban = np.maximum(urban, np.exp(-((x - centre.x) ** 2 + (y - centre.y) ** 2) / 0.02))
    hills = 1.0 / (1.0 + np.exp(-((120.3 - x) + (29.9 - y)) * 4.0))  # south-west uplands
    rng = np.random.default_rng(SEED)
    bands = []
    for b in range(len(BANDS)):
        land_value = (urban * _BUILT[b] + (1 - urban) * (hills * _FOREST[b]
                                                          + (1 - hills) * _CROPS[b]))
        noise = rng.normal(0.0, 0.4 if b == 6 else 0.008, size=x.shape)
        bands.append(np.where(on_land, land_value, _WATER[b]) + noise)
    data = np.clip(np.stack(bands), 0.0, None).astype("float32")
    profile = {"driver": "GTiff", "width": width, "height": height, "count": len(BANDS),
               "dtype": "float32", "crs": "EPSG:4326",
               "transform": Affine(PIXEL, 0.0, left, 0.0, -PIXEL, top), "compress": "deflate"}
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # rasterio's own use of affine's deprecated ``*``
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data)
            for i, name in enumerate(BANDS, start=1):
                dst.set_band_description(i, name)
            dst.update_tags(source="illustrative: made by innoalliance for the demo")
    return path
