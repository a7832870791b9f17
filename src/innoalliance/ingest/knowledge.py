"""Read the standalone inputs of matching: offer and need tables with ``id`` and ``text``.

Optional columns ``organization``, ``region`` (GB/T 2260 code) and ``industry`` (a code of the
industry catalogue) add the proximity part of the score. Every problem is reported at once, with
file, row and column: a missing column, an empty text, an id used twice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from innoalliance.errors import Problem, ProblemList
from innoalliance.ingest.readers import read_table

REQUIRED = ("id", "text")
OPTIONAL = ("organization", "region", "industry")


def read_knowledge(path: Path) -> pd.DataFrame:
    """The file's rows as a frame with columns id, text and the optional ones (None if absent)."""
    t = read_table(path)
    frame = t.frame
    problems = ProblemList()
    for column in REQUIRED:
        if column not in frame.columns:
            problems.add(Problem(t.label, None, column, None,
                                 f"column is required (the columns are {', '.join(REQUIRED)} "
                                 f"and optionally {', '.join(OPTIONAL)})"))
    problems.raise_if_any(f"{t.label} is not an offers or needs table",
                          "add the missing columns to the header row")
    if frame.empty:
        problems.add(Problem(t.label, None, None, None, "the table has no rows"))
    for column in REQUIRED:
        for pos in np.flatnonzero(frame[column].isna().to_numpy()):
            problems.add(Problem(t.label, int(t.row_number([int(pos)])[0]), column, None,
                                 "must not be empty"))
    ids = frame["id"]
    for pos in np.flatnonzero((ids.duplicated(keep="first") & ids.notna()).to_numpy()):
        problems.add(Problem(t.label, int(t.row_number([int(pos)])[0]), "id",
                             str(ids.iloc[pos]), "this id is used by an earlier row"))
    problems.raise_if_any(f"{t.label} has problems; nothing was matched",
                          "fix the rows listed and run again")
    out = frame[list(REQUIRED)].astype(str)
    for column in OPTIONAL:
        out[column] = frame[column] if column in frame.columns else None
    return out.reset_index(drop=True)
