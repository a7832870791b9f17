"""Benchmark: zonal statistics of a 10,000 × 10,000 raster over 300 polygons.

Writes, into a temporary directory (or ``--workdir``), a seeded float32 GeoTIFF (UTM zone 50N,
30 m cells, tiled 256 × 256, smooth field plus noise, about 1 % nodata cells and a nodata
block) and a GeoJSON of polygons: the Voronoi tessellation of seeded random points clipped to
the raster's extent. Then times, in this one process on the same files:

* ``innoalliance.workflows.plan.zonal_files.zonal_file`` with ``weighting="exact"`` (coverage
  fractions) and ``weighting="centroid"`` (cell centres);
* ``rasterstats.zonal_stats`` (the baseline: what a user would write; cell centres,
  ``all_touched=False``), on every polygon or, with ``--rasterstats-sample N``, on a seeded
  sample of N polygons with its time extrapolated to all of them (stated in the table);
* ``exactextract.exact_extract`` (for information: the C++ reference of exact weighting).

Every call computes count, sum, mean, min, max and standard deviation. Before timing, the
written files are flushed (``os.sync``), the raster is read once (OS file cache) and every
method runs untimed on 3 polygons (imports, GDAL drivers, PROJ database, allocator). Each of
``--repeat`` rounds (default 2) then runs the methods in that order, each opening the files
afresh; the table gives every method's time in each round and the best. It checks agreement: exact
against exactextract, centroid against rasterstats (largest relative difference per
statistic). It only prints; nothing is asserted. The ratio is rasterstats' time / the
method's time.

Run: ``python benchmarks/zonal_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import shapely
from affine import Affine
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from innoalliance.workflows.plan.zonal_files import read_zones, zonal_file

SEED = 20240607
NODATA = -9999.0
CELL = 30.0
ORIGIN = (300_000.0, 3_500_000.0)  # upper-left corner, EPSG:32650
CRS = "EPSG:32650"
STATS = ("count", "sum", "mean", "min", "max", "std")


def write_raster(path: Path, size: int, progress: Progress) -> Affine:
    """A seeded float32 GeoTIFF of ``size`` × ``size`` cells, written in row blocks."""
    rng = np.random.default_rng(SEED)
    transform = Affine(CELL, 0.0, ORIGIN[0], 0.0, -CELL, ORIGIN[1])
    profile = {
        "driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "float32",
        "crs": CRS, "transform": transform, "nodata": NODATA, "tiled": True,
        "blockxsize": 256, "blockysize": 256, "BIGTIFF": "IF_SAFER",
    }
    block = 1024
    task = progress.add_task("writing the raster", total=size)
    cols = np.arange(size) / size
    with rasterio.open(path, "w", **profile) as dst:
        for row0 in range(0, size, block):
            rows = np.arange(row0, min(row0 + block, size))[:, None] / size
            field = (200 + 80 * np.sin(7 * cols + 3 * rows) * np.cos(5 * rows - 2 * cols)
                     + 40 * np.sin(23 * rows * cols))
            values = (field + rng.normal(0, 15, field.shape)).astype(np.float32)
            values[rng.random(values.shape) < 0.01] = NODATA
            hole = (rows > 0.40) & (rows < 0.43)
            values[np.broadcast_to(hole, values.shape) & (cols > 0.6)] = NODATA
            dst.write(values, 1, window=rasterio.windows.Window(0, row0, size, len(rows)))
            progress.update(task, advance=len(rows))
    return transform


def write_zones(path: Path, size: int, count: int) -> list[shapely.Geometry]:
    """Voronoi polygons of ``count`` seeded points, clipped to the raster, as GeoJSON."""
    rng = np.random.default_rng(SEED + 1)
    left, top = ORIGIN
    right, bottom = left + size * CELL, top - size * CELL
    points = np.column_stack([rng.uniform(left, right, count), rng.uniform(bottom, top, count)])
    extent = shapely.box(left, bottom, right, top)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points),
                                                       extend_to=extent))
    polygons = [shapely.intersection(cell, extent) for cell in cells]
    write_features(path, polygons)
    return polygons


def write_features(path: Path, polygons: Sequence[shapely.Geometry]) -> None:
    """GeoJSON of the polygons (field ``zone`` = Z0000, Z0001, …) declaring EPSG:32650."""
    features = [
        {"type": "Feature", "properties": {"zone": f"Z{i:04d}"},
         "geometry": shapely.geometry.mapping(polygon)}
        for i, polygon in enumerate(polygons)
    ]
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32650"}},
            "features": features}
    path.write_text(json.dumps(data))


def warm(raster: Path, folder: Path, polygons: list[shapely.Geometry],
         progress: Progress) -> None:
    """Flush the written files, read the raster once (OS file cache) and run every method,
    untimed, on a few polygons (imports, GDAL drivers, PROJ database, allocator)."""
    import geopandas
    from exactextract import exact_extract
    from rasterstats import zonal_stats

    task = progress.add_task("warm-up (untimed)", total=4)
    os.sync()
    with rasterio.open(raster) as src:
        for _, window in src.block_windows(1):
            src.read(1, window=window)
    progress.update(task, advance=1)
    few = folder / "warmup.geojson"
    write_features(few, polygons)
    for weighting in ("exact", "centroid"):
        zonal_file(raster, few, "zone", weighting=weighting)  # type: ignore[arg-type]
    progress.update(task, advance=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zonal_stats(polygons, str(raster), stats=list(STATS), all_touched=False)
    progress.update(task, advance=1)
    with rasterio.open(raster) as src:
        exact_extract(src, geopandas.read_file(few), ["mean"], output="pandas")
    progress.update(task, advance=1)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def worst_difference(ours: Sequence[dict[str, Any]], theirs: Sequence[dict[str, Any]],
                     names: dict[str, str]) -> dict[str, float]:
    """Largest relative difference per statistic (0 when both say 'no data')."""
    worst = dict.fromkeys(names, 0.0)
    for a, b in zip(ours, theirs, strict=True):
        for ours_name, their_name in names.items():
            x, y = a[ours_name], b[their_name]
            missing_x = x is None
            missing_y = y is None or (isinstance(y, float) and math.isnan(y))
            if missing_x or missing_y:
                if missing_x != missing_y and not (missing_x and y == 0):
                    worst[ours_name] = math.inf
                continue
            worst[ours_name] = max(worst[ours_name], abs(x - y) / max(abs(y), 1e-12))
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="raster rows = columns")
    parser.add_argument("--zones", type=int, default=300, help="number of Voronoi polygons")
    parser.add_argument("--rasterstats-sample", type=int, default=0,
                        help="time rasterstats on a seeded sample of this many polygons and "
                        "extrapolate (0: all)")
    parser.add_argument("--no-exactextract", action="store_true", help="skip exactextract")
    parser.add_argument("--repeat", type=int, default=2,
                        help="rounds; the table gives each method's first and best time")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for the data (reused when it holds files of this size); "
                        "default: a temporary folder, deleted afterwards")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.workdir or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        run(args, folder, console)


def run(args: argparse.Namespace, folder: Path, console: Console) -> None:
    raster = folder / f"raster_{args.size}.tif"
    zones = folder / f"zones_{args.size}_{args.zones}.geojson"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    times: dict[str, list[float]] = {}
    with Progress(*columns, console=console) as progress:
        if not raster.exists():
            write_raster(raster, args.size, progress)
        polygons = write_zones(zones, args.size, args.zones)
        ids = read_zones(zones, "zone").ids
        warm(raster, folder, polygons[:3], progress)
        sample = list(range(len(polygons)))
        if 0 < args.rasterstats_sample < len(polygons):
            rng = np.random.default_rng(SEED + 2)
            sample = sorted(int(i) for i in rng.choice(len(polygons), args.rasterstats_sample,
                                                       replace=False))
        results: dict[str, Any] = {}

        def clock(name: str, total: int | None, call: Callable[[Callable[[], None]], Any],
                  round_: int) -> None:
            task = progress.add_task(f"{name} (round {round_})", total=total)

            def tick() -> None:
                progress.update(task, advance=1)

            seconds, results[name] = timed(lambda: call(tick))
            times.setdefault(name, []).append(seconds)
            progress.update(task, total=total or 1, completed=total or 1)

        def ours(weighting: str) -> Callable[[Callable[[], None]], Any]:
            def call(tick: Callable[[], None]) -> Any:
                return dict(zonal_file(raster, zones, "zone",
                                       weighting=weighting,  # type: ignore[arg-type]
                                       progress=lambda done, total: tick()))
            return call

        def baseline(tick: Callable[[], None]) -> list[dict[str, Any]]:
            from rasterstats import gen_zonal_stats

            found = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # rasterstats' own deprecation notices
                for stats in gen_zonal_stats([polygons[i] for i in sample], str(raster),
                                             stats=list(STATS), all_touched=False):
                    found.append(stats)
                    tick()
            return found

        def reference(tick: Callable[[], None]) -> Any:
            import geopandas
            from exactextract import exact_extract

            frame = geopandas.read_file(zones)
            with rasterio.open(raster) as src:
                return exact_extract(src, frame, ["count", "sum", "mean", "min", "max", "stdev"],
                                     include_cols=["zone"], output="pandas")

        for round_ in range(1, args.repeat + 1):
            clock(EXACT, len(polygons), ours("exact"), round_)
            clock(CENTROID, len(polygons), ours("centroid"), round_)
            clock(RASTERSTATS, len(sample), baseline, round_)
            if not args.no_exactextract:
                clock(EXACTEXTRACT, None, reference, round_)

    show(console, times, args, raster, len(sample), len(polygons))
    agreement = Table(title="Agreement (largest relative difference over the polygons)")
    agreement.add_column("comparison")
    for name in STATS:
        agreement.add_column(name, justify="right")
    names = {s: s for s in STATS}
    centroid, exact = results[CENTROID], results[EXACT]
    rs = worst_difference([centroid[ids[i]] for i in sample], results[RASTERSTATS], names)
    agreement.add_row("centroid vs rasterstats", *(f"{rs[s]:.1e}" for s in STATS))
    if EXACTEXTRACT in results:
        rows = results[EXACTEXTRACT].set_index("zone").to_dict("index")
        ee = worst_difference([exact[z] for z in ids], [rows[z] for z in ids],
                              {**names, "std": "stdev"})
        agreement.add_row("exact vs exactextract", *(f"{ee[s]:.1e}" for s in STATS))
    console.print(agreement)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory of the process (ru_maxrss): {peak:,.0f} MiB")


EXACT = "ours, exact"  # zonal_file(weighting="exact")
CENTROID = "ours, centroid"  # zonal_file(weighting="centroid")
RASTERSTATS = "rasterstats"  # rasterstats.zonal_stats, all_touched=False
EXACTEXTRACT = "exactextract"  # exactextract.exact_extract


def show(console: Console, times: dict[str, list[float]], args: argparse.Namespace,
         raster: Path, sampled: int, polygons: int) -> None:
    with rasterio.open(raster) as src:
        cells = src.width * src.height
    title = (f"Zonal statistics: {args.size:,} × {args.size:,} float32 raster "
             f"({cells * 4 / 2**20:,.0f} MiB), {polygons} Voronoi polygons; "
             f"{args.repeat} round(s), methods in row order each round; "
             f"Python {sys.version.split()[0]}")
    table = Table(title=title)
    for name in ("method", "rounds s", "best s", "rasterstats ÷ this, first",
                 "rasterstats ÷ this, best", "note"):
        table.add_column(name, justify="left" if name in ("method", "note") else "right")
    scale = {name: 1.0 for name in times}
    if sampled < polygons:
        scale[RASTERSTATS] = polygons / sampled
    first = {n: t[0] * scale[n] for n, t in times.items()}
    best = {n: min(t) * scale[n] for n, t in times.items()}
    for name in times:
        note = "" if scale[name] == 1.0 else (
            f"{sampled} sampled polygons, × {scale[name]:.2f}")
        rounds = ", ".join(f"{t * scale[name]:.2f}" for t in times[name])
        table.add_row(name, rounds, f"{best[name]:.2f}",
                      f"{first[RASTERSTATS] / first[name]:.1f}×",
                      f"{best[RASTERSTATS] / best[name]:.1f}×", note)
    console.print(table)


if __name__ == "__main__":
    main()
