"""``innoalliance region`` and ``plan`` as a user runs them: standalone files and the store."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity

from innoalliance.demo.image import write_demo_image
from innoalliance.reports.maps import choropleth, layout_map
from innoalliance.store.engine import make_engine
from innoalliance.workflows.plan.regions import resolve_regions

from .test_cli import run


def panel_csv(tmp_path: Path, seed: int, years: tuple[int, ...] = ()) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows = [(f"R{r}", f"{k + 1}", y, float(rng.integers(0, 50)) * (rng.random() > 0.2))
            for y in (years or (0,)) for r in range(7) for k in range(5)]
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "value"])
    path = tmp_path / "panel.csv"
    (frame if years else frame.drop(columns="year")).to_csv(path, index=False)
    return path, frame


def test_structure_agrees_with_ecomplexity(tmp_path: Path) -> None:
    path, frame = panel_csv(tmp_path, 3)
    code, out, err = run("region", "structure", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ecomplexity(frame.assign(year=2020), {"time": "year", "loc": "region",
                                                       "prod": "industry", "val": "value"},
                             verbose=False)
    regions, industries = result["regions"], result["industries"]
    wide = theirs.pivot_table(index="region", columns="industry", values=["rca", "density"])
    np.testing.assert_allclose(result["rca"], wide["rca"].loc[regions, industries], atol=1e-9)
    np.testing.assert_allclose(result["density"], wide["density"].loc[regions, industries],
                               atol=1e-9)
    eci = theirs.groupby("region")["eci"].first().loc[regions]
    np.testing.assert_allclose(result["eci"], eci, atol=1e-9)
    shares = frame.pivot_table(index="region", columns="industry", values="value").loc[
        regions, industries].to_numpy()
    shares = shares / shares.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result["krugman"],
                               np.abs(shares[:, None] - shares[None]).sum(axis=2), atol=1e-12)
    unit = shares / np.linalg.norm(shares, axis=1, keepdims=True)
    np.testing.assert_allclose(result["similarity"], unit @ unit.T, atol=1e-12)


def test_structure_per_year(tmp_path: Path) -> None:
    path, _ = panel_csv(tmp_path, 4, years=(2015, 2016))
    code, out, err = run("region", "structure", str(path), "--json")
    assert code == 0, err
    years = json.loads(out)["years"]
    assert set(years) == {"2015", "2016"}
    assert np.asarray(years["2016"]["similarity"]).shape == (7, 7)


def test_structure_bad_values_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("region,industry,value\nA,1,5\nA,2,-1\nB,1,3\nB,22,4\n", encoding="utf-8")
    code, _, err = run("region", "structure", str(path))
    assert code != 0 and "Traceback" not in err
    assert "-1" in err and "zero or positive" in err
    assert "22" in err and "nbs2018" in err


def brute_force(score: np.ndarray, k: int) -> float:
    cities, industries = score.shape
    best = -np.inf
    for pick in itertools.product(range(cities), repeat=industries):
        if max(np.bincount(pick, minlength=cities)) <= k:
            best = max(best, sum(score[c, i] for i, c in enumerate(pick)))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_layout_from_scores_is_the_true_optimum(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    score = rng.random((4, 5)).round(3)
    path = tmp_path / "scores.csv"
    pd.DataFrame([(f"city{c}", f"ind{i}", score[c, i]) for c in range(4) for i in range(5)],
                 columns=["city", "industry", "score"]).to_csv(path, index=False)
    for k in (2, 3):
        code, out, err = run("plan", "layout", "--scores", str(path),
                             "--max-leads-per-city", str(k), "--json")
        assert code == 0, err
        result = json.loads(out)
        assert result["objective"] == pytest.approx(brute_force(score, k), abs=1e-9)
        leads = list(result["assignments"].values())
        assert max(leads.count(c) for c in leads) <= k
        assert sum(score[int(c[-1]), i] for i, c in enumerate(leads)) == pytest.approx(
            result["objective"])


def test_layout_that_cannot_be_met_says_why(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("city,industry,score\nA,x,1\nA,y,2\nA,z,3\n", encoding="utf-8")
    code, _, err = run("plan", "layout", "--scores", str(path), "--max-leads-per-city", "1")
    assert code != 0 and "Traceback" not in err and "lead" in err


def test_hangzhou_bay_diagnosis_and_layout(demo_url: str, tmp_path: Path) -> None:
    out_path = tmp_path / "hb"
    code, out, err = run("plan", "diagnose", "--regions", "hangzhou-bay", "--db", demo_url,
                         "--output", str(out_path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert len(result["layout"]) == 9 and result["status"] == "optimal"
    for plan in result["layout"].values():
        assert plan["lead"] in plan["members"] and len(plan["members"]) >= 2
    leads = [p["lead"] for p in result["layout"].values()]
    assert max(leads.count(c) for c in leads) <= 2
    parts = result["objective_parts"]
    assert sum(parts.values()) == pytest.approx(result["objective"])
    for suffix in (".html", ".json", "-regions.csv", "-layout.csv"):
        assert (tmp_path / f"hb{suffix}").exists()
    html = (tmp_path / "hb.html").read_text(encoding="utf-8")
    assert "Isomorphism matrix" in html and "The layout" in html


def test_layout_respects_the_ecological_limit(demo_url: str, tmp_path: Path) -> None:
    engine = make_engine(demo_url)
    regions = resolve_regions(engine, ["hangzhou-bay"])
    image = write_demo_image(tmp_path / "hb.tif", [g for g in regions.geometries if g])
    engine.dispose()
    manifest = tmp_path / "layers.csv"
    manifest.write_text(f"name,path,bands\ntest_hb,{image},blue;green;red;nir;swir1;swir2;tir\n",
                        encoding="utf-8")
    code, _, err = run("import", "rasters", str(manifest), "--db", demo_url)
    assert code == 0, err
    code, out, err = run("plan", "layout", "--regions", "hangzhou-bay", "--raster", "test_hb",
                         "--eco-limit", "0.45", "--max-leads-per-city", "3", "--db", demo_url,
                         "--output", str(tmp_path / "eco"), "--json")
    assert code == 0, err
    result = json.loads(out)
    rsei = {r["code"]: r["rsei_mean"] for r in result["regions_table"]}
    assert all(0 <= v <= 1 for v in rsei.values())
    barred = {c for c, v in rsei.items() if 1 - v > 0.45}
    assert barred  # the illustrative image leaves at least one city above the limit
    assert not barred & {m for p in result["layout"].values() for m in p["members"]}


def test_region_without_boundary_and_unknown_codes(demo_url: str) -> None:
    code, _, err = run("plan", "diagnose", "--regions", "330100,440200", "--db", demo_url)
    assert code != 0 and "no boundary" in err and "440200" in err and "Traceback" not in err
    code, _, err = run("plan", "diagnose", "--regions", "hangzhou-bya", "--db", demo_url)
    assert code != 0 and "hangzhou-bay" in err


def test_maps_need_no_internet(demo_url: str) -> None:
    """Geographic Plotly traces fetch base maps or tiles; the maps use plain scatter shapes."""
    engine = make_engine(demo_url)
    regions = resolve_regions(engine, ["prd"]).map_regions()
    engine.dispose()
    figures = [choropleth(regions, {r.code: float(k) for k, r in enumerate(regions)}, label="x"),
               layout_map(regions, [("A", regions[0].code, [r.code for r in regions[:3]])])]
    assert {t.type for f in figures for t in f.data} == {"scatter"}
    assert figures[0].layout.xaxis.visible is False


def test_region_zonal_agrees_with_exactextract(demo_url: str, tmp_path: Path) -> None:
    """The standalone command on the demo's image and the Hangzhou Bay boundaries."""
    import exactextract
    import geopandas
    import rasterio

    engine = make_engine(demo_url)
    regions = resolve_regions(engine, ["hangzhou-bay"])
    engine.dispose()
    image = write_demo_image(tmp_path / "hb.tif", [g for g in regions.geometries if g])
    zones = tmp_path / "zones.geojson"
    geopandas.GeoDataFrame({"code": regions.codes}, geometry=regions.geometries,
                           crs="EPSG:4326").to_file(zones, driver="GeoJSON")
    code, out, err = run("region", "zonal", str(image), str(zones), "--id-field", "code",
                         "--band", "4", "--json")
    assert code == 0, err
    ours = json.loads(out)
    with rasterio.open(image) as src, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = exactextract.exact_extract(
            src.name, geopandas.read_file(zones), ["count", "sum", "mean", "min", "max"],
            include_cols=["code"], output="pandas").set_index("code")
    for zone, stats in ours.items():
        for key in ("count", "sum", "mean", "min", "max"):
            col = f"band_4_{key}" if f"band_4_{key}" in theirs else key
            assert stats[key] == pytest.approx(float(theirs.at[zone, col]), rel=1e-6)


def test_region_zonal_raster_without_crs(tmp_path: Path) -> None:
    import rasterio
    from rasterio.transform import Affine

    raster = tmp_path / "nocrs.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rasterio.open(raster, "w", driver="GTiff", width=4, height=4, count=1,
                           dtype="float32", transform=Affine(1, 0, 0, 0, -1, 4)) as dst:
            dst.write(np.ones((1, 4, 4), dtype="float32"))
    zones = tmp_path / "z.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "a"}, "geometry": {
            "type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}}]}),
        encoding="utf-8")
    code, _, err = run("region", "zonal", str(raster), str(zones), "--id-field", "id")
    assert code != 0 and "Traceback" not in err
    assert "no CRS" in err and "gdal_edit.py -a_srs" in err


def test_negative_output_in_the_store_is_named(db_url: str, tmp_path: Path) -> None:
    code, out, err = run("demo", "--db", db_url, "--no-reports")
    assert code == 0, err
    stats = tmp_path / "statistics.csv"
    stats.write_text("region,indicator,industry,year,value,unit,source\n"
                     "330200,industrial_output,3,2016,-5,亿元,typo\n", encoding="utf-8")
    code, out, err = run("import", "statistics", str(stats), "--db", db_url)
    assert code == 0, err + out
    code, _, err = run("plan", "diagnose", "--regions", "hangzhou-bay", "--db", db_url,
                       "--output", str(tmp_path / "p"))
    assert code != 0 and "Traceback" not in err
    assert "negative" in err and "330200 industry 3 2016" in " ".join(err.split())
