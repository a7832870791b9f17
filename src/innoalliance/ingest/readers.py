"""Read a table file (CSV, XLSX, JSON) into a frame of text cells, keeping row numbers.

Every cell is read as text and stripped; empty cells become ``None``. In CSV and XLSX files
the ``'`` that exports put before formula-like text (see
:func:`innoalliance.ingest.cells.escape_formula`) is dropped again. ``Table.row_numbers`` maps
each frame row to the row a person sees: for CSV and XLSX the header is row 1, so the first data
row is row 2; for JSON the first record is record 1.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.cells import closest, unescape_formula

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
HEADER_TWICE = "column appears twice (after trimming spaces)"


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
    """The parsed content of the JSON file ``path``; a clear error if it is absent or not JSON."""
    if not path.is_file():
        raise missing_file(path)
    try:
        data: object = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise not_utf8_json(path) from None
    except json.JSONDecodeError as exc:
        raise json_syntax(path, exc) from None
    return data


@contextmanager
def _workbook(path: Path) -> Iterator[pd.ExcelFile]:
    """The workbook ``path``, open; a fake or damaged one (not a zip, a part missing, broken
    XML) is one problem naming the file, a refusal of the file system stays what it is."""
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            yield book
    except ValidationError:
        raise
    except _BROKEN_BOOK as exc:
        raise _fail(path, NOT_XLSX, HINT_XLSX) from exc
    except OSError as exc:
        if exc.errno is not None:  # the file system refused: not the workbook's fault
            raise
        raise _fail(path, NOT_XLSX, HINT_XLSX) from exc  # openpyxl: "no valid workbook part"


def sheet_names(path: Path) -> list[str]:
    """The sheets of the workbook ``path``, in order; a clear error if it is no workbook."""
    with _workbook(path) as book:
        return [str(s) for s in book.sheet_names]


def check_header(columns: list[str], label: str) -> None:
    """Raise a problem for each column name that appears twice once spaces are trimmed."""
    seen: set[str] = set()
    twice: list[str] = []
    for name in columns:
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        raise ValidationError(
            [Problem(label, 1, name, None, HEADER_TWICE) for name in twice],
            hint="keep one column of each name in the header row and import the file again")


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(
                path,
                sep=sep,
                dtype=object,
                na_filter=False,  # every cell is text; "" stays "" (and is faster to parse)
                encoding=encoding,
                skipinitialspace=True,
            )
        except UnicodeDecodeError:
            continue
    raise _fail(path, "file is neither UTF-8 nor GB18030 text; save it as UTF-8 CSV",
                "save the file as CSV UTF-8 and import it again")


def _read_json(path: Path) -> pd.DataFrame:
    data = load_json(path)
    if isinstance(data, dict):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise _fail(path, "JSON must be a list of objects, or {\"records\": [objects]}",
                    "give the rows as a JSON list of objects and import the file again")
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
        names = [str(s) for s in book.sheet_names]
        if not names:
            raise _fail(path, "the workbook has no sheet", HINT_XLSX)
        if sheet is not None and sheet not in names:
            raise ValidationError(
                [Problem(path.name, None, None, sheet, f"no sheet {sheet!r}; the sheets are: "
                         f"{', '.join(names)}", closest(sheet, names))],
                hint=f"choose a sheet with --sheet: {', '.join(names)}")
        name = sheet if sheet is not None else names[0]
        frame = _parse_sheet(book, name)
        if sheet is None and frame.columns.empty:
            others = [n for n in names[1:] if not _parse_sheet(book, n, 1).columns.empty]
            rule = f"the sheet {name!r} is empty; it needs a header row"
            hint = (f"the first sheet {name!r} is empty; choose a sheet with --sheet: "
                    f"{', '.join(others)} (or move the table to the first sheet)" if others
                    else "put the table, with its header row, on the first sheet")
            raise _fail(path, rule, hint, f"{path.name}[{name}]")
    return frame.map(_excel_cell), name


def _parse_sheet(book: pd.ExcelFile, sheet: str, nrows: int | None = None) -> pd.DataFrame:
    try:
        return pd.read_excel(book, sheet_name=sheet, dtype=object, keep_default_na=False,
                             nrows=nrows)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _excel_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Read ``path`` by its suffix; raise :class:`ValidationError` if it cannot be read."""
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
    frame.columns = [str(c).strip() for c in frame.columns]
    table = Table(path, frame, first, sheet=read_sheet)
    check_header(list(frame.columns), table.label)  # before the cells: a repeat breaks them
    table.frame = text_frame(frame)
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
            frame.isetitem(position, values)


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
