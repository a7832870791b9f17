"""Read a table file (CSV, XLSX, JSON) into a frame of text cells, keeping row numbers.

Every cell is read as text and stripped; empty cells become ``None``. In CSV and XLSX files
the ``'`` that exports put before formula-like text (see
:func:`innoalliance.ingest.cells.escape_formula`) is dropped again. ``Table.row_numbers`` maps
each frame row to the row a person sees: for CSV and XLSX the header is row 1, so the first data
row is row 2; for JSON the first record is record 1.

A file is read within bounds (issue 16 item 11), checked before the expensive part so that a
small file that expands to a huge table ("bomb") is refused cheaply: the header row of a CSV is
read and counted before any data row, at most one row more than allowed is parsed, an XLSX
workbook's zip directory is inspected before it is opened and its sheet is counted cell by cell
while it streams. The bounds are the ``MAX_*`` constants below; each can be changed with the
environment variable named in :data:`LIMIT_VARIABLES` (read at every call). A file over a bound is
refused as a whole with a problem naming the file (and sheet), the bound and what was found.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell.cell import TYPE_ERROR
from openpyxl.utils.exceptions import InvalidFileException

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.cells import closest, unescape_formula
from innoalliance.ingest.limits import Limit

#: data rows of one table (CSV, XLSX sheet, JSON records or a part of a return); the header row
#: does not count. The import benchmark's largest file has 1,000,000 rows.
MAX_ROWS = 1_000_000
#: columns of one table. Yearbook (wide) tables have a column per year or per indicator.
MAX_COLUMNS = 1_000
#: cells (rows × columns) of a CSV or JSON table: about 60 bytes of memory each once read.
MAX_CELLS = 10_000_000
#: cells of an XLSX sheet, counting the empty ones inside each row: openpyxl parses 70,000 to
#: 120,000 cells a second (benchmarks/reader_bombs_bench.py), so this bounds a sheet to 10-15 s
#: of CPU; a CSV of as many cells reads about 50 times faster.
MAX_SHEET_CELLS = 1_000_000
#: characters of one cell; Excel's own limit (a longer cell does not survive a round trip
#: through Excel).
MAX_CELL_CHARS = 32_767
#: bytes of a CSV file's header row (after blank lines before it).
MAX_HEADER_BYTES = 1 << 20
#: bytes of an XLSX workbook once unzipped (all its parts).
MAX_XLSX_BYTES = 200_000_000
#: unzipped / zipped size of an XLSX workbook; real workbooks are 5-20 times smaller zipped,
#: a "zip bomb" hundreds of times. Checked only for workbooks above ``XLSX_RATIO_FROM`` bytes
#: unzipped, as tiny workbooks can compress well.
MAX_XLSX_RATIO = 100
XLSX_RATIO_FROM = 1 << 20

#: bound → environment variable that overrides it (a whole number)
LIMIT_VARIABLES: Mapping[str, str] = {
    "MAX_ROWS": "INNOALLIANCE_MAX_ROWS",
    "MAX_COLUMNS": "INNOALLIANCE_MAX_COLUMNS",
    "MAX_CELLS": "INNOALLIANCE_MAX_CELLS",
    "MAX_SHEET_CELLS": "INNOALLIANCE_MAX_SHEET_CELLS",
    "MAX_CELL_CHARS": "INNOALLIANCE_MAX_CELL_CHARS",
    "MAX_HEADER_BYTES": "INNOALLIANCE_MAX_HEADER_BYTES",
    "MAX_XLSX_BYTES": "INNOALLIANCE_MAX_XLSX_BYTES",
    "MAX_XLSX_RATIO": "INNOALLIANCE_MAX_XLSX_RATIO",
}


def limit(name: str) -> int:
    """The bound ``name`` (a key of :data:`LIMIT_VARIABLES`): its environment variable if set,
    else the module constant (looked up at each call, so a test may patch it)."""
    return Limit(LIMIT_VARIABLES[name], globals()[name])()


def _over(label: str, what: str, found: str, name: str, hint: str) -> ValidationError:
    """The refusal of a file over the bound ``name``: ``what`` is counted, ``found`` how many."""
    variable = LIMIT_VARIABLES[name]
    rule = f"too large: {found} {what}; the limit is {limit(name):,} ({variable})"
    return ValidationError(
        [Problem(label, None, None, None, rule)],
        f"{label} is too large to import; nothing was written",
        hint=f"{hint}, or raise the limit by setting the environment variable {variable}")


SPLIT = "split the table into smaller files and import each"

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: what an unreadable workbook raises inside openpyxl (not a zip, a part missing, broken XML)
_BROKEN_BOOK = (zipfile.BadZipFile, KeyError, ParseError, InvalidFileException, ValueError,
                TypeError, AttributeError, IndexError, EOFError)
NOT_XLSX = ("not an Excel .xlsx workbook (not a zip / damaged): save it again from Excel as "
            ".xlsx")
OLD_EXCEL = ("an old Excel .xls workbook, which is not read: save it again from Excel as .xlsx "
             "(Excel Workbook)")
HINT_PATH = "check the path and the file name (and that the file exists)"
HINT_XLSX = "open the file in Excel (or LibreOffice), save it as .xlsx and import it again"
HEADER_TWICE = "column appears twice in the header row"
HEADER_TWICE_TRIMMED = "column appears twice once spaces around the names are trimmed"


@dataclass
class Table:
    """A file's cells as text, with the row numbers a person would quote."""

    path: Path
    frame: pd.DataFrame
    first_row: int  # the number a person gives the first data row
    numbers: np.ndarray | None = None  # explicit row numbers, when rows were reshaped
    sheet: str | None = None  # the XLSX sheet read

    @property
    def label(self) -> str:
        """The file name used in messages; ``file[sheet]`` for a sheet of a workbook."""
        return self.path.name if self.sheet is None else f"{self.path.name}[{self.sheet}]"

    def row_number(self, positions: np.ndarray | pd.Index | list[int]) -> np.ndarray:
        """Row numbers (as a person counts them) of frame positions."""
        index = np.asarray(positions, dtype=np.int64)
        if self.numbers is not None:
            return self.numbers[index]
        return index + self.first_row


def _fail(path: Path, rule: str, hint: str = "fix the file and import it again",
          label: str | None = None) -> ValidationError:
    return ValidationError([Problem(label or path.name, None, None, None, rule)], hint=hint)


def missing_file(path: Path) -> ValidationError:
    """The error for a path that names no file."""
    return _fail(path, f"no such file: {path}", HINT_PATH)


def json_syntax(path: Path, exc: json.JSONDecodeError) -> ValidationError:
    """The error for a file that is not valid JSON, pointing at the syntax error."""
    where = f"line {exc.lineno}, column {exc.colno}"
    return ValidationError(
        [Problem(path.name, exc.lineno, None, None, f"not valid JSON: {exc.msg} ({where})")],
        hint=f"fix the JSON syntax at {where} and import the file again")


def not_utf8_json(path: Path) -> ValidationError:
    """The error for a JSON file in another encoding than UTF-8."""
    return _fail(path, "not UTF-8 text; JSON files must be UTF-8",
                 "save the file as UTF-8 and import it again")


def load_json(path: Path) -> object:
    """The parsed content of the JSON file ``path``; a clear error if it is absent or not JSON,
    or if an object gives a key twice (JSON parsers silently keep the last one)."""
    if not path.is_file():
        raise missing_file(path)
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        record = dict(items)
        if len(record) < len(items):  # a key given twice: note which
            keys = [key for key, _ in items]
            twice.extend(key for key in record if keys.count(key) > 1)
        return record

    try:
        data: object = json.loads(path.read_text(encoding="utf-8-sig"), object_pairs_hook=pairs)
    except UnicodeDecodeError:
        raise not_utf8_json(path) from None
    except json.JSONDecodeError as exc:
        raise json_syntax(path, exc) from None
    if twice:
        raise ValidationError(
            [Problem(path.name, None, key, None, "key appears twice in one JSON object")
             for key in dict.fromkeys(twice)],
            hint="give each key once per object (rename or delete the repeat) and import the "
                 "file again")
    return data


def _check_zip(path: Path) -> None:
    """Refuse a workbook that unzips to more than ``MAX_XLSX_BYTES`` or, above
    ``XLSX_RATIO_FROM`` bytes, more than ``MAX_XLSX_RATIO`` times its zipped size, from its zip
    directory alone (before any part is unzipped). The sizes in the directory bound what is
    unzipped: :mod:`zipfile` stops at the stated size and a lie fails the CRC check."""
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    unzipped = sum(p.file_size for p in parts)
    zipped = max(sum(p.compress_size for p in parts), 1)
    hint = "save the table as CSV (UTF-8), or split it into smaller workbooks, and import each"
    if unzipped > limit("MAX_XLSX_BYTES"):
        raise _over(path.name, "bytes once unzipped", f"{unzipped:,}", "MAX_XLSX_BYTES", hint)
    if unzipped > XLSX_RATIO_FROM and unzipped > limit("MAX_XLSX_RATIO") * zipped:
        raise _over(path.name, f"times larger unzipped ({unzipped:,} bytes) than zipped "
                    f"({zipped:,} bytes), like a zip bomb", f"{unzipped // zipped:,}",
                    "MAX_XLSX_RATIO", hint)


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """The workbook ``path``, open read-only (values, not formulas); a fake or damaged one (not a
    zip, a part missing, broken XML) is one problem naming the file, a refusal of the file system
    stays what it is. A workbook that unzips too large is refused before it is opened."""
    try:
        _check_zip(path)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            yield book
        finally:
            book.close()
    except ValidationError:
        raise
    except _BROKEN_BOOK as exc:
        raise _fail(path, NOT_XLSX, HINT_XLSX) from exc
    except OSError as exc:
        if exc.errno is not None:  # the file system refused: not the workbook's fault
            raise
        raise _fail(path, NOT_XLSX, HINT_XLSX) from exc  # openpyxl: "no valid workbook part"


def _sheets(book: Any) -> list[str]:
    return [str(sheet.title) for sheet in book.worksheets]  # chart sheets hold no table


def sheet_names(path: Path) -> list[str]:
    """The sheets of the workbook ``path``, in order; a clear error if it is no workbook."""
    with _workbook(path) as book:
        return _sheets(book)


def check_header(columns: list[str], label: str) -> None:
    """Raise a problem for each column name that appears twice, as given or once spaces are
    trimmed (``alliance,alliance`` and ``alliance,"alliance "``)."""
    given: dict[str, set[str]] = {}
    twice: list[str] = []
    for column in columns:
        name = column.strip()
        if name in given and name not in twice:
            twice.append(name)
        given.setdefault(name, set()).add(column)
    if twice:
        raise ValidationError(
            [Problem(label, 1, name, None,
                     HEADER_TWICE if len(given[name]) == 1 else HEADER_TWICE_TRIMMED)
             for name in twice],
            hint="keep one column of each name in the header row (rename or delete the "
                 "repeat) and import the file again")


def _csv_header(path: Path, sep: str) -> list[str] | None:
    """The names of a CSV file's header row, read alone: refused if the row is longer than
    ``MAX_HEADER_BYTES`` or has more than ``MAX_COLUMNS`` names; ``None`` when it cannot be told
    here (empty file, unknown encoding, a quoted line break), which pandas then reports."""
    most = limit("MAX_HEADER_BYTES")
    with path.open("rb") as file:
        head = file.read(most)
        more = bool(file.read(1))
    start = len(head) - len(head.lstrip())  # pandas skips blank lines before the header
    ends = [i for i in (head.find(b"\n", start), head.find(b"\r", start)) if i >= 0]
    end = min(ends, default=-1)  # a line ends with LF, CR LF or (old Macs) CR
    if end < 0:
        if more:
            raise _over(path.name, "bytes in the header row (no line end within the limit)",
                        f"more than {most:,}", "MAX_HEADER_BYTES",
                        "check that the file is a table with one header row")
        end = len(head)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            line = head[:end].decode(encoding).strip()
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if not line:
        return None
    try:
        names = next(csv.reader([line], delimiter=sep, skipinitialspace=True, strict=True))
    except csv.Error:
        return None
    if len(names) > limit("MAX_COLUMNS"):
        raise _over(path.name, "columns in the header row", f"{len(names):,}", "MAX_COLUMNS",
                    "keep only the columns the import needs")
    return names


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    """The cells of a CSV file as text. The header is read and checked first (its size, its
    columns, names given twice, which pandas would rename); then at most one row more than the
    bounds allow is parsed, so an oversized file is refused without reading it all."""
    header = _csv_header(path, sep)
    if header is not None:
        check_header(header, path.name)
    cells = limit("MAX_CELLS")
    rows = min(limit("MAX_ROWS"), cells // max(len(header or ()), 1))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=object,
                na_filter=False,  # every cell is text; "" stays "" (and is faster to parse)
                encoding=encoding,
                skipinitialspace=True,
                nrows=rows + 1,
            )
        except UnicodeDecodeError:
            continue
        _check_shape(path.name, len(frame), len(frame.columns), rows)
        return frame
    raise _fail(path, "file is neither UTF-8 nor GB18030 text; save it as UTF-8 CSV",
                "save the file as CSV UTF-8 and import it again")


def _check_shape(label: str, rows: int, columns: int, most: int | None = None) -> None:
    """Refuse a table of more than ``MAX_COLUMNS`` columns, ``MAX_ROWS`` rows or ``MAX_CELLS``
    cells; ``most`` is the number of rows read at most (one more than allowed), if bounded."""
    if columns > limit("MAX_COLUMNS"):
        raise _over(label, "columns", f"{columns:,}", "MAX_COLUMNS",
                    "keep only the columns the import needs")
    found = f"more than {rows - 1:,}" if most is not None and rows > most else f"{rows:,}"
    if rows > limit("MAX_ROWS"):
        raise _over(label, "data rows", found, "MAX_ROWS", SPLIT)
    if rows * columns > limit("MAX_CELLS"):
        raise _over(label, f"cells ({found} rows × {columns:,} columns)",
                    f"{rows * columns:,}" if most is None or rows <= most
                    else f"more than {(rows - 1) * columns:,}", "MAX_CELLS", SPLIT)


def check_records(records: list[Any], label: str) -> None:
    """Refuse a list of JSON records over the bounds (rows, distinct keys, cells) before any
    table is made of it."""
    if len(records) > limit("MAX_ROWS"):
        raise _over(label, "records", f"{len(records):,}", "MAX_ROWS", SPLIT)
    keys: set[str] = set()
    for record in records:
        if isinstance(record, dict):
            keys.update(record)
    _check_shape(label, len(records), len(keys))  # the table has a cell per record and key


def _read_json(path: Path) -> pd.DataFrame:
    data = load_json(path)
    if isinstance(data, dict):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise _fail(path, "JSON must be a list of objects, or {\"records\": [objects]}",
                    "give the rows as a JSON list of objects and import the file again")
    check_records(data, path.name)
    frame = pd.DataFrame.from_records(data)
    return frame.map(lambda v: "" if v is None else v if isinstance(v, str) else _json_cell(v))


def _json_cell(value: object) -> str:
    if isinstance(value, float) and value != value:  # a null that pandas turned into NaN
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """The cells of ``sheet`` (default: the first) and the sheet's name."""
    with _workbook(path) as book:
        names = _sheets(book)
        if not names:
            raise _fail(path, "the workbook has no sheet", HINT_XLSX)
        if sheet is not None and sheet not in names:
            raise ValidationError(
                [Problem(path.name, None, None, sheet, f"no sheet {sheet!r}; the sheets are: "
                         f"{', '.join(names)}", closest(sheet, names))],
                hint=f"choose a sheet with --sheet: {', '.join(names)}")
        name = sheet if sheet is not None else names[0]
        frame = _parse_sheet(book, name, f"{path.name}[{name}]")
        if sheet is None and frame.columns.empty:
            others = [n for n in names[1:]
                      if not _parse_sheet(book, n, f"{path.name}[{n}]", 1).columns.empty]
            rule = f"the sheet {name!r} is empty; it needs a header row"
            hint = (f"the first sheet {name!r} is empty; choose a sheet with --sheet: "
                    f"{', '.join(others)} (or move the table to the first sheet)" if others
                    else "put the table, with its header row, on the first sheet")
            raise _fail(path, rule, hint, f"{path.name}[{name}]")
    return frame, name


def _parse_sheet(book: Any, sheet: str, label: str, nrows: int | None = None) -> pd.DataFrame:
    """The sheet's cells as text under its header row (the first row): ``nrows`` data rows at
    most. Streamed row by row and counted as it goes (the sheet's stated dimension can lie):
    refused past ``MAX_ROWS`` rows, ``MAX_COLUMNS`` columns or ``MAX_SHEET_CELLS`` cells.

    As pandas reads a sheet: empty cells are ``""``, a header cell left empty is named
    ``Unnamed: N`` (N from 0), trailing empty rows are dropped and the others kept.
    """
    ws = book[sheet]
    ws.reset_dimensions()  # infer the extent while reading rather than trust the file
    most_rows, most_columns, most_cells = (limit("MAX_ROWS"), limit("MAX_COLUMNS"),
                                           limit("MAX_SHEET_CELLS"))
    rows: list[list[str]] = []
    cells = width = filled = 0
    for cells_of_row in ws.iter_rows():
        if nrows is not None and len(rows) > nrows:
            break
        if len(rows) > most_rows:
            raise _over(label, "data rows", f"more than {most_rows:,}", "MAX_ROWS", SPLIT)
        cells += len(cells_of_row)
        if cells > most_cells:
            raise _over(label, f"cells in the first {len(rows) + 1:,} rows (counting the "
                        "empty ones inside a row)", f"more than {most_cells:,}",
                        "MAX_SHEET_CELLS", SPLIT + " (or save it as CSV, which reads faster)")
        values = [_excel_cell(c) for c in cells_of_row[:most_columns]]
        while values and values[-1] == "":
            values.pop()
        if len(cells_of_row) > most_columns and any(
                c.value is not None for c in cells_of_row[most_columns:]):
            raise _over(label, f"columns in row {len(rows) + 1:,}",
                        f"more than {most_columns:,}", "MAX_COLUMNS",
                        "keep only the columns the import needs")
        rows.append(values)
        if values:
            filled = len(rows)
            width = max(width, len(values))
    del rows[filled:]
    if not rows:
        return pd.DataFrame()
    header = rows[0] + [""] * (width - len(rows[0]))
    cells_by_column = np.full((width, len(rows) - 1), "", dtype=object)
    for position, row in enumerate(rows[1:]):
        cells_by_column[:len(row), position] = row
    names = [name if name != "" else f"Unnamed: {i}" for i, name in enumerate(header)]
    frame = pd.DataFrame(dict(enumerate(cells_by_column)), dtype=object)
    return frame.set_axis(names, axis="columns")


def _excel_cell(cell: Any) -> str:
    """A cell's value as text: ``""`` for empty and error cells, whole numbers without ``.0``,
    a date (or a date and time at midnight) as ``YYYY-MM-DD``."""
    value = cell.value
    if value is None or getattr(cell, "data_type", None) == TYPE_ERROR:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else str(value)
    return str(value)


def check_cells(frame: pd.DataFrame, label: str, first_row: int) -> None:
    """Refuse a text frame with a cell longer than ``MAX_CELL_CHARS`` characters, naming the
    first such cell's row and column (``first_row`` is the number of the frame's first row)."""
    most = limit("MAX_CELL_CHARS")
    for name in frame.columns.unique():
        values = frame[name].to_numpy(dtype=object)
        longest = max(map(len, filter(None, values)), default=0)
        if longest > most:
            lengths = np.fromiter((len(v) if v else 0 for v in values), dtype=np.int64,
                                  count=len(values))
            row = int(np.argmax(lengths > most)) + first_row
            variable = LIMIT_VARIABLES["MAX_CELL_CHARS"]
            raise ValidationError(
                [Problem(label, row, str(name), None,
                         f"cell too long: {int(lengths.max()):,} characters; the limit is "
                         f"{most:,} ({variable})")],
                f"{label} has a cell too long to import; nothing was written",
                hint=f"shorten the cell (keep long texts in a document, not a table cell), or "
                     f"raise the limit by setting the environment variable {variable}")


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Read ``path`` by its suffix; raise :class:`ValidationError` if it cannot be read or is
    over a bound (see the module's docstring)."""
    if not path.is_file():
        raise missing_file(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _fail(path, OLD_EXCEL, HINT_XLSX)
    if suffix not in TABLE_SUFFIXES:
        raise _fail(
            path, f"unknown file type {suffix!r}; use one of {', '.join(TABLE_SUFFIXES)}",
            "save the table as CSV (UTF-8), XLSX or JSON and import it again")
    read_sheet = None
    try:
        if suffix in (".csv", ".txt"):
            frame, first = _read_csv(path, ","), 2
        elif suffix == ".tsv":
            frame, first = _read_csv(path, "\t"), 2
        elif suffix == ".json":
            frame, first = _read_json(path), 1
        else:
            (frame, read_sheet), first = _read_xlsx(path, sheet), 2
    except pd.errors.ParserError as exc:
        raise _fail(path, f"malformed table: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise _fail(path, "the file is empty; it needs a header row",
                    "put the header row and the rows in the file and import it again") from exc
    table = Table(path, frame, first, sheet=read_sheet)
    check_header([str(c) for c in frame.columns], table.label)  # a repeat breaks the cells
    frame.columns = [str(c).strip() for c in frame.columns]
    table.frame = text_frame(frame)
    check_cells(table.frame, table.label, first)
    if suffix != ".json":  # spreadsheet files: undo the exports' formula escaping
        _unescape_formulas(table.frame)
    return table


def _unescape_formulas(frame: pd.DataFrame) -> None:
    """Drop, in place, the ``'`` that CSV and XLSX exports put before formula-like text."""
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        quoted = column.str.startswith("'", na=False).to_numpy(dtype=bool)
        if quoted.any():
            values = column.to_numpy(dtype=object).copy()
            values[quoted] = [unescape_formula(v) for v in values[quoted]]
            # a Series of dtype object: from a bare array pandas 3 infers its str dtype,
            # whose empty cells are NaN rather than None
            column = pd.Series(values, index=frame.index, dtype=object)
            frame.isetitem(position, column)  # type: ignore[arg-type]  # stubs: no Series


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as stripped ``str`` in object columns, ``None`` where empty (never NaN)."""
    names = list(dict.fromkeys(frame.columns))
    cells = np.empty((len(names), len(frame)), dtype=object)  # one block: pandas keeps it as is
    for column, name in zip(cells, names, strict=True):
        column[:] = _stripped(frame[name].to_numpy(dtype=object))
        column[column == ""] = None
    return pd.DataFrame(cells.T, index=pd.RangeIndex(len(frame)), columns=names, dtype=object,
                        copy=False)


def _stripped(raw: np.ndarray) -> list[str | None]:
    if pd.api.types.infer_dtype(raw, skipna=False) == "string":  # every cell a str: no checks
        return list(map(str.strip, raw))
    return [None if v is None or v != v else str(v).strip() for v in raw]
