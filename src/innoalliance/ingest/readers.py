"""Read a table file (CSV, XLSX, JSON) into a frame of text cells, keeping row numbers.

Every cell is read as text and stripped; empty cells become ``None``. ``Table.row_numbers`` maps
each frame row to the row a person sees: for CSV and XLSX the header is row 1, so the first data
row is row 2; for JSON the first record is record 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from innoalliance.errors import Problem, ValidationError

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".json")


@dataclass
class Table:
    """A file's cells as text, with the row numbers a person would quote."""

    path: Path
    frame: pd.DataFrame
    first_row: int  # the number a person gives the first data row
    numbers: np.ndarray | None = None  # explicit row numbers, when rows were reshaped

    @property
    def label(self) -> str:
        """The file name used in messages."""
        return self.path.name

    def row_number(self, positions: np.ndarray | pd.Index | list[int]) -> np.ndarray:
        """Row numbers (as a person counts them) of frame positions."""
        index = np.asarray(positions, dtype=np.int64)
        if self.numbers is not None:
            return self.numbers[index]
        return index + self.first_row


def _fail(path: Path, rule: str) -> ValidationError:
    return ValidationError([Problem(path.name, None, None, None, rule)])


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
    raise _fail(path, "file is neither UTF-8 nor GB18030 text; save it as UTF-8 CSV")


def _read_json(path: Path) -> pd.DataFrame:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("records", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise _fail(path, "JSON must be a list of objects, or {\"records\": [objects]}")
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


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        frame = pd.read_excel(
            path, sheet_name=sheet or 0, dtype=object, engine="openpyxl", keep_default_na=False
        )
    except ValueError as exc:
        raise _fail(path, f"cannot read sheet {sheet!r}: {exc}") from exc
    return frame.map(_excel_cell)


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
        raise _fail(path, f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise _fail(
            path, f"unknown file type {suffix!r}; use one of {', '.join(TABLE_SUFFIXES)}"
        )
    try:
        if suffix in (".csv", ".txt"):
            frame, first = _read_csv(path, ","), 2
        elif suffix == ".tsv":
            frame, first = _read_csv(path, "\t"), 2
        elif suffix == ".json":
            frame, first = _read_json(path), 1
        else:
            frame, first = _read_xlsx(path, sheet), 2
    except pd.errors.ParserError as exc:
        raise _fail(path, f"malformed table: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise _fail(path, "the file is empty; it needs a header row") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return Table(path, text_frame(frame), first)


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
