"""Apply an index system to alliances, regions or members over years: a scored, ranked panel.

Steps, each reported: read the indicator values from the store; list every missing value and
treat it as the system says (never silently); normalise over the whole panel; weight every node;
aggregate; rank and grade each year; change on the year before; and, if asked, a Monte Carlo
uncertainty and sensitivity analysis of each year's ranks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.errors import MethodError, Problem, ProblemList, UnknownReference
from innoalliance.ingest.indexsystem import IndexSystem, Indicator
from innoalliance.ingest.known import unknown
from innoalliance.methods.mcda.composite import aggregate, impute, normalize, rank_desc
from innoalliance.methods.mcda.goalposts import goalposts
from innoalliance.methods.mcda.grading import grade
from innoalliance.methods.mcda.uncertainty import Choices, Pipeline, uncertainty
from innoalliance.workflows.evaluate.measures import check_measure, ledger_measures, region_measures
from innoalliance.workflows.evaluate.weighting import (
    NodeWeights,
    SystemTree,
    build_tree,
    system_weights,
)
from innoalliance.workflows.register.ledger import read_ledger, read_statistics, region_names

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Evaluation:
    """An index system applied to a panel of units × years.

    ``raw`` and ``normalised`` hold the indicator values (rows = (unit, year)); ``scores`` the
    goal and every dimension, with ``rank`` (1 = best within the year), ``grade`` and ``change``
    (score minus the unit's score the year before). ``missing`` lists every missing value.
    """

    system: IndexSystem
    years: list[int]
    names: dict[str, str]
    raw: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame
    weights: dict[str, NodeWeights]
    missing: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    uncertainty: dict[int, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-ready result: scores, ranks, grades and how they were obtained."""
        system = self.system
        rows = []
        frame = self.scores.reset_index()
        for record in frame.to_dict(orient="records"):
            unit = str(record.pop("unit"))
            rows.append({"unit": unit, "name": self.names.get(unit, unit),
                         **{str(k): _plain(v) for k, v in record.items()}})
        return {
            "system": system.name, "title": system.title, "unit": system.unit,
            "years": self.years, "normalization": system.normalization,
            "aggregation": system.aggregation, "missing_treatment": system.missing,
            "window": system.window, "bands": system.bands.as_dict(),
            "weights": {k: w.as_dict() for k, w in self.weights.items()},
            "results": rows,
            "missing": self.missing.to_dict(orient="records"),
            "notes": self.notes,
            "uncertainty": {str(y): u for y, u in self.uncertainty.items()},
        }


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def _plain(value: object) -> object:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _indicator_values(raw: pd.DataFrame, ind: Indicator) -> pd.Series:
    values = raw[ind.measure]
    if ind.per is not None:
        denominator = raw[ind.per]
        values = values / denominator.where(denominator != 0)
    return values * ind.scale


def _measure_names(system: IndexSystem) -> list[str]:
    names: list[str] = []
    problems = ProblemList()
    for ind in system.indicators():
        for key, name in (("measure", ind.measure), ("per", ind.per)):
            if name is None:
                continue
            try:
                check_measure(system.unit, name)
            except UnknownReference as exc:
                problems.add(Problem(system.file, None, f"{ind.path}.{key}", name,
                                     f"no {system.unit} measure of that name (see "
                                     "docs/index-systems.md)", exc.closest))
            if name not in names:
                names.append(name)
    problems.raise_if_any(f"{system.file} names measures that do not exist",
                          "fix the entries listed in the index system file and run again")
    return names


def _units(engine: Engine, system: IndexSystem, years: list[int], alliance: str | None,
           measures: list[str], regions: list[str] | None = None,
           ) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Measure values per (unit, year), unit display names, and notes on excluded rows."""
    notes: list[str] = []
    if system.unit == "region":
        stats = read_statistics(engine, [m.partition(".")[2] for m in measures], years)
        if regions is not None:
            stats = stats[stats["region"].isin(regions)]
        if stats.empty:
            raise MethodError(f"no statistics {', '.join(measures)} in the store for "
                              f"{_span(years)}",
                              hint="import statistics first (innoalliance import statistics)")
        units = sorted(stats["region"].unique().tolist())
        return region_measures(stats, measures, units, years), region_names(engine, units), notes
    ledger = read_ledger(engine, alliance if system.unit == "member" else None)
    if system.unit == "member":
        if ledger.alliances.empty:
            raise unknown(engine, "alliances", alliance or "")
        m = ledger.memberships
        names = dict(zip(m["organization"], m["name_zh"], strict=True))
        units = sorted(names)
        values = ledger_measures(ledger, "member", measures, units, years, system.window)
        joined = m.groupby("organization")["joined"].min()
        before = [(u, y) for u in units for y in years
                  if pd.notna(joined.get(u)) and joined[u].year > y]
    else:
        a = ledger.alliances
        names = dict(zip(a["name_zh"], a["name_zh"], strict=True))
        units = sorted(names)
        values = ledger_measures(ledger, "alliance", measures, units, years, system.window)
        # an alliance exists from its approval year or, if that is unknown, its first member
        founded = ledger.memberships.groupby("alliance")["joined"].min().dt.year
        approved = {n: founded.get(n) if pd.isna(y) else y
                    for n, y in zip(a["name_zh"], a["approval_year"], strict=True)}
        before = [(u, y) for u in units for y in years
                  if pd.notna(approved.get(u)) and int(approved[u]) > y]
    if before:
        values = values.drop(index=before)
        notes.append(f"{len(before)} unit-years before the unit existed (approval or joining "
                     "year) are not evaluated")
    return values, names, notes


def _missing_table(raw: pd.DataFrame) -> pd.DataFrame:
    stacked = raw.isna().stack()
    cells = stacked[stacked.to_numpy(dtype=bool)].index.to_frame(index=False)
    cells.columns = ["unit", "year", "indicator"]
    cells["year"] = cells["year"].astype(int)
    return cells


def _normalise(system: IndexSystem, raw: pd.DataFrame) -> pd.DataFrame:
    indicators = system.indicators()
    codes = [i.code for i in indicators]
    directions = np.array([i.direction for i in indicators], dtype=np.float64)
    matrix = raw[codes].to_numpy(dtype=np.float64)
    if system.missing != "none":
        filled = np.empty_like(matrix)
        years = raw.index.get_level_values("year").to_numpy()
        for year in np.unique(years):
            rows = years == year
            filled[rows], _ = impute(matrix[rows], system.missing)
        matrix = filled
    if system.normalization == "goalposts":
        posts = np.array([i.goalposts for i in indicators], dtype=np.float64)
        out = goalposts(matrix, posts[:, 0], posts[:, 1], directions)
    else:
        out = normalize(matrix, directions, system.normalization, names=codes)
    return pd.DataFrame(out, index=raw.index, columns=codes)


def evaluate(engine: Engine, system: IndexSystem, years: list[int], *,
             alliance: str | None = None, regions: list[str] | None = None) -> Evaluation:
    """Apply ``system`` to its units in ``years`` (for members: the members of ``alliance``; for
    regions: those of ``regions`` when given, else every region with statistics)."""
    if system.unit == "member" and not alliance:
        raise MethodError(f"{system.name} rates the members of one alliance",
                          hint="name the alliance (--alliance NAME)")
    measures = _measure_names(system)
    values, names, notes = _units(engine, system, years, alliance, measures, regions)
    indicators = system.indicators()
    raw = pd.DataFrame({i.code: _indicator_values(values, i) for i in indicators},
                       index=values.index)
    empty = raw.isna().all(axis=1)
    if empty.any():
        shown = ", ".join(f"{names.get(u, u)} {y}" for u, y in raw.index[empty][:10])
        notes.append(f"{int(empty.sum())} unit-years with no indicator value at all are left "
                     f"out: {shown}")
        raw = raw[~empty]
    if raw.empty:
        raise MethodError(f"nothing to evaluate: no {system.unit} has any indicator value in "
                          f"{_span(years)}", hint="check the years and the imported data")
    missing = _missing_table(raw)
    if len(missing):
        how = ("left out, their weight shared by the node's other children"
               if system.missing == "none" else f"imputed by the year's {system.missing}")
        notes.append(f"{len(missing)} missing indicator values, {how}")
    normalised = _normalise(system, raw)
    weights = system_weights(system, normalised)
    for w in weights.values():
        constant = w.detail.get("constant_indicators")
        if constant:
            notes.append(f"{w.node}: {', '.join(constant)} constant over the panel, weight 0")
    layout = build_tree(system, weights)
    scores = _scores(system, layout, normalised)
    return Evaluation(system=system, years=years, names=names, raw=raw, normalised=normalised,
                      scores=scores, weights=weights, missing=missing, notes=notes)


def _scores(system: IndexSystem, layout: SystemTree, normalised: pd.DataFrame) -> pd.DataFrame:
    matrix = normalised[list(layout.indicator_order)].to_numpy(dtype=np.float64)
    result = aggregate(matrix, layout.tree, system.aggregation)
    scores = pd.DataFrame(index=normalised.index)
    scores["score"] = result.scores
    for level, codes in zip(result.levels[1:-1], layout.level_codes[1:-1], strict=True):
        for k, code in enumerate(codes):
            if code is not None:
                scores[code] = level[:, k]
    years = scores.index.get_level_values("year")
    scores["rank"] = 0
    for year in years.unique():
        rows = years == year
        scores.loc[rows, "rank"] = rank_desc(scores.loc[rows, "score"].to_numpy())
    scores["grade"] = grade(scores["score"].to_numpy(), system.bands)
    previous = scores["score"].groupby(level="unit").shift(1)
    gap = years.to_series(index=scores.index).groupby(level="unit").diff()
    scores["change"] = (scores["score"] - previous).where(gap == 1)
    return scores


def _alternatives(matrix: np.ndarray) -> tuple[tuple[str, ...], list[str]]:
    """Normalisations to try on one year's values, and why any were left out."""
    spread = np.nanmax(matrix, axis=0) - np.nanmin(matrix, axis=0)
    if (spread > 0).all():
        return ("none", "minmax", "rank"), []
    return ("none",), ["normalisation not varied: an indicator is constant within the year"]


def with_uncertainty(ev: Evaluation, *, draws: int, seed: int,
                     progress: Progress | None = None) -> Evaluation:
    """Add a Monte Carlo uncertainty and sensitivity analysis of each year's ranks.

    Varied: every weight (±25 %, COINr's noisy weights), arithmetic against geometric
    aggregation, re-normalising the year's values by min-max or rank against keeping them, and,
    where values are missing and left out, imputing them by the mean or median instead. The
    nominal run is the evaluation itself: its normalised values, mapped affinely onto [1, 100]
    so that geometric means are defined (which leaves the arithmetic ranks unchanged).
    """
    layout = build_tree(ev.system, ev.weights)
    order = list(layout.indicator_order)
    results: dict[int, Any] = {}
    notes = list(ev.notes)
    for year in ev.years:
        rows = ev.normalised.index.get_level_values("year") == year
        values = ev.normalised.loc[rows, order]
        units = [str(u) for u in values.index.get_level_values("unit")]
        if len(units) < 3:
            notes.append(f"{year}: {len(units)} units, too few for an uncertainty analysis")
            continue
        matrix = values.to_numpy(dtype=np.float64)
        why_not: list[str] = []
        aggregations: tuple[str, ...] = ("arithmetic", "geometric")
        if np.nanmin(matrix) >= 0 and np.nanmax(matrix) <= 100:
            matrix = 1.0 + 0.99 * matrix
        else:
            aggregations = (ev.system.aggregation,)
            why_not.append("aggregation not varied: normalised values are not on 0–100")
        normalizations, why = _alternatives(matrix)
        why_not += why
        imputations = ("none", "mean", "median") if np.isnan(matrix).any() else ("none",)
        result = uncertainty(
            matrix, np.ones(len(order)), layout.tree,
            nominal=Pipeline("none", ev.system.aggregation, "none"),
            choices=Choices(normalizations=normalizations, aggregations=aggregations,
                            imputations=imputations, weight_noise=0.25, lower=1.0, upper=100.0),
            draws=draws, seed=seed, progress=progress, names=order, units=units)
        results[year] = {
            "draws": draws, "runs": result.n_runs, "seed": seed, "varied": list(result.factors),
            "quantiles": list(result.quantiles), "first_order": dict(result.first_order),
            "total": dict(result.total),
            "first_order_ci": {k: list(v) for k, v in result.first_order_ci.items()},
            "total_ci": {k: list(v) for k, v in result.total_ci.items()},
            "notes": why_not,
            "units": [{"unit": u, "nominal_rank": int(n), "median_rank": float(m),
                       "rank_low": float(lo), "rank_high": float(hi)}
                      for u, n, m, lo, hi in zip(units, result.nominal_ranks, result.median_rank,
                                                 result.rank_low, result.rank_high, strict=True)],
        }
    return replace(ev, uncertainty=results, notes=notes)
