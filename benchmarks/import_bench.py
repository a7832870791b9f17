"""Benchmark: validated import of statistics and organizations against pandas ``to_sql``.

For each backend, on a fresh store, it times ``import_table_file`` (read, validate every cell,
upsert by natural key, audit) for a statistics file and an organizations file, then the baseline a
user would otherwise reach for in the same process, on the same file, into the same database:
``pandas.read_csv(path)`` followed by ``DataFrame.to_sql(..., if_exists="replace")`` with pandas'
defaults (no validation, no keys, no upsert). It also times importing the statistics file a second
time (nothing changes: the idempotent path); pandas has no upsert, so its counterpart is the same
read-and-replace. The data is generated once, deterministically, into ``benchmarks/data/``.

Run: ``python benchmarks/import_bench.py`` (see ``--help``). It only prints; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, create_engine

from innoalliance.ingest.creditcode import ALPHABET, complete
from innoalliance.model.vocab import OrgSize, OrgType
from innoalliance.store.engine import make_engine
from innoalliance.workflows.register.imports import import_table_file
from innoalliance.workflows.register.setup import catalogue_path, init_store

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20240601
YEARS = np.arange(2000, 2020)
UNITS = ("亿元", "万元", "人", "件", "%")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# --------------------------------------------------------------------------- data


def _data_rows(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh) - 1


def _catalogue(kind: str) -> pd.DataFrame:
    return pd.read_csv(catalogue_path(kind), dtype=str, keep_default_na=False)


def _regions() -> pd.DataFrame:
    regions = _catalogue("regions")
    return regions[regions["level"].isin(["prefecture", "county"])].reset_index(drop=True)


def make_statistics(path: Path, rows: int) -> None:
    """``rows`` statistics, unique in (region, indicator, industry, year), in a yearbook's order."""
    rng = np.random.default_rng(SEED)
    regions = _regions()["code"].to_numpy()
    industries = np.array(["", *_catalogue("industries")["code"]], dtype=object)
    indicators = np.array([f"indicator_{i:03d}" for i in range(100)], dtype=object)
    shape = (len(regions), len(indicators), len(industries), len(YEARS))
    space = int(np.prod(shape))
    if rows > space:
        raise SystemExit(f"at most {space} unique statistics fit the catalogues, not {rows}")
    # sorted flat indices: the file reads region by region, as a yearbook export would
    flat = np.sort(rng.choice(space, size=rows, replace=False))
    r, i, n, y = np.unravel_index(flat, shape)
    unit_of_indicator = np.array([UNITS[k % len(UNITS)] for k in range(len(indicators))])
    frame = pd.DataFrame({
        "region": regions[r],
        "indicator": indicators[i],
        "industry": industries[n],
        "year": YEARS[y],
        "value": np.round(rng.lognormal(4.0, 2.0, rows), 2),
        "unit": unit_of_indicator[i],
        "source": "benchmark",
    })
    frame.to_csv(path, index=False)


_WORDS = ("新材料", "智能", "光电", "生物", "半导体", "储能", "精密", "数控", "环保", "云计算",
          "医药", "传感", "航空", "氢能", "软件", "装备")


def _credit_codes(rng: np.random.Generator, regions: np.ndarray, count: int) -> list[str]:
    """Distinct valid codes: '91' + division code + a distinct 9-character organisation code."""
    base = len(ALPHABET)
    numbers = rng.choice(base**9, size=count, replace=False)
    digits = np.stack([(numbers // base**k) % base for k in range(8, -1, -1)], axis=1)
    letters = np.array(list(ALPHABET))[digits]
    bodies = ["".join(row) for row in letters]
    return [complete(f"91{region}{body}") for region, body in zip(regions, bodies, strict=True)]


def make_organizations(path: Path, rows: int) -> None:
    """``rows`` organizations with valid, distinct credit codes and catalogue references."""
    rng = np.random.default_rng(SEED + 1)
    regions = _regions()
    pick = rng.integers(0, len(regions), rows)
    codes = regions["code"].to_numpy()[pick]
    places = regions["name_zh"].to_numpy()[pick]
    industries = _catalogue("industries")["code"].to_numpy()
    words = np.array(_WORDS, dtype=object)
    w1, w2 = rng.integers(0, len(words), rows), rng.integers(0, len(words), rows)
    types = np.array([t.value for t in OrgType], dtype=object)
    sizes = np.array([s.value for s in OrgSize] + [""], dtype=object)
    how_many = rng.integers(0, min(3, len(industries)) + 1, rows)
    lists = [";".join(rng.choice(industries, size=k, replace=False)) for k in how_many]
    frame = pd.DataFrame({
        "credit_code": _credit_codes(rng, codes, rows),
        "name_zh": [f"{p}{a}{b}科技有限公司{k}" for k, (p, a, b)
                    in enumerate(zip(places, words[w1], words[w2], strict=True))],
        "type": types[rng.integers(0, len(types), rows)],
        "size": sizes[rng.integers(0, len(sizes), rows)],
        "region": codes,
        "industries": lists,
        "capability": [f"{a}技术研发与{b}产品制造"
                       for a, b in zip(words[w1], words[w2], strict=True)],
        "need": np.where(rng.random(rows) < 0.5, "", words[w2] + "人才与资金"),
    })
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)


def ensure(path: Path, rows: int, make: Callable[[Path, int], None]) -> Path:
    """Generate ``path`` unless it already holds ``rows`` data rows."""
    if path.is_file() and _data_rows(path) == rows:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path, rows)
    return path


# --------------------------------------------------------------------------- stores


@contextmanager
def store(backend: str, postgres: str, folder: Path) -> Iterator[Engine]:
    """An empty database on ``backend``: a SQLite file, or a PostgreSQL schema dropped after."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in postgres else "?"
    engine = make_engine(f"{postgres}{sep}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


# --------------------------------------------------------------------------- timing


@dataclass
class Row:
    backend: str
    workload: str
    rows: int
    ours: float
    baseline: float
    note: str = ""


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def baseline(engine: Engine, path: Path, table: str) -> float:
    """pandas' way: read the CSV and ``to_sql`` it with pandas' defaults into a fresh table."""

    def run() -> None:
        frame = pd.read_csv(path)
        frame.to_sql(table, engine, index=False, if_exists="replace")

    return timed(run)


def run_backend(backend: str, postgres: str, stats: Path, orgs: Path,
                step: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    n_stats, n_orgs = _data_rows(stats), _data_rows(orgs)
    with tempfile.TemporaryDirectory() as folder, store(backend, postgres, Path(folder)) as engine:
        step(f"{backend}: init store")
        init_store(engine)
        step(f"{backend}: import statistics")
        first = timed(lambda: import_table_file(engine, "statistics", stats))
        step(f"{backend}: baseline statistics")
        base = baseline(engine, stats, "baseline_statistics")
        rows.append(Row(backend, "statistics, new", n_stats, first, base))
        step(f"{backend}: re-import statistics")
        result = None

        def again() -> None:
            nonlocal result
            result = import_table_file(engine, "statistics", stats)

        second = timed(again)
        assert result is not None and result.unchanged == n_stats, result
        rows.append(Row(backend, "statistics, re-import", n_stats, second, base,
                        "baseline: same read + replace"))
        step(f"{backend}: import organizations")
        ours = timed(lambda: import_table_file(engine, "organizations", orgs))
        step(f"{backend}: baseline organizations")
        base = baseline(engine, orgs, "baseline_organizations")
        rows.append(Row(backend, "organizations, new", n_orgs, ours, base))
    return rows


def report(console: Console, rows: list[Row]) -> None:
    table = Table(title="innoalliance import vs pandas read_csv + to_sql (same run)")
    for name in ("backend", "workload", "rows"):
        table.add_column(name)
    for name in ("innoalliance s", "rows/s", "baseline s", "rows/s", "ratio"):
        table.add_column(name, justify="right")
    for r in rows:
        table.add_row(
            r.backend, r.workload, f"{r.rows:,}", f"{r.ours:.2f}", f"{r.rows / r.ours:,.0f}",
            f"{r.baseline:.2f}", f"{r.rows / r.baseline:,.0f}", f"{r.baseline / r.ours:.1f}×",
        )
    console.print(table)
    console.print("ratio = baseline time / innoalliance time; > 1 means innoalliance is faster")
    # Linux reports ru_maxrss in KiB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory (maxrss): {peak:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stats-rows", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="PostgreSQL URL; a schema bench_* is created in it and dropped")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")

    console = Console()
    if not console.is_terminal:  # a pipe or file: do not squeeze the table into 80 columns
        console = Console(width=120)
    steps = 2 + 6 * len(backends)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("generating data", total=steps)

        def step(text: str) -> None:
            progress.update(task, description=text, advance=1)

        stats = ensure(DATA / f"statistics_{args.stats_rows}.csv", args.stats_rows,
                       make_statistics)
        step("generating data")
        orgs = ensure(DATA / f"organizations_{args.orgs}.csv", args.orgs, make_organizations)
        rows: list[Row] = []
        for backend in backends:
            rows += run_backend(backend, args.postgres, stats, orgs, step)
        progress.update(task, completed=steps)
    report(console, rows)


if __name__ == "__main__":
    main()
