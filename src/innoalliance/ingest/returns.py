"""Read an alliance's annual return: one JSON, one XLSX (a sheet per part) or a folder of CSVs.

A return is a header (``alliance``, ``year``, optional ``unit`` for amounts and budgets without a
unit column, optional ``source``) and parts, each a table of one import kind:

==============  ===============  =========================================
part            import kind      what it holds
==============  ===============  =========================================
members         memberships      every member in the year, with role and dates
commitments     commitments      new or changed promises (optional part)
projects        projects         every project and its status at year end
funding         contributions    what members delivered against commitments
outputs         outputs          patents, standards, products, revenue
events          events           disputes, violations, reports
==============  ===============  =========================================

The import kind's name is accepted for a part too (``memberships`` for ``members``,
``contributions`` for ``funding``). A part's rows may leave out the ``alliance`` column: the
header's alliance is filled in (a row naming another alliance is a problem). Rows without a
``source`` get ``annual return YEAR``. Reading only checks the layout; the rows are validated by
the import kinds themselves (see :mod:`innoalliance.workflows.register.returns`).

Each part is read within the bounds of :mod:`innoalliance.ingest.readers` (rows, columns, cells,
cell size, an XLSX workbook's unzipped size). Cells of CSV and XLSX parts lose the ``'`` that
exports put before formula-like text, as in any import; JSON is not escaped by exports, so its
cells are read as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from innoalliance.errors import Problem, ProblemList, ValidationError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.readers import (
    HINT_XLSX,
    OLD_EXCEL,
    XLSX_SUFFIXES,
    Table,
    _json_cell,
    check_cells,
    check_header,
    check_records,
    load_json,
    missing_file,
    read_table,
    sheet_names,
    text_frame,
)

#: part → import kind, in the order they are validated and written (a kind refers only to
#: kinds before it)
PARTS: Mapping[str, str] = {
    "members": "memberships",
    "commitments": "commitments",
    "projects": "projects",
    "funding": "contributions",
    "outputs": "outputs",
    "events": "events",
}
#: parts a complete return has; a missing one is a finding, not an error
EXPECTED_PARTS = ("members", "projects", "funding", "outputs", "events")
ALIASES = {kind: part for part, kind in PARTS.items()}
HEADER = "return"
HEADER_FIELDS = ("alliance", "year", "unit", "source")


@dataclass
class PartTable(Table):
    """A part of a return, named ``file[part]`` in messages when the file holds several parts."""

    part: str = ""
    shared: bool = True  # several parts in one file (JSON, XLSX) rather than a file per part

    @property
    def label(self) -> str:
        """The file and part (the sheet, for a workbook), as messages name them."""
        if not self.shared:
            return self.path.name
        return f"{self.path.name}[{self.sheet or self.part}]"


@dataclass
class AnnualReturn:
    """A return as read: its header and one table per part present."""

    path: Path
    alliance: str
    year: int
    unit: str | None
    source: str
    parts: dict[str, PartTable] = field(default_factory=dict)

    @property
    def missing_parts(self) -> list[str]:
        """Expected parts the return does not have."""
        return [p for p in EXPECTED_PARTS if p not in self.parts]


def part_name(name: str) -> str | None:
    """The part a sheet, key or file stem names, or ``None``."""
    text = name.strip().lower()
    if text in PARTS:
        return text
    return ALIASES.get(text)


def _known_names() -> list[str]:
    return [HEADER, *PARTS, *ALIASES]


def read_return(path: Path) -> AnnualReturn:
    """Read a return from a JSON file, an XLSX workbook or a folder of CSV files."""
    if path.is_dir():
        header, tables, problems = _read_folder(path)
    elif not path.is_file():
        raise missing_file(path)
    elif path.suffix.lower() == ".json":
        header, tables, problems = _read_json(path)
    elif path.suffix.lower() in XLSX_SUFFIXES:
        header, tables, problems = _read_xlsx(path)
    elif path.suffix.lower() == ".xls":
        raise ValidationError([Problem(path.name, None, None, None, OLD_EXCEL)], hint=HINT_XLSX)
    else:
        raise ValidationError([Problem(
            path.name, None, None, None,
            "a return is a .json file, an .xlsx workbook or a folder of .csv files")],
            hint="give the return as JSON, XLSX (a sheet per part) or a folder of CSV files")
    label = path.name
    alliance = header.get("alliance")
    if not alliance:
        problems.add(Problem(label, None, "alliance", None,
                             "the return must name its alliance (header field 'alliance')"))
    year_text = header.get("year")
    year = 0
    try:
        year = int(str(year_text))
        if not 1949 <= year <= 2100:
            raise ValueError
    except ValueError:
        problems.add(Problem(label, None, "year", year_text,
                             "the return must give its year, a four-digit year"))
    for key in header:
        if key not in HEADER_FIELDS:
            problems.add(Problem(label, None, key, header[key],
                                 f"unknown header field; use {', '.join(HEADER_FIELDS)}",
                                 closest(key, list(HEADER_FIELDS))))
    if not tables and not problems.problems:
        problems.add(Problem(label, None, None, None,
                             f"the return has no part; give some of: {', '.join(PARTS)}"))
    problems.raise_if_any(f"{label} is not a valid annual return",
                          "fix the layout of the return and import it again")
    assert alliance is not None
    ret = AnnualReturn(path, alliance, year, header.get("unit") or None,
                       header.get("source") or f"annual return {year}", tables)
    return ret


def _header_from_frame(frame: pd.DataFrame, label: str, problems: ProblemList
                       ) -> dict[str, str]:
    if len(frame) != 1:
        problems.add(Problem(label, None, None, None,
                             f"the {HEADER!r} table must have exactly one row "
                             "(alliance, year, unit, source)"))
        if frame.empty:
            return {}
    row = frame.iloc[0]
    return {str(k): str(v) for k, v in row.items() if v is not None}


def _part(table: Table, part: str, shared: bool) -> PartTable:
    return PartTable(table.path, table.frame, table.first_row, table.numbers, table.sheet,
                     part=part, shared=shared)


def _add(tables: dict[str, PartTable], problems: ProblemList, label: str, name: str,
         table: Table, shared: bool) -> None:
    part = part_name(name)
    if part is None:
        problems.add(Problem(label, None, None, name,
                             f"unknown part; a return has: {HEADER}, {', '.join(PARTS)}",
                             closest(name.lower(), _known_names())))
    elif part in tables:
        problems.add(Problem(label, None, None, name, f"part {part!r} is given twice"))
    else:
        tables[part] = _part(table, part, shared)


def _read_folder(path: Path) -> tuple[dict[str, str], dict[str, PartTable], ProblemList]:
    problems = ProblemList()
    tables: dict[str, PartTable] = {}
    header: dict[str, str] = {}
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    for file in files:
        table = read_table(file)
        if file.stem.lower() == HEADER:
            header = _header_from_frame(table.frame, file.name, problems)
        else:
            _add(tables, problems, file.name, file.stem, table, shared=False)
    if not any(f.stem.lower() == HEADER for f in files):
        problems.add(Problem(path.name, None, None, None,
                             f"the folder needs {HEADER}.csv with one row: alliance, year "
                             "(unit, source)"))
    return header, tables, problems


def _read_xlsx(path: Path) -> tuple[dict[str, str], dict[str, PartTable], ProblemList]:
    problems = ProblemList()
    tables: dict[str, PartTable] = {}
    header: dict[str, str] = {}
    sheets = sheet_names(path)
    for sheet in sheets:
        table = read_table(path, sheet)
        if sheet.strip().lower() == HEADER:
            header = _header_from_frame(table.frame, table.label, problems)
        else:
            _add(tables, problems, table.label, sheet, table, shared=True)
    if HEADER not in (s.strip().lower() for s in sheets):
        problems.add(Problem(path.name, None, None, None,
                             f"the workbook needs a sheet {HEADER!r} with one row: alliance, "
                             "year (unit, source)"))
    return header, tables, problems


def _read_json(path: Path) -> tuple[dict[str, str], dict[str, PartTable], ProblemList]:
    problems = ProblemList()
    tables: dict[str, PartTable] = {}
    data = load_json(path)
    if not isinstance(data, dict):
        raise ValidationError([Problem(path.name, None, None, None,
                                       "a JSON return is an object: {\"alliance\": …, "
                                       "\"year\": …, \"members\": [records], …}")],
                              hint="fix the layout of the return and import it again")
    header: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            if not all(isinstance(r, dict) for r in value):
                problems.add(Problem(path.name, None, key, None,
                                     "a part must be a list of objects (records)"))
                continue
            label = f"{path.name}[{key}]"
            check_records(value, label)  # over a bound: refused as a whole (issue 16 item 11)
            frame = pd.DataFrame.from_records(value)
            frame = frame.map(lambda v: "" if v is None else v if isinstance(v, str)
                              else _json_cell(v))
            frame.columns = [str(c).strip() for c in frame.columns]
            try:
                check_header(list(frame.columns), label)
            except ValidationError as exc:
                problems.extend(exc.problems)
                continue
            cells = text_frame(frame)
            check_cells(cells, label, 1)
            _add(tables, problems, path.name, key, Table(path, cells, 1), shared=True)
        elif value is not None and not isinstance(value, dict):
            header[key] = str(value)
        elif isinstance(value, dict):
            problems.add(Problem(path.name, None, key, None,
                                 "must be a header value or a part (a list of records)"))
    return header, tables, problems
