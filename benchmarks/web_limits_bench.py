"""Benchmark: the board, the offers API and a member's page over a store flooded past the import
limits (issue 16 items 8 and 9), against the unbounded reads they replaced.

In a temporary SQLite store holding the demo dataset, ``--offers`` one-word offers (default
100,000) are written straight into ``offers`` for one member organization — past
``MAX_PER_ORGANIZATION``, as a bulk write at the database level would — and, with
``--long-text``, one more offer whose text is that many characters. Then, in this process, on
this data:

* **bounded** (what the app does now), through the web app (``TestClient``: HTTP, templates,
  JSON, auth): ``GET /api/v1/offers`` (first page, default ``limit``), the same ``limit=200`` at
  ``offset`` near the end (the deepest page), ``GET /board``, ``GET /board?q=…`` (a search that
  matches every bulk offer), and ``GET /api/v1/me`` of the flooding member with a fresh
  suggestion cache (its first request computes the suggestions) and again (cached).
* **baseline** (named ``unbounded``, what the app did before): the same offers read whole and
  sorted in Python, then serialised as one JSON list (the old ``/api/v1/offers``; the old
  ``/board`` did it twice and rendered every row), and ``GET /api/v1/me`` with a fresh cache and
  the matching budget lifted (``MATCH_CANDIDATES`` and ``MATCH_TEXT`` unbounded: every offer,
  every character; skip it with ``--no-baseline-me``). The old engine's supplier records, one
  copy per offer of all its organization's offers (quadratic), are not reproduced: the
  baseline is the ranking as it is now, only without the budget.

Each is timed (median of ``--repeat`` runs; the suggestions once) and then run once more under
``tracemalloc`` for its peak of Python-allocated memory (NumPy's too); the response size is
printed. Nothing is asserted. Also prints the process's peak resident memory (``ru_maxrss``).

Run: ``python benchmarks/web_limits_bench.py`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert, select

from innoalliance import __version__
from innoalliance.demo.loader import load_demo
from innoalliance.model import Membership, Offer, Organization
from innoalliance.store.engine import make_engine
from innoalliance.web import cache
from innoalliance.web.app import create_app
from innoalliance.workflows.accounts.users import add_user, issue_token
from innoalliance.workflows.match import context

WORDS = ("芯片", "电池", "材料", "算法", "传感", "封装", "光伏", "储能")
TITLE = "批量供给"
CHUNK = 10_000


def flood(engine: Engine, organization: str, count: int, long_text: int) -> None:
    """``count`` one-word offers of ``organization`` (and one of ``long_text`` characters)."""
    rows = [{"organization": organization, "title": f"{TITLE}{k:07d}", "text": WORDS[k % 8]}
            for k in range(count)]
    if long_text:
        rows.append({"organization": organization, "title": f"{TITLE}长文本",
                     "text": ("芯片封装测试" * (long_text // 6 + 1))[:long_text]})
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(Offer), rows[start:start + CHUNK])


def unbounded_offers(engine: Engine) -> bytes:
    """The old ``/api/v1/offers``: every offer read, sorted in Python, one JSON list."""
    query = (select(Offer.title, Offer.organization,
                    Organization.name_zh.label("organization_name"), Offer.industry,
                    Offer.keywords, Offer.published)
             .join(Organization, Organization.credit_code == Offer.organization))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    rows.sort(key=lambda r: (r["title"], r["organization"]))
    return json.dumps(rows, ensure_ascii=False, default=str).encode()


def unbounded(call: Callable[[], bytes]) -> Callable[[], bytes]:
    """``call`` with the matching budget lifted: every offer, every character of its text."""

    def lifted() -> bytes:
        names = (context.MATCH_CANDIDATES.variable, context.MATCH_TEXT.variable)
        saved = {n: os.environ.get(n) for n in names}
        os.environ.update(dict.fromkeys(names, str(2**31 - 1)))
        try:
            return call()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    return lifted


def measure(call: Callable[[], bytes], repeat: int) -> tuple[float, float, int]:
    """Median seconds of ``repeat`` calls, then the peak MB of one more under tracemalloc, and
    the answer's size in bytes."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        size = len(call())
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    try:
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak / 1e6, size


def main(argv: list[str] | None = None) -> None:
    """Build the flooded store, run both sides, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=100_000, help="bulk offers (100,000)")
    parser.add_argument("--long-text", type=int, default=0,
                        help="characters of one more offer's text (0: none)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each read (5)")
    parser.add_argument("--no-baseline-me", action="store_true",
                        help="skip the unbounded suggestions (slow and large on big floods)")
    args = parser.parse_args(argv)
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'store.db'}"
        engine = make_engine(url)
        began = time.perf_counter()
        load_demo(engine)
        with engine.connect() as conn:
            member = str(conn.execute(select(Membership.organization)
                                      .order_by(Membership.organization)).scalars().first())
        add_user(engine, "bench_member", "member", secrets.token_urlsafe(16),
                 organization=member)
        token = issue_token(engine, "bench_member")
        flood(engine, member, args.offers, args.long_text)
        console.print(f"innoalliance {__version__}: demo + {args.offers:,} offers of {member}"
                      f"{f' + one of {args.long_text:,} characters' if args.long_text else ''}"
                      f" in {time.perf_counter() - began:.1f} s")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette")
            from fastapi.testclient import TestClient
        client = TestClient(create_app(url))
        client.__enter__()  # the app's start-up, as ``with TestClient(app)`` runs it
        auth = {"Authorization": f"Bearer {token}"}

        def get(path: str, **params: Any) -> Callable[[], bytes]:
            def call() -> bytes:
                answer = client.get(path, params=params, headers=auth)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} {params}: {answer.status_code}")
                return answer.content
            return call

        def fresh_me() -> bytes:
            cache._caches.clear()  # the suggestions are computed again
            return get("/api/v1/me")()

        fresh_me()  # loads jieba's dictionary, once per process, before anything is timed
        deepest = max(0, args.offers - 200)
        rows: list[tuple[str, str, Callable[[], bytes], int]] = [
            ("bounded", "GET /api/v1/offers", get("/api/v1/offers"), args.repeat),
            ("bounded", f"GET /api/v1/offers?limit=200&offset={deepest:,}",
             get("/api/v1/offers", limit=200, offset=deepest), args.repeat),
            ("bounded", "GET /board", get("/board"), args.repeat),
            ("bounded", f"GET /board?q={TITLE}", get("/board", q=TITLE), args.repeat),
            ("bounded", "GET /api/v1/me (suggestions computed)", fresh_me, 1),
            ("bounded", "GET /api/v1/me (suggestions cached)", get("/api/v1/me"), args.repeat),
            ("unbounded", "all offers read, sorted, as JSON (old /api/v1/offers)",
             lambda: unbounded_offers(engine), max(1, args.repeat // 2)),
        ]
        if not args.no_baseline_me:
            rows.append(("unbounded", "GET /api/v1/me (suggestions computed, budget lifted)",
                         unbounded(fresh_me), 1))
        table = Table(title=f"{args.offers:,} offers of one member, SQLite")
        for column in ("side", "request", "seconds", "peak MB (tracemalloc)", "answer bytes"):
            table.add_column(column, justify="left" if column in ("side", "request")
                             else "right")
        for side, label, call, repeat in rows:
            seconds, peak, size = measure(call, repeat)
            table.add_row(side, label, f"{seconds:.3f}", f"{peak:.1f}", f"{size:,}")
            console.print(f"  {label}: {seconds:.3f} s, {peak:.1f} MB", highlight=False)
        client.__exit__(None, None, None)
        engine.dispose()
    console.print(table)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1e6 if sys.platform == "darwin" else 1e3
    console.print(f"process peak resident memory: {rss / scale:,.0f} MB")


if __name__ == "__main__":
    main()
