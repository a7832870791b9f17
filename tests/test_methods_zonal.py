from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from innoalliance.errors import MethodError
from innoalliance.methods.spatial import zonal
from innoalliance.methods.spatial.zonal import (
    ZonalResult,
    coverage,
    zonal_stats,
    zonal_stats_windows,
)

# 4 x 4 unit cells; cell (r, c) is [c, c + 1] x [3 - r, 4 - r]
UNIT = Affine(1.0, 0.0, 0.0, 0.0, -1.0, 4.0)


def apply(t: Affine, col: np.ndarray | float, row: np.ndarray | float) -> tuple:
    """(x, y) of grid coordinates (without Affine's ``*``, deprecated in affine 3)."""
    return (t.a * col + t.b * row + t.c, t.d * col + t.e * row + t.f)


def dense(transform: Affine, shape: tuple[int, int], geom: BaseGeometry,
          weighting: zonal.Weighting = "exact") -> np.ndarray:
    cov = coverage(transform, shape, geom, weighting=weighting)
    out = np.zeros(shape)
    out[cov.window] = cov.fractions
    return out


def brute_force(transform: Affine, shape: tuple[int, int], geom: BaseGeometry) -> np.ndarray:
    """Coverage by shapely: area of (cell polygon ∩ geometry) / cell area, cell by cell."""
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    corners = [(cols + dc, rows + dr) for dc, dr in ((0, 0), (1, 0), (1, 1), (0, 1))]
    xy = [apply(transform, c.ravel(), r.ravel()) for c, r in corners]
    rings = np.stack([np.column_stack(p) for p in xy], axis=1)
    cells = shapely.polygons(rings)
    area = abs(transform.a * transform.e - transform.b * transform.d)
    return (shapely.area(shapely.intersection(cells, geom)) / area).reshape(shape)


def star(rng: np.random.Generator, centre: tuple[float, float], size: float) -> BaseGeometry:
    """A random star-shaped polygon (valid by construction when the angle gaps are < pi)."""
    n = int(rng.integers(3, 16))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    while np.max(np.diff(np.r_[angles, angles[0] + 2 * np.pi])) >= np.pi:
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = rng.uniform(0.2, 1.0, n) * size
    return shapely.Polygon(np.column_stack([centre[0] + radii * np.cos(angles),
                                            centre[1] + radii * np.sin(angles)]))


# --- hand-computed coverage -------------------------------------------------------------


def test_square_covering_half_a_cell() -> None:
    cov = coverage(UNIT, (4, 4), shapely.box(1.0, 2.0, 1.5, 3.0))
    assert (cov.row0, cov.row1, cov.col0, cov.col1) == (1, 2, 1, 2)
    assert cov.fractions.tolist() == [[0.5]]


def test_square_over_four_cell_corners() -> None:
    out = dense(UNIT, (4, 4), shapely.box(0.5, 0.5, 1.5, 1.5))
    expected = np.zeros((4, 4))
    expected[2:4, 0:2] = 0.25
    np.testing.assert_allclose(out, expected, atol=1e-15)


def test_triangle() -> None:
    # x + y <= 2 over the lower-left cells: (row 3, col 0) full, its two neighbours half
    out = dense(UNIT, (4, 4), shapely.Polygon([(0, 0), (2, 0), (0, 2)]))
    expected = np.zeros((4, 4))
    expected[3, 0] = 1.0
    expected[3, 1] = expected[2, 0] = 0.5
    np.testing.assert_allclose(out, expected, atol=1e-15)
    assert out.sum() == pytest.approx(2.0)


def test_polygon_with_a_hole() -> None:
    ring = shapely.box(0, 0, 2, 2).difference(shapely.box(0.5, 0.5, 1.5, 1.5))
    out = dense(UNIT, (4, 4), ring)
    expected = np.zeros((4, 4))
    expected[2:4, 0:2] = 0.75
    np.testing.assert_allclose(out, expected, atol=1e-15)
    whole_cell_hole = shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2))
    out = dense(UNIT, (4, 4), whole_cell_hole)
    expected = np.zeros((4, 4))
    expected[1:4, 0:3] = 1.0
    expected[2, 1] = 0.0
    np.testing.assert_array_equal(out, expected)


def test_polygon_partly_and_wholly_outside_the_raster() -> None:
    cov = coverage(UNIT, (4, 4), shapely.box(-1.0, -1.0, 1.0, 1.0))
    assert (cov.row0, cov.row1, cov.col0, cov.col1) == (3, 4, 0, 1)
    assert cov.fractions.tolist() == [[1.0]]
    # a polygon around the whole raster covers every cell fully
    np.testing.assert_array_equal(dense(UNIT, (4, 4), shapely.box(-9, -9, 9, 9)), np.ones((4, 4)))
    # left, right, above, below: nothing
    for box in ((-3, 0, -1, 4), (5, 0, 6, 4), (0, 5, 4, 6), (0, -3, 4, -1)):
        cov = coverage(UNIT, (4, 4), shapely.box(*box))
        assert cov.fractions.size == 0
        assert cov.row0 == cov.row1 or cov.col0 == cov.col1
    [result] = zonal_stats(np.ones((4, 4)), UNIT, [shapely.box(10, 10, 11, 11)])
    assert result == ZonalResult(0.0, 0.0, None, None, None, None, {}, {})


def test_multipolygon_and_polygon_smaller_than_a_cell() -> None:
    parts = shapely.MultiPolygon([shapely.box(0, 0, 0.5, 1), shapely.box(3.25, 3.25, 3.5, 3.5)])
    out = dense(UNIT, (4, 4), parts)
    expected = np.zeros((4, 4))
    expected[3, 0] = 0.5
    expected[0, 3] = 0.0625
    np.testing.assert_allclose(out, expected, atol=1e-15)


@pytest.mark.parametrize(
    "transform",
    [
        Affine(0.25, 0.0, 120.0, 0.0, -0.25, 31.0),  # north-up
        Affine(0.5, 0.0, 10.0, 0.0, 0.25, -3.0),  # south-up
        Affine(-0.5, 0.0, 10.0, 0.0, -0.5, 3.0),  # x flipped
        Affine(0.7 * math.cos(0.5), 0.4 * math.sin(0.5), 5.0,  # rotated by 0.5 rad
               0.7 * math.sin(0.5), -0.4 * math.cos(0.5), 7.0),
    ],
)
def test_matches_shapely_on_any_affine_grid(transform: Affine) -> None:
    rng = np.random.default_rng(7)
    shape = (12, 15)
    centre = apply(transform, 7.5, 6.0)
    size = 5 * math.sqrt(abs(transform.determinant))
    for _ in range(20):
        geom = star(rng, centre, size)
        if rng.random() < 0.5:
            geom = geom.difference(shapely.Point(centre).buffer(size / 5))
        np.testing.assert_allclose(dense(transform, shape, geom),
                                   brute_force(transform, shape, geom), atol=1e-12)


# --- statistics -------------------------------------------------------------------------


def test_statistics_by_hand() -> None:
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    grid = Affine(1.0, 0.0, 0.0, 0.0, -1.0, 2.0)
    geom = shapely.box(0.0, 1.0, 1.5, 2.0)  # cell (0, 0) whole, cell (0, 1) half
    [r] = zonal_stats(values, grid, [geom], thresholds=[1.5])
    assert r.count == 1.5
    assert r.sum == 2.0
    assert r.mean == pytest.approx(4 / 3)
    assert (r.min, r.max) == (1.0, 2.0)
    # weighted population variance: (1·(1 − 4/3)² + 0.5·(2 − 4/3)²) / 1.5 = 2/9
    assert r.std == pytest.approx(math.sqrt(2) / 3)
    assert r.share_above[1.5] == pytest.approx(1 / 3)
    assert r.share_below[1.5] == pytest.approx(2 / 3)
    assert r.as_dict() == {
        "count": 1.5, "sum": 2.0, "mean": r.mean, "min": 1.0, "max": 2.0, "std": r.std,
        "share_above_1.5": r.share_above[1.5], "share_below_1.5": r.share_below[1.5],
    }
    [c] = zonal_stats(values, grid, [geom], weighting="centroid")
    # the centre (1.5, 1.5) of cell (0, 1) lies on the right edge, which GDAL counts in
    assert (c.count, c.sum, c.mean, c.std) == (2.0, 3.0, 1.5, 0.5)
    [c] = zonal_stats(values, grid, [shapely.box(0.0, 1.0, 1.4, 2.0)], weighting="centroid")
    assert (c.count, c.sum, c.mean, c.std) == (1.0, 1.0, 1.0, 0.0)


def test_nodata_and_nan_are_left_out() -> None:
    values = np.array([[-9999.0, 2.0], [np.nan, 4.0]])
    grid = Affine(1.0, 0.0, 0.0, 0.0, -1.0, 2.0)
    [r] = zonal_stats(values, grid, [shapely.box(0.0, 0.0, 1.5, 2.0)], nodata=-9999)
    # valid: (0, 1) half covered = 2, (1, 1) half covered = 4
    assert (r.count, r.sum, r.min, r.max) == (1.0, 3.0, 2.0, 4.0)
    assert r.std == pytest.approx(1.0)
    [empty] = zonal_stats(values, grid, [shapely.box(0.0, 0.0, 1.0, 2.0)], nodata=-9999,
                          thresholds=[0.0])
    assert empty.as_dict() == {"count": 0.0, "sum": 0.0, "mean": None, "min": None,
                               "max": None, "std": None, "share_above_0": None,
                               "share_below_0": None}


def test_integer_rasters_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 1000, (40, 50)).astype(np.int16)
    grid = Affine(2.0, 0.0, 0.0, 0.0, -2.0, 80.0)
    geoms: list[BaseGeometry] = [star(rng, (50.0, 40.0), 35.0) for _ in range(5)]
    geoms[2:2] = [shapely.Polygon(), shapely.box(500, 500, 501, 501)]  # empty, outside
    whole = zonal_stats(values, grid, geoms, nodata=0, thresholds=[500])
    calls: list[tuple[int, int, int, int]] = []

    def read(r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        calls.append((r0, r1, c0, c1))
        return values[r0:r1, c0:c1]

    monkeypatch.setattr(zonal, "BLOCK_CELLS", 60)  # a few rows per block
    monkeypatch.setattr(zonal, "CHUNK_CROSSINGS", 40)  # about one polygon per batch
    blocked = zonal_stats_windows(read, grid, values.shape, geoms, nodata=0, thresholds=[500])
    assert len(calls) > 5 * 3
    assert blocked[2].count == blocked[3].count == 0.0
    assert all(r1 - r0 <= max(1, 60 // (c1 - c0)) for r0, r1, c0, c1 in calls)
    for a, b in zip(whole, blocked, strict=True):
        for key, value in a.as_dict().items():
            assert b.as_dict()[key] == (None if value is None else pytest.approx(value, rel=1e-12))


def test_progress_and_reader_shape_check() -> None:
    seen: list[tuple[int, int]] = []
    zonal_stats(np.ones((4, 4)), UNIT, [shapely.box(0, 0, 1, 1)] * 3,
                progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(MethodError, match="returned shape"):
        zonal_stats_windows(lambda *_: np.ones((1, 1)), UNIT, (4, 4), [shapely.box(0, 0, 3, 3)])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: zonal_stats(np.ones((4, 4)), UNIT, [shapely.Point(1, 1)]), "not a Polygon"),
        (lambda: zonal_stats(np.ones((4, 4)), UNIT,
                             [shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])]), "invalid"),
        (lambda: zonal_stats(np.ones((4, 4)), UNIT, [shapely.box(0, 0, 1, 1)],
                             weighting="touched"), "unknown weighting"),  # type: ignore[arg-type]
        (lambda: zonal_stats(np.ones((4, 4)), Affine(1, 0, 0, 2, 0, 0),
                             [shapely.box(0, 0, 1, 1)]), "not invertible"),
        (lambda: zonal_stats(np.ones((2, 4, 4)), UNIT, [shapely.box(0, 0, 1, 1)]), "2-D"),
        (lambda: zonal_stats(np.ones((4, 4)), UNIT, [shapely.box(0, 0, 1, 1)],
                             thresholds=[math.nan]), "finite"),
        (lambda: zonal_stats(np.ones((4, 4)), UNIT, [shapely.box(0, 0, math.inf, 1)]),
         "infinite"),
    ],
)
def test_bad_requests(call: object, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        call()  # type: ignore[operator]


def test_empty_geometry_is_no_data() -> None:
    [r] = zonal_stats(np.ones((4, 4)), UNIT, [shapely.Polygon()])
    assert (r.count, r.mean) == (0.0, None)


# --- properties -------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.05, 1.0), st.floats(0.0, 1.0)), min_size=3, max_size=12),
    st.floats(1.0, 11.0),
    st.floats(1.0, 8.6),
    st.floats(0.2, 2.9),
)
def test_coverage_adds_up_to_the_area(points: list[tuple[float, float]], cx: float, cy: float,
                                      size: float) -> None:
    # star-shaped polygons over a 12 x 24 raster of 0.5 x 0.8 cells spanning [0, 12] x [0, 9.6]
    grid = Affine(0.5, 0.0, 0.0, 0.0, -0.8, 9.6)
    shape = (12, 24)
    angles = np.sort(np.array([a for _, a in points])) * 2 * np.pi
    radii = np.array([r for r, _ in points]) * size
    geom = shapely.Polygon(np.column_stack([cx + radii * np.cos(angles),
                                            cy + radii * np.sin(angles)]))
    if not geom.is_valid:
        geom = shapely.make_valid(geom).buffer(0)
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return
    out = dense(grid, shape, geom)
    assert out.min() >= 0.0
    assert out.max() <= 1.0
    cell = 0.5 * 0.8
    inside = geom.intersection(shapely.box(0.0, 0.0, 12.0, 9.6)).area
    # fractions within SNAP of 0 or 1 are snapped: allow SNAP per cell the boundary touches
    snapped = zonal.SNAP * np.count_nonzero(out > 0)
    assert out.sum() * cell == pytest.approx(inside, rel=1e-9, abs=snapped * cell + 1e-12)
    [r] = zonal_stats(np.full(shape, 2.0), grid, [geom])
    assert r.count == pytest.approx(inside / cell, rel=1e-9, abs=snapped + 1e-12)
    if geom.within(shapely.box(0.0, 0.0, 12.0, 9.6)):
        assert r.count == pytest.approx(geom.area / cell, rel=1e-9, abs=snapped + 1e-12)
    assert r.sum == pytest.approx(2.0 * r.count, rel=1e-12)
    np.testing.assert_allclose(out, brute_force(grid, shape, geom), atol=zonal.SNAP)


# --- agreement with exactextract and rasterstats ----------------------------------------


def random_case(tmp_path: Path, seed: int) -> tuple[np.ndarray, Affine, list[BaseGeometry],
                                                      Path, Path]:
    """A float32 raster with nodata and NaN cells, and polygons of every kind, as files."""
    import rasterio

    rng = np.random.default_rng(seed)
    rows, cols = 60, 80
    grid = Affine(0.25, 0.0, 100.0, 0.0, -0.25, 30.0)
    values = rng.normal(50.0, 12.0, (rows, cols)).astype(np.float32)
    values[rng.random(values.shape) < 0.08] = -9999.0
    values[rng.random(values.shape) < 0.03] = np.nan
    geoms: list[BaseGeometry] = []
    while len(geoms) < 40:
        centre = (rng.uniform(98.0, 122.0), rng.uniform(14.0, 32.0))  # some partly outside
        geom = star(rng, centre, rng.uniform(0.1, 5.0))
        if len(geoms) % 4 == 1:
            geom = geom.difference(shapely.Point(centre).buffer(0.3))
        if len(geoms) % 4 == 2:
            geom = shapely.union(geom, star(rng, (centre[0] + 6, centre[1]), 1.0))
        if geom.is_valid and not geom.is_empty:
            geoms.append(geom)
    geoms.append(shapely.box(150, 50, 151, 51))  # wholly outside
    raster = tmp_path / "values.tif"
    with rasterio.open(raster, "w", driver="GTiff", width=cols, height=rows, count=1,
                       dtype="float32", crs="EPSG:4326", transform=grid, nodata=-9999.0) as dst:
        dst.write(values, 1)
    zones = tmp_path / "zones.geojson"
    features = [{"type": "Feature", "properties": {"id": i}, "geometry": mapping(g)}
                for i, g in enumerate(geoms)]
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return values, grid, geoms, raster, zones


def close(ours: float | None, theirs: float | None, rel: float) -> bool:
    if ours is None:
        return theirs is None or theirs == 0 or math.isnan(theirs)
    return theirs is not None and math.isclose(ours, theirs, rel_tol=rel, abs_tol=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_exactextract(tmp_path: Path, seed: int) -> None:
    """The exactextract package (isciences) computes the same coverage-weighted statistics."""
    geopandas = pytest.importorskip("geopandas")
    rasterio = pytest.importorskip("rasterio")
    exactextract = pytest.importorskip("exactextract")
    values, grid, _, raster, zones = random_case(tmp_path, seed)
    frame = geopandas.read_file(zones)
    with rasterio.open(raster) as src:
        theirs = exactextract.exact_extract(
            src, frame, ["count", "sum", "mean", "min", "max", "stdev"], output="pandas")
    ours = zonal_stats(values, grid, list(frame.geometry), nodata=-9999.0)
    assert len(ours) == len(theirs)
    for r, (_, e) in zip(ours, theirs.iterrows(), strict=True):
        # exactextract keeps coverage fractions in float32: agreement to ~1e-7, not 1e-15
        assert close(r.count, e["count"], 1e-6)
        assert close(r.sum, e["sum"], 1e-6)
        assert close(r.mean, e["mean"], 1e-6)
        assert close(r.min, e["min"], 1e-6)
        assert close(r.max, e["max"], 1e-6)
        assert close(r.std, e["stdev"], 1e-6)
    assert ours[-1].count == 0.0


@pytest.mark.parametrize("seed", [3, 4])
def test_centroid_agrees_with_rasterstats(tmp_path: Path, seed: int) -> None:
    rasterstats = pytest.importorskip("rasterstats")
    values, grid, geoms, _, _ = random_case(tmp_path, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rasterstats' own deprecation notices
        theirs = rasterstats.zonal_stats(
            geoms, values, affine=grid, nodata=-9999.0, all_touched=False,
            stats=["count", "sum", "mean", "min", "max", "std"])
    ours = zonal_stats(values, grid, geoms, nodata=-9999.0, weighting="centroid")
    for r, e in zip(ours, theirs, strict=True):
        assert r.count == e["count"]
        if r.count == 0:  # rasterstats: sum None, ours 0
            assert (r.sum, r.mean, e["sum"], e["mean"]) == (0.0, None, None, None)
            continue
        # rasterstats sums float32 cells in float32
        for key in ("sum", "mean", "min", "max", "std"):
            assert close(getattr(r, key), e[key], 1e-6), key


def test_centroid_ties_follow_gdal() -> None:
    """Centres exactly on edges: GDAL (rasterstats) counts right and bottom edges in."""
    rasterstats = pytest.importorskip("rasterstats")
    values = np.arange(36, dtype=np.float64).reshape(6, 6)
    grid = Affine(1.0, 0.0, 0.0, 0.0, -1.0, 6.0)
    geoms = [shapely.box(0.5, 0.5, 2.5, 2.5), shapely.box(1.5, 1.5, 4.5, 5.5),
             shapely.Polygon([(0.5, 0.5), (4.5, 0.5), (0.5, 4.5)])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = rasterstats.zonal_stats(geoms, values, affine=grid, all_touched=False,
                                         stats=["count", "sum"])
    ours = zonal_stats(values, grid, geoms, weighting="centroid")
    assert [(r.count, r.sum) for r in ours] == [(e["count"], e["sum"]) for e in theirs]


def test_exactextract_documentation_example() -> None:
    """exactextract's operations.rst: values 1–4 with coverage 0.5, 0, 1 and 0.25 give count
    1.75, sum 4.5 and mean 2.57; min and max ignore coverage (1 and 4)."""
    from shapely.geometry import box

    grid = Affine(1.0, 0.0, 0.0, 0.0, -1.0, 2.0)  # 2 × 2 unit cells, top-left at (0, 2)
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    zone = shapely.union_all([box(0.0, 1.0, 0.5, 2.0),   # half of the cell holding 1
                              box(0.0, 0.0, 1.0, 1.0),   # all of the cell holding 3
                              box(1.0, 0.5, 1.5, 1.0)])  # a quarter of the cell holding 4
    (result,) = zonal_stats(values, grid, [zone])
    assert result.count == pytest.approx(1.75)
    assert result.sum == pytest.approx(4.5)
    assert result.mean == pytest.approx(4.5 / 1.75)
    assert (result.min, result.max) == (1.0, 4.0)
