"""Read polygon files (GeoJSON, GeoPackage, Shapefile); read and write administrative boundaries.

:func:`read_polygons` is the one reader of polygon files: format by suffix, GeoJSON by stdlib
``json`` or GDAL, everything else by pyogrio, each feature's geometry checked (or repaired), every
problem naming the file, the 1-based feature number and the column. :func:`read_boundaries` builds
on it for division boundaries, and so does
:func:`innoalliance.workflows.plan.zonal_files.read_zones` for zones.

Conventions: every boundary is keyed by its 6-digit GB/T 2260 division code and stored as a valid
Polygon or MultiPolygon in EPSG:4326 longitude/latitude. ``Boundary.row`` is the 1-based feature
number in the file. GeoJSON needs only the base install (stdlib ``json`` and shapely); GeoPackage
and Shapefile need the ``geo`` extra (pyogrio), and so does reprojection (pyproj).
"""

from __future__ import annotations

import json
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from innoalliance.errors import MethodError, MissingExtra, Problem, ProblemList, ValidationError

CODE_FIELDS = ("code", "adcode", "division_code", "gb2260", "CODE", "ADCODE")
NAME_FIELDS = ("name_zh", "name", "NAME")
GEOJSON_SUFFIXES = (".geojson", ".json")
OGR_SUFFIXES = (".gpkg", ".shp", ".zip")
LONLAT_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "OGC:CRS84",
        "EPSG:4326",
    }
)
_CODE = re.compile(r"\d{6}")
_GPKG_LAYER = "boundaries"


@dataclass(frozen=True)
class Boundary:
    """One division's boundary as read from a file.

    ``geometry`` is a valid Polygon or MultiPolygon in EPSG:4326 (lon/lat); ``row`` is the
    1-based feature number in the file, for error messages.
    """

    code: str
    name: str | None
    geometry: BaseGeometry
    row: int


_Record = tuple[dict[str, object], BaseGeometry | None, str | None]  # props, geometry, error


@dataclass(frozen=True)
class PolygonFeature:
    """One feature of a polygon file (see :func:`read_polygons`).

    ``row`` is its 1-based number in the layer; ``geometry`` a valid Polygon or MultiPolygon in
    the layer's CRS, or ``None`` when it was refused (the layer's ``problems`` say why); ``note``
    says what was repaired, if anything.
    """

    row: int
    properties: dict[str, object]
    geometry: BaseGeometry | None
    note: str | None = None


@dataclass(frozen=True)
class PolygonLayer:
    """The features of one layer of a polygon file, as :func:`read_polygons` returns them.

    ``crs`` is the layer's CRS as declared (``EPSG:<code>``, a CRS name or WKT); ``EPSG:4326``
    for GeoJSON that declares none (or, read with stdlib ``json``, names lon/lat in its legacy
    ``crs`` member). ``problems`` are the refused geometries, one per feature (column
    ``geometry``), for the caller to report with its own.
    """

    fields: list[str]
    features: list[PolygonFeature]
    crs: str
    problems: list[Problem]


class CheckedPolygon(NamedTuple):
    """A geometry as :func:`check_polygon` leaves it.

    ``geometry`` is a valid Polygon or MultiPolygon, or ``None`` with ``rule`` (and ``value``,
    the offending value) saying why not; ``note`` says what was repaired.
    """

    geometry: BaseGeometry | None
    value: str | None = None
    rule: str | None = None
    note: str | None = None


def _fail(path: Path, rule: str, column: str | None = None) -> ValidationError:
    return ValidationError([Problem(path.name, None, column, None, rule)])


def read_polygons(
    path: Path,
    *,
    layer: str | None = None,
    repair: bool = False,
    geojson: Literal["json", "gdal"] = "json",
    any_format: bool = False,
    purpose: str = "reading polygon files",
    crs_example_output: str | None = None,
) -> PolygonLayer:
    """Read one layer of a polygon file and check the geometry of every feature.

    Parameters
    ----------
    path
        ``.geojson``/``.json``, ``.gpkg``, ``.shp`` or ``.zip`` (a zipped Shapefile); with
        ``any_format`` any other vector file GDAL reads.
    layer
        The layer to read (files read through GDAL); by default the first.
    repair
        ``False``: refuse invalid geometries (rule ``invalid geometry: …``) and anything but a
        Polygon or MultiPolygon. ``True``: repair invalid ones with ``shapely.make_valid``,
        keeping the polygonal part, and say so in the feature's ``note``; refuse only what has no
        polygonal part.
    geojson
        ``"json"``: read GeoJSON with the stdlib (no ``geo`` extra needed; a FeatureCollection
        only, legacy ``crs`` member honoured). ``"gdal"``: read it with pyogrio like the other
        formats.
    any_format
        ``False``: refuse a suffix other than the above ("unknown boundary format"). ``True``: hand
        any other file to GDAL; a file it cannot read is then "cannot read as a vector layer"
        rather than "cannot read the layer".
    purpose
        What the ``geo`` extra is needed for, in the :class:`MissingExtra` message.
    crs_example_output
        When given, the ogr2ogr example of the "layer has no CRS" problem is completed with this
        output file and the input file.

    Returns
    -------
    PolygonLayer
        Every feature in file order, refused geometries as ``problems`` (not raised). A layer
        other than GeoJSON must declare its CRS; GeoJSON without one is EPSG:4326.

    Raises
    ------
    ValidationError
        For a problem of the whole file (row ``None``): unknown format, missing or unreadable
        file, not a GeoJSON FeatureCollection, no geometry column, no CRS.
    MissingExtra
        When the file is read through GDAL and pyogrio (extra ``geo``) is not installed.
    """
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES and geojson == "json":
        if layer is not None:
            raise _fail(path, f"a GeoJSON file has one layer; there is no layer {layer!r}")
        fields, records, crs = _read_geojson(path)
    elif suffix in GEOJSON_SUFFIXES or suffix in OGR_SUFFIXES or any_format:
        fields, records, crs = _read_ogr(path, layer, purpose, any_format, crs_example_output)
    else:
        raise _fail(path, "unknown boundary format; give a .geojson, .gpkg, .shp or zipped .shp")
    features: list[PolygonFeature] = []
    problems: list[Problem] = []
    for row, (props, geom, error) in enumerate(records, start=1):
        checked = check_polygon(geom, repair=repair, error=error)
        if checked.rule is not None:
            problems.append(Problem(path.name, row, "geometry", checked.value, checked.rule))
        features.append(PolygonFeature(row, props, checked.geometry, checked.note))
    return PolygonLayer(fields, features, crs, problems)


def check_polygon(
    geom: BaseGeometry | None, *, repair: bool = False, error: str | None = None
) -> CheckedPolygon:
    """Check that ``geom`` is a valid Polygon or MultiPolygon, or (``repair``) make it one.

    ``error`` is why the geometry could not be read at all. Strict (``repair=False``): missing,
    non-polygonal or invalid geometries are refused. Repairing: an invalid geometry goes through
    ``shapely.make_valid``, a GeometryCollection keeps the union of its polygonal parts, and only
    a missing geometry or one without polygonal part is refused.
    """
    if error is not None:
        return CheckedPolygon(None, None, f"unreadable geometry: {error}")
    if geom is None or geom.is_empty:
        return CheckedPolygon(None, None, "missing or empty geometry" if repair
                              else "missing geometry")
    if not repair:
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            return CheckedPolygon(None, geom.geom_type,
                                  "geometry must be a Polygon or MultiPolygon")
        if not geom.is_valid:
            return CheckedPolygon(None, None, f"invalid geometry: {explain_validity(geom)}")
        return CheckedPolygon(geom)
    note = None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        geom = shapely.make_valid(geom)
        note = f"invalid geometry ({reason}) repaired with make_valid"
    if geom.geom_type == "GeometryCollection":
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        kind = geom.geom_type if not geom.is_empty else "geometry without area"
        return CheckedPolygon(None, None, f"{kind} is not a Polygon or MultiPolygon")
    return CheckedPolygon(geom, note=note)


def read_boundaries(path: Path, code_field: str | None = None) -> list[Boundary]:
    """Read a boundary layer and check every feature.

    Parameters
    ----------
    path
        A ``.geojson``/``.json`` FeatureCollection, a ``.gpkg``, a ``.shp`` or a ``.zip`` holding a
        Shapefile. The first layer is read.
    code_field
        The field holding the GB/T 2260 code; by default the first of ``code``, ``adcode``,
        ``division_code``, ``gb2260``, ``CODE``, ``ADCODE`` present. The name is taken from the
        first of ``name_zh``, ``name``, ``NAME``.

    Returns
    -------
    list[Boundary]
        One per feature in file order, reprojected to EPSG:4326 when the layer has another CRS.

    Raises
    ------
    ValidationError
        Listing every problem: missing, malformed or duplicate codes; missing, non-polygonal or
        invalid geometries (never silently repaired); coordinates outside lon/lat range; an
        unknown code field; a layer without CRS; an unreadable file.
    MissingExtra
        When GeoPackage/Shapefile reading or reprojection needs the ``geo`` extra.
    """
    layer = read_polygons(path, purpose="reading GeoPackage and Shapefile boundaries")
    if not layer.features:
        raise _fail(path, "the layer has no features")
    field = _code_field(path, layer.fields, code_field)
    name_field = next((f for f in NAME_FIELDS if f in layer.fields), None)
    crs = None if layer.crs in LONLAT_NAMES else layer.crs
    return _check(path, layer, field, name_field, _reprojector(path, crs))


def _code_field(path: Path, fields: list[str], wanted: str | None) -> str:
    available = ", ".join(fields) or "(none)"
    if wanted is not None:
        if wanted not in fields:
            raise _fail(path, f"no field {wanted!r}; the fields are: {available}", wanted)
        return wanted
    found = next((f for f in CODE_FIELDS if f in fields), None)
    if found is None:
        raise _fail(
            path,
            f"no division code field (looked for {', '.join(CODE_FIELDS)}); "
            f"the fields are: {available}; name the code field explicitly",
        )
    return found


def _check(
    path: Path,
    layer: PolygonLayer,
    code_field: str,
    name_field: str | None,
    reproject: Callable[[BaseGeometry], BaseGeometry] | None,
) -> list[Boundary]:
    problems = ProblemList(list(layer.problems))  # the refused geometries
    first_row: dict[str, int] = {}
    out: list[Boundary] = []

    def add(row: int, column: str, value: str | None, rule: str) -> None:
        problems.add(Problem(path.name, row, column, value, rule))

    for feature in layer.features:
        row, props, geom = feature.row, feature.properties, feature.geometry
        code = attribute_text(props.get(code_field))
        if code is None:
            add(row, code_field, None, "missing division code")
        elif not _CODE.fullmatch(code):
            add(row, code_field, code, "division code must be 6 digits (GB/T 2260)")
        elif code in first_row:
            add(row, code_field, code, f"duplicate code; feature {first_row[code]} has it too")
        else:
            first_row[code] = row
        if geom is None:
            continue
        if reproject is not None:
            geom = reproject(geom)
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            bounds = f"{minx:g}, {miny:g}, {maxx:g}, {maxy:g}"
            add(
                row,
                "geometry",
                None,
                f"coordinates outside lon/lat range ({bounds}); "
                "the layer's CRS is probably wrong or missing",
            )
        elif not geom.is_valid:
            add(
                row,
                "geometry",
                None,
                f"geometry becomes invalid in EPSG:4326: {explain_validity(geom)}",
            )
        elif code is not None and first_row.get(code) == row:
            name = attribute_text(props.get(name_field)) if name_field else None
            out.append(Boundary(code, name, geom, row))
    problems.raise_if_any()
    return out


def attribute_text(value: object) -> str | None:
    """A feature attribute as text: whole numbers without ``.0``, blank or NaN as None."""
    if value is None:
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip() or None


def _read_geojson(path: Path) -> tuple[list[str], list[_Record], str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise _fail(path, f"cannot read the file: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _fail(path, "not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise _fail(path, "the FeatureCollection has no 'features' list")
    fields: dict[str, None] = {}
    records: list[_Record] = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        fields.update(dict.fromkeys(props))
        raw = feature.get("geometry") if isinstance(feature, dict) else None
        try:
            geom = None if raw is None else shapely.force_2d(shape(raw))
            records.append((props, geom, None))
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, ShapelyError) as exc:
            records.append((props, None, str(exc) or type(exc).__name__))
    return list(fields), records, _geojson_crs(path, data.get("crs"))


def _geojson_crs(path: Path, member: object) -> str:
    if member is None:
        return "EPSG:4326"
    props = member.get("properties") if isinstance(member, dict) else None
    name = props.get("name", props.get("code")) if isinstance(props, dict) else None
    if isinstance(name, int):
        name = f"EPSG:{name}"
    if not isinstance(name, str):
        raise _fail(path, "the 'crs' member names no CRS; remove it or reproject to EPSG:4326")
    return "EPSG:4326" if name in LONLAT_NAMES else name


def _read_ogr(
    path: Path, layer: str | None, purpose: str, any_format: bool, crs_example_output: str | None
) -> tuple[list[str], list[_Record], str]:
    try:
        import pyogrio
        import pyogrio.errors
    except ImportError as exc:
        raise MissingExtra("geo", purpose) from exc
    if not path.is_file():
        raise _fail(path, "file not found; check the path")
    try:
        meta, _, wkb, values = pyogrio.raw.read(path, layer=layer, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        unreadable = "cannot read as a vector layer" if any_format else "cannot read the layer"
        raise _fail(path, f"{unreadable}: {exc}") from exc
    if wkb is None:
        raise _fail(path, "the layer has no geometry column")
    crs = meta["crs"]
    if crs is None:
        if path.suffix.lower() not in GEOJSON_SUFFIXES:
            files = "" if crs_example_output is None else f" {crs_example_output} {path.name}"
            raise _fail(path, f"layer has no CRS; define it, e.g. ogr2ogr -a_srs EPSG:4326{files}")
        crs = "EPSG:4326"
    fields = [str(f) for f in meta["fields"]]
    records: list[_Record] = [
        ({f: column[i] for f, column in zip(fields, values, strict=True)}, geom, error)
        for i, (geom, error) in enumerate(_from_wkb(wkb))
    ]
    return fields, records, str(crs)


def _from_wkb(wkb: Any) -> list[tuple[BaseGeometry | None, str | None]]:
    """Each feature's geometry, or why GEOS cannot build it (e.g. an unclosed ring)."""
    try:
        return [(geom, None) for geom in shapely.from_wkb(wkb)]
    except ShapelyError:
        pass
    out: list[tuple[BaseGeometry | None, str | None]] = []
    for one in wkb:
        try:
            out.append((shapely.from_wkb(one), None))
        except ShapelyError as exc:
            out.append((None, str(exc) or type(exc).__name__))
    return out


def _reprojector(path: Path, crs: str | None) -> Callable[[BaseGeometry], BaseGeometry] | None:
    if crs is None:
        return None
    try:
        import pyproj
    except ImportError as exc:
        raise MissingExtra("geo", f"reprojecting boundaries from {crs}") from exc
    try:
        source = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise _fail(path, f"unknown CRS {crs!r}: {exc}") from exc
    if source.equals("OGC:CRS84", ignore_axis_order=True):
        return None
    transformer = pyproj.Transformer.from_crs(source, "EPSG:4326", always_xy=True)

    def reproject(geom: BaseGeometry) -> BaseGeometry:
        def move(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

        return shapely.transform(geom, move)

    return reproject


def write_boundaries(
    boundaries: Sequence[tuple[str, str | None, str | None, BaseGeometry]],
    path: Path,
    fmt: str,
) -> None:
    """Write boundaries as a GeoJSON FeatureCollection or a GeoPackage layer, sorted by code.

    Parameters
    ----------
    boundaries
        ``(code, name_zh, level, geometry)`` tuples; geometries in EPSG:4326 lon/lat.
    path
        The file to write (replaced if it exists).
    fmt
        ``"geojson"`` (stdlib json, properties ``code``/``name_zh``/``level``, UTF-8, coordinates
        exactly as shapely gives them) or ``"gpkg"`` (layer ``boundaries``, CRS EPSG:4326; needs
        the ``geo`` extra).

    Raises
    ------
    MethodError
        For any other ``fmt``.
    MissingExtra
        When ``fmt="gpkg"`` and pyogrio is not installed.
    """
    rows = sorted(boundaries, key=lambda b: b[0])
    if fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "properties": {"code": code, "name_zh": name, "level": level},
                "geometry": mapping(geom),
            }
            for code, name, level, geom in rows
        ]
        text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
    elif fmt == "gpkg":
        _write_gpkg(rows, path)
    else:
        raise MethodError(f"cannot write boundaries as {fmt!r}", hint="use 'geojson' or 'gpkg'")


def _write_gpkg(rows: list[tuple[str, str | None, str | None, BaseGeometry]], path: Path) -> None:
    try:
        import pyogrio
    except ImportError as exc:
        raise MissingExtra("geo", "writing GeoPackage boundaries") from exc
    kinds = {geom.geom_type for *_, geom in rows}
    columns = [np.array([row[i] for row in rows], dtype=object) for i in range(3)]
    path.unlink(missing_ok=True)
    pyogrio.raw.write(
        path,
        shapely.to_wkb([geom for *_, geom in rows]),
        columns,
        ["code", "name_zh", "level"],
        layer=_GPKG_LAYER,
        driver="GPKG",
        geometry_type=kinds.pop() if len(kinds) == 1 else "Unknown",
        crs="EPSG:4326",
    )
