"""Read a long region × industry table: ``region,industry,value[,year]`` or ``city,industry,score``.

Every problem is listed at once with its row: a missing column, an empty cell, a value that is
not a number or (for outputs) is negative, a repeated (region, industry, year), and industry codes
that the built-in taxonomy does not know. The taxonomy check is ``"auto"`` by default: when most
industry labels are codes of one built-in taxonomy, the others are reported as unknown with the
closest code; free labels (none of them codes) pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from innoalliance.catalogues import industries_table
from innoalliance.errors import Problem, ProblemList
from innoalliance.ingest.cells import closest, convert_float, convert_year
from innoalliance.ingest.readers import read_table

TAXONOMY_CHOICES = ("auto", "none", "nbs2018", "gd2015", "zgc2007")


@dataclass(frozen=True)
class PanelFile:
    """A checked long table: ``frame`` has columns region, industry, value and year (or -1)."""

    label: str
    frame: pd.DataFrame
    has_year: bool
    taxonomy: str | None  # the taxonomy the industry codes were checked against


def _taxonomy_problems(label: str, industries: pd.Series, rows: np.ndarray, taxonomy: str
                       ) -> tuple[list[Problem], str | None]:
    catalogue = industries_table()
    if taxonomy == "none":
        return [], None
    if taxonomy == "auto":
        counts = catalogue[catalogue["code"].isin(industries.unique())]["taxonomy"].value_counts()
        if counts.empty or counts.iloc[0] * 2 < industries.nunique():
            return [], None
        taxonomy = str(counts.index[0])
    known = catalogue.loc[catalogue["taxonomy"] == taxonomy, "code"].tolist()
    problems = []
    for value in sorted(set(industries) - set(known)):
        first = int(rows[np.flatnonzero(industries.to_numpy() == value)[0]])
        problems.append(Problem(label, first, "industry", value,
                                f"not an industry code of the {taxonomy} taxonomy",
                                closest(value, known)))
    return problems, taxonomy


def read_panel_file(path: Path, *, region: str = "region", value: str = "value",
                    non_negative: bool = True, taxonomy: str = "auto") -> PanelFile:
    """Read and check a long table with columns ``region``, ``industry``, ``value`` (names
    given) and optionally ``year``; raise one ValidationError listing every problem."""
    t = read_table(path)
    frame, label = t.frame, t.label
    problems = ProblemList()
    required = (region, "industry", value)
    for column in required:
        if column not in frame.columns:
            problems.add(Problem(label, None, column, None,
                                 f"column is required (the columns are {', '.join(required)} "
                                 f"and optionally year; found {', '.join(frame.columns)})"))
    problems.raise_if_any(f"{label} is not a {region} × industry table",
                          "name the header row's columns as listed")
    if frame.empty:
        problems.add(Problem(label, None, None, None, "the table has no rows"))
    rows = t.row_number(np.arange(len(frame)))
    for column in required:
        for pos in np.flatnonzero(frame[column].isna().to_numpy()):
            problems.add(Problem(label, int(rows[pos]), column, None, "must not be empty"))
    numbers, bad, rule = convert_float(frame[value])
    for pos in np.flatnonzero(bad.to_numpy()):
        problems.add(Problem(label, int(rows[pos]), value, frame[value].iloc[pos], rule))
    if non_negative:
        for pos in np.flatnonzero((numbers < 0).to_numpy()):
            problems.add(Problem(label, int(rows[pos]), value, frame[value].iloc[pos],
                                 "must be zero or positive (an output or employment figure)"))
    has_year = "year" in frame.columns
    years = pd.Series(-1, index=frame.index)
    if has_year:
        converted, bad_year, year_rule = convert_year(frame["year"])
        for pos in np.flatnonzero((bad_year | frame["year"].isna()).to_numpy()):
            problems.add(Problem(label, int(rows[pos]), "year", frame["year"].iloc[pos],
                                 year_rule))
        years = converted
    out = pd.DataFrame({"region": frame[region].astype(str).str.strip(),
                        "industry": frame["industry"].astype(str).str.strip(),
                        "value": numbers, "year": years})
    repeated = out.duplicated(["region", "industry", "year"], keep="first").to_numpy()
    for pos in np.flatnonzero(repeated & frame[region].notna().to_numpy()):
        problems.add(Problem(label, int(rows[pos]), "industry", out["industry"].iloc[pos],
                             f"repeats an earlier row's {region}, industry"
                             + (" and year" if has_year else "")))
    present = frame["industry"].notna().to_numpy()
    found, used = _taxonomy_problems(label, out["industry"][present], rows[present], taxonomy)
    for problem in found:
        problems.add(problem)
    problems.raise_if_any(f"{label} has problems; nothing was computed",
                          "fix the rows listed and run again")
    return PanelFile(label, out, has_year, used)
