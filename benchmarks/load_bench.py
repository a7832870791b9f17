"""Benchmark: the web platform under load (readers and writers over HTTP) against the same reads
run directly on the store.

On a fresh PostgreSQL schema ``bench_<random>`` holding the demo dataset (dropped afterwards):

* **direct** (the baseline, first): ``--readers`` threads (a ``ThreadPoolExecutor``) on one
  SQLAlchemy engine (a pool of one connection per thread) for ``--seconds``, each looping over
  the read mix as calls of ``innoalliance.web.queries`` — the same queries the pages and API run
  (``counts``, ``search_alliances`` …, ``host_map``, ``knowledge``), without HTTP, templates,
  JSON or auth, and without writers.
* **web**: ``innoalliance serve --workers N`` in a subprocess on loopback,
  ``innoalliance.web.loadtest.run_load`` with ``--readers`` readers of the same mix and
  ``--writers`` writers (each request inserts one event through
  ``POST /api/v1/alliances/{name}/records/events`` as a secretariat user with an API token), for
  ``--seconds``; then ``missing_writes``: every acknowledged write must be in ``events``.

Prints the load report, latencies by path for both, and the ratio of read throughput web ÷
direct (the cost of HTTP, rendering and auth, with the writes competing). Nothing is asserted
except that the check of acknowledged writes is printed.

Run: ``python benchmarks/load_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine

from innoalliance import __version__
from innoalliance.demo.loader import load_demo
from innoalliance.store.engine import make_engine, resolve_url
from innoalliance.web import queries
from innoalliance.web.loadtest import LoadReport, missing_writes, read_paths, run_load, serve
from innoalliance.workflows.accounts.users import add_user, issue_token

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ALLIANCE = "电动汽车产学研技术创新联盟"


def direct_mix(engine: Engine, name: str) -> list[tuple[str, Callable[[], object]]]:
    """The read mix of ``read_paths(name)`` as the query calls each route makes (same order)."""

    def home() -> object:
        return queries.counts(engine)

    def registry() -> object:
        _, rows = queries.search_alliances(engine, queries.AllianceFilter(page=1))
        queries.industries(engine)
        queries.region_names(engine, {r["host_region"] for r in rows})
        return queries.used_industries(engine)

    def alliance_page() -> object:
        record = queries.alliance_detail(engine, name)
        queries.industries(engine)
        return queries.region_names(engine, {record["host_region"]})

    def api_alliances() -> object:
        return queries.search_alliances(engine, queries.AllianceFilter())

    def api_alliance() -> object:
        return queries.alliance_detail(engine, name)

    def map_page() -> object:
        return queries.host_map(engine, "zh")

    def board() -> object:
        queries.knowledge(engine, "offers", None)
        queries.knowledge(engine, "needs", None)
        return queries.industries(engine)

    def api_offers() -> object:
        return queries.knowledge(engine, "offers", None)

    calls = [home, registry, alliance_page, api_alliances, api_alliance, map_page, board,
             api_offers]
    return list(zip(read_paths(name), calls, strict=True))


def run_direct(engine: Engine, name: str, threads: int, seconds: float
               ) -> tuple[float, dict[str, list[float]], int]:
    """``threads`` threads loop over the mix for ``seconds``: duration, latencies (ms) by path,
    failures."""
    mix = direct_mix(engine, name)
    lock = threading.Lock()
    by_path: dict[str, list[float]] = {path: [] for path, _ in mix}
    failures = [0]
    deadline = time.perf_counter() + seconds

    def loop(start: int) -> None:
        k = start
        while time.perf_counter() < deadline:
            path, call = mix[k % len(mix)]
            k += 1
            began = time.perf_counter()
            try:
                call()
            except Exception:
                with lock:
                    failures[0] += 1
                continue
            took = (time.perf_counter() - began) * 1000
            with lock:
                by_path[path].append(took)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(loop, t) for t in range(threads)]:
            future.result()
    return time.perf_counter() - began, by_path, failures[0]


def ms(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):,.1f}" if values else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--postgres", default=POSTGRES, help="PostgreSQL URL (a schema is made)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--no-baseline", action="store_true", help="skip the direct run")
    args = parser.parse_args()

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    base = resolve_url(args.postgres)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    loads = [os.getloadavg()[0]]
    try:
        engine = make_engine(url)
        console.print(f"loading the demo into schema {schema} …")
        load_demo(engine)
        username = f"bench-{uuid.uuid4().hex[:8]}"
        add_user(engine, username, "secretariat", secrets.token_urlsafe(16), alliance=ALLIANCE)
        token = issue_token(engine, username)
        engine.dispose()

        direct: tuple[float, dict[str, list[float]], int] | None = None
        if not args.no_baseline:
            console.print(f"direct: {args.readers} threads for {args.seconds:g} s …")
            pooled = create_engine(url, pool_size=args.readers, max_overflow=10)
            try:
                direct = run_direct(pooled, ALLIANCE, args.readers, args.seconds)
            finally:
                pooled.dispose()

        loads.append(os.getloadavg()[0])
        console.print(f"web: serve --workers {args.workers}; {args.readers} readers and "
                      f"{args.writers} writers for {args.seconds:g} s …")
        with serve(url, workers=args.workers, secret=secrets.token_urlsafe(32)) as server:
            report = run_load(server.base_url, readers=args.readers, writers=args.writers,
                              seconds=args.seconds, alliance=ALLIANCE, writer_token=token,
                              read_paths=read_paths(ALLIANCE), timeout=args.timeout)
            log = server.log()
        loads.append(os.getloadavg()[0])
        engine = make_engine(url)
        try:
            missing = missing_writes(engine, ALLIANCE, report.acknowledged)
        finally:
            engine.dispose()
        show(console, args, report, direct, missing)
        console.print("1-minute load average before / between / after the runs: "
                      + " / ".join(f"{x:.1f}" for x in loads)
                      + f" ({os.cpu_count()} CPUs; other processes count too)", highlight=False)
        if report.errors:
            console.print("server log (end):", markup=False)
            console.print(log, markup=False, highlight=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def show(console: Console, args: argparse.Namespace, report: LoadReport,
         direct: tuple[float, dict[str, list[float]], int] | None, missing: list[str]) -> None:
    table = Table(title=f"innoalliance {__version__} web under load: {args.readers} readers, "
                  f"{args.writers} writers, {args.seconds:g} s, serve --workers {args.workers} "
                  "(PostgreSQL, demo store)")
    for name in ("", "requests ok", "failed", "req/s", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(name, justify="right" if name else "left")
    for kind in ("read", "write"):
        p = report.percentiles(kind)
        table.add_row(f"web {kind}", f"{report.ok(kind):,}", f"{report.failed(kind):,}",
                      f"{report.throughput(kind):,.1f}", f"{p['p50']:,.1f}", f"{p['p95']:,.1f}",
                      f"{p['p99']:,.1f}")
    if direct is not None:
        took, by_path, failures = direct
        values = [v for vs in by_path.values() for v in vs]
        table.add_row("direct read (baseline)", f"{len(values):,}", f"{failures:,}",
                      f"{len(values) / took:,.1f}", ms(values, 50), ms(values, 95),
                      ms(values, 99))
    console.print(table)

    paths = Table(title="reads by path (web includes HTTP, rendering and JSON)")
    for name in ("path", "web ok", "web p50 ms", "web p95 ms", "direct ok", "direct p50 ms",
                 "direct p95 ms"):
        paths.add_column(name, justify="left" if name == "path" else "right")
    direct_paths = direct[1] if direct is not None else {}
    for path in read_paths(ALLIANCE):
        web = report.by_path.get(path, [])
        mine = direct_paths.get(path, [])
        shown = path.replace(quote(ALLIANCE, safe=""), "{name}")
        paths.add_row(shown, f"{len(web):,}", ms(web, 50), ms(web, 95),
                      f"{len(mine):,}" if direct else "—", ms(mine, 50), ms(mine, 95))
    console.print(paths)

    errors = ", ".join(f"{k}: {n}" for k, n in sorted(report.errors.items())) or "none"
    console.print(f"errors: {errors}", highlight=False)
    if report.refused:
        console.print(f"refused (version conflicts): {dict(report.refused)}", highlight=False)
    console.print(f"acknowledged writes: {len(report.acknowledged):,}; missing from the store "
                  f"afterwards: {len(missing)}" + (f" {missing[:10]}" if missing else ""),
                  highlight=False)
    if direct is not None:
        took, by_path, _ = direct
        rate = sum(len(v) for v in by_path.values()) / took
        if rate > 0:
            console.print(f"read throughput web ÷ direct: {report.throughput('read'):,.1f} ÷ "
                          f"{rate:,.1f} = {report.throughput('read') / rate:.2f}×",
                          highlight=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory of this process (maxrss): {peak:,.0f} MiB; the server's "
                  "workers are other processes", highlight=False)


if __name__ == "__main__":
    main()
