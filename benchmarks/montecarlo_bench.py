"""Benchmark: Monte Carlo uncertainty analysis against a per-run pandas loop.

On one synthetic data set (seeded: lognormal indicators, a few % missing, some "lower is better"),
a 2-level tree (indicators → 5 dimensions → goal) and the choices 3 normalisations × 2
aggregations × 2 imputations plus ±25 % weight noise, it times ``uncertainty()`` for all its runs,
then the loop a user would otherwise write — for each run: pandas ``fillna`` → normalise with
DataFrame operations → weighted dimension scores with ``groupby`` → goal → ``rank`` — on the same
data, in the same process, for the first ``--baseline-runs`` runs of the same design (their
parameters read from ``result.runs``), and extrapolates it per run. It checks that both give the
same mean absolute rank shift on the runs both computed. It only prints; nothing is asserted.

Run: ``python benchmarks/montecarlo_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from innoalliance.methods.mcda.composite import Level, Tree
from innoalliance.methods.mcda.uncertainty import Choices, Pipeline, UncertaintyResult, uncertainty

SEED = 20240601
DIMENSIONS = 5


def make_data(units: int, indicators: int) -> tuple[np.ndarray, np.ndarray, Tree]:
    """Lognormal indicators with 3 % missing cells, every 5th one "lower is better", and a tree
    of indicators → 5 dimensions → goal with uneven indicator weights."""
    rng = np.random.default_rng(SEED)
    X = rng.lognormal(0.0, 1.0, (units, indicators)) * rng.uniform(1, 100, indicators)
    X[rng.random(X.shape) < 0.03] = np.nan
    directions = np.where(np.arange(indicators) % 5 == 4, -1.0, 1.0)
    dimension = np.arange(indicators) * DIMENSIONS // indicators
    tree = Tree(
        (
            Level(dimension, 1.0 + np.arange(indicators) % 3),
            Level(np.zeros(DIMENSIONS, dtype=np.int64), np.ones(DIMENSIONS)),
        )
    )
    return X, directions, tree


def baseline_shift(
    frame: pd.DataFrame,
    directions: pd.Series,
    dimension: np.ndarray,
    pipeline: Pipeline,
    indicator_w: np.ndarray,
    dimension_w: np.ndarray,
    choices: Choices,
    nominal: pd.Series | None,
) -> tuple[float, pd.Series]:
    """One run the pandas way; returns its mean absolute rank shift and its ranks."""
    lower, upper = choices.lower, choices.upper
    fill = frame.mean() if pipeline.imputation == "mean" else frame.median()
    data = frame.fillna(fill)
    oriented = data * directions
    if pipeline.normalization == "minmax":
        share = (oriented - oriented.min()) / (oriented.max() - oriented.min())
        norm = lower + share * (upper - lower)
    elif pipeline.normalization == "rank":
        ranks = oriented.rank(method="average")
        norm = lower + (ranks - 1) / (ranks.count() - 1) * (upper - lower)
    else:  # distance-to-max: x / max, or min / x when lower is better
        up, down = data.loc[:, directions > 0], data.loc[:, directions < 0]
        norm = pd.concat([up / up.max(), down.min() / down], axis=1)[frame.columns] * upper
    weights = pd.Series(indicator_w, index=frame.columns)
    if pipeline.aggregation == "geometric":
        dims = np.exp((np.log(norm) * weights).T.groupby(dimension).sum().T)
        goal = np.exp(np.log(dims) @ dimension_w)
    else:
        dims = (norm * weights).T.groupby(dimension).sum().T
        goal = dims @ dimension_w
    ranks = goal.rank(ascending=False, method="min")
    shift = float((ranks - nominal).abs().mean()) if nominal is not None else 0.0
    return shift, ranks


def run_baseline(
    X: np.ndarray,
    directions: np.ndarray,
    tree: Tree,
    result: UncertaintyResult,
    count: int,
    advance: Callable[[], None],
) -> tuple[float, np.ndarray]:
    """Time the pandas loop over the first ``count`` runs; return seconds and their shifts."""
    frame = pd.DataFrame(X, columns=[f"i{j}" for j in range(X.shape[1])])
    signs = pd.Series(directions, index=frame.columns)
    dimension = tree.levels[0].parent
    nominal_w = tree.level_weights()
    _, nominal = baseline_shift(
        frame, signs, dimension, result.nominal, nominal_w[0], nominal_w[1], result.choices, None
    )
    shifts = np.empty(count)
    start = time.perf_counter()
    for i in range(count):
        pipeline, _ = result.run(i)
        shifts[i], _ = baseline_shift(
            frame,
            signs,
            dimension,
            pipeline,
            result.runs.level_weights[0][i],
            result.runs.level_weights[1][i],
            result.choices,
            nominal,
        )
        advance()
    return time.perf_counter() - start, shifts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument(
        "--runs",
        type=int,
        default=10_000,
        help="about this many runs: draws N = runs / (k + 2), k = 4 factors",
    )
    parser.add_argument(
        "--baseline-runs",
        type=int,
        default=300,
        help="runs the pandas loop computes (then extrapolated per run)",
    )
    args = parser.parse_args()

    X, directions, tree = make_data(args.units, args.indicators)
    choices = Choices(
        normalizations=("minmax", "rank", "distance-to-max"),
        aggregations=("arithmetic", "geometric"),
        imputations=("mean", "median"),
        weight_noise=0.25,
        lower=1.0,
        upper=100.0,
    )
    nominal = Pipeline("minmax", "arithmetic", "mean")
    draws = max(2, round(args.runs / (len(choices.varied()) + 2)))

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        ours_task = progress.add_task("innoalliance uncertainty()", total=None)
        start = time.perf_counter()
        result = uncertainty(
            X,
            directions,
            tree,
            nominal=nominal,
            choices=choices,
            draws=draws,
            seed=SEED,
            progress=lambda done, total: progress.update(ours_task, completed=done, total=total),
        )
        ours = time.perf_counter() - start
        count = min(args.baseline_runs, result.n_runs)
        base_task = progress.add_task("pandas loop", total=count)
        base, shifts = run_baseline(
            X, directions, tree, result, count, lambda: progress.advance(base_task)
        )

    per_run_base = base / count
    runs = result.n_runs
    table = Table(
        title=f"Monte Carlo uncertainty: {args.units} units × {args.indicators} "
        f"indicators, {runs} runs (N = {draws}, k = {len(result.factors)})"
    )
    for name in ("", "runs timed", "seconds", "runs/s", f"s for {runs} runs"):
        table.add_column(name, justify="right" if name else "left")
    table.add_row(
        "innoalliance uncertainty()",
        f"{runs:,}",
        f"{ours:.2f}",
        f"{runs / ours:,.0f}",
        f"{ours:.1f}",
    )
    table.add_row(
        "pandas per-run loop",
        f"{count:,}",
        f"{base:.2f}",
        f"{1 / per_run_base:,.0f}",
        f"{per_run_base * runs:.1f} (extrapolated)",
    )
    console.print(table)
    console.print(f"ratio (baseline s/run ÷ innoalliance s/run): {per_run_base * runs / ours:.1f}×")
    diff = np.abs(shifts - result.mean_rank_shift[:count]).max()
    console.print(
        f"agreement on the {count} runs both computed: max |Δ mean rank shift| = {diff:.3g}"
    )
    indices = ", ".join(
        f"{f} {result.first_order[f]:.2f}/{result.total[f]:.2f}" for f in result.factors
    )
    console.print(f"Sobol' indices (first order/total): {indices}")
    # Linux reports ru_maxrss in KiB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory (maxrss): {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
