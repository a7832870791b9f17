"""Benchmark: exact and sampled Shapley values against the textbook subset loop.

Exact: ``shapley_exact`` on random games (seeded uniform values, v(∅) = 0) of n = 20 and 25
players. Baseline: the textbook formula φ_i = Σ_{S∌i} |S|!(n−|S|−1)!/n! (v(S∪i) − v(S)) as a
Python loop over players and subsets, on the same games, in the same process, for n = 14, 15, …
while the next n is expected to finish within ``--baseline-limit`` seconds (each n costs about
2(n+1)/n times the previous); the ratio is reported at the largest n measured, where both also
agree to rounding. Sampled: ``shapley_sampled`` on a weighted voting game of 300 players with
integer weights, whose exact Shapley–Shubik index the weighted-voting programme gives; reported
are the time, max |error| and the mean standard error. It only prints; nothing is asserted.

Run: ``python benchmarks/shapley_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import math
import resource
import time

import numpy as np
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from innoalliance.methods.games.forms import WeightedVotingGame
from innoalliance.methods.games.shapley import shapley_exact, shapley_sampled, shapley_value

SEED = 20240601


def random_game(n: int) -> np.ndarray:
    """Uniform [0, 1) coalition values, v(∅) = 0, seeded by n."""
    v = np.random.default_rng(SEED + n).random(1 << n)
    v[0] = 0.0
    return v


def textbook_shapley(v: list[float], n: int) -> list[float]:
    """The formula as printed, looping over players and subsets in Python."""
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    phi = [0.0] * n
    for i in range(n):
        bit = 1 << i
        total = 0.0
        for s in range(1 << n):
            if not s & bit:
                total += weight[s.bit_count()] * (v[s | bit] - v[s])
        phi[i] = total
    return phi


def timed_exact(n: int) -> float:
    v = random_game(n)
    start = time.perf_counter()
    shapley_exact(v)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exact", type=int, nargs="+", default=[20, 25], help="players")
    parser.add_argument("--baseline-start", type=int, default=14)
    parser.add_argument(
        "--baseline-limit", type=float, default=60.0, help="seconds one baseline run may take"
    )
    parser.add_argument("--players", type=int, default=300, help="players of the sampled game")
    parser.add_argument("--samples", type=int, default=10_000, help="sampled permutations")
    args = parser.parse_args()

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)

    exact = Table(title="Exact Shapley value of a random game (2ⁿ values)")
    for name in ("n", "coalitions", "innoalliance s"):
        exact.add_column(name, justify="right")
    for n in args.exact:
        exact.add_row(str(n), f"{1 << n:,}", f"{timed_exact(n):.3f}")
    # Linux reports ru_maxrss in KiB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    loop = Table(title="Textbook subset loop (Python) against shapley_exact, same games")
    for name in ("n", "textbook s", "innoalliance s", "ratio", "max |Δφ|"):
        loop.add_column(name, justify="right")
    n = args.baseline_start
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        while True:
            task = progress.add_task(f"textbook loop, n = {n}")
            v = random_game(n)
            start = time.perf_counter()
            phi = textbook_shapley(v.tolist(), n)
            base = time.perf_counter() - start
            progress.remove_task(task)
            start = time.perf_counter()
            ours = shapley_exact(v).values
            took = time.perf_counter() - start
            diff = float(np.abs(ours - np.array(phi)).max())
            loop.add_row(
                str(n), f"{base:.2f}", f"{took:.4f}", f"{base / took:,.0f}×", f"{diff:.1e}"
            )
            if base * 2 * (n + 1) / n > args.baseline_limit:
                break
            n += 1

    rng = np.random.default_rng(SEED)
    weights = rng.integers(1, 11, args.players).astype(float)
    game = WeightedVotingGame(float(np.ceil(0.6 * weights.sum())), weights)
    start = time.perf_counter()
    truth = shapley_value(game)
    dp = time.perf_counter() - start
    start = time.perf_counter()
    est = shapley_sampled(game, samples=args.samples, seed=SEED)
    sampled = time.perf_counter() - start
    se = np.asarray(est.standard_error)
    error = np.abs(est.values - truth.values)

    console.print(exact)
    console.print(f"peak memory (maxrss) after the exact runs: {peak:,.0f} MiB")
    console.print(loop)
    console.print(
        f"largest n the textbook loop ran within {args.baseline_limit:g} s: n = {n}, {base:.1f} s; "
        f"shapley_exact {took:.3f} s; ratio {base / took:,.0f}×"
    )
    table = Table(
        title=f"Weighted voting game, {args.players} players, integer weights 1–10, "
        f"quota {game.quota:g} of {weights.sum():g}"
    )
    for name in ("", "seconds", "max |error|", "mean SE", "Σφ − v(N)"):
        table.add_column(name, justify="right" if name else "left")
    table.add_row(
        f"{truth.method} (exact)", f"{dp:.3f}", "—", "—", f"{0.0 - truth.efficiency_gap:.1e}"
    )
    table.add_row(
        f"shapley_sampled, {args.samples:,} permutations",
        f"{sampled:.2f}",
        f"{error.max():.2e}",
        f"{se.mean():.2e}",
        f"{0.0 - est.efficiency_gap:.1e}",
    )
    console.print(table)
    console.print(
        f"exact index: mean {truth.values.mean():.2e}, max {truth.values.max():.2e}; players "
        f"within 2 SE: {np.mean(error <= 2 * se):.0%}, within 4 SE: "
        f"{np.mean(error <= 4 * se):.0%}"
    )


if __name__ == "__main__":
    main()
