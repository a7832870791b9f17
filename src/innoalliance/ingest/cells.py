"""Column-wise conversion of text cells to typed values, one check per column type.

Each ``convert_*`` takes the text cells of one column (``None`` for empty) and returns the typed
values and a boolean mask of the cells that broke its rule; nothing is coerced silently.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from enum import StrEnum

import numpy as np
import pandas as pd

from ..model.vocab import CHINESE_TERMS
from .creditcode import credit_code_problem
from .units import parse_unit

LIST_SEPARATORS = re.compile(r"\s*[;；,，、]\s*")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_INT = re.compile(r"^[+-]?\d+$")
_DIVISION = re.compile(r"^\d{6}$")

Converted = tuple[pd.Series, pd.Series, str]  # values, bad-cell mask, rule broken


def _present(cells: pd.Series) -> pd.Series:
    return cells.notna()


def convert_float(cells: pd.Series) -> Converted:
    """Decimal numbers; thousands separators (1,234.5) allowed; NaN and infinities refused."""
    present = _present(cells)
    text = cells.where(present, "")
    shaped = text.str.match(_NUMBER) & (text.str.len() > 0)
    values = pd.to_numeric(text.where(shaped, "").str.replace(",", "", regex=False).replace(
        "", np.nan
    ), errors="coerce")
    bad = present & (~shaped | ~np.isfinite(values.fillna(0.0)))
    return values.astype("float64"), bad, "must be a number like 1234.5"


def convert_int(cells: pd.Series) -> Converted:
    """Whole numbers."""
    present = _present(cells)
    text = cells.where(present, "")
    shaped = text.str.match(_INT)
    values = pd.to_numeric(text.where(shaped, ""), errors="coerce").astype("Int64")
    return values, present & ~shaped, "must be a whole number"


def convert_year(cells: pd.Series) -> Converted:
    """Calendar years from 1900 to 2100."""
    values, bad, _ = convert_int(cells)
    out_of_range = values.notna() & ((values < 1900) | (values > 2100))
    return values, bad | out_of_range.fillna(False).astype(bool), "must be a year 1900-2100"


def convert_date(cells: pd.Series) -> Converted:
    """Dates as YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD); returns ``datetime.date``."""
    present = _present(cells)
    text = cells.where(present, "").str.replace(r"[/.]", "-", regex=True)
    parsed = pd.to_datetime(text.where(present, None), format="%Y-%m-%d", errors="coerce")
    bad = present & parsed.isna()
    values = pd.Series(
        [d.date() if not pd.isna(d) else None for d in parsed], index=cells.index, dtype=object
    )
    return values, bad, "must be a date YYYY-MM-DD"


def convert_division(cells: pd.Series) -> Converted:
    """Six-digit GB/T 2260 division codes."""
    present = _present(cells)
    bad = present & ~cells.where(present, "").str.match(_DIVISION)
    return cells, bad, "must be a six-digit GB/T 2260 division code such as 330100"


def credit_code_rules(cells: pd.Series) -> pd.Series:
    """The broken GB 32100-2015 rule of each credit code cell, ``None`` where valid or empty."""
    uniques = cells.dropna().unique()
    verdict = {code: credit_code_problem(code) for code in uniques}
    return cells.map(lambda c: None if c is None else verdict[c])


def enum_parser(vocab: type[StrEnum]) -> Callable[[str], str | None]:
    """A function mapping a spelling (English code, any case, or Chinese term) to the code."""
    allowed = {m.value for m in vocab}

    def parse(text: str) -> str | None:
        key = re.sub(r"[\s\-]+", "_", text.strip().casefold())
        if key in allowed:
            return key
        term = CHINESE_TERMS.get(text.strip())
        return term if term in allowed else None

    return parse


def convert_enum(cells: pd.Series, vocab: type[StrEnum]) -> Converted:
    """Values of a vocabulary, in English codes or the Chinese terms of the source documents."""
    parse = enum_parser(vocab)
    uniques = {v: parse(v) for v in cells.dropna().unique()}
    values = cells.map(lambda c: None if c is None else uniques[c])
    bad = cells.notna() & values.isna()
    allowed = ", ".join(m.value for m in vocab)
    return values, bad, f"must be one of: {allowed}"


def convert_unit(cells: pd.Series, dimensions: tuple[str, ...]) -> Converted:
    """Unit names; with ``dimensions``, only units of those dimensions."""
    verdict: dict[str, bool] = {}
    for text in cells.dropna().unique():
        unit = parse_unit(text)
        verdict[text] = unit is not None and (not dimensions or unit.dimension in dimensions)
    bad = cells.notna() & ~cells.map(lambda c: verdict.get(c, True)).astype(bool)
    return cells, bad, "is not a known unit of this column (see docs/import-formats.md)"


def split_list(cell: str | None) -> list[str]:
    """The items of a ';'-separated list cell (also ',', '、' and full-width separators)."""
    if cell is None:
        return []
    return [item for item in LIST_SEPARATORS.split(cell.strip()) if item]


def closest(value: str, candidates: list[str]) -> str | None:
    """The candidate most like ``value``, if any is reasonably close."""
    match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return match[0] if match else None
