"""The Plan methods on a user's own files, without a store: structure analysis of a region ×
industry table, and the optimal lead city per industry from a ``city,industry,score`` table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innoalliance.ingest.cells import code_key
from innoalliance.ingest.panel_file import read_panel_file
from innoalliance.methods.spatial.layout import lead_assignment
from innoalliance.methods.spatial.structure import Structure, analyse, krugman_total


def _order(values: pd.Series) -> list[str]:
    """Distinct labels, numbers in numeric order (1, 2, 10; 1.2 before 1.10)."""
    return sorted({str(v) for v in values}, key=code_key)


def _matrix(frame: pd.DataFrame, rows: list[str], columns: list[str]) -> np.ndarray:
    wide = frame.pivot_table(index="region", columns="industry", values="value", aggfunc="first")
    return wide.reindex(index=rows, columns=columns).to_numpy(dtype=np.float64)


def structure_json(result: Structure, values: np.ndarray, regions: list[str],
                   industries: list[str]) -> dict[str, Any]:
    """The standalone JSON shape of one year's structure analysis (rounded to 1e-12)."""
    def m(a: np.ndarray) -> list[list[float]]:
        return np.round(np.asarray(a, dtype=np.float64), 12).tolist()  # type: ignore[no-any-return]

    return {
        "regions": regions, "industries": industries,
        "similarity": m(result.similarity), "krugman": m(result.krugman),
        "krugman_to_total": m(krugman_total(values)[None, :])[0], "rca": m(result.rca),
        "density": m(result.density), "presence": np.asarray(result.presence).astype(int).tolist(),
        "proximity": m(result.proximity),
        "eci": m(result.eci[None, :])[0], "pci": m(result.pci[None, :])[0],
        "empty_regions": [regions[i] for i in result.empty_regions],
        "empty_industries": [industries[i] for i in result.empty_industries],
        "complexity_defined": bool(result.complexity_defined),
    }


def structure_file(path: Path, *, threshold: float = 1.0, taxonomy: str = "auto"
                   ) -> dict[str, Any]:
    """Structure analysis of ``region,industry,value[,year]``: one object, or one per year under
    ``years``. Absent region–industry cells count as 0."""
    panel = read_panel_file(path, taxonomy=taxonomy)
    frame = panel.frame
    regions, industries = _order(frame["region"]), _order(frame["industry"])
    if not panel.has_year:
        values = np.nan_to_num(_matrix(frame, regions, industries))
        return structure_json(analyse(values, threshold=threshold), values, regions, industries)
    out: dict[str, Any] = {"regions": regions, "industries": industries, "years": {}}
    for y in sorted(int(y) for y in frame["year"].unique()):
        values = np.nan_to_num(_matrix(frame[frame["year"] == y], regions, industries))
        out["years"][str(y)] = structure_json(analyse(values, threshold=threshold), values,
                                              regions, industries)
    return out


def layout_file(path: Path, *, max_leads_per_city: int, taxonomy: str = "auto"
                ) -> dict[str, Any]:
    """The optimal lead city per industry from ``city,industry,score`` (the true optimum of the
    assignment MILP); a city–industry pair absent from the file cannot be chosen."""
    panel = read_panel_file(path, region="city", value="score", non_negative=False,
                            taxonomy=taxonomy)
    frame = panel.frame
    cities, industries = _order(frame["region"]), _order(frame["industry"])
    score = _matrix(frame, cities, industries)
    allowed = ~np.isnan(score)
    result = lead_assignment(np.nan_to_num(score), max_leads_per_city, allowed=allowed,
                             cities=cities, industries=industries)
    return {
        "assignments": {ind: cities[c] for ind, c in zip(industries, result.lead, strict=True)},
        "objective": round(float(result.objective), 12),
        "status": result.status,
        "leads_per_city": {c: int(n) for c, n in zip(cities, result.leads_per_city,
                                                     strict=True)},
        "explanation": [
            {"industry": ind, "lead": cities[c], "score": float(score[c, i]),
             "runner_up": None if result.runner_up[i] < 0 else cities[result.runner_up[i]],
             "regret": None if not np.isfinite(result.regret[i]) else
             round(float(result.regret[i]), 12)}
            for i, (ind, c) in enumerate(zip(industries, result.lead, strict=True))],
    }
