"""Zonal statistics and the RSEI from files: zones (GeoJSON, GeoPackage, Shapefile) and rasters.

Needs the ``geo`` extra (rasterio, pyogrio, pyproj). Conventions:

* Zone files are read by :func:`innoalliance.ingest.boundaries.read_polygons` (every format
  through GDAL, invalid geometries repaired); what is left here is the zones' own: the id field,
  reprojection to the raster's CRS, the statistics.
* Zones are keyed by the text of any id field (numbers as written, ``12`` not ``12.0``); a
  feature's ``row`` in messages is its 1-based number in the layer. GeoJSON without a ``crs``
  member is EPSG:4326; any other layer must declare its CRS.
* Zones are reprojected to the raster's CRS (vertex by vertex, edges not densified) and only
  each zone's bounding window of the raster is read (in blocks of at most
  ``methods.spatial.zonal.BLOCK_CELLS`` cells). Missing cells are those equal to the band's nodata
  value,
  or NaN; the statistics are those of :mod:`innoalliance.methods.spatial.zonal`.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from innoalliance.errors import MethodError, MissingExtra, Problem, ProblemList, ValidationError
from innoalliance.ingest.boundaries import attribute_text, check_polygon, read_polygons
from innoalliance.ingest.cells import closest
from innoalliance.ingest.rasters import inspect_raster
from innoalliance.methods.spatial.rsei import PcaBasis, RseiResult, check_meanings, rsei
from innoalliance.methods.spatial.zonal import Progress, Weighting, zonal_stats_windows


@dataclass(frozen=True)
class Zones:
    """Polygons keyed by id, as read from a vector file.

    ``geometries`` are valid Polygons/MultiPolygons in ``crs`` (``EPSG:<code>`` or WKT);
    ``rows`` the 1-based feature numbers; ``notes`` say what was repaired.
    """

    ids: tuple[str, ...]
    geometries: tuple[BaseGeometry, ...]
    rows: tuple[int, ...]
    crs: str
    notes: tuple[str, ...]

    def items(self) -> list[tuple[str, BaseGeometry]]:
        """``(id, geometry)`` pairs in file order."""
        return list(zip(self.ids, self.geometries, strict=True))


class ZonalTable(dict[str, dict[str, float | None]]):
    """Statistics per zone id, in file order: a ``dict`` of id → :meth:`ZonalResult.as_dict`
    (``count``, ``sum``, ``mean``, ``min``, ``max``, ``std`` and the shares).

    Also carries ``warnings`` (zones with no valid cell and why; geometries repaired),
    ``crs`` (the raster's CRS the zones were reprojected to), ``band`` and ``weighting``.
    """

    def __init__(self, stats: Mapping[str, dict[str, float | None]], warnings: Sequence[str],
                 crs: str, band: int, weighting: str) -> None:
        super().__init__(stats)
        self.warnings = tuple(warnings)
        self.crs = crs
        self.band = band
        self.weighting = weighting


def read_zones(path: Path, id_field: str, layer: str | None = None) -> Zones:
    """Read polygons and their ids from a vector file.

    Parameters
    ----------
    path
        A GeoJSON, GeoPackage, Shapefile (or zipped Shapefile), or any vector file GDAL reads.
    id_field
        The attribute naming each zone (any type; its text is the id).
    layer
        The layer to read; by default the first.

    Returns
    -------
    Zones
        Every feature, in file order; invalid geometries repaired with ``shapely.make_valid``
        (keeping the polygonal part) and listed in ``notes``.

    Raises
    ------
    ValidationError
        Listing every problem: a missing or unreadable file, an id field that does not exist
        (naming the fields and the closest one), missing or duplicate ids, missing, empty or
        non-polygonal geometries, a layer without CRS (other than GeoJSON).
    MissingExtra
        When pyogrio (extra ``geo``) is not installed.
    """
    polygons = read_polygons(
        path, layer=layer, repair=True, geojson="gdal", any_format=True,
        purpose="reading zone files", crs_example_output="zones.gpkg",
    )
    fields = polygons.fields
    if id_field not in fields:
        folded = {f.casefold(): f for f in fields}
        raise ValidationError([Problem(
            path.name, None, id_field, None,
            f"no field {id_field!r}; the fields are: {', '.join(fields) or '(none)'}",
            folded.get(id_field.casefold()) or closest(id_field, fields),
        )])
    problems = ProblemList(list(polygons.problems))  # the geometries without polygonal part
    first: dict[str, int] = {}
    ids: list[str] = []
    geoms: list[BaseGeometry] = []
    rows: list[int] = []
    notes: list[str] = []
    for feature in polygons.features:
        row = feature.row
        zone = attribute_text(feature.properties[id_field])
        if zone is None:
            problems.add(Problem(path.name, row, id_field, None, "missing id"))
        elif zone in first:
            problems.add(Problem(path.name, row, id_field, zone,
                                 f"duplicate id; feature {first[zone]} has it too"))
        else:
            first[zone] = row
        if feature.geometry is None:
            continue
        if feature.note is not None:
            notes.append(f"{path.name}: feature {row} (id {zone!r}): {feature.note}")
        if zone is not None and first[zone] == row:
            ids.append(zone)
            geoms.append(feature.geometry)
            rows.append(row)
    if not polygons.features:
        problems.add(Problem(path.name, None, None, None, "the layer has no features"))
    problems.raise_if_any(hint="fix the features listed and run again")
    return Zones(tuple(ids), tuple(geoms), tuple(rows), polygons.crs, tuple(notes))


def zonal_file(
    raster_path: Path,
    zones_path: Path,
    id_field: str,
    band: int = 1,
    thresholds: Sequence[float] | None = None,
    weighting: Weighting = "exact",
    *,
    layer: str | None = None,
    progress: Progress | None = None,
) -> ZonalTable:
    """Zonal statistics of one raster band over every zone of a vector file.

    Parameters
    ----------
    raster_path
        A GeoTIFF, NetCDF (one variable) or any raster GDAL reads, with a CRS.
    zones_path, id_field, layer
        As for :func:`read_zones`.
    band
        The 1-based band.
    thresholds
        Values ``t`` for the shares of valid cells above / below ``t``.
    weighting
        ``"exact"`` (coverage fractions, as exactextract) or ``"centroid"`` (cell centres, as
        rasterstats' default).
    progress
        Called with ``(done, total)`` after each zone.

    Returns
    -------
    ZonalTable
        A dict of statistics per zone id; a zone outside the raster, or over nodata only, has
        ``count`` 0, ``None`` statistics and a line in ``.warnings``.

    Raises
    ------
    ValidationError
        For the problems of :func:`read_zones`, a raster that cannot be opened or has no CRS
        (the message says how to assign one), or a band out of range.
    MethodError
        For a bad threshold or weighting.
    MissingExtra
        When the ``geo`` extra is not installed.
    """
    zones = read_zones(zones_path, id_field, layer)
    with _open_raster(raster_path) as src:
        _check_bands(raster_path, [band], int(src.count))
        crs = _crs_text(src.crs)
        geoms, notes = reproject_zones(zones, src.crs, zones_path.name)
        transform = src.transform
        shape = (int(src.height), int(src.width))
        nodata = src.nodatavals[band - 1]
        from rasterio.windows import Window

        # one buffer for every window read: the method uses each block before the next read,
        # and fresh multi-megabyte arrays per zone cost page faults
        buffer = np.empty(0, dtype=src.dtypes[band - 1])

        def read(row0: int, row1: int, col0: int, col1: int) -> npt.NDArray[Any]:
            nonlocal buffer
            rows, cols = row1 - row0, col1 - col0
            if buffer.size < rows * cols:
                buffer = np.empty(max(rows * cols, 2 * buffer.size), dtype=buffer.dtype)
            out = buffer[: rows * cols].reshape(rows, cols)
            src.read(band, window=Window(col0, row0, cols, rows), out=out)
            return out

        results = zonal_stats_windows(
            read, transform, shape, geoms, nodata=nodata, thresholds=thresholds,
            weighting=weighting, progress=progress,
        )
    t = transform
    footprint = shapely.Polygon([
        (t.a * col + t.b * row + t.c, t.d * col + t.e * row + t.f)
        for col, row in ((0, 0), (shape[1], 0), (shape[1], shape[0]), (0, shape[0]))
    ])
    messages = list(zones.notes) + notes
    for zone, geom, result in zip(zones.ids, geoms, results, strict=True):
        if result.count == 0:
            if shapely.intersection(geom, footprint).area > 0:
                messages.append(f"zone {zone!r} covers no valid cell (nodata only); count 0")
            else:
                messages.append(f"zone {zone!r} does not overlap the raster; count 0")
    return ZonalTable(
        {zone: r.as_dict() for zone, r in zip(zones.ids, results, strict=True)},
        messages,
        crs,
        band,
        weighting,
    )


def rsei_file(
    raster_path: Path,
    band_map: Mapping[str, int],
    *,
    wetness: str | Sequence[float] | None = None,
    mask_water: bool = False,
    pca: PcaBasis = "covariance",
) -> tuple[RseiResult, Any, str]:
    """The RSEI of a multi-band raster whose bands are declared by meaning.

    Parameters
    ----------
    raster_path
        A raster holding the bands (reflectance with scale and offset applied, see
        :mod:`innoalliance.methods.spatial.rsei`).
    band_map
        Meaning → 1-based band, e.g. ``{"blue": 2, "green": 3, "red": 4, "nir": 5, "swir1": 6,
        "swir2": 7, "tir": 10}``; meanings from :data:`methods.spatial.rsei.MEANINGS`.
    wetness
        Tasselled-cap coefficients (``"oli"``, ``"tm"`` or six numbers) unless ``wet`` is
        declared.
    mask_water
        Leave out water (MNDWI > 0, needs ``green`` and ``swir1``), as Xu & Deng 2022 advise
        for areas with large water bodies.
    pca
        ``"covariance"`` (Xu 2013) or ``"correlation"``.

    Returns
    -------
    tuple[RseiResult, affine.Affine, str]
        The result, the raster's transform and its CRS (``EPSG:<code>`` or WKT). Nodata cells
        (per band) are invalid pixels.

    Raises
    ------
    MethodError
        For unknown or missing meanings (naming them and the accepted ones), and the errors of
        :func:`methods.spatial.rsei.rsei`.
    ValidationError
        For a band index out of range, or a raster that cannot be opened or has no CRS.
    MissingExtra
        When the ``geo`` extra is not installed.
    """
    check_meanings(list(band_map), wetness_given=wetness is not None)
    lacking = [m for m in ("green", "swir1") if m not in band_map]
    if mask_water and lacking:
        raise MethodError(
            f"masking water needs the band meaning(s) {', '.join(lacking)} (for MNDWI)",
            hint="declare them, or leave mask_water off",
        )
    with _open_raster(raster_path) as src:
        _check_bands(raster_path, list(band_map.values()), int(src.count), band_map)
        arrays = {
            meaning: src.read(index, masked=True).astype(np.float64).filled(np.nan)
            for meaning, index in band_map.items()
        }
        transform, crs = src.transform, _crs_text(src.crs)
    mask = None
    if mask_water:
        from innoalliance.methods.spatial.rsei import water_mask

        mask = water_mask(arrays["green"], arrays["swir1"])
    return rsei(arrays, wetness=wetness, mask=mask, pca=pca), transform, crs


def write_geotiff(path: Path, array: npt.ArrayLike, transform: Any, crs: str) -> None:
    """Write one band as a float32 GeoTIFF (deflate), NaN as nodata, e.g. an RSEI or its grades.

    Parameters
    ----------
    path
        The file to write (replaced if it exists).
    array
        2-D values; NaN marks missing cells.
    transform, crs
        The grid's affine transform and CRS (as returned by :func:`rsei_file`).

    Raises
    ------
    MethodError
        For an array that is not 2-D.
    MissingExtra
        When rasterio (extra ``geo``) is not installed.
    """
    try:
        import rasterio
    except ImportError as exc:
        raise MissingExtra("geo", "writing GeoTIFF files") from exc
    data = np.asarray(array, dtype=np.float32)
    if data.ndim != 2:
        raise MethodError(f"a GeoTIFF band must be 2-D, not {data.ndim}-D",
                          hint="write one band (rows × columns) at a time")
    profile = {
        "driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
        "dtype": "float32", "crs": crs, "transform": transform, "nodata": float("nan"),
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)


@contextmanager
def _open_raster(path: Path) -> Iterator[Any]:
    """The raster's dataset (NetCDF: its one variable), checked by ``inspect_raster``."""
    try:
        import rasterio
        from rasterio.errors import NotGeoreferencedWarning
    except ImportError as exc:
        raise MissingExtra("geo", "reading rasters") from exc
    inspect_raster(path)  # file, CRS and georeferencing errors, worded once
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path) as src:
            if src.count == 0 and src.subdatasets:
                with rasterio.open(src.subdatasets[0]) as sub:
                    yield sub
            else:
                yield src


def _check_bands(path: Path, bands: Sequence[int], count: int,
                 names: Mapping[str, int] | None = None) -> None:
    problems = ProblemList()
    labels = list(names) if names is not None else ["band"] * len(bands)
    for label, band in zip(labels, bands, strict=True):
        if isinstance(band, bool) or not isinstance(band, numbers.Integral) or not (
            1 <= band <= count
        ):
            problems.add(Problem(
                path.name, None, label, str(band),
                f"band {band} does not exist; the raster has {count} band(s), numbered 1 to "
                f"{count}",
            ))
    problems.raise_if_any(hint="declare bands the raster has")


def _crs_text(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg is not None else str(crs.to_wkt())


def reproject_zones(zones: Zones, target: Any, label: str
                    ) -> tuple[list[BaseGeometry], list[str]]:
    """The zones' geometries in ``target`` (a CRS string, or an object with ``to_wkt``, such as
    a raster's CRS), and notes on what was dropped; unchanged when the CRS already match."""
    try:
        import pyproj
    except ImportError as exc:
        raise MissingExtra("geo", "reprojecting zones") from exc
    try:
        source = pyproj.CRS.from_user_input(zones.crs)
    except pyproj.exceptions.CRSError as exc:
        raise ValidationError([Problem(label, None, None, None, f"unknown CRS {zones.crs!r}: "
                                       f"{exc}; reproject the layer, e.g. with ogr2ogr")]) from exc
    dest = pyproj.CRS.from_user_input(target)
    if source.equals(dest, ignore_axis_order=True):
        return list(zones.geometries), []
    transformer = pyproj.Transformer.from_crs(source, dest, always_xy=True)

    def move(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    out: list[BaseGeometry] = []
    notes: list[str] = []
    problems = ProblemList()
    for zone, row, geom in zip(zones.ids, zones.rows, zones.geometries, strict=True):
        moved = shapely.transform(geom, move)
        if not np.isfinite(shapely.get_coordinates(moved)).all():
            problems.add(Problem(
                label, row, "geometry", None,
                f"cannot be reprojected from {zones.crs} to the raster's CRS (outside its area "
                "of use); clip the zones to the raster first",
            ))
            continue
        if not shapely.is_valid(moved):
            polygon = check_polygon(moved, repair=True).geometry
            moved = polygon if polygon is not None else shapely.Polygon()
            notes.append(f"zone {zone!r}: invalid after reprojection; repaired with make_valid")
        out.append(moved)
    problems.raise_if_any(hint="fix the features listed and run again")
    return out, notes
