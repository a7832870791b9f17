"""Register: import files of every kind into the store, all-or-nothing per file.

Each file is read, validated in full and written in its own transaction; the first file that
fails stops the run with every problem of that file listed, and leaves the store as it was
before that file (earlier files of the same call stay imported).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.kinds import ALL_KINDS, TABLE_KINDS
from innoalliance.ingest.known import Known
from innoalliance.ingest.readers import read_table
from innoalliance.ingest.validate import validate
from innoalliance.ingest.wide import melt_wide
from innoalliance.ingest.writer import ImportResult, write
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.common import actor
from innoalliance.workflows.register.layers import import_boundary_file, import_raster_file

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WideLayout:
    """How a wide statistics table is laid out (see :func:`~innoalliance.ingest.wide.melt_wide`)."""

    columns: Literal["years", "indicators"]
    indicator: str | None = None
    year: int | None = None
    industry: str | None = None
    source: str | None = None


def check_kind(kind: str) -> str:
    """``kind`` if it is one of the KIND names, else a validation error naming the closest."""
    if kind in ALL_KINDS:
        return kind
    raise ValidationError(
        [Problem("KIND", None, None, kind, f"unknown kind; use one of: {', '.join(ALL_KINDS)}",
                 closest(kind, list(ALL_KINDS)))],
        message=f"unknown kind {kind!r}",
    )


def import_table_file(
    engine: Engine,
    kind: str,
    path: Path,
    units: dict[str, str] | None = None,
    sheet: str | None = None,
    wide: WideLayout | None = None,
    who: str | None = None,
) -> ImportResult:
    """Validate and write one CSV/XLSX/JSON file of a table kind in one transaction."""
    schema = TABLE_KINDS[kind]
    table = read_table(path, sheet)
    with transaction(engine) as session:
        known = Known(session)
        if wide is not None:
            melted = melt_wide(table, wide.columns, known, wide.indicator, wide.year,
                               wide.industry, wide.source)
            melted.sheet = table.sheet  # problems keep naming the sheet, as file[sheet]
            table = melted
        validated = validate(table, schema, known, units)
        return write(session, validated, who or actor())


def import_files(
    engine: Engine,
    kind: str,
    paths: Sequence[Path],
    units: dict[str, str] | None = None,
    sheet: str | None = None,
    wide: WideLayout | None = None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import ``paths`` of one kind in order; each file is all-or-nothing."""
    check_kind(kind)
    require_current(engine)
    results = []
    for path in paths:
        if progress:
            progress(path.name)
        if kind == "boundaries":
            results.append(import_boundary_file(engine, path, who=actor()))
        elif kind == "rasters":
            results.append(import_raster_file(engine, path, who=actor()))
        else:
            results.append(import_table_file(engine, kind, path, units, sheet, wide))
    return results
