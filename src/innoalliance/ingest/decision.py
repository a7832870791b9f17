"""Read the standalone inputs of the evaluation methods: decision matrices and JSON documents.

A decision matrix is a table (CSV, XLSX, JSON records) whose first column names the alternatives
and whose other columns are the criteria, one number per cell. Every bad cell is reported with its
row and column, all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from innoalliance.errors import Problem, ProblemList, ValidationError
from innoalliance.ingest.cells import convert_float
from innoalliance.ingest.readers import load_json, read_table


@dataclass(frozen=True)
class DecisionMatrix:
    """Alternatives (rows) × criteria (columns) of numbers."""

    alternatives: list[str]
    criteria: list[str]
    values: npt.NDArray[np.float64]


def read_decision_matrix(path: Path) -> DecisionMatrix:
    """Read a decision matrix; blank or non-numeric cells are errors naming row and column."""
    t = read_table(path)
    frame = t.frame
    problems = ProblemList()
    if frame.shape[1] < 2 or frame.empty:
        raise ValidationError([Problem(t.label, None, None, None,
                                       "needs a header and at least one row: the first column "
                                       "names the alternatives, the others are criteria")])
    first = frame.columns[0]
    names = frame[first]
    for pos in np.flatnonzero(names.isna().to_numpy()):
        problems.add(Problem(t.label, int(t.row_number([int(pos)])[0]), str(first), None,
                             "every alternative needs a name"))
    for pos in np.flatnonzero(names.duplicated().to_numpy() & names.notna().to_numpy()):
        problems.add(Problem(t.label, int(t.row_number([int(pos)])[0]), str(first),
                             str(names.iloc[pos]), "alternative named twice"))
    columns = []
    for column in frame.columns[1:]:
        values, bad, rule = convert_float(frame[column])
        bad = bad | frame[column].isna()
        for pos in np.flatnonzero(bad.to_numpy()):
            cell = frame[column].iloc[pos]
            problems.add(Problem(t.label, int(t.row_number([int(pos)])[0]), str(column),
                                 None if cell is None else str(cell),
                                 rule if cell is not None else "a value is required"))
        columns.append(values.to_numpy(dtype=np.float64))
    problems.raise_if_any()
    return DecisionMatrix([str(n) for n in names], [str(c) for c in frame.columns[1:]],
                          np.column_stack(columns))


def read_json_document(path: Path, required: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with the ``required`` keys; a clear error for anything else."""
    data = load_json(path)
    if not isinstance(data, dict):
        raise ValidationError([Problem(path.name, None, None, None,
                                       f"must be a JSON object with {', '.join(required)}")])
    missing = [key for key in required if key not in data]
    if missing:
        raise ValidationError([Problem(path.name, None, key, None, "is required")
                               for key in missing])
    return data
