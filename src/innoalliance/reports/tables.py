"""Frames to the table shape the report template shows (header + rows of plain cells)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Table:
    """A titled table for the report template."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A titled chart (a Plotly ``<div>``) for the report template."""

    title: str
    html: str
    note: str = ""


def _cell(value: Any, digits: int) -> Any:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else round(float(value), digits)
    if value is None or value is pd.NaT:
        return ""
    return value


def table(title: str, frame: pd.DataFrame, note: str = "", digits: int = 2) -> Table:
    """A frame as a report table, numbers rounded to ``digits``, missing values blank."""
    rows = [[_cell(v, digits) for v in row] for row in frame.itertuples(index=False)]
    return Table(title, [str(c) for c in frame.columns], rows, note)
