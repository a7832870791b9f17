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

from innoalliance.ingest.creditcode import ALPHABET, WEIGHTS, credit_code_problem
from innoalliance.ingest.units import parse_unit
from innoalliance.model.vocab import CHINESE_TERMS

LIST_SEPARATORS = re.compile(r"\s*[;；,，、]\s*")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_INT = re.compile(r"^[+-]?\d+$")
_DIVISION = re.compile(r"^\d{6}$")
_PLAIN_NUMBERS = re.compile(r"[0-9.eE+\-/]*")  # '/' joins the cells of a column
_DOT_WITHOUT_DIGIT = re.compile(r"\.(?![0-9])")

Converted = tuple[pd.Series, pd.Series, str]  # values, bad-cell mask, rule broken
Distinct = tuple[np.ndarray, np.ndarray]  # code of each cell (-1 where empty), distinct cells


def _present(cells: pd.Series) -> pd.Series:
    return cells.notna()


def convert_float(cells: pd.Series) -> Converted:
    """Decimal numbers; thousands separators (1,234.5) allowed; NaN and infinities refused."""
    rule = "must be a number like 1234.5"
    present = _present(cells)
    plain = _plain_floats(cells, present.to_numpy())
    if plain is not None:
        return plain, pd.Series(False, index=cells.index), rule
    text = cells.where(present, "")
    shaped = text.str.match(_NUMBER) & (text.str.len() > 0)
    digits = text.where(shaped, "").str.replace(",", "", regex=False)
    values = pd.to_numeric(digits.where(digits != "", np.nan), errors="coerce")
    bad = present & (~shaped | ~np.isfinite(values.fillna(0.0)))
    return values.astype("float64"), bad, rule


def _plain_floats(cells: pd.Series, present: np.ndarray) -> pd.Series | None:
    """The values of a column of plain, valid numbers, or ``None`` to take the careful path.

    Matching ``_NUMBER`` cell by cell costs a second per million cells. A column whose cells
    use only digits, signs, dots and exponents, where every dot is followed by a digit and every
    cell parses to a finite number, matches it throughout, so one scan of the joined text stands
    in for the per-cell match; anything else (thousands separators, errors) goes the careful way.
    """
    texts = cells.to_numpy(dtype=object)[present]
    try:
        joined = "/".join(texts)
    except TypeError:  # not all text
        return None
    if not _PLAIN_NUMBERS.fullmatch(joined) or _DOT_WITHOUT_DIGIT.search(joined):
        return None
    raw = np.full(len(cells), np.nan, dtype=object)
    raw[present] = texts
    values = pd.to_numeric(pd.Series(raw, index=cells.index, dtype=object), errors="coerce")
    numbers = values.to_numpy(dtype="float64")
    if not np.isfinite(numbers[present]).all():
        return None
    return values.astype("float64")


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
    codes, uniques = distinct(cells)
    valid = _valid_credit_codes(uniques)
    verdict = np.array([None if ok else credit_code_problem(code)
                        for code, ok in zip(uniques, valid, strict=True)] + [None], dtype=object)
    return pd.Series(verdict[codes], index=cells.index, dtype=object)  # code -1: empty cell


_CODE_VALUE = np.full(256, -1, dtype=np.int64)
_CODE_VALUE[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(len(ALPHABET))


def _valid_credit_codes(codes: np.ndarray) -> np.ndarray:
    """Which codes pass every GB 32100-2015 check, computed for all codes at once.

    The others are explained one by one by :func:`credit_code_problem`.
    """
    ok = np.zeros(len(codes), dtype=bool)
    shaped = np.flatnonzero([isinstance(c, str) and len(c) == 18 and c.isascii() for c in codes])
    if not len(shaped):
        return ok
    text = "".join(codes[shaped]).encode("ascii")
    values = _CODE_VALUE[np.frombuffer(text, dtype=np.uint8).reshape(-1, 18)]
    known = (values >= 0).all(axis=1)
    check = (31 - (values[:, :17] @ np.array(WEIGHTS)) % 31) % 31
    ok[shaped] = known & (values[:, 17] == check)
    return ok


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


def convert_unit(cells: pd.Series, dimensions: tuple[str, ...],
                 known: Distinct | None = None) -> Converted:
    """Unit names; with ``dimensions``, only units of those dimensions.

    ``known`` is the column's :func:`distinct`, when the caller has it already.
    """

    def check(distinct: pd.Series) -> Converted:
        verdict = [
            text is None or ((unit := parse_unit(text)) is not None
                             and (not dimensions or unit.dimension in dimensions))
            for text in distinct
        ]
        return distinct, ~pd.Series(verdict, index=distinct.index, dtype=bool), ""

    _, bad, _ = by_unique(cells, check, known)
    return cells, bad, "is not a known unit of this column (see docs/import-formats.md)"


def distinct(cells: pd.Series) -> Distinct:
    """Each cell's code (-1 where empty) and the distinct cells the codes point at."""
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object))
    return codes, np.asarray(uniques, dtype=object)


def by_unique(cells: pd.Series, convert: Callable[[pd.Series], Converted],
              known: Distinct | None = None) -> Converted:
    """``convert`` applied once to each distinct cell, its results spread back to every row.

    For columns that repeat few values (years, units, codes, vocabularies) this turns a million
    conversions into a handful; a column of mostly distinct cells is converted directly.
    ``known`` is the column's :func:`distinct`, when the caller has it already.
    """
    codes, uniques = known if known is not None else distinct(cells)
    if 2 * len(uniques) > len(cells):
        return convert(cells)
    spread = np.where(codes < 0, len(uniques), codes)  # the last distinct cell stands for empty
    cells_once = np.empty(len(uniques) + 1, dtype=object)
    cells_once[:-1] = uniques
    values, bad, rule = convert(pd.Series(cells_once, dtype="object"))
    return (values.take(spread).set_axis(cells.index),
            bad.take(spread).set_axis(cells.index), rule)


def group_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One integer per row, equal exactly where the rows are equal in every column.

    Missing values (``None``, NaN) equal each other. Column codes are combined positionally
    (mixed radix); when the combination could overflow, it is renumbered densely first.
    """
    codes = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    size = 1  # codes are below this
    for values in columns:
        column, uniques = pd.factorize(values, use_na_sentinel=False)
        if size * (len(uniques) + 1) >= 2**62:
            codes, distinct_codes = pd.factorize(codes)
            size = len(distinct_codes)
        codes = codes * (len(uniques) + 1) + column
        size *= len(uniques) + 1
    return codes


def split_list(cell: str | None) -> list[str]:
    """The items of a ';'-separated list cell (also ',', '、' and full-width separators)."""
    if cell is None:
        return []
    return [item for item in LIST_SEPARATORS.split(cell.strip()) if item]


def is_blank(value: object) -> bool:
    """Whether a cell is empty: ``None``, or the NaN pandas puts in its place."""
    return value is None or (isinstance(value, float) and value != value)


def code_key(code: str) -> list[int | str]:
    """Sort key for dotted codes in numeric order: 1, 2, 10; 1.2 before 1.10; GD01 as text."""
    return [int(p) if p.isdigit() else p for p in str(code).split(".")]


def closest(value: str, candidates: list[str]) -> str | None:
    """The candidate most like ``value``, if any is reasonably close."""
    match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


#: What makes a spreadsheet run a text cell as a formula (OWASP "CSV injection"): a leading
#: ``=``, ``+``, ``-``, ``@``, tab or carriage return, after any quotes the escaping added.
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
#: A plain number ("-5", "+3.5", "-1e3"): a spreadsheet reads it as that number, never a
#: formula, so it is not escaped (a negative amount in a text column stays readable).
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula: it starts (after any quotes) with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return and is not a plain number."""
    return bool(_FORMULA_START.match(text)) and not _PLAIN_NUMBER.match(text)


def escape_formula(value: str) -> str:
    """A text cell as CSV and XLSX exports write it: prefixed with ``'`` when a spreadsheet
    would otherwise run it as a formula (it starts with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return and is not a plain number such as ``-5``).

    Text that already starts with quotes before such a character (``'=x``) gets one more, so
    :func:`unescape_formula` gives back every value exactly; other text is left as it is.
    """
    return "'" + value if looks_like_formula(value) else value


def unescape_formula(cell: str) -> str:
    """The value :func:`escape_formula` escaped: one leading ``'`` dropped where escaping added
    it (``'=x`` → ``=x``, ``''=x`` → ``'=x``); any other cell (``'-5``, ``'plain``) as it is."""
    return cell[1:] if cell.startswith("'") and looks_like_formula(cell[1:]) else cell
