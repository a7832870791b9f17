"""Benchmark: regional industrial structure and complexity against the ecomplexity package.

Data: a seeded panel of years × regions × industries (default 10 × 2,850 × 100, about the
county-level regions of China by 100 industries), lognormal output with a share of zero cells,
plus a few regions and industries with no output at all (ecomplexity drops those and reports
NaN; innoalliance reports 0 and lists them).

Timed in the same process, on the same data, in this order (results of one run are released
before the next, so each starts from the same free memory):

* ``ecomplexity.ecomplexity`` on the same numbers as a long DataFrame (one row per year, region
  and industry; building it is not timed), ``verbose=False``, ``check_logsupermodularity=False``
  (a diagnostic innoalliance does not run), warnings silenced. ``--baseline-years N`` runs it
  on the first N years only and scales its time to all years (it works year by year).

* ``analyse_panel``: everything, including the two regions × regions matrices per year
  (similarity and Krugman), which ecomplexity does not compute; ``similarity`` and ``krugman``
  are also timed alone (Krugman, Σ_k |s_ik − s_jk| for every pair, is most of the time).
* the ecomplexity subset through the public functions: ``rca``, ``presence``, ``proximity``,
  ``density`` on the whole panel and ``complexity`` per year (ECI, PCI, COI, COG, diversity,
  ubiquity) — the outputs ecomplexity gives.

Then the largest |difference| of RCA, density, ECI, PCI, COI and COG between ecomplexity and
``analyse_panel`` over the cells ecomplexity reports (not NaN). It only prints; nothing is
asserted.

Run: ``python benchmarks/structure_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import time
import warnings

import numpy as np
import pandas as pd
from ecomplexity import ecomplexity
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from innoalliance.methods.spatial.structure import (
    Structure,
    analyse_panel,
    complexity,
    density,
    krugman,
    presence,
    proximity,
    rca,
    similarity,
)

SEED = 20240601
COLUMNS = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
COMPARED = ("rca", "density", "eci", "pci", "coi", "cog")


def make_panel(args: argparse.Namespace) -> np.ndarray:
    """Lognormal output, ``--zeros`` of the cells 0, a few regions and industries all 0."""
    rng = np.random.default_rng(args.seed)
    shape = (args.years, args.regions, args.industries)
    panel = rng.lognormal(0.0, args.sigma, shape) * (rng.random(shape) >= args.zeros)
    panel[:, rng.choice(args.regions, args.empty_regions, replace=False)] = 0.0
    panel[:, :, rng.choice(args.industries, args.empty_industries, replace=False)] = 0.0
    return panel


def long_table(panel: np.ndarray) -> pd.DataFrame:
    t, r, k = np.meshgrid(*(np.arange(n) for n in panel.shape), indexing="ij")
    return pd.DataFrame(
        {"year": t.ravel(), "region": r.ravel(), "industry": k.ravel(), "value": panel.ravel()}
    )


def run_ecomplexity(df: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return ecomplexity(df, COLUMNS, verbose=False, check_logsupermodularity=False)


def subset(panel: np.ndarray) -> None:
    """What ecomplexity computes, through innoalliance's public functions."""
    m = presence(rca(panel))
    density(m, proximity(m))
    for year in m:
        complexity(year)


def compare(
    out: pd.DataFrame, result: list[Structure], args: argparse.Namespace, years: int
) -> tuple[dict[str, float], int]:
    """Largest |difference| per quantity where ecomplexity reports a value; its NaN-ECI regions."""
    out = out.sort_values(["year", "region", "industry"])
    shape = (years, args.regions, args.industries)
    diffs: dict[str, float] = {}
    for name in COMPARED:
        theirs = out[name].to_numpy(float).reshape(shape)
        mine = np.stack([getattr(s, name) for s in result]).astype(float)
        if mine.ndim == 2:
            mine = np.expand_dims(mine, 2 if name in ("eci", "coi") else 1)
        mine = np.broadcast_to(mine, shape)
        reported = ~np.isnan(theirs)
        diffs[name] = float(np.abs(mine[reported] - theirs[reported]).max())
    eci = out["eci"].to_numpy(float).reshape(shape)[:, :, 0]
    return diffs, int(np.isnan(eci).any(axis=0).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=2850)
    parser.add_argument("--industries", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--zeros", type=float, default=0.2, help="share of zero cells")
    parser.add_argument("--sigma", type=float, default=1.5, help="lognormal sigma")
    parser.add_argument("--empty-regions", type=int, default=3, help="regions with no output")
    parser.add_argument("--empty-industries", type=int, default=1, help="industries, no output")
    parser.add_argument(
        "--baseline-years", type=int, default=None, help="years to run ecomplexity on (all)"
    )
    parser.add_argument("--workers", type=int, default=None, help="threads for Krugman")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    base_years = min(args.baseline_years or args.years, args.years)

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("generating the panel")
        panel = make_panel(args)
        df = long_table(panel[:base_years])
        progress.remove_task(task)

        task = progress.add_task(f"ecomplexity, {base_years} year(s)")
        start = time.perf_counter()
        out = run_ecomplexity(df)
        eco = time.perf_counter() - start
        progress.remove_task(task)

        task = progress.add_task("innoalliance analyse_panel")
        start = time.perf_counter()
        result = analyse_panel(panel, workers=args.workers)
        ours_all = time.perf_counter() - start
        progress.remove_task(task)
        diffs, nan_regions = compare(out, result[:base_years], args, base_years)
        empty = sorted({int(i) for s in result[:base_years] for i in s.empty_regions})
        del result  # the later runs start from the same free memory

        task = progress.add_task("innoalliance similarity and krugman alone")
        start = time.perf_counter()
        similarity(panel)
        ours_similarity = time.perf_counter() - start
        start = time.perf_counter()
        krugman(panel, workers=args.workers)
        ours_krugman = time.perf_counter() - start
        progress.remove_task(task)

        task = progress.add_task("innoalliance, the ecomplexity subset")
        start = time.perf_counter()
        subset(panel)
        ours_subset = time.perf_counter() - start
        progress.remove_task(task)
    # Linux reports ru_maxrss in KiB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    eco_all = eco * args.years / base_years
    scaled = base_years < args.years
    years_note = f"{base_years} run, scaled ×{args.years / base_years:g}" if scaled else "all"
    table = Table(
        title=f"{args.years} years × {args.regions:,} regions × {args.industries} industries "
        f"(lognormal σ {args.sigma:g}, {args.zeros:.0%} zero cells, {args.empty_regions} "
        f"empty regions, {args.empty_industries} empty industries)"
    )
    for name in ("", "years", "seconds", "s / year", "ecomplexity ÷ this"):
        table.add_column(name, justify="right" if name else "left")
    table.add_row(
        "innoalliance analyse_panel (all, incl. similarity and Krugman)",
        "all",
        f"{ours_all:.2f}",
        f"{ours_all / args.years:.3f}",
        f"{eco_all / ours_all:.1f}×",
    )
    for label, took in (("similarity", ours_similarity), ("krugman", ours_krugman)):
        table.add_row(
            f"  {label}(panel) alone (part of the above)",
            "all",
            f"{took:.2f}",
            f"{took / args.years:.3f}",
            "—",
        )
    table.add_row(
        "innoalliance, ecomplexity's outputs only",
        "all",
        f"{ours_subset:.2f}",
        f"{ours_subset / args.years:.3f}",
        f"{eco_all / ours_subset:.1f}×",
    )
    table.add_row(
        "ecomplexity 0.5.3",
        years_note,
        f"{eco_all:.2f}" + (" (est.)" if scaled else ""),
        f"{eco / base_years:.3f}",
        "1.0×",
    )
    console.print(table)
    if scaled:
        console.print(
            f"ecomplexity ran on the first {base_years} of {args.years} years ({eco:.2f} s); its "
            "time for all years is that scaled by the number of years."
        )

    agree = Table(title=f"Agreement with ecomplexity over {base_years} year(s)")
    agree.add_column("quantity", justify="left")
    agree.add_column("max |Δ| where ecomplexity is not NaN", justify="right")
    for name, diff in diffs.items():
        agree.add_row(name, f"{diff:.1e}")
    console.print(agree)
    console.print(
        f"regions with NaN ECI in ecomplexity: {nan_regions}; empty regions here (ECI 0, listed): "
        f"{len(empty)}; peak memory (maxrss): {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
