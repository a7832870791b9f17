"""Read and write administrative boundary files (GeoJSON, GeoPackage, Shapefile).

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


@dataclass(frozen=True)
class _Layer:
    fields: list[str]
    records: list[tuple[dict[str, object], BaseGeometry | None, str | None]]  # props, geom, error
    crs: str | None  # None: already lon/lat (EPSG:4326 / CRS84)


def _fail(path: Path, rule: str, column: str | None = None) -> ValidationError:
    return ValidationError([Problem(path.name, None, column, None, rule)])


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
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        layer = _read_geojson(path)
    elif suffix in OGR_SUFFIXES:
        layer = _read_ogr(path)
    else:
        raise _fail(path, "unknown boundary format; give a .geojson, .gpkg, .shp or zipped .shp")
    if not layer.records:
        raise _fail(path, "the layer has no features")
    field = _code_field(path, layer.fields, code_field)
    name_field = next((f for f in NAME_FIELDS if f in layer.fields), None)
    return _check(path, layer, field, name_field, _reprojector(path, layer.crs))


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
    layer: _Layer,
    code_field: str,
    name_field: str | None,
    reproject: Callable[[BaseGeometry], BaseGeometry] | None,
) -> list[Boundary]:
    problems = ProblemList()
    first_row: dict[str, int] = {}
    out: list[Boundary] = []

    def add(row: int, column: str, value: str | None, rule: str) -> None:
        problems.add(Problem(path.name, row, column, value, rule))

    for row, (props, geom, error) in enumerate(layer.records, start=1):
        code = attribute_text(props.get(code_field))
        if code is None:
            add(row, code_field, None, "missing division code")
        elif not _CODE.fullmatch(code):
            add(row, code_field, code, "division code must be 6 digits (GB/T 2260)")
        elif code in first_row:
            add(row, code_field, code, f"duplicate code; feature {first_row[code]} has it too")
        else:
            first_row[code] = row
        if error is not None:
            add(row, "geometry", None, f"unreadable geometry: {error}")
            continue
        if geom is None or geom.is_empty:
            add(row, "geometry", None, "missing geometry")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            add(row, "geometry", geom.geom_type, "geometry must be a Polygon or MultiPolygon")
            continue
        if not geom.is_valid:
            add(row, "geometry", None, f"invalid geometry: {explain_validity(geom)}")
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


def _read_geojson(path: Path) -> _Layer:
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
    records: list[tuple[dict[str, object], BaseGeometry | None, str | None]] = []
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
    return _Layer(list(fields), records, _geojson_crs(path, data.get("crs")))


def _geojson_crs(path: Path, member: object) -> str | None:
    if member is None:
        return None
    props = member.get("properties") if isinstance(member, dict) else None
    name = props.get("name", props.get("code")) if isinstance(props, dict) else None
    if isinstance(name, int):
        name = f"EPSG:{name}"
    if not isinstance(name, str):
        raise _fail(path, "the 'crs' member names no CRS; remove it or reproject to EPSG:4326")
    return None if name in LONLAT_NAMES else name


def _read_ogr(path: Path) -> _Layer:
    try:
        import pyogrio
        import pyogrio.errors
    except ImportError as exc:
        raise MissingExtra("geo", "reading GeoPackage and Shapefile boundaries") from exc
    if not path.is_file():
        raise _fail(path, "file not found; check the path")
    try:
        meta, _, wkb, values = pyogrio.raw.read(path, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise _fail(path, f"cannot read the layer: {exc}") from exc
    if wkb is None:
        raise _fail(path, "the layer has no geometry column")
    if meta["crs"] is None:
        raise _fail(path, "layer has no CRS; define it, e.g. ogr2ogr -a_srs EPSG:4326")
    fields = [str(f) for f in meta["fields"]]
    records: list[tuple[dict[str, object], BaseGeometry | None, str | None]] = [
        ({f: column[i] for f, column in zip(fields, values, strict=True)}, geom, None)
        for i, geom in enumerate(shapely.from_wkb(wkb))
    ]
    crs = str(meta["crs"])
    return _Layer(fields, records, None if crs in LONLAT_NAMES else crs)


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
