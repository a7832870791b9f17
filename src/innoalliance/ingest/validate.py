"""Validate a table against its kind's schema: every problem of every row, then raise once.

Public entry: :func:`validate`. It returns typed rows ready to write, or raises
:class:`~innoalliance.errors.ValidationError` listing file, row, column, value and rule of each
problem. Money and quantities are converted to the stored unit of their dimension here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from innoalliance.errors import Problem, ProblemList
from innoalliance.ingest import cells as C
from innoalliance.ingest.known import Known
from innoalliance.ingest.readers import Table
from innoalliance.ingest.rules import KIND_RULES
from innoalliance.ingest.schema import Column, KindSchema
from innoalliance.ingest.units import parse_unit


@dataclass
class Validated:
    """Typed rows of a file that passed every check, and the rows of its list columns."""

    schema: KindSchema
    table: Table
    rows: pd.DataFrame
    children: dict[str, pd.DataFrame] = field(default_factory=dict)


class _Columns:
    """The text columns of a file, each hashed into codes at most once and shared by checks."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._distinct: dict[str, C.Distinct] = {}

    def distinct(self, name: str) -> C.Distinct:
        """Codes and distinct cells of column ``name`` (see :func:`cells.distinct`)."""
        if name not in self._distinct:
            self._distinct[name] = C.distinct(self.frame[name])
        return self._distinct[name]

    def missing(self, name: str) -> np.ndarray:
        """Where column ``name`` is empty."""
        if name in self._distinct:
            return self._distinct[name][0] < 0
        return self.frame[name].isna().to_numpy()


class _Check:
    """Problem collector bound to one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.found = ProblemList()

    def cells(
        self,
        mask: pd.Series | np.ndarray,
        cells: pd.Series,
        column: str,
        rule: str,
        suggest: Callable[[str], str | None] | None = None,
    ) -> None:
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        rows = self.table.row_number(positions)
        values = cells.to_numpy()[positions]
        for row, value in zip(rows, values, strict=True):
            text = None if C.is_blank(value) else str(value)
            hint = suggest(text) if suggest and text is not None else None
            self.found.add(Problem(self.table.label, int(row), column, text, rule, hint))

    def file(self, column: str | None, rule: str, suggestion: str | None = None) -> None:
        self.found.add(Problem(self.table.label, None, column, None, rule, suggestion))

    def row(self, position: int, column: str | None, value: object, rule: str) -> None:
        row = int(self.table.row_number([position])[0])
        text = None if C.is_blank(value) else str(value)
        self.found.add(Problem(self.table.label, row, column, text, rule))


def _check_header(check: _Check, schema: KindSchema, units: Mapping[str, str]) -> None:
    present = list(check.table.frame.columns)
    for name in present:
        base, _, tail = name.rpartition(".")
        if tail.isdigit() and base in present:
            check.file(name, f"column {base!r} appears more than once")
        elif name not in schema.names:
            check.file(
                name, f"unknown column; {schema.kind} files have: {', '.join(schema.names)}",
                C.closest(name, schema.names),
            )
    for col in schema.columns:
        if col.required and col.name not in present:
            check.file(col.name, "required column is missing")
        if (col.unit_column and col.name in present and col.unit_column not in present
                and col.unit_column not in units):
            check.file(
                col.name,
                f"the unit of {col.name!r} is not declared: add a {col.unit_column!r} "
                "column or pass --unit (e.g. --unit 万元)",
            )


#: column types whose cells repeat a few values: converted once per distinct value
_FEW_DISTINCT = frozenset({"int", "year", "date", "division"})


def _convert(check: _Check, columns: _Columns, col: Column) -> pd.Series:
    cells = columns.frame[col.name]
    converters: dict[str, Callable[[pd.Series], C.Converted]] = {
        "int": C.convert_int,
        "year": C.convert_year,
        "float": C.convert_float,
        "quantity": C.convert_float,
        "date": C.convert_date,
        "division": C.convert_division,
    }
    if col.type in converters:
        convert = converters[col.type]
        if col.type in _FEW_DISTINCT:
            values, bad, rule = C.by_unique(cells, convert, columns.distinct(col.name))
        else:
            values, bad, rule = convert(cells)
        check.cells(bad, cells, col.name, rule)
        if col.minimum is not None:
            low = values.notna() & ~bad & (values.astype("float64") < col.minimum)
            check.cells(low.fillna(False).astype(bool), cells, col.name,
                        f"must be at least {col.minimum:g}")
        return values
    if col.type == "enum":
        assert col.vocab is not None
        vocab = col.vocab
        values, bad, rule = C.by_unique(cells, lambda c: C.convert_enum(c, vocab),
                                        columns.distinct(col.name))
        allowed = [m.value for m in col.vocab]
        check.cells(bad, cells, col.name, rule, lambda v: C.closest(v.casefold(), allowed))
        return values
    if col.type == "credit_code":
        rules = C.credit_code_rules(cells)
        for rule in rules.dropna().unique():
            check.cells(rules == rule, cells, col.name, f"invalid credit code: {rule}")
        return cells
    codes, uniques = columns.distinct(col.name)
    if col.max_length is not None:
        long = np.flatnonzero([len(text) > col.max_length for text in uniques])
        check.cells(np.isin(codes, long), cells, col.name,
                    f"longer than {col.max_length} characters")
    # PostgreSQL stores no NUL character in text; nor does a person mean one
    nul = np.flatnonzero(["\x00" in text for text in uniques])
    if len(nul):
        check.cells(np.isin(codes, nul), cells, col.name,
                    "contains a NUL character (\\0); remove it")
    return cells


def _quantities(
    check: _Check, schema: KindSchema, frame: pd.DataFrame, out: pd.DataFrame,
    units: Mapping[str, str],
) -> None:
    for col in schema.columns:
        if col.type != "quantity" or col.unit_column is None or col.name not in frame:
            continue
        unit_name = col.unit_column
        declared = frame[unit_name] if unit_name in frame else pd.Series(None, index=frame.index)
        default = units.get(unit_name)
        unit_cells = declared if default is None else declared.where(declared.notna(), default)
        codes, uniques = C.distinct(unit_cells)
        values = out[col.name]
        present = values.notna().to_numpy()
        missing = present & (codes < 0)
        check.cells(missing, unit_cells, unit_name, f"a unit is needed for {col.name!r}")
        _, bad_unit, rule = C.convert_unit(unit_cells, col.dimensions, (codes, uniques))
        check.cells(bad_unit, unit_cells, unit_name, rule, lambda v: _unit_hint(v))
        ok = present & ~missing & ~bad_unit.to_numpy()
        parsed = [parse_unit(u) for u in uniques]
        # one more entry for empty cells, whose code is -1
        factors = np.array([u.factor if u else np.nan for u in parsed] + [np.nan])[codes]
        stored = np.array([u.stored if u else None for u in parsed] + [None], dtype=object)
        converted = np.where(ok, values.to_numpy(dtype="float64") * factors, np.nan)
        if col.default is not None:
            converted = np.where(present, converted, col.default)
        out[col.name] = pd.Series(converted, index=values.index)
        if unit_name in schema.stored_columns:
            stored_units = stored[codes]
            stored_units[~ok] = None
            out[unit_name] = pd.Series(stored_units, index=values.index, dtype="object")


def singular(kind: str) -> str:
    """``industries`` → ``industry``, ``regions`` → ``region``."""
    return kind[:-3] + "y" if kind.endswith("ies") else kind[:-1]


def _unit_hint(text: str) -> str | None:
    from innoalliance.ingest.units import known_units

    return C.closest(text, known_units())


def _suggest_ref(known: Known, kind: str) -> Callable[[str], str | None]:
    def suggest(value: str) -> str | None:
        if kind in ("regions", "industries", "organizations", "alliances"):
            by_name = known.names(kind).get(value)
            if by_name:
                return by_name
        return C.closest(value, known.candidates(kind))

    return suggest


def _references(
    check: _Check, schema: KindSchema, columns: _Columns, known: Known
) -> dict[str, pd.DataFrame]:
    frame = columns.frame
    children: dict[str, pd.DataFrame] = {}
    for col in schema.columns:
        if col.ref is None or col.name not in frame:
            continue
        cells = frame[col.name]
        if col.type == "ref" and col.within_alliance:
            pool = known.projects() if col.ref == "projects" else set(known.commitments())
            keys = list(zip(frame["alliance"], cells, strict=True))
            bad = cells.notna() & ~pd.Series([k in pool for k in keys], index=cells.index)
            check.cells(bad, cells, col.name,
                        f"no such {singular(col.ref)} in this alliance; import {col.ref} first")
        elif col.type == "ref":
            codes, uniques = columns.distinct(col.name)
            unknown = [i for i, v in enumerate(uniques) if not known.has(col.ref, v)]
            check.cells(np.isin(codes, unknown), cells, col.name, f"unknown {singular(col.ref)}",
                        _suggest_ref(known, col.ref))
        else:
            children[col.name] = _list_column(check, schema, frame, col, known)
    return children


def _list_column(
    check: _Check, schema: KindSchema, frame: pd.DataFrame, col: Column, known: Known
) -> pd.DataFrame:
    assert col.ref is not None
    key = list(schema.key)
    parents = list(zip(*(frame[k].tolist() for k in key), strict=True))
    alliances = frame["alliance"].tolist() if "alliance" in frame else [None] * len(frame)
    records: list[tuple[object, ...]] = []
    suggest = _suggest_ref(known, col.ref)
    for position, cell in enumerate(frame[col.name].tolist()):
        items = C.split_list(cell)
        seen: set[str] = set()
        total = 0.0
        for item in items:
            code, share = item, None
            if col.type == "owners":
                code, _, share_text = item.partition(":")
                try:
                    share = float(share_text)
                except ValueError:
                    check.row(position, col.name, cell,
                              f"owner {item!r} must be written credit_code:share")
                    continue
                if not 0 < share <= 1:
                    check.row(position, col.name, cell,
                              f"share {share_text} must be a fraction in (0, 1]")
                    continue
                total += share
            if not known.has(col.ref, code):
                hint = suggest(code)
                check.row(position, col.name, cell,
                          f"unknown {singular(col.ref)} {code!r}"
                          + (f" (did you mean {hint!r}?)" if hint else ""))
                continue
            alliance = alliances[position]
            if alliance is not None and (alliance, code) not in known.members():
                check.row(position, col.name, cell,
                          f"{code!r} is not a member of this alliance; import memberships first")
                continue
            if code in seen:
                check.row(position, col.name, cell, f"{code!r} is listed twice")
                continue
            seen.add(code)
            records.append((*parents[position], code) if share is None
                           else (*parents[position], code, share))
        if col.type == "owners" and items and abs(total - 1.0) > 1e-6:
            check.row(position, col.name, cell, f"shares sum to {total:g}, they must sum to 1")
    columns = [*key, "item"] + (["share"] if col.type == "owners" else [])
    return pd.DataFrame.from_records(records, columns=columns)


def _duplicates(check: _Check, schema: KindSchema, columns: _Columns) -> None:
    frame = columns.frame
    key = [k for k in schema.key if k in frame]
    if len(key) != len(schema.key):
        return
    codes = C.group_codes([_blank_as_empty(*columns.distinct(k)) for k in key])
    dup = pd.Series(codes).duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    keyed = frame[key].fillna("")
    first_seen = keyed.reset_index().groupby(key, sort=False)["index"].transform("first")
    firsts = first_seen.to_numpy(dtype=np.int64)
    for position in np.flatnonzero(dup):
        original = int(check.table.row_number([firsts[position]])[0])
        check.row(int(position), ", ".join(key), " | ".join(map(str, keyed.iloc[position])),
                  f"same {', '.join(key)} as row {original}; each record once per file")


def _blank_as_empty(codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    """Codes in which an empty cell counts the same as the text ``""``."""
    empty = np.flatnonzero(uniques == "")
    blank = int(empty[0]) if len(empty) else len(uniques)
    return np.where(codes < 0, blank, codes)


def _objects(values: pd.Series, text: bool) -> pd.Series:
    """Values as Python objects, ``None`` where missing.

    ``text`` columns are the file's cells as read, which hold ``None`` where empty already.
    """
    if text:
        return values
    array = values.astype(object).to_numpy()
    missing = pd.isna(array)
    if missing.any():
        array = array.copy()
        array[missing] = None
    return pd.Series(array, index=values.index, dtype="object")


def validate(
    table: Table, schema: KindSchema, known: Known, units: Mapping[str, str] | None = None
) -> Validated:
    """Check every cell and row of ``table`` against ``schema``; raise once if anything is wrong.

    ``units`` declares units for files without a unit column, keyed by unit column name
    (``{"unit": "万元"}``). Keys the file itself defines count as known for its own references
    (a region's parent may be in the same file).
    """
    units = units or {}
    check = _Check(table)
    _check_header(check, schema, units)
    check.found.raise_if_any()
    frame = table.frame
    for col in schema.columns:
        if col.name not in frame:
            frame[col.name] = None
    columns = _Columns(frame)
    if schema.key == ("code",):
        known.extra[schema.kind] = set(frame["code"].dropna())
    out = pd.DataFrame(index=frame.index)
    for col in schema.columns:
        if col.type not in ("codes", "owners", "unit"):
            out[col.name] = _convert(check, columns, col)
    _quantities(check, schema, frame, out, units)
    children = _references(check, schema, columns, known)
    _duplicates(check, schema, columns)
    for col in schema.columns:  # after the checks above, which hash most columns already
        if col.required:
            check.cells(columns.missing(col.name), frame[col.name], col.name,
                        "required, but empty")
    for rule in KIND_RULES.get(schema.kind, ()):
        for position, column, value, text in rule(out, known):
            check.row(position, column, value, text)
    check.found.raise_if_any()
    rows = pd.DataFrame({
        name: _objects(out[name], schema.column(name).type in ("text", "ref"))
        for name in schema.stored_columns
    }, index=out.index)
    if "industry" in rows and schema.kind == "statistics":
        rows["industry"] = rows["industry"].fillna("")
    return Validated(schema, table, rows, children)
