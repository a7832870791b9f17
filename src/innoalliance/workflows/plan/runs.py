"""Plan runs: diagnose and lay out a region set, save the run, write HTML, JSON and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.reports.plan import plan_report
from innoalliance.workflows.common import Done, fingerprint, save_run, write_outputs
from innoalliance.workflows.plan.store import Plan, diagnose, layout_table, plan, region_table


def _matrix(a: np.ndarray, rows: list[str], columns: list[str]) -> dict[str, dict[str, float]]:
    return {r: {c: round(float(v), 9) for c, v in zip(columns, row, strict=True)}
            for r, row in zip(rows, a, strict=True)}


def summary(p: Plan, regions: pd.DataFrame, memberships: pd.DataFrame) -> dict[str, Any]:
    """JSON-ready results of a plan run, with its region and membership tables."""
    d = p.diagnosis
    codes, inds = d.regions.codes, d.panel.industries
    s = d.latest
    return {
        "regions": dict(zip(codes, d.regions.names, strict=True)),
        "industries": dict(zip(inds, d.panel.industry_names, strict=True)),
        "year": d.year, "indicator": d.panel.indicator, "settings": p.settings,
        "similarity": _matrix(s.similarity, codes, codes),
        "krugman": _matrix(s.krugman, codes, codes),
        "rca": _matrix(s.rca, codes, inds), "density": _matrix(s.density, codes, inds),
        "similarity_trend": None if d.trend is None else {
            "years": list(d.trend.years), "mean": [float(x) for x in d.trend.mean],
            "mean_slope": float(d.trend.mean_slope)},
        "regions_table": regions.replace({np.nan: None}).to_dict(orient="records"),
        "layout": {
            ind: {"lead": codes[int(p.layout.lead[i])],
                  "members": [codes[c] for c in p.layout.members[i]]}
            for i, ind in enumerate(inds)},
        "objective": float(p.layout.objective), "status": p.layout.status,
        "objective_parts": {**p.layout.component_totals,
                            "lead_bonus": p.layout.lead_bonus_total,
                            "participation_cost": -p.layout.participation_cost_total,
                            "duplication_penalty": -p.layout.duplication_penalty_total,
                            "eco_penalty": -p.layout.eco_penalty_total},
        "memberships": memberships.to_dict(orient="records"),
        "notes": d.notes,
    }


def plan_and_report(engine: Engine, wanted: Sequence[str], *, output: Path,
                    indicator: str = "industrial_output", years: Sequence[int] | None = None,
                    raster: str | None = None, **settings: Any) -> Done:
    """Diagnose, lay out, save the run and write ``output``.html/.json and two CSV tables."""
    d = diagnose(engine, wanted, indicator=indicator, years=years, raster=raster)
    p = plan(d, **settings)
    regions, memberships = region_table(d), layout_table(p)
    result = summary(p, regions, memberships)
    frame = pd.DataFrame(d.panel.values.reshape(-1, len(d.panel.industries)))
    run_id = save_run(engine, "plan",
                      {"regions": list(wanted), "indicator": indicator,
                       "years": list(years) if years else None, "raster": raster,
                       **{k: v for k, v in p.settings.items() if k != "year"}},
                      {"regions": d.regions.codes, "years": d.panel.years,
                       "output_fingerprint": fingerprint(frame)},
                      result)
    result["run"] = run_id
    sources = [f"{indicator}: statistics in the store ({d.panel.years[0]}–{d.year})",
               "innovation capacity: index system regional_innovation",
               "boundaries: " + "; ".join(sorted({str(g) for g in d.regions.sources})),
               *([f"ecology: raster layer {raster}"] if raster else [])]
    html, json_path = write_outputs(result, output, lambda path: plan_report(
        p, path, regions, memberships, sources))
    stem = json_path.with_suffix("")
    regions.to_csv(stem.parent / f"{stem.name}-regions.csv", index=False)
    memberships.to_csv(stem.parent / f"{stem.name}-layout.csv", index=False)
    return Done(result, html, json_path, run_id)
