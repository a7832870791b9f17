"""A bounded load test of the web platform: concurrent readers and writers against a running
server, and the check afterwards that every acknowledged write is in the store.

:func:`run_load` drives ``readers`` tasks that loop over GET requests of public pages and API
and ``writers`` tasks that each insert one new event per request through the write API
(``POST /api/v1/alliances/{name}/records/events`` with a bearer token), all on one
``httpx.AsyncClient``, for ``seconds``. A 200 with ``inserted: 1`` is an acknowledged write; its
ref is kept. Every status >= 500, transport error or timeout, and every status other than the
expected ones, is an error, counted by kind. :func:`missing_writes` then lists the acknowledged
refs the ``events`` table does not hold.

:func:`serve` starts ``innoalliance serve`` in a subprocess on a free loopback port and stops it
again, for the test (``tests/test_web_load.py``) and the benchmark (``benchmarks/load_bench.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import quote, unquote

import httpx
import numpy as np
from sqlalchemy import Engine, select

from innoalliance.model import Event

Kind = Literal["read", "write"]
KINDS: tuple[Kind, ...] = ("read", "write")
API = "/api/v1"
TIMEOUT = 30.0
#: statuses of a write that are correct refusals, not failures (a version conflict)
REFUSED_WRITE = frozenset({409})


def read_paths(alliance: str) -> list[str]:
    """The default read mix: the public pages and API, one alliance's page and record."""
    name = quote(alliance, safe="")
    return ["/", "/alliances?page=1", f"/alliances/{name}", f"{API}/alliances",
            f"{API}/alliances/{name}", "/map", "/board", f"{API}/offers"]


def events_path(alliance: str) -> str:
    """The write API's route for the events of ``alliance``."""
    return f"{API}/alliances/{quote(alliance, safe='')}/records/events"


@dataclass
class LoadReport:
    """What one load run did: counts, latencies, errors and the acknowledged writes."""

    readers: int
    writers: int
    seconds: float
    duration: float = 0.0
    #: latencies in milliseconds of the successful requests, by kind
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {k: [] for k in KINDS})
    #: latencies in milliseconds of the successful reads, by path
    by_path: dict[str, list[float]] = field(default_factory=dict)
    #: failed requests by "kind status" or "kind ExceptionName"
    errors: Counter[str] = field(default_factory=Counter)
    #: correct refusals (a write's version conflict) by "kind status"
    refused: Counter[str] = field(default_factory=Counter)
    #: refs of the acknowledged writes, in order of acknowledgement
    acknowledged: list[str] = field(default_factory=list)

    def ok(self, kind: Kind) -> int:
        """Successful requests of ``kind``."""
        return len(self.latencies[kind])

    def failed(self, kind: Kind) -> int:
        """Failed requests of ``kind``."""
        return sum(n for k, n in self.errors.items() if k.split(" ", 1)[0] == kind)

    def throughput(self, kind: Kind | None = None) -> float:
        """Successful requests per second of ``kind`` (or of both)."""
        n = sum(self.ok(k) for k in KINDS) if kind is None else self.ok(kind)
        return n / self.duration if self.duration > 0 else 0.0

    def percentiles(self, kind: Kind) -> dict[str, float]:
        """p50, p95 and p99 latency (ms) of the successful requests of ``kind`` (NaN if none)."""
        return _percentiles(self.latencies[kind])

    def path_table(self) -> str:
        """Successful reads and their p50/p95 latency (ms) by path, as plain text."""
        rows = [("path", "ok", "p50 ms", "p95 ms")]
        for path, values in sorted(self.by_path.items()):
            p = _percentiles(values)
            rows.append((unquote(path), f"{len(values):,}", f"{p['p50']:.1f}", f"{p['p95']:.1f}"))
        return _text_table(rows)

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping."""
        return {
            "readers": self.readers, "writers": self.writers, "seconds": self.seconds,
            "duration": self.duration,
            "requests": {k: {"ok": self.ok(k), "failed": self.failed(k),
                             "per_second": self.throughput(k), **self.percentiles(k)}
                         for k in KINDS},
            "per_second": self.throughput(),
            "paths": {path: {"ok": len(v), **_percentiles(v)}
                      for path, v in sorted(self.by_path.items())},
            "errors": dict(sorted(self.errors.items())),
            "refused": dict(sorted(self.refused.items())),
            "acknowledged": len(self.acknowledged),
        }

    def table(self) -> str:
        """The report as a plain-text table, with the errors below it."""
        head = ("", "ok", "failed", "req/s", "p50 ms", "p95 ms", "p99 ms")
        rows = [head]
        for kind in KINDS:
            p = self.percentiles(kind)
            rows.append((kind, f"{self.ok(kind):,}", f"{self.failed(kind):,}",
                         f"{self.throughput(kind):,.1f}", f"{p['p50']:.1f}", f"{p['p95']:.1f}",
                         f"{p['p99']:.1f}"))
        rows.append(("all", f"{sum(self.ok(k) for k in KINDS):,}",
                     f"{sum(self.errors.values()):,}", f"{self.throughput():,.1f}", "", "", ""))
        lines = [f"{self.readers} readers, {self.writers} writers, {self.duration:.1f} s",
                 _text_table(rows)]
        errors = ", ".join(f"{k}: {n}" for k, n in sorted(self.errors.items())) or "none"
        lines.append(f"errors: {errors}")
        if self.refused:
            lines.append("refused (version conflicts): "
                         + ", ".join(f"{k}: {n}" for k, n in sorted(self.refused.items())))
        lines.append(f"acknowledged writes: {len(self.acknowledged):,}")
        return "\n".join(lines)


def _percentiles(latencies: Sequence[float]) -> dict[str, float]:
    values = np.asarray(latencies, dtype=float)
    if values.size == 0:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99)}


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _text_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]

    def pad(i: int, cell: str, width: int) -> str:
        space = " " * (width - _width(cell))
        return cell + space if i == 0 else space + cell

    return "\n".join("  ".join(pad(i, c, w) for i, (c, w) in enumerate(zip(row, widths,
                                                                            strict=True)))
                     for row in rows)


async def _reader(client: httpx.AsyncClient, paths: Sequence[str], start: int, deadline: float,
                  report: LoadReport) -> None:
    k = start
    while time.perf_counter() < deadline:
        path = paths[k % len(paths)]
        k += 1
        began = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.HTTPError as exc:
            report.errors[f"read {type(exc).__name__}"] += 1
            continue
        took = (time.perf_counter() - began) * 1000
        if response.status_code == 200:
            report.latencies["read"].append(took)
            report.by_path.setdefault(path, []).append(took)
        else:
            report.errors[f"read {response.status_code}"] += 1


async def _writer(client: httpx.AsyncClient, path: str, token: str, writer: int, deadline: float,
                  report: LoadReport) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    while time.perf_counter() < deadline:
        ref = f"load-{writer}-{n}-{uuid.uuid4().hex[:6]}"
        n += 1
        row = {"ref": ref, "type": "report", "date": dt.date.today().isoformat(),
               "description": "load test"}
        began = time.perf_counter()
        try:
            response = await client.post(path, json={"rows": [row]}, headers=headers)
        except httpx.HTTPError as exc:
            report.errors[f"write {type(exc).__name__}"] += 1
            continue
        took = (time.perf_counter() - began) * 1000
        status = response.status_code
        if status == 200:
            try:
                inserted = response.json().get("inserted")
            except ValueError:
                inserted = None
            if inserted == 1:
                report.latencies["write"].append(took)
                report.acknowledged.append(ref)
            else:
                report.errors["write 200 without inserted=1"] += 1
        elif status in REFUSED_WRITE:
            report.refused[f"write {status}"] += 1
        else:
            report.errors[f"write {status}"] += 1


async def run_load_async(base_url: str, *, readers: int, writers: int, seconds: float,
                         alliance: str, writer_token: str, read_paths: Sequence[str],
                         timeout: float = TIMEOUT) -> LoadReport:
    """:func:`run_load` in a running event loop."""
    if not read_paths and readers:
        raise ValueError("readers need at least one read path")
    report = LoadReport(readers=readers, writers=writers, seconds=seconds)
    connections = max(1, readers + writers)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits,
                                 timeout=httpx.Timeout(timeout)) as client:
        began = time.perf_counter()
        deadline = began + seconds
        path = events_path(alliance)
        async with asyncio.TaskGroup() as group:
            for r in range(readers):
                group.create_task(_reader(client, read_paths, r, deadline, report))
            for w in range(writers):
                group.create_task(_writer(client, path, writer_token, w, deadline, report))
        report.duration = time.perf_counter() - began
    return report


def run_load(base_url: str, *, readers: int, writers: int, seconds: float, alliance: str,
             writer_token: str, read_paths: Sequence[str], timeout: float = TIMEOUT
             ) -> LoadReport:
    """Run ``readers`` readers and ``writers`` writers against the server at ``base_url`` for
    ``seconds`` (requests in flight at the end complete and count) and report what happened.

    Readers cycle through ``read_paths`` (each starting at a different one); writers insert one
    event with a unique ref ``load-{writer}-{n}-{hex}`` into ``alliance`` per request, as the
    secretariat (or admin) whose API token is ``writer_token``.
    """
    return asyncio.run(run_load_async(
        base_url, readers=readers, writers=writers, seconds=seconds, alliance=alliance,
        writer_token=writer_token, read_paths=read_paths, timeout=timeout))


def missing_writes(engine: Engine, alliance: str, refs: Sequence[str], chunk: int = 500
                   ) -> list[str]:
    """The refs of ``refs`` (acknowledged writes) that the ``events`` table of ``alliance`` does
    not hold, in their given order."""
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(refs), chunk):
            part = list(refs[start:start + chunk])
            found.update(conn.execute(select(Event.ref).where(
                Event.alliance == alliance, Event.ref.in_(part))).scalars())
    return [ref for ref in refs if ref not in found]


# -- the server in a subprocess ----------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).parent / "innoalliance"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from innoalliance.cli.app import main; main()"]


def _tail(log: IO[str], limit: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-limit:]


@dataclass
class Server:
    """A running ``innoalliance serve`` subprocess."""

    process: subprocess.Popen[bytes]
    base_url: str
    stderr: IO[str]

    def log(self) -> str:
        """The end of the server's standard error so far."""
        return _tail(self.stderr)


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # uvicorn stops its workers on SIGTERM
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        if sys.platform != "win32":  # its own session: the workers are in its process group
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait(grace)


@contextmanager
def serve(db_url: str, *, workers: int = 1, secret: str | None = None, port: int | None = None,
          ready_timeout: float = 60.0, grace: float = 20.0) -> Iterator[Server]:
    """Run ``innoalliance serve --db db_url --workers N`` on 127.0.0.1 in a subprocess (with
    ``INNOALLIANCE_SECRET`` = ``secret`` if given), wait until ``/api/v1/regions`` answers 200,
    and stop it (SIGTERM, then SIGKILL of its process group) when the block ends.

    Raises ``RuntimeError`` with the server's standard error if it exits or is not ready in
    ``ready_timeout`` seconds.
    """
    port = port or free_port()
    env = dict(os.environ)
    if secret is not None:
        env["INNOALLIANCE_SECRET"] = secret
    args = [*_command(), "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers)]
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("a+", encoding="utf-8", errors="replace") as stderr:
        # the access log (standard output) is discarded: at thousands of lines a second a pipe
        # nobody reads would fill and stall the server
        process = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr,
                                   start_new_session=sys.platform != "win32")
        try:
            server = Server(process, base_url, stderr)
            _wait_ready(server, ready_timeout)
            yield server
        finally:
            _stop(process, grace)


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, timeout=5.0) as client:
        while True:
            code = server.process.poll()
            if code is not None:
                raise RuntimeError(f"the server exited with code {code}:\n{server.log()}")
            try:
                if client.get(f"{API}/regions").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in {timeout:g} s:\n{server.log()}")
            time.sleep(0.2)
