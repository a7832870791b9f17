"""The Plan workflow on the store: a region set's diagnosis (industrial structure, innovation
capacity, ecology) and the optimal layout of one alliance per strategic emerging industry.

Layout components, each in [0, 1] per city × industry (innoalliance's convention, documented in
the report):

* ``rca``: comparative advantage RCA / (1 + RCA), so RCA 1 (the set's average) scores ½;
* ``density``: relatedness of the industry to what the city already does (ecomplexity density);
* ``innovation``: the city's innovation capacity, the ``regional_innovation`` score / 100;
* ``complementarity``: 1 − the city's mean structural similarity to the other cities of the set
  (a city whose structure duplicates its neighbours' brings less to a shared alliance).

Ecological pressure is 1 − the city's mean RSEI when a raster layer with the RSEI bands is
given; the layout then pays ``eco_weight × pressure`` for each membership and, with
``eco_limit``, keeps cities above the limit out of the alliances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Engine, select

from innoalliance.errors import MethodError, UnknownReference
from innoalliance.ingest.cells import closest, split_list
from innoalliance.ingest.indexsystem import load_system
from innoalliance.methods.spatial.layout import DEFAULT_WEIGHTS, LayoutPlan, plan_layout
from innoalliance.methods.spatial.rsei import MEANINGS
from innoalliance.methods.spatial.structure import (
    SimilarityTrend,
    Structure,
    analyse_panel,
    mean_similarity,
    trend,
)
from innoalliance.methods.spatial.zonal import zonal_stats
from innoalliance.model import RasterLayer
from innoalliance.store.engine import transaction
from innoalliance.workflows.evaluate.store import Evaluation, evaluate
from innoalliance.workflows.plan.regions import (
    OutputPanel,
    RegionSet,
    neighbours,
    output_panel,
    resolve_regions,
)
from innoalliance.workflows.plan.zonal_files import Zones, reproject_zones, rsei_file

POOR_RSEI = 0.4  # below: poor or fair ecology (Xu 2013's five grades)


@dataclass(frozen=True)
class Ecology:
    """Mean RSEI per region and the share of its area graded poor or fair, from one layer."""

    layer: str
    mean: npt.NDArray[np.float64]  # NaN where a region has no valid pixel
    poor_share: npt.NDArray[np.float64]
    loadings: dict[str, float]
    explained: float


@dataclass(frozen=True)
class Diagnosis:
    """Everything the plan rests on, for one region set."""

    regions: RegionSet
    panel: OutputPanel
    structures: list[Structure]
    trend: SimilarityTrend | None
    innovation: Evaluation
    capacity: npt.NDArray[np.float64]  # latest year's score / 100 per region (0 if unknown)
    ecology: Ecology | None
    neighbours: npt.NDArray[np.bool_]
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        """The latest year of the panel: the one the layout uses."""
        return self.panel.years[-1]

    @property
    def latest(self) -> Structure:
        """The structure analysis of the latest year."""
        return self.structures[-1]


def _band_map(layer: RasterLayer) -> dict[str, int]:
    meanings = split_list(layer.bands)
    found = {m: i for i, m in enumerate(meanings, start=1) if m in MEANINGS}
    if not found:
        raise MethodError(
            f"raster layer {layer.name!r} declares no RSEI band (its bands: "
            f"{layer.bands or 'none declared'})",
            hint="register it with bands named by meaning, e.g. bands "
                 "blue;green;red;nir;swir1;swir2;tir, or ndvi;wet;lst;ndbsi")
    return found


def _ecology(engine: Engine, name: str, regions: RegionSet, wetness: str) -> Ecology:
    with transaction(engine) as session:
        layers = {r.name: r for r in session.scalars(select(RasterLayer))}
    if name not in layers:
        raise UnknownReference("raster layer", name, closest(name, list(layers)),
                               listed_as="rasters")
    layer = layers[name]
    bands = _band_map(layer)
    # water masked (MNDWI > 0) when the bands allow, as Xu & Deng (2022) advise: otherwise the
    # land/water contrast, not ecological quality, dominates PC1 in a bay
    result, transform, crs = rsei_file(Path(layer.path), bands,
                                       wetness=None if "wet" in bands else wetness,
                                       mask_water={"green", "swir1"} <= set(bands))
    kept = [(c, g) for c, g in zip(regions.codes, regions.geometries, strict=True)
            if g is not None]
    zones = Zones(tuple(c for c, _ in kept), tuple(g for _, g in kept),
                  tuple(range(1, len(kept) + 1)), "EPSG:4326", ())
    geometries, _ = reproject_zones(zones, crs, "region boundaries")
    stats = zonal_stats(result.rsei, transform, geometries, thresholds=[POOR_RSEI])
    return Ecology(
        name,
        np.array([np.nan if s.mean is None else s.mean for s in stats]),
        np.array([np.nan if s.share_below.get(POOR_RSEI) is None
                  else s.share_below[POOR_RSEI] for s in stats]),
        result.loadings, result.explained)


def diagnose(engine: Engine, wanted: Sequence[str], *, indicator: str = "industrial_output",
             years: Sequence[int] | None = None, raster: str | None = None,
             wetness: str = "oli", threshold: float = 1.0) -> Diagnosis:
    """Structure, innovation capacity and (given a raster layer) ecology of a region set.

    ``wetness`` names the tasselled-cap coefficients for the RSEI's wetness (``oli``: Landsat
    8/9, ``tm``: Landsat 4/5) unless the layer declares a ``wet`` band."""
    regions = resolve_regions(engine, wanted)
    near = neighbours(regions)
    panel = output_panel(engine, regions, indicator, years)
    notes = []
    if panel.missing:
        notes.append(f"{panel.missing} region–industry–year cells of {indicator} are not in the "
                     "store and count as 0")
    structures = analyse_panel(panel.values, threshold=threshold)
    for s, year in zip(structures, panel.years, strict=True):
        if len(s.empty_regions):
            notes.append(f"{year}: no industry present in "
                         + ", ".join(regions.names[i] for i in s.empty_regions))
    similarity_trend = (trend([s.similarity for s in structures], panel.years)
                        if len(structures) > 1 else None)
    innovation = evaluate(engine, load_system("regional_innovation"), panel.years,
                          regions=regions.codes)
    latest = innovation.scores.xs(panel.years[-1], level="year")["score"]
    capacity = latest.reindex(regions.codes).to_numpy(dtype=np.float64) / 100.0
    if np.isnan(capacity).any():
        notes.append("no innovation statistics for " + ", ".join(
            n for n, c in zip(regions.names, capacity, strict=True) if np.isnan(c))
            + f" in {panel.years[-1]}: capacity counted as 0")
    notes += innovation.notes
    ecology = None if raster is None else _ecology(engine, raster, regions, wetness)
    return Diagnosis(regions, panel, structures, similarity_trend, innovation,
                     np.nan_to_num(capacity), ecology, near, notes)


def components(d: Diagnosis) -> dict[str, npt.NDArray[np.float64]]:
    """The four layout components (cities × industries, each in [0, 1]) of the latest year."""
    s = d.latest
    others = mean_similarity(s.similarity)
    shape = s.rca.shape
    return {
        "rca": s.rca / (1.0 + s.rca),
        "density": np.clip(s.density, 0.0, 1.0),
        "innovation": np.broadcast_to(d.capacity[:, None], shape).copy(),
        "complementarity": np.broadcast_to((1.0 - others)[:, None], shape).copy(),
    }


@dataclass(frozen=True)
class Plan:
    """A diagnosis, the layout solved on it and the settings used."""

    diagnosis: Diagnosis
    components: dict[str, npt.NDArray[np.float64]]
    layout: LayoutPlan
    settings: dict[str, Any]


def plan(d: Diagnosis, *, weights: Mapping[str, float] | None = None,
         max_leads_per_city: int = 2, min_members: int = 2, max_members: int | None = None,
         duplication_penalty: float = 0.2, eco_weight: float = 0.2,
         eco_limit: float | None = None) -> Plan:
    """Solve the layout MILP on the diagnosis (see :func:`methods.spatial.layout.plan_layout`)."""
    parts = components(d)
    pressure = None if d.ecology is None else np.nan_to_num(1.0 - d.ecology.mean, nan=0.0)
    if eco_limit is not None and pressure is None:
        raise MethodError("--eco-limit needs an ecology layer",
                          hint="give --raster NAME (a registered layer with the RSEI bands)")
    layout = plan_layout(
        parts, dict(weights) if weights else None, d.neighbours,
        max_leads_per_city=max_leads_per_city, min_members=min_members, max_members=max_members,
        duplication_penalty=duplication_penalty, eco_pressure=pressure, eco_weight=eco_weight,
        eco_limit=eco_limit, cities=d.regions.names, industries=d.panel.industry_names)
    settings = {"weights": dict(weights or DEFAULT_WEIGHTS),
                "max_leads_per_city": max_leads_per_city, "min_members": min_members,
                "max_members": max_members, "duplication_penalty": duplication_penalty,
                "eco_weight": eco_weight, "eco_limit": eco_limit, "year": d.year}
    return Plan(d, parts, layout, settings)


def region_table(d: Diagnosis) -> pd.DataFrame:
    """One row per region: the diagnosis' indicators for the latest year."""
    s = d.latest
    frame = pd.DataFrame({
        "code": d.regions.codes, "name": d.regions.names,
        "output": d.panel.values[-1].sum(axis=1),
        "diversity": s.diversity, "eci": s.eci,
        "innovation_capacity": d.capacity * 100.0,
        "mean_similarity": mean_similarity(s.similarity),
        "neighbours": [", ".join(n for n, near in zip(d.regions.names, row, strict=True) if near)
                       for row in d.neighbours],
    })
    if d.ecology is not None:
        frame["rsei_mean"] = d.ecology.mean
        frame[f"rsei_share_below_{POOR_RSEI}"] = d.ecology.poor_share
    return frame


def layout_table(p: Plan) -> pd.DataFrame:
    """One row per membership of the plan, with every score part and penalty."""
    d, lay = p.diagnosis, p.layout
    rows = []
    for c in lay.contributions:
        rows.append({
            "industry_code": d.panel.industries[c.industry],
            "industry": d.panel.industry_names[c.industry],
            "city_code": d.regions.codes[c.city], "city": d.regions.names[c.city],
            "role": "lead" if c.lead else "member",
            **{f"{k} (raw)": float(p.components[k][c.city, c.industry]) for k in p.components},
            **{f"{k} (weighted)": v for k, v in c.components.items()},
            "lead bonus": c.lead_bonus, "participation cost": c.participation_cost,
            "duplication penalty": c.duplication_penalty, "eco penalty": c.eco_penalty,
            "duplicated with": ", ".join(d.regions.names[j] for j in c.duplicated_with),
            "net": c.net})
    return pd.DataFrame(rows)
