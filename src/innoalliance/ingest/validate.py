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

from ..errors import Problem, ProblemList
from . import cells as C
from .known import Known
from .readers import Table
from .rules import KIND_RULES
from .schema import Column, KindSchema
from .units import parse_unit, to_stored


@dataclass
class Validated:
    """Typed rows of a file that passed every check, and the rows of its list columns."""

    schema: KindSchema
    table: Table
    rows: pd.DataFrame
    children: dict[str, pd.DataFrame] = field(default_factory=dict)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


class _Check:
    """Problem collector bound to one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.found = ProblemList()

    def cells(
        self,
        mask: pd.Series,
        cells: pd.Series,
        column: str,
        rule: str,
        suggest: Callable[[str], str | None] | None = None,
    ) -> None:
        positions = np.flatnonzero(mask.to_numpy(dtype=bool))
        rows = self.table.row_number(positions)
        values = cells.to_numpy()[positions]
        for row, value in zip(rows, values, strict=True):
            text = None if _blank(value) else str(value)
            hint = suggest(text) if suggest and text is not None else None
            self.found.add(Problem(self.table.label, int(row), column, text, rule, hint))

    def file(self, column: str | None, rule: str, suggestion: str | None = None) -> None:
        self.found.add(Problem(self.table.label, None, column, None, rule, suggestion))

    def row(self, position: int, column: str | None, value: object, rule: str) -> None:
        row = int(self.table.row_number([position])[0])
        text = None if _blank(value) else str(value)
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
        if col.unit_column and col.name in present and col.unit_column not in present:
            if col.unit_column not in units:
                check.file(
                    col.name,
                    f"the unit of {col.name!r} is not declared: add a {col.unit_column!r} "
                    "column or pass --unit (e.g. --unit 万元)",
                )


def _convert(check: _Check, col: Column, cells: pd.Series) -> pd.Series:
    converters: dict[str, Callable[[pd.Series], C.Converted]] = {
        "int": C.convert_int,
        "year": C.convert_year,
        "float": C.convert_float,
        "quantity": C.convert_float,
        "date": C.convert_date,
        "division": C.convert_division,
    }
    if col.type in converters:
        values, bad, rule = converters[col.type](cells)
        check.cells(bad, cells, col.name, rule)
        if col.minimum is not None:
            low = values.notna() & ~bad & (values.astype("float64") < col.minimum)
            check.cells(low.fillna(False).astype(bool), cells, col.name,
                        f"must be at least {col.minimum:g}")
        return values
    if col.type == "enum":
        assert col.vocab is not None
        values, bad, rule = C.convert_enum(cells, col.vocab)
        allowed = [m.value for m in col.vocab]
        check.cells(bad, cells, col.name, rule, lambda v: C.closest(v.casefold(), allowed))
        return values
    if col.type == "credit_code":
        rules = C.credit_code_rules(cells)
        for rule in rules.dropna().unique():
            check.cells(rules == rule, cells, col.name, f"invalid credit code: {rule}")
        return cells
    if col.max_length is not None:
        long = cells.notna() & (cells.fillna("").str.len() > col.max_length)
        check.cells(long, cells, col.name, f"longer than {col.max_length} characters")
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
        unit_cells = declared.where(declared.notna(), units.get(unit_name))
        values = out[col.name]
        missing = values.notna() & unit_cells.isna()
        check.cells(missing, unit_cells, unit_name, f"a unit is needed for {col.name!r}")
        _, bad_unit, rule = C.convert_unit(unit_cells, col.dimensions)
        check.cells(bad_unit, unit_cells, unit_name, rule, lambda v: _unit_hint(v))
        ok = values.notna() & ~missing & ~bad_unit
        stored_units = unit_cells.where(ok).map(
            lambda u: _stored_unit(u) if isinstance(u, str) else None)
        converted = pd.Series(np.nan, index=values.index)
        if ok.any():
            converted[ok] = to_stored(values[ok], unit_cells[ok])
        out[col.name] = converted.where(values.notna(), None)
        if unit_name in schema.stored_columns:
            out[unit_name] = stored_units


def _stored_unit(text: str) -> str | None:
    unit = parse_unit(text)
    return unit.stored if unit else None


def _unit_hint(text: str) -> str | None:
    from .units import known_units

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
    check: _Check, schema: KindSchema, frame: pd.DataFrame, known: Known
) -> dict[str, pd.DataFrame]:
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
                        f"no such {col.ref[:-1]} in this alliance; import {col.ref} first")
        elif col.type == "ref":
            uniques = cells.dropna().unique()
            missing = {v for v in uniques if not known.has(col.ref, v)}
            bad = cells.isin(missing) if missing else pd.Series(False, index=cells.index)
            check.cells(bad, cells, col.name, f"unknown {col.ref[:-1]}",
                        _suggest_ref(known, col.ref))
        else:
            children[col.name] = _list_column(check, schema, frame, col, known)
    return children


def _list_column(
    check: _Check, schema: KindSchema, frame: pd.DataFrame, col: Column, known: Known
) -> pd.DataFrame:
    assert col.ref is not None
    key = list(schema.key)
    records: list[dict[str, object]] = []
    suggest = _suggest_ref(known, col.ref)
    for position, cell in enumerate(frame[col.name].to_numpy()):
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
                          f"unknown {col.ref[:-1]} {code!r}"
                          + (f" (did you mean {hint!r}?)" if hint else ""))
                continue
            alliance = frame["alliance"].iat[position] if "alliance" in frame else None
            if alliance is not None and (alliance, code) not in known.members():
                check.row(position, col.name, cell,
                          f"{code!r} is not a member of this alliance; import memberships first")
                continue
            if code in seen:
                check.row(position, col.name, cell, f"{code!r} is listed twice")
                continue
            seen.add(code)
            record = {k: frame[k].iat[position] for k in key}
            record["item"] = code
            if share is not None:
                record["share"] = share
            records.append(record)
        if col.type == "owners" and items and abs(total - 1.0) > 1e-6:
            check.row(position, col.name, cell, f"shares sum to {total:g}, they must sum to 1")
    columns = [*key, "item"] + (["share"] if col.type == "owners" else [])
    return pd.DataFrame.from_records(records, columns=columns)


def _duplicates(check: _Check, schema: KindSchema, frame: pd.DataFrame) -> None:
    key = [k for k in schema.key if k in frame]
    if len(key) != len(schema.key):
        return
    keyed = frame[key].fillna("")
    dup = keyed.duplicated(keep="first")
    if not dup.any():
        return
    first_seen = keyed.reset_index().groupby(key, sort=False)["index"].transform("first")
    for position in np.flatnonzero(dup.to_numpy()):
        original = int(check.table.row_number([first_seen.iat[position]])[0])
        check.row(position, ", ".join(key), " | ".join(map(str, keyed.iloc[position])),
                  f"same {', '.join(key)} as row {original}; each record once per file")


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
    for col in schema.columns:
        if col.required:
            check.cells(frame[col.name].isna(), frame[col.name], col.name, "required, but empty")
    if schema.key == ("code",):
        known.extra[schema.kind] = set(frame["code"].dropna())
    out = pd.DataFrame(index=frame.index)
    for col in schema.columns:
        if col.type not in ("codes", "owners", "unit"):
            out[col.name] = _convert(check, col, frame[col.name])
    _quantities(check, schema, frame, out, units)
    children = _references(check, schema, frame, known)
    _duplicates(check, schema, frame)
    for rule in KIND_RULES.get(schema.kind, ()):
        for position, column, value, text in rule(out, known):
            check.row(position, column, value, text)
    check.found.raise_if_any()
    rows = out[schema.stored_columns].astype(object)
    rows = rows.where(rows.notna(), None)
    if "industry" in rows and schema.kind == "statistics":
        rows["industry"] = rows["industry"].fillna("")
    return Validated(schema, table, rows, children)
