"""Zonal statistics of a raster over polygons: exact coverage weighting, or cell centres.

Conventions
-----------
* A raster is a 2-D array of ``shape = (rows, columns)`` with an affine ``transform`` mapping
  (column, row) to (x, y), as rasterio's ``Affine``: cell ``(r, c)`` is the image of the unit
  square ``[c, c + 1] × [r, r + 1]``. Any invertible transform works (north-up, south-up,
  rotated); geometries must be in the raster's CRS.
* ``weighting="exact"`` (the default, the semantics of exactextract): each cell is weighted by
  its *coverage fraction*, the exact area of cell ∩ polygon divided by the cell area (0–1).
  ``weighting="centroid"``: a cell counts, with weight 1, when its centre lies in the polygon —
  the default of rasterstats, i.e. GDAL's rasterisation with ``all_touched=False``
  (``GDALdllImageFilledPolygon``), whose rules for centres exactly on the boundary are
  reproduced: an edge crosses the centre line of a row when that line is in the half-open
  pixel-row range ``[lo, hi)`` of the edge; the centres in ``(x_left, x_right]`` between
  crossings are inside (even-odd); and, rings taken clockwise in (x, y), a horizontal edge on a
  centre line running towards smaller pixel x adds its centres in ``(x_end, x_start]`` (on a
  north-up grid: centres on the polygon's lower edges are in, on its left edges out).
* Valid cells are those not equal to ``nodata`` and not NaN. Over the valid cells with weight
  ``w > 0``: ``count = Σw`` (a fractional cell count, as exactextract's ``count``),
  ``sum = Σw·v``, ``mean = sum / count``, ``min``/``max`` of ``v``, ``std`` the weighted
  *population* standard deviation ``sqrt(Σw·(v − mean)² / Σw)`` (exactextract's ``stdev``;
  rasterstats' ``std`` for centroid weights), and for each threshold ``t``
  ``share_above[t] = Σw·[v > t] / count`` and ``share_below[t] = Σw·[v < t] / count``.
* A polygon with no valid cell (outside the raster, or over nodata only) gets ``count = 0``,
  ``sum = 0`` and ``None`` for ``mean``, ``min``, ``max``, ``std`` and every share; no NaN is
  ever returned.
* Coverage fractions below ``SNAP`` (1e-9 of a cell) are 0 and above ``1 − SNAP`` are 1:
  floating-point residue is not a covered cell (this only matters for ``min``/``max``).

Algorithm (exact)
-----------------
Signed-area accumulation, as in anti-aliased polygon rasterisers: every polygon edge (shells
counter-clockwise, holes clockwise) is cut at every grid line into pieces that each lie in one
cell. A piece descending ``dy`` rows at mean column ``x̄`` in cell ``(r, c)`` covers
``dy·(c + 1 − x̄)`` of that cell (the part right of it) and ``dy`` of every cell further right
in its row; summed over the pieces, that is the exact covered area of every cell (the winding
number integrated over the cell, by Green's theorem). Cells the boundary does not cross come out
0 or 1; holes, MultiPolygons, polygons smaller than a cell and polygons partly outside the raster
need no special case (edges left of the window are projected onto its left side, where they
still count; edges above, below or right of it do not). Each edge is cut first at the column
lines, then each piece at the row lines, so no sorting along edges is needed. The running sums
are kept only at accumulator entries (sorted by row and column): the weights come out as runs
of equal weight along rows — long runs of 1 inside, single boundary cells of fractional
weight — and statistics are computed over the covered cells only (a boolean mask per row block
of at most ``BLOCK_CELLS`` cells, so memory stays bounded for polygons as large as the raster).
Polygons are prepared in batches of about ``CHUNK_CROSSINGS`` grid-line crossings, one
vectorised pass per batch. Work is proportional to the cells the boundary crosses (times a
log for the sort) plus the cells of each bounding window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from innoalliance.errors import MethodError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Weighting = Literal["exact", "centroid"]
ReadWindow = Callable[[int, int, int, int], npt.NDArray[Any]]
"""``read_window(row0, row1, col0, col1)`` → the raster's cells ``[row0:row1, col0:col1]``."""
Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each geometry."""

SNAP = 1e-9
"""Coverage fractions closer than this to 0 or 1 are set to 0 or 1."""
BLOCK_CELLS = 1 << 22
"""Largest block of a polygon's window held in memory at once (rows × columns)."""
CHUNK_CROSSINGS = 1 << 18
"""Grid-line crossings (about half the accumulator entries) of the polygons prepared at once."""
WEIGHTINGS = ("exact", "centroid")


class GridTransform(Protocol):
    """An affine transform with rasterio's coefficient names: ``x = a·col + b·row + c``,
    ``y = d·col + e·row + f`` (``affine.Affine`` fits)."""

    @property
    def a(self) -> float:
        """x per column."""

    @property
    def b(self) -> float:
        """x per row."""

    @property
    def c(self) -> float:
        """x of the grid origin."""

    @property
    def d(self) -> float:
        """y per column."""

    @property
    def e(self) -> float:
        """y per row."""

    @property
    def f(self) -> float:
        """y of the grid origin."""


@dataclass(frozen=True)
class Coverage:
    """The weights of one polygon on the cells of its bounding window.

    ``fractions[i, j]`` is the weight of raster cell ``(row0 + i, col0 + j)``: its coverage
    fraction (``"exact"``) or 1/0 for centre inside/outside (``"centroid"``). The window is the
    polygon's bounding box in cells, clipped to the raster; it is empty (``row0 == row1`` or
    ``col0 == col1``) when the polygon misses the raster.
    """

    row0: int
    row1: int
    col0: int
    col1: int
    fractions: FloatArray

    @property
    def window(self) -> tuple[slice, slice]:
        """``(rows, columns)`` slices of the window, to index the raster array."""
        return slice(self.row0, self.row1), slice(self.col0, self.col1)


@dataclass(frozen=True)
class ZonalResult:
    """Statistics of the raster over one polygon (see the module's conventions).

    ``count`` and ``sum`` are 0 and every other field ``None`` when no valid cell has weight;
    ``share_above``/``share_below`` map each threshold to a share in [0, 1].
    """

    count: float
    sum: float
    mean: float | None
    min: float | None
    max: float | None
    std: float | None
    share_above: Mapping[float, float | None] = field(default_factory=dict)
    share_below: Mapping[float, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float | None]:
        """A flat mapping: ``count``, ``sum``, ``mean``, ``min``, ``max``, ``std``, then
        ``share_above_<t>`` and ``share_below_<t>`` for each threshold ``t`` (``format(t, 'g')``).
        """
        out: dict[str, float | None] = {
            "count": self.count,
            "sum": self.sum,
            "mean": self.mean,
            "min": self.min,
            "max": self.max,
            "std": self.std,
        }
        for t, share in self.share_above.items():
            out[f"share_above_{t:g}"] = share
        for t, share in self.share_below.items():
            out[f"share_below_{t:g}"] = share
        return out


@dataclass(frozen=True)
class _Runs:
    """The weights of one polygon as runs of equal weight along rows, sorted by row and column.

    Run ``i`` gives weight ``values[i]`` (0 < value ≤ 1) to the window cells
    ``(rows[i], starts[i]:stops[i])`` (window-local indices).
    """

    row0: int
    row1: int
    col0: int
    col1: int
    rows: IntArray
    starts: IntArray
    stops: IntArray
    values: FloatArray

    @property
    def height(self) -> int:
        return self.row1 - self.row0

    @property
    def width(self) -> int:
        return self.col1 - self.col0

    def block(self, start: int, stop: int) -> _Runs:
        """The runs of window rows ``start:stop``, renumbered from that block's first row."""
        lo, hi = np.searchsorted(self.rows, [start, stop])
        return _Runs(start, stop, 0, self.width, self.rows[lo:hi] - start,
                     self.starts[lo:hi], self.stops[lo:hi], self.values[lo:hi])

    def dense(self) -> FloatArray:
        """The weights as a (rows × columns) array of the window."""
        out = np.zeros(self.height * self.width)
        owner, flat = _ranges(self.rows * self.width + self.starts,
                              self.rows * self.width + self.stops - 1)
        out[flat] = self.values[owner]
        return out.reshape(self.height, self.width)

    def full_mask(self) -> npt.NDArray[np.bool_]:
        """Flat boolean mask of the window's cells of weight 1."""
        full = self.values == 1.0
        bounds = np.empty(2 * int(full.sum()) + 2, dtype=np.int64)
        bounds[0], bounds[-1] = 0, self.height * self.width
        bounds[1:-1:2] = (self.rows * self.width + self.starts)[full]
        bounds[2:-1:2] = (self.rows * self.width + self.stops)[full]
        lengths = np.diff(bounds)
        pattern = np.zeros(lengths.size, dtype=bool)
        pattern[1::2] = True
        return np.repeat(pattern, lengths)

    def partial(self) -> tuple[IntArray, FloatArray]:
        """Flat indices and weights of the window's cells of weight below 1."""
        part = np.flatnonzero(self.values < 1.0)
        base = self.rows[part] * self.width
        owner, flat = _ranges(base + self.starts[part], base + self.stops[part] - 1)
        return flat, self.values[part][owner]


def coverage(
    transform: GridTransform,
    shape: tuple[int, int],
    geometry: BaseGeometry,
    *,
    weighting: Weighting = "exact",
) -> Coverage:
    """Weights of the raster cells under one polygon, on the polygon's bounding window.

    Parameters
    ----------
    transform
        The raster's affine transform (rasterio's ``Affine``).
    shape
        The raster's ``(rows, columns)``.
    geometry
        A valid Polygon or MultiPolygon in the raster's CRS (empty: an empty window).
    weighting
        ``"exact"`` for coverage fractions, ``"centroid"`` for 1 where the cell centre is
        inside (the module's conventions).

    Returns
    -------
    Coverage
        The window and its weights, in [0, 1].

    Raises
    ------
    MethodError
        For a non-polygonal or invalid geometry, a singular transform, a bad shape or an
        unknown weighting.
    """
    _check_weighting(weighting)
    rows, cols = _check_grid(transform, shape)
    [geom] = _check_geometries([geometry])
    [runs] = _all_runs([geom], transform, (rows, cols), weighting)
    if runs is None:
        return Coverage(0, 0, 0, 0, np.zeros((0, 0)))
    return Coverage(runs.row0, runs.row1, runs.col0, runs.col1, runs.dense())


def zonal_stats(
    array: npt.ArrayLike,
    transform: GridTransform,
    geometries: Sequence[BaseGeometry],
    *,
    nodata: float | None = None,
    thresholds: Sequence[float] | None = None,
    weighting: Weighting = "exact",
    progress: Progress | None = None,
) -> list[ZonalResult]:
    """Statistics of a raster array over each polygon.

    Parameters
    ----------
    array
        The raster, 2-D (rows × columns), any real dtype.
    transform
        Its affine transform (rasterio's ``Affine``).
    geometries
        Valid Polygons or MultiPolygons in the raster's CRS; empty ones get the "no data"
        result.
    nodata
        The value marking missing cells (NaN cells are always missing).
    thresholds
        Values ``t`` for the coverage-weighted shares of valid cells with value > t / < t.
    weighting
        ``"exact"`` (coverage fractions, as exactextract) or ``"centroid"`` (cell centres, as
        rasterstats' default).
    progress
        Called with ``(done, total)`` after each geometry.

    Returns
    -------
    list[ZonalResult]
        One per geometry, in order.

    Raises
    ------
    MethodError
        For an array that is not 2-D and real, a non-polygonal or invalid geometry, a singular
        transform, non-finite thresholds or an unknown weighting.
    """
    data = np.asarray(array)
    if data.ndim != 2 or not (
        np.issubdtype(data.dtype, np.number) and not np.iscomplexobj(data)
    ):
        raise MethodError(
            f"the raster must be a 2-D array of real numbers, not {data.ndim}-D {data.dtype}",
            hint="pass one band, e.g. array[0] of a (bands, rows, columns) stack",
        )

    def read(row0: int, row1: int, col0: int, col1: int) -> npt.NDArray[Any]:
        return data[row0:row1, col0:col1]

    return zonal_stats_windows(
        read,
        transform,
        (int(data.shape[0]), int(data.shape[1])),
        geometries,
        nodata=nodata,
        thresholds=thresholds,
        weighting=weighting,
        progress=progress,
    )


def zonal_stats_windows(
    read_window: ReadWindow,
    transform: GridTransform,
    shape: tuple[int, int],
    geometries: Sequence[BaseGeometry],
    *,
    nodata: float | None = None,
    thresholds: Sequence[float] | None = None,
    weighting: Weighting = "exact",
    progress: Progress | None = None,
) -> list[ZonalResult]:
    """Statistics of a raster over each polygon, reading only the cells each one needs.

    Parameters
    ----------
    read_window
        ``read_window(row0, row1, col0, col1)`` returns the cells ``[row0:row1, col0:col1]``
        as a 2-D array (e.g. a rasterio windowed read). Called once per block of at most
        ``BLOCK_CELLS`` cells of each polygon's bounding window, never outside the raster; the
        array is used before the next call, so the reader may reuse one buffer.
    transform, shape
        The raster's affine transform and ``(rows, columns)``.
    geometries, nodata, thresholds, weighting, progress
        As for :func:`zonal_stats`.

    Returns
    -------
    list[ZonalResult]
        One per geometry, in order.

    Raises
    ------
    MethodError
        As for :func:`zonal_stats`, and when ``read_window`` returns an array of the wrong shape.
    """
    _check_weighting(weighting)
    rows, cols = _check_grid(transform, shape)
    cuts = _check_thresholds(thresholds)
    geoms = _check_geometries(geometries)
    missing = None if nodata is None or math.isnan(nodata) else float(nodata)
    results: list[ZonalResult] = []
    for done, runs in enumerate(_all_runs(geoms, transform, (rows, cols), weighting), start=1):
        acc = _Stats(cuts)
        if runs is not None:
            step = max(1, BLOCK_CELLS // runs.width)
            for start in range(0, runs.height, step):
                stop = min(start + step, runs.height)
                part = runs.block(start, stop)
                if part.rows.size == 0:
                    continue
                r0, r1 = runs.row0 + start, runs.row0 + stop
                values = np.asarray(read_window(r0, r1, runs.col0, runs.col1))
                if values.shape != (stop - start, runs.width):
                    raise MethodError(
                        f"read_window({r0}, {r1}, {runs.col0}, {runs.col1}) returned shape "
                        f"{values.shape}, not {(stop - start, runs.width)}",
                        hint="return the cells [row0:row1, col0:col1] of one band",
                    )
                flat = values.reshape(-1)
                full = part.full_mask()
                where, weights = part.partial()
                keep = _drop_missing(flat, missing, full)
                if keep is not None:
                    where, weights = where[keep[where]], weights[keep[where]]
                acc.add(flat[full], None)
                acc.add(flat[where], weights)
        results.append(acc.result())
        if progress is not None:
            progress(done, len(geoms))
    return results


class _Stats:
    """Weighted statistics merged block by block (Chan et al.'s pairwise update of M2)."""

    def __init__(self, thresholds: tuple[float, ...]) -> None:
        self.thresholds = thresholds
        self.count = 0.0
        self.sum = 0.0
        self.mean = 0.0
        self.m2 = 0.0
        self.low = math.inf
        self.high = -math.inf
        self.above = [0.0] * len(thresholds)
        self.below = [0.0] * len(thresholds)

    def add(self, values: npt.NDArray[Any], weights: FloatArray | None) -> None:
        """Merge valid cells of the given weights (``None``: all 1) into the statistics."""
        if values.size == 0:
            return
        low, high = float(values.min()), float(values.max())
        # float64 once, then plain float64 reductions: casting inside ufuncs is slow, and
        # BLAS dot products are erratic here (OpenBLAS thread start-up on small machines)
        v = values.astype(np.float64)
        if weights is None:
            count = float(v.size)
            total = float(v.sum())
            mean = total / count
            v -= mean
            m2 = float(np.einsum("i,i->", v, v))
        else:
            count = float(weights.sum())
            total = float(np.einsum("i,i->", weights, v))
            mean = total / count
            v -= mean
            m2 = float(np.einsum("i,i,i->", weights, v, v))
        merged = self.count + count
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.count * count / merged
        self.mean += delta * count / merged
        self.count = merged
        self.sum += total
        self.low = min(self.low, low)
        self.high = max(self.high, high)
        for i, t in enumerate(self.thresholds):
            if weights is None:
                self.above[i] += float(np.count_nonzero(values > t))
                self.below[i] += float(np.count_nonzero(values < t))
            else:
                self.above[i] += float(weights[values > t].sum())
                self.below[i] += float(weights[values < t].sum())

    def result(self) -> ZonalResult:
        if self.count <= 0.0:
            empty: dict[float, float | None] = dict.fromkeys(self.thresholds)
            return ZonalResult(0.0, 0.0, None, None, None, None, empty, dict(empty))
        cuts = self.thresholds
        return ZonalResult(
            count=self.count,
            sum=self.sum,
            mean=self.sum / self.count,
            min=self.low,
            max=self.high,
            std=math.sqrt(max(self.m2, 0.0) / self.count),
            share_above={t: a / self.count for t, a in zip(cuts, self.above, strict=True)},
            share_below={t: b / self.count for t, b in zip(cuts, self.below, strict=True)},
        )


def _drop_missing(values: npt.NDArray[Any], nodata: float | None,
                  mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_] | None:
    """Clear ``mask`` (in place) at nodata and NaN cells; return the valid cells, or ``None``
    when every cell is valid by type."""
    ok = None
    if nodata is not None:
        ok = values != nodata
    if np.issubdtype(values.dtype, np.floating):
        number = values == values  # False at NaN
        ok = number if ok is None else np.logical_and(ok, number, out=ok)
    if ok is not None:
        np.logical_and(mask, ok, out=mask)
    return ok


def _check_weighting(weighting: str) -> None:
    if weighting not in WEIGHTINGS:
        raise MethodError(
            f"unknown weighting {weighting!r}",
            hint="use 'exact' (coverage fractions) or 'centroid' (cell centres)",
        )


def _check_grid(transform: GridTransform, shape: tuple[int, int]) -> tuple[int, int]:
    try:
        rows, cols = (int(n) for n in shape)
    except (TypeError, ValueError) as exc:
        raise MethodError(
            f"the raster shape must be (rows, columns), not {shape!r}",
            hint="pass array.shape of a 2-D array",
        ) from exc
    if rows < 0 or cols < 0:
        raise MethodError(f"the raster shape {shape!r} is negative", hint="pass array.shape")
    coefficients = (transform.a, transform.b, transform.c, transform.d, transform.e, transform.f)
    det = transform.a * transform.e - transform.b * transform.d
    if not all(math.isfinite(x) for x in coefficients) or det == 0.0:
        raise MethodError(
            f"the transform {coefficients} is not invertible",
            hint="pass the raster's affine transform (rasterio: dataset.transform)",
        )
    return rows, cols


def _check_thresholds(thresholds: Sequence[float] | None) -> tuple[float, ...]:
    if thresholds is None:
        return ()
    cuts = tuple(float(t) for t in thresholds)
    bad = [t for t in cuts if not math.isfinite(t)]
    if bad:
        raise MethodError(f"thresholds must be finite, not {bad}", hint="drop them")
    return tuple(dict.fromkeys(cuts))


def _check_geometries(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    geoms = list(geometries)
    for i, geom in enumerate(geoms):
        kind = getattr(geom, "geom_type", type(geom).__name__)
        if kind not in ("Polygon", "MultiPolygon"):
            raise MethodError(
                f"geometry {i + 1} is a {kind}, not a Polygon or MultiPolygon",
                hint="zonal statistics need polygons; buffer points or lines first",
            )
    if geoms:
        array = np.empty(len(geoms), dtype=object)
        array[:] = geoms
        bounds = shapely.bounds(array)
        broken = np.flatnonzero(~shapely.is_empty(array) & ~np.isfinite(bounds).all(axis=1))
        if broken.size:
            raise MethodError(
                f"geometry {int(broken[0]) + 1} has infinite or NaN coordinates",
                hint="check its reprojection; clip the polygons to the raster's area first",
            )
        invalid = np.flatnonzero(~shapely.is_valid(array))
        if invalid.size:
            i = int(invalid[0])
            raise MethodError(
                f"geometry {i + 1} is invalid: {shapely.is_valid_reason(geoms[i])}"
                + (f" (and {invalid.size - 1} more)" if invalid.size > 1 else ""),
                hint="repair it first, e.g. shapely.make_valid",
            )
    return geoms


def _all_runs(
    geometries: Sequence[BaseGeometry],
    transform: GridTransform,
    shape: tuple[int, int],
    weighting: str,
) -> Iterator[_Runs | None]:
    """The weights of each polygon (``None``: empty window), in order."""
    for batch in _batches(geometries, transform, shape, weighting):
        yield from batch


def _batches(
    geometries: Sequence[BaseGeometry],
    transform: GridTransform,
    shape: tuple[int, int],
    weighting: str,
) -> Iterator[list[_Runs | None]]:
    """The weights of the polygons in batches (lists, in order).

    Polygons are decomposed and moved to grid coordinates all at once, then handled in batches
    of about ``CHUNK_CROSSINGS`` grid-line crossings: one vectorised pass per batch rather than
    a hundred small NumPy calls per polygon.
    """
    n = len(geometries)
    if n == 0:
        return
    array = np.empty(n, dtype=object)
    array[:] = list(geometries)
    parts, part_owner = shapely.get_parts(shapely.orient_polygons(array), return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, coord_ring = shapely.get_coordinates(rings, return_index=True)
    owner = part_owner[ring_part[coord_ring]]
    a, b, c, d, e, f = (transform.a, transform.b, transform.c,
                        transform.d, transform.e, transform.f)
    det = a * e - b * d
    dx, dy = xy[:, 0] - c, xy[:, 1] - f
    col = (e * dx - b * dy) / det
    row = (a * dy - d * dx) / det
    height, width = shape
    counts = np.bincount(owner, minlength=n)
    present = np.flatnonzero(counts)
    first = (np.cumsum(counts) - counts)[present]
    col0, col1, row0, row1 = (np.zeros(n, dtype=np.int64) for _ in range(4))
    if present.size:
        col0[present] = np.clip(np.floor(np.minimum.reduceat(col, first)), 0, width)
        col1[present] = np.clip(np.ceil(np.maximum.reduceat(col, first)), 0, width)
        row0[present] = np.clip(np.floor(np.minimum.reduceat(row, first)), 0, height)
        row1[present] = np.clip(np.ceil(np.maximum.reduceat(row, first)), 0, height)
    h, w = row1 - row0, col1 - col0
    usable = (h > 0) & (w > 0)
    u, v = col - col0[owner], row - row0[owner]
    same = (coord_ring[:-1] == coord_ring[1:]) & usable[owner[:-1]]
    seg_owner = owner[:-1][same]
    u0, v0, u1, v1 = u[:-1][same], v[:-1][same], u[1:][same], v[1:][same]
    if weighting == "centroid":
        # GDAL takes every ring clockwise in (x, y): flip the counter-clockwise ones
        seg_ring = coord_ring[:-1][same]
        x0, y0, x1, y1 = dx[:-1][same], dy[:-1][same], dx[1:][same], dy[1:][same]
        ccw = np.bincount(seg_ring, x0 * y1 - x1 * y0, minlength=len(rings)) > 0
        flip = ccw[seg_ring]
        u0, u1 = np.where(flip, u1, u0), np.where(flip, u0, u1)
        v0, v1 = np.where(flip, v1, v0), np.where(flip, v0, v1)
        sign = 0.0
    else:
        # shells are counter-clockwise in (x, y); the accumulation counts clockwise rings in
        # (column, row) positive, which they are when the transform flips orientation (det < 0)
        sign = 1.0 if det < 0 else -1.0
    crossings = np.abs(u1 - u0) + np.abs(v1 - v0) + 2.0
    load = np.bincount(seg_owner, crossings, minlength=n)
    batch = ((np.cumsum(load) - load) // CHUNK_CROSSINGS).astype(np.int64)
    stops = np.r_[np.flatnonzero(np.diff(batch)) + 1, n]
    start = 0
    for stop in (int(s) for s in stops):
        lo, hi = np.searchsorted(seg_owner, [start, stop])
        g = seg_owner[lo:hi]
        hs, ws = h[g].astype(np.float64), w[g].astype(np.float64)
        pieces = (u0[lo:hi], v0[lo:hi], u1[lo:hi], v1[lo:hi], hs, ws)
        if weighting == "centroid":
            seg, rows, cols, weights = _centre_crossings(*pieces)
        else:
            seg, rows, cols, weights = _area_pieces(*pieces)
        window = (row0[start:stop], row1[start:stop], col0[start:stop], col1[start:stop])
        yield _to_runs(g[seg] - start, rows, cols, weights, sign, window, usable[start:stop])
        start = stop


def _to_runs(
    owner: IntArray,
    rows: IntArray,
    cols: IntArray,
    weights: FloatArray,
    sign: float,
    window: tuple[IntArray, IntArray, IntArray, IntArray],
    usable: npt.NDArray[np.bool_],
) -> list[_Runs | None]:
    """Runs from accumulator entries: the row-wise cumulative sums change only at entries.

    ``owner`` numbers the polygon of each entry within the batch; ``weights`` has two columns.
    Exact: a piece's area in its cell and its rise ``dy``; a cell's weight (times ``sign``) is
    the rises of the pieces left of it plus the areas in it, and cells after the last entry of
    a row segment get the rises up to and including it. Centroid: crossings (whose count to the
    left is odd inside) and +1/−1 at the ends of burnt horizontal edges.
    """
    row0, row1, col0, col1 = window
    h, w = row1 - row0, col1 - col0
    n = h.size
    channels = weights.reshape(rows.size, 2)
    # close every row with an entry at column w taking its sums back to 0, so the running
    # sums restart from (almost exactly) 0 at each row of each polygon
    row_base = np.cumsum(h) - h
    row_key = row_base[owner] + rows
    used = np.flatnonzero(np.bincount(row_key, minlength=int(h.sum())))
    used_owner = np.searchsorted(row_base, used, side="right") - 1
    used_row = used - row_base[used_owner]
    totals = np.column_stack([np.bincount(row_key, channels[:, k], minlength=int(h.sum()))[used]
                              for k in range(channels.shape[1])])
    owner = np.concatenate([owner, used_owner])
    rows = np.concatenate([rows, used_row])
    cols = np.concatenate([cols, w[used_owner]])
    channels = np.concatenate([channels, -totals])
    cell_base = np.cumsum(h * (w + 1)) - h * (w + 1)
    keys = cell_base[owner] + rows * (w[owner] + 1) + cols
    order = np.argsort(keys, kind="stable")  # timsort: entries come in long sorted runs
    keys = keys[order]
    if keys.size == 0:
        none = np.zeros(0, dtype=np.int64)
        return [None if not usable[i] else _Runs(int(row0[i]), int(row1[i]), int(col0[i]),
                                                 int(col1[i]), none, none, none, np.zeros(0))
                for i in range(n)]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ordered = channels[order]
    area = np.add.reduceat(np.ascontiguousarray(ordered[:, 0]), first)
    rise = np.add.reduceat(np.ascontiguousarray(ordered[:, 1]), first)
    keys = keys[first]
    # decode (polygon, row, column) from the sorted keys: sequential, unlike gathers by order
    owner = np.searchsorted(cell_base, keys, side="right") - 1
    width = w[owner]
    rows, starts = np.divmod(keys - cell_base[owner], width + 1)
    stops = np.r_[starts[1:], 0]
    inner = starts < width  # not a row's closing entry
    if sign == 0.0:  # centroid: odd crossings to the left, or on a burnt horizontal edge
        inside = (np.remainder(np.rint(np.cumsum(area)), 2.0) == 1.0) | (
            np.rint(np.cumsum(rise)) > 0)
        keep = np.flatnonzero(inside & inner & (stops > starts))
        owner, rows, starts, stops = owner[keep], rows[keep], starts[keep], stops[keep]
        values = np.ones(keep.size)
    else:  # the entry's own cell (rises left of it + areas in it), then the cells up to the
        # next entry (rises up to and including it): runs 2i and 2i + 1
        after = np.cumsum(rise)
        at = (after - rise + area) * sign
        after *= sign
        both = np.empty(2 * keys.size)
        both[0::2], both[1::2] = at, after
        np.clip(both, 0.0, 1.0, out=both)
        both[both < SNAP] = 0.0
        both[both > 1.0 - SNAP] = 1.0
        kept = both > 0.0
        kept[0::2] &= inner
        kept[1::2] &= inner & (stops > starts + 1)
        keep = np.flatnonzero(kept)
        key, later = keep >> 1, (keep & 1).astype(bool)
        owner, rows = owner[key], rows[key]
        starts, stops = starts[key] + later, np.where(later, stops[key], starts[key] + 1)
        values = both[keep]
    bounds = np.searchsorted(owner, np.arange(n + 1))
    out: list[_Runs | None] = []
    for i in range(n):
        if not usable[i]:
            out.append(None)
            continue
        s = slice(int(bounds[i]), int(bounds[i + 1]))
        out.append(_Runs(int(row0[i]), int(row1[i]), int(col0[i]), int(col1[i]),
                         rows[s], starts[s], stops[s], values[s]))
    return out


def _area_pieces(
    u0: FloatArray, v0: FloatArray, u1: FloatArray, v1: FloatArray, h: FloatArray, w: FloatArray
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Accumulator entries ``(edge, row, column, weight)`` of the edges ``(u0, v0) → (u1, v1)``
    in window coordinates; ``h``, ``w`` are each edge's window size."""
    # Only the part of each edge with 0 <= v <= h can cover a window cell: clip to it.
    keep = (v0 != v1) & ~((v0 <= 0) & (v1 <= 0)) & ~((v0 >= h) & (v1 >= h))
    keep &= ~((u0 >= w) & (u1 >= w))  # right of the window: covers nothing in it
    index = np.flatnonzero(keep)
    u0, v0, u1, v1, h, w = u0[keep], v0[keep], u1[keep], v1[keep], h[keep], w[keep]
    du, dv = u1 - u0, v1 - v0
    t_top = (0.0 - v0) / dv
    t_bottom = (h - v0) / dv
    t_start = np.clip(np.minimum(t_top, t_bottom), 0.0, 1.0)
    t_end = np.clip(np.maximum(t_top, t_bottom), 0.0, 1.0)
    a_u = np.where(t_start > 0, u0 + t_start * du, u0)
    a_v = np.where(t_start > 0, np.where(t_start == t_top, 0.0, h), v0)
    b_u = np.where(t_end < 1, u0 + t_end * du, u1)
    b_v = np.where(t_end < 1, np.where(t_end == t_top, 0.0, h), v1)
    u0, v0, u1, v1 = a_u, a_v, b_u, b_v
    # 1. cut each edge at the vertical grid lines into pieces of one column strip s (the part
    #    left of the window, s = −1, is projected onto u = 0; the part right of it is dropped)
    u_min, u_max = np.minimum(u0, u1), np.maximum(u0, u1)
    rightward = u0 <= u1
    v_at_min, v_at_max = np.where(rightward, v0, v1), np.where(rightward, v1, v0)
    upright = u_min == u_max
    first = np.clip(np.floor(u_min), -1, w - 1).astype(np.int64)
    last = np.where(upright, first, np.clip(np.ceil(u_max) - 1, -1, w - 1)).astype(np.int64)
    edge, strip = _ranges(first, last)
    e_min, e_max = u_min[edge], u_max[edge]
    lo = np.where(strip < 0, e_min, np.maximum(e_min, strip))
    hi = np.minimum(e_max, strip + 1)
    span = (u_max - u_min)[edge]
    e_vmin, e_vmax = v_at_min[edge], v_at_max[edge]
    e_up = upright[edge]
    with np.errstate(invalid="ignore", divide="ignore"):
        v_lo = np.where(lo == e_min, e_vmin, e_vmin + (lo - e_min) / span * (e_vmax - e_vmin))
        v_hi = np.where(hi == e_max, e_vmax, e_vmin + (hi - e_min) / span * (e_vmax - e_vmin))
    v_lo = np.where(e_up, v0[edge], v_lo)
    v_hi = np.where(e_up, v1[edge], v_hi)
    e_h = h[edge]
    np.clip(v_lo, 0.0, e_h, out=v_lo)  # interpolation may stray by an ulp
    np.clip(v_hi, 0.0, e_h, out=v_hi)
    down = (v1 > v0)[edge]  # the edge's direction in v, which its pieces share
    # 2. cut each strip piece at the horizontal grid lines into pieces of one cell
    top, bottom = np.minimum(v_lo, v_hi), np.maximum(v_lo, v_hi)
    flat = top == bottom
    r_first = np.where(flat, 0, np.floor(top)).astype(np.int64)
    r_last = np.where(flat, -1, np.ceil(bottom) - 1).astype(np.int64)
    piece, row = _ranges(r_first, r_last)
    va = np.maximum(top[piece], row)
    vb = np.minimum(bottom[piece], row + 1)
    # u where the strip piece crosses v = va and v = vb (linear in v between its ends)
    p_lo, p_hi, p_from = lo[piece], hi[piece], v_lo[piece]
    slope = (p_hi - p_lo) / (v_hi[piece] - p_from)
    mid = p_lo + (0.5 * (va + vb) - p_from) * slope
    col = np.maximum(strip[piece], 0)
    mid = np.clip(mid, col, col + 1)
    weights = np.empty((piece.size, 2))
    dy = np.where(down[piece], vb - va, va - vb)
    np.multiply(dy, col + 1 - mid, out=weights[:, 0])  # area in the cell, right of the piece
    weights[:, 1] = dy  # and all of dy in every cell further right
    r = np.minimum(row, e_h[piece] - 1).astype(np.int64)
    return index[edge[piece]], r, col, weights


def _centre_crossings(
    u0: FloatArray, v0: FloatArray, u1: FloatArray, v1: FloatArray, h: FloatArray, w: FloatArray
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """GDAL's scanline fill (``GDALdllImageFilledPolygon``) for edges of clockwise rings:
    accumulator entries ``(edge, row, column, [crossing, burn])``.

    An edge with row range [lo, hi) crosses row r when lo ≤ r + ½ < hi, at x; cells whose
    centre is right of x (c ≥ floor(x + ½)) toggle in or out. A horizontal edge lying on the
    centre line of row r and running towards smaller x burns the cells with centre in
    (x_end, x_start] (the lower edges of the region on a north-up grid).
    """
    slope = np.flatnonzero(v0 != v1)
    su0, sv0, su1, sv1 = u0[slope], v0[slope], u1[slope], v1[slope]
    up = sv0 < sv1
    lo_v, hi_v = np.where(up, sv0, sv1), np.where(up, sv1, sv0)
    lo_u, hi_u = np.where(up, su0, su1), np.where(up, su1, su0)
    first = np.maximum(np.ceil(lo_v - 0.5), 0).astype(np.int64)
    last = np.minimum(np.ceil(hi_v - 0.5) - 1, h[slope] - 1).astype(np.int64)
    seg, r = _ranges(first, last)
    y = r + 0.5
    x = (y - lo_v[seg]) * (hi_u[seg] - lo_u[seg]) / (hi_v[seg] - lo_v[seg]) + lo_u[seg]
    cols = np.clip(np.floor(x + 0.5), 0, w[slope][seg]).astype(np.int64)
    centre = v0 - 0.5
    burnt = np.flatnonzero((v0 == v1) & (u0 > u1) & (centre == np.floor(centre))
                           & (centre >= 0) & (centre < h))
    row = centre[burnt].astype(np.int64)
    start = np.clip(np.floor(u1[burnt] + 0.5), 0, w[burnt]).astype(np.int64)
    stop = np.clip(np.floor(u0[burnt] + 0.5), 0, w[burnt]).astype(np.int64)
    some = start < stop
    burnt, row, start, stop = burnt[some], row[some], start[some], stop[some]
    weights = np.zeros((r.size + 2 * row.size, 2))
    weights[: r.size, 0] = 1.0
    weights[r.size : r.size + row.size, 1] = 1.0
    weights[r.size + row.size :, 1] = -1.0
    return (np.concatenate([slope[seg], burnt, burnt]), np.concatenate([r, row, row]),
            np.concatenate([cols, start, stop]), weights)


def _ranges(first: IntArray, last: IntArray) -> tuple[IntArray, IntArray]:
    """For each i, the integers first[i] … last[i]: (owner index, integer) pairs."""
    counts = np.maximum(last - first + 1, 0)
    owner = np.repeat(np.arange(first.size), counts)
    starts = np.cumsum(counts) - counts
    values = first[owner] + (np.arange(owner.size) - starts[owner])
    return owner, values
