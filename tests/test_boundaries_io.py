from __future__ import annotations

import json
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

from innoalliance.errors import MethodError, Problem, ValidationError
from innoalliance.ingest.boundaries import read_boundaries, write_boundaries

HANGZHOU = box(120.0, 30.0, 120.5, 30.5)
NINGBO = MultiPolygon([box(121.0, 29.5, 121.5, 30.0), box(122.0, 30.0, 122.2, 30.2)])
BOW_TIE = Polygon([(120, 30), (121, 31), (121, 30), (120, 31)])


def feature(props: dict[str, Any], geom: Any) -> dict[str, Any]:
    geometry = None if geom is None else geom if isinstance(geom, dict) else mapping(geom)
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write_geojson(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    data = {"type": "FeatureCollection", **extra, "features": features}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> list[Problem]:
    return exc.value.problems


def test_geojson_reads_codes_names_and_geometries(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "cities.geojson",
        [
            feature({"adcode": 330100, "name": "杭州市"}, HANGZHOU),
            feature({"adcode": "330200", "name": "宁波市"}, NINGBO),
        ],
    )
    got = read_boundaries(path)
    assert [(b.code, b.name, b.row) for b in got] == [
        ("330100", "杭州市", 1),
        ("330200", "宁波市", 2),
    ]
    assert got[0].geometry.equals(HANGZHOU)
    assert got[1].geometry.geom_type == "MultiPolygon"


def test_geojson_reports_every_bad_feature(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature({"code": "330100"}, HANGZHOU),
            feature({"code": "330200"}, BOW_TIE),
            feature({"code": "330100"}, box(1, 1, 2, 2)),
            feature({"name": "no code"}, box(1, 1, 2, 2)),
            feature({"code": "  "}, box(1, 1, 2, 2)),
            feature({"code": "33040"}, box(1, 1, 2, 2)),
            feature({"code": "330500"}, Point(120, 30)),
            feature({"code": "330600"}, None),
            feature({"code": "330900"}, {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path)
    found = [(p.file, p.row, p.column, p.value) for p in problems(exc)]
    assert found == [
        ("bad.geojson", 2, "geometry", None),
        ("bad.geojson", 3, "code", "330100"),
        ("bad.geojson", 4, "code", None),
        ("bad.geojson", 5, "code", None),
        ("bad.geojson", 6, "code", "33040"),
        ("bad.geojson", 7, "geometry", "Point"),
        ("bad.geojson", 8, "geometry", None),
        ("bad.geojson", 9, "geometry", None),
    ]
    rules = [p.rule for p in problems(exc)]
    assert rules[0].startswith("invalid geometry: Self-intersection")
    assert "duplicate code; feature 1" in rules[1]
    assert rules[2] == rules[3] == "missing division code"
    assert "6 digits" in rules[4]
    assert "Polygon or MultiPolygon" in rules[5]
    assert rules[6] == "missing geometry"
    assert rules[7].startswith("unreadable geometry")


def test_geojson_in_metres_without_crs_is_out_of_range(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "metres.geojson", [feature({"code": "330100"}, box(13e6, 3e6, 13.1e6, 3.1e6))]
    )
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path)
    [problem] = problems(exc)
    assert (problem.row, problem.column) == (1, "geometry")
    assert "outside lon/lat range" in problem.rule


def test_geojson_legacy_crs_member_is_reprojected(tmp_path: Path) -> None:
    to_3857 = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    metres = shapely.transform(HANGZHOU, lambda xy: np.column_stack(to_3857.transform(*xy.T)))
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path = write_geojson(tmp_path / "m.geojson", [feature({"code": "330100"}, metres)], crs=crs)
    [got] = read_boundaries(path)
    assert got.geometry.equals_exact(HANGZHOU, tolerance=1e-9)


def test_code_field_unknown_or_absent_lists_fields(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "f.geojson", [feature({"id": "330100", "名称": "x"}, HANGZHOU)])
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path)
    [problem] = problems(exc)
    assert problem.row is None
    assert "no division code field" in problem.rule and "id, 名称" in problem.rule
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path, code_field="gbcode")
    [problem] = problems(exc)
    assert (problem.row, problem.column) == (None, "gbcode")
    assert "the fields are: id, 名称" in problem.rule
    assert [b.code for b in read_boundaries(path, code_field="id")] == ["330100"]


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("broken.geojson", "{not json", "not valid UTF-8 JSON"),
        ("list.json", "[1, 2]", "not a GeoJSON FeatureCollection"),
        ("junk.gpkg", "hello", "cannot read the layer"),
        ("table.csv", "code\n330100\n", "unknown boundary format"),
    ],
)
def test_unreadable_files_are_file_level_problems(
    tmp_path: Path, name: str, content: str, rule: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path)
    [problem] = problems(exc)
    assert (problem.file, problem.row) == (name, None)
    assert rule in problem.rule


def test_missing_file(tmp_path: Path) -> None:
    for name in ("absent.geojson", "absent.gpkg"):
        with pytest.raises(ValidationError) as exc:
            read_boundaries(tmp_path / name)
        assert problems(exc)[0].row is None


def test_gpkg_in_web_mercator_is_reprojected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["330100", "330200"], "name_zh": ["杭州市", "宁波市"]},
        geometry=[HANGZHOU, NINGBO],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    path = tmp_path / "mercator.gpkg"
    frame.to_file(path, engine="pyogrio")
    got = read_boundaries(path)
    assert [(b.code, b.name) for b in got] == [("330100", "杭州市"), ("330200", "宁波市")]
    assert shapely.hausdorff_distance(got[0].geometry, HANGZHOU) < 1e-7
    assert shapely.hausdorff_distance(got[1].geometry, NINGBO) < 1e-7


def test_gpkg_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.gpkg"
    frame = gpd.GeoDataFrame({"code": ["330100"]}, geometry=[HANGZHOU])
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(path, engine="pyogrio")
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path)
    [problem] = problems(exc)
    assert problem.row is None
    assert problem.rule == "layer has no CRS; define it, e.g. ogr2ogr -a_srs EPSG:4326"


def test_gpkg_reports_bad_features(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"ADCODE": [330100, 330100, None], "NAME": ["a", "b", "c"]},
        geometry=[HANGZHOU, BOW_TIE, None],
        crs="EPSG:4326",
    )
    path = tmp_path / "bad.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(ValidationError) as exc:
        read_boundaries(path)
    found = [(p.row, p.column, p.rule.split(";")[0].split(":")[0]) for p in problems(exc)]
    assert found == [
        (2, "ADCODE", "duplicate code"),
        (2, "geometry", "invalid geometry"),
        (3, "ADCODE", "missing division code"),
        (3, "geometry", "missing geometry"),
    ]


def test_shapefile_plain_and_zipped(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"ADCODE": [330100, 330200], "NAME": ["杭州市", "宁波市"]},
        geometry=[HANGZHOU, NINGBO],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    shp = tmp_path / "cities.shp"
    frame.to_file(shp, engine="pyogrio", encoding="UTF-8")
    archive = tmp_path / "cities.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in tmp_path.glob("cities.*"):
            if part != archive:
                z.write(part, part.name)
    for path in (shp, archive):
        got = read_boundaries(path)
        assert [(b.code, b.name) for b in got] == [("330100", "杭州市"), ("330200", "宁波市")]
        assert shapely.hausdorff_distance(got[0].geometry, HANGZHOU) < 1e-7


BOUNDARIES = [
    ("330200", "宁波市", "prefecture", NINGBO),
    (
        "330100",
        "杭州市",
        "prefecture",
        Polygon([(120.1, 30.1), (120.33333333333, 30.2), (120.2, 30.3)]),
    ),
    ("110108", None, None, HANGZHOU),
]


def test_geojson_round_trip_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "out.geojson"
    write_boundaries(BOUNDARIES, path, "geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [f["properties"] for f in data["features"]] == [
        {"code": "110108", "name_zh": None, "level": None},
        {"code": "330100", "name_zh": "杭州市", "level": "prefecture"},
        {"code": "330200", "name_zh": "宁波市", "level": "prefecture"},
    ]
    assert "杭州市" in path.read_text(encoding="utf-8")
    got = {b.code: b for b in read_boundaries(path)}
    for code, name, _, geom in BOUNDARIES:
        assert got[code].name == name
        assert got[code].geometry.geom_type == geom.geom_type
        assert shapely.get_coordinates(got[code].geometry).tolist() == (
            shapely.get_coordinates(geom).tolist()
        )


def test_gpkg_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    path.write_text("an old file to replace", encoding="utf-8")
    write_boundaries(BOUNDARIES, path, "gpkg")
    got = read_boundaries(path)
    assert [b.code for b in got] == ["110108", "330100", "330200"]
    expected = {code: geom for code, _, _, geom in BOUNDARIES}
    for boundary in got:
        assert boundary.geometry.equals_exact(expected[boundary.code], tolerance=1e-9)
    assert gpd.read_file(path).crs.to_epsg() == 4326


def test_write_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(MethodError):
        write_boundaries(BOUNDARIES, tmp_path / "out.kml", "kml")


def test_demo_boundaries_read_back() -> None:
    demo = resources.files("innoalliance") / "demo" / "data" / "boundaries.geojson"
    with resources.as_file(demo) as path:
        got = read_boundaries(path)
    assert len(got) == 15
    assert {b.code[:2] for b in got} == {"33", "44"}
    assert all(b.name for b in got)
