from __future__ import annotations

import pytest
from shapely.geometry import Point

from innoalliance.errors import ValidationError
from innoalliance.ingest.china import china_boundaries

HANGZHOU_CENTRE = Point(120.16, 30.27)


def test_codes_short_names_and_full_names() -> None:
    got = china_boundaries(["330100", "宁波", "浙江省"])
    assert [(b.code, b.name, b.row) for b in got] == [
        ("330100", "杭州市", 1),
        ("330200", "宁波市", 2),
        ("330000", "浙江省", 3),
    ]
    for boundary in got:
        assert boundary.geometry.geom_type in ("Polygon", "MultiPolygon")
        assert boundary.geometry.is_valid
    minx, miny, maxx, maxy = got[0].geometry.bounds
    assert minx < HANGZHOU_CENTRE.x < maxx and miny < HANGZHOU_CENTRE.y < maxy
    assert got[0].geometry.contains(HANGZHOU_CENTRE)
    assert got[2].geometry.contains(got[0].geometry.representative_point())


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("北京", "110000"),
        ("北京市", "110000"),
        ("110100", "110100"),
        ("广西", "450000"),
        ("内蒙古", "150000"),
        ("香港", "810000"),
        ("延边", "222400"),
        ("东莞市", "441900"),
    ],
)
def test_name_forms(query: str, code: str) -> None:
    [boundary] = china_boundaries([query])
    assert boundary.code == code


def test_every_bad_query_is_reported() -> None:
    with pytest.raises(ValidationError) as exc:
        china_boundaries(["杭洲市", "330100", "朝阳区", "杭州", "吉林", "999999"])
    found = [(p.file, p.row, p.value, p.suggestion) for p in exc.value.problems]
    assert found == [
        ("--china", 1, "杭洲市", "杭州市"),
        ("--china", 3, "朝阳区", None),
        ("--china", 4, "杭州", None),
        ("--china", 5, "吉林", None),
        ("--china", 6, "999999", None),
    ]
    rules = [p.rule for p in exc.value.problems]
    assert "no Chinese division" in rules[0]
    assert "110105" in rules[1] and "220104" in rules[1] and "give the code" in rules[1]
    assert "already given as query 2" in rules[2]
    assert "220000" in rules[3] and "220200" in rules[3]
    assert "no Chinese division" in rules[4]
