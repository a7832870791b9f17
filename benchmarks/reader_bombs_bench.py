"""Benchmark: what a "bomb" inside 20 MB costs the bounded readers, against an unbounded read.

Issue 16 item 11: an XLSX of 415 KB holding a million rows cost 42 s of CPU, a 14 MB CSV whose
header has 1.7 million columns peaked at 4.7 GB. This builds such files in a temporary folder:

* **xlsx rows**: a workbook of ``--rows`` identical rows written without row and cell references
  (so it zips hundreds of times smaller);
* **xlsx far right**: ``--far-rows`` rows, each with one cell at the last column of a sheet
  (XFD, 16,384), which a reader pads to full width;
* **csv header**: a header row of ``--columns`` names and one data row;
* **csv cell**: one data cell of ``--cell-mb`` MB.

Each is read in a fresh subprocess (so the peak memory, ``ru_maxrss``, is that read's alone) by
``innoalliance.ingest.readers.read_table`` with the default bounds, which refuses it, and by the
baseline, the unbounded read the importer did before the bounds, in the same process kind on the
same data: ``pandas.read_excel(path, dtype=object)`` (openpyxl) or ``pandas.read_csv(path,
dtype=object, na_filter=False)``. The baseline is run on a bomb ``--baseline-scale`` times the
size (default 0.1: the full bombs take minutes and gigabytes), and read_table on that same small
bomb too, so the ratio compares like with like. The XLSX rows bomb is also read with the
zip-ratio check switched off (``INNOALLIANCE_MAX_XLSX_RATIO``), to measure the second line of
defence: the sheet's cells counted as it streams (``INNOALLIANCE_MAX_SHEET_CELLS``). CPU is
user + system seconds of the child; ``allocated`` the peak of memory allocated during the
read (tracemalloc, in a second run, as tracing slows the read); ``maxrss`` the child's peak
resident memory, ``idle`` that peak after its imports, before the read.

Run: ``python benchmarks/reader_bombs_bench.py`` (see ``--help``). It only prints.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console(width=200)
#: the zip-ratio check off, to measure the bound that counts a sheet's cells as it streams
NO_RATIO = {"INNOALLIANCE_MAX_XLSX_RATIO": "1000000"}

SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         "<sheetData>{rows}</sheetData></worksheet>")
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
    'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
    'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
    '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
}


def _xlsx(path: Path, rows: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", SHEET.format(rows=rows))
    return path


def xlsx_rows(path: Path, rows: int) -> Path:
    """A header and ``rows`` rows of two numbers, without references: a few hundred KB."""
    header = ('<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is>'
              "</c></row>")
    return _xlsx(path, header + '<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>' * rows)


def xlsx_far(path: Path, rows: int) -> Path:
    """A header and ``rows`` rows whose one cell is at column XFD (16,384)."""
    header = '<row><c t="inlineStr"><is><t>a</t></is></c></row>'
    return _xlsx(path, header + '<row><c r="XFD1" t="n"><v>1</v></c></row>' * rows)


def csv_header(path: Path, columns: int) -> Path:
    """A header of ``columns`` names (``c0,c1,…``) and one short data row."""
    with path.open("w", encoding="utf-8") as file:
        file.write(",".join(f"c{i}" for i in range(columns)))
        file.write("\n1\n")
    return path


def csv_cell(path: Path, megabytes: float) -> Path:
    """A header and one data row whose one cell holds ``megabytes`` MB of text."""
    with path.open("w", encoding="utf-8") as file:
        file.write("name\n")
        file.write("x" * int(megabytes * 1e6))
        file.write("\n")
    return path


BUILDERS: dict[str, tuple[Callable[[Path, int], Path], str, str]] = {
    # name → builder, argument, file suffix
    "xlsx rows": (xlsx_rows, "rows", ".xlsx"),
    "xlsx far right": (xlsx_far, "far_rows", ".xlsx"),
    "csv header": (csv_header, "columns", ".csv"),
    "csv cell": (lambda p, n: csv_cell(p, n / 1e6), "cell_bytes", ".csv"),
}


# --------------------------------------------------------------------------- child


def child(how: str, path: str, traced: bool) -> None:
    """Read ``path`` one way and print JSON: CPU s, wall s, peak MiB (``ru_maxrss``) after the
    imports and after the read, the outcome; ``traced``: also the peak MiB allocated during the
    read (tracemalloc, which slows the read, so the CPU figures come from an untraced run)."""
    import pandas as pd

    from innoalliance.errors import InnoallianceError
    from innoalliance.ingest.readers import read_table

    idle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if traced:
        tracemalloc.start()
    start = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    try:
        if how == "innoalliance":
            table = read_table(Path(path))
            outcome = f"read {table.frame.shape}"
        elif path.endswith(".xlsx"):
            frame = pd.read_excel(path, dtype=object)
            outcome = f"read {frame.shape}"
        else:
            frame = pd.read_csv(path, dtype=object, na_filter=False)
            outcome = f"read {frame.shape}"
    except InnoallianceError as exc:
        problems = getattr(exc, "problems", [])
        outcome = "refused: " + (problems[0].rule if problems else exc.message)
    wall = time.perf_counter() - wall
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime
    allocated = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    print(json.dumps({"cpu": cpu, "wall": wall, "idle": idle, "peak": end.ru_maxrss / 1024,
                      "allocated": allocated, "outcome": outcome}))


def _child(how: str, path: Path, traced: bool, env: dict[str, str]) -> dict[str, object]:
    args = [sys.executable, __file__, "--child", how, str(path)] + (["--traced"] if traced
                                                                     else [])
    done = subprocess.run(args, capture_output=True, text=True, check=True,
                          env={**os.environ, **env})
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure(how: str, path: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run :func:`child` in two fresh interpreters (timed, then traced), with the environment
    variables ``env`` added, and return the figures of the timed run with the traced run's
    ``allocated``."""
    figures = _child(how, path, False, env or {})
    figures["allocated"] = _child(how, path, True, env or {})["allocated"]
    return figures


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the XLSX bomb")
    parser.add_argument("--far-rows", type=int, default=10_000,
                        help="rows of the far-right XLSX bomb")
    parser.add_argument("--columns", type=int, default=1_700_000,
                        help="columns of the CSV header bomb")
    parser.add_argument("--cell-mb", type=float, default=20.0, help="MB of the one CSV cell")
    parser.add_argument("--baseline-scale", type=float, default=0.1,
                        help="size of the bombs the baseline reads, relative to the full ones")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.traced)
        return
    sizes = {"rows": args.rows, "far_rows": args.far_rows, "columns": args.columns,
             "cell_bytes": int(args.cell_mb * 1e6)}
    table = Table("bomb", "file", "reader", "CPU s", "wall s", "allocated MiB",
                  "maxrss MiB (idle)", "outcome",
                  title="reading bombs: innoalliance read_table (bounded) vs unbounded pandas")
    with tempfile.TemporaryDirectory() as folder:
        for name, (build, size, suffix) in BUILDERS.items():
            full = build(Path(folder) / f"{name.replace(' ', '_')}{suffix}", sizes[size])
            small_size = max(1, int(sizes[size] * args.baseline_scale))
            small = build(Path(folder) / f"{name.replace(' ', '_')}_small{suffix}", small_size)
            runs: list[tuple[Path, int, str, dict[str, str]]] = [
                (full, sizes[size], "innoalliance", {}),
                (small, small_size, "innoalliance", {}),
                (small, small_size, "baseline", {})]
            if name == "xlsx rows":  # the second line: the sheet counted as it streams
                runs.insert(1, (full, sizes[size], "innoalliance", NO_RATIO))
            cost: dict[str, float] = {}
            for path, count, how, env in runs:
                console.print(f"[dim]{name}: {how} on {path.stat().st_size:,} bytes …[/dim]")
                got = measure(how, path, env)
                if path == small:
                    cost[how] = float(str(got["cpu"]))
                reader = how if how == "innoalliance" else "baseline (pandas)"
                if env:
                    reader += " " + " ".join(f"{k}={v}" for k, v in env.items())
                table.add_row(name, f"{path.stat().st_size / 1e6:,.2f} MB ({size} {count:,})",
                              reader,
                              f"{got['cpu']:.2f}", f"{got['wall']:.2f}",
                              f"{got['allocated']:,.1f}",
                              f"{got['peak']:,.0f} ({got['idle']:,.0f})",
                              str(got["outcome"]).replace("too large: ", "")[:80])
            ratio = cost["baseline"] / max(cost["innoalliance"], 1e-3)
            table.add_row(name, "", "[bold]baseline ÷ innoalliance CPU, same small file[/bold]",
                          f"{ratio:,.1f}", "", "", "", "", end_section=True)
    console.print(table)


if __name__ == "__main__":
    main()
