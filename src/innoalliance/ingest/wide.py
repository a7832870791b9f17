"""Yearbook (wide) tables of statistics: a row per region, a column per year or per indicator.

A header may carry its unit in brackets, as yearbooks print it: ``GDP(亿元)``, ``专利授权量（件）``.
The region column may hold division codes or Chinese names (resolved against the store).
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.known import Known
from innoalliance.ingest.readers import Table

REGION_HEADERS = ("region", "code", "地区", "地区代码", "行政区划代码", "城市", "city")
_BRACKETED = re.compile(r"^\s*(?P<name>.+?)\s*[(（\[](?P<unit>[^)）\]]+)[)）\]]\s*$")


def split_header(header: str) -> tuple[str, str | None]:
    """``"GDP(亿元)"`` → ``("GDP", "亿元")``; a header without brackets has no unit."""
    match = _BRACKETED.match(header)
    if match:
        return match["name"], match["unit"]
    return header.strip(), None


def melt_wide(
    table: Table,
    columns: Literal["years", "indicators"],
    known: Known,
    indicator: str | None = None,
    year: int | None = None,
    industry: str | None = None,
    source: str | None = None,
) -> Table:
    """Reshape a wide statistics table to the long layout (region, indicator, year, value, …).

    With ``columns="years"`` every other column is a year and ``indicator`` names what the
    values are; with ``columns="indicators"`` every other column is an indicator and ``year``
    says which year. Empty cells are skipped (a yearbook's blank is not a zero).
    """
    frame = table.frame
    label = table.label
    region_col = next((c for c in frame.columns if c.strip().casefold() in REGION_HEADERS), None)
    rule = None
    if region_col is None:
        rule = f"no region column; name one of: {', '.join(REGION_HEADERS)}"
    elif columns == "years" and not indicator:
        rule = "a table with a column per year needs --indicator NAME"
    elif columns == "indicators" and year is None:
        rule = "a table with a column per indicator needs --year YYYY"
    if rule is not None or region_col is None:
        raise ValidationError([Problem(label, None, None, None, rule or "no region column")])
    names = known.names("regions")
    codes = frame[region_col].map(lambda v: v if v is None or v.isdigit() else names.get(v, v))
    records: list[dict[str, object]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for header in frame.columns:
        if header == region_col:
            continue
        name, unit = split_header(header)
        if columns == "years" and not re.fullmatch(r"\d{4}", name):
            problems.append(Problem(label, None, header, None,
                                    "every column but the region must be a year like 2014"))
            continue
        for position in map(int, np.flatnonzero(frame[header].notna().to_numpy())):
            records.append({
                "region": codes.iat[position],
                "indicator": indicator if columns == "years" else name,
                "industry": industry,
                "year": name if columns == "years" else str(year),
                "value": frame[header].iat[position],
                "unit": unit,
                "source": source,
            })
            numbers.append(int(table.row_number([position])[0]))
    if problems:
        raise ValidationError(problems)
    long = pd.DataFrame.from_records(
        records, columns=["region", "indicator", "industry", "year", "value", "unit", "source"]
    )
    if long["unit"].isna().all():
        long = long.drop(columns="unit")
    return Table(table.path, long.astype(object), table.first_row, np.asarray(numbers))
