"""The evaluation report: scores, ranks with their uncertainty, dimension radar, weights, gaps."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from innoalliance.reports.html import figure_html, render
from innoalliance.reports.tables import Chart, Table, table

if TYPE_CHECKING:
    from innoalliance.workflows.evaluate.store import Evaluation

RADAR_UNITS = 8


def _label(ev: Evaluation, unit: str) -> str:
    return ev.names.get(unit, unit)


def _year(ev: Evaluation, year: int) -> pd.DataFrame:
    """The scores of one year, indexed by unit."""
    scores = ev.scores
    return scores[scores.index.get_level_values("year") == year].droplevel("year")


def _dimensions(ev: Evaluation) -> list[tuple[str, str]]:
    """(code, label) of the goal's children that are dimensions."""
    return [(c.code, c.name_zh or c.name) for c in ev.system.goal.children
            if c.code in ev.scores.columns]


def _score_chart(ev: Evaluation, year: int) -> Chart:
    last = _year(ev, year).sort_values("score")
    figure = go.Figure(go.Bar(
        x=last["score"], y=[_label(ev, u) for u in last.index], orientation="h",
        text=last["grade"], textposition="outside", marker_color="#2f6f9f",
        hovertemplate="%{y}: %{x:.1f} (%{text})<extra></extra>"))
    figure.update_layout(height=max(300, 24 * len(last) + 80), xaxis_title="score (0–100)",
                         xaxis_range=[0, 105])
    return Chart(f"Scores and grades, {year}", figure_html(figure))


def _rank_chart(ev: Evaluation, year: int) -> Chart | None:
    result = ev.uncertainty.get(year)
    if not result:
        return None
    units = pd.DataFrame(result["units"]).sort_values("median_rank", ascending=False)
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=units["median_rank"], y=[_label(ev, u) for u in units["unit"]], mode="markers",
        name="median rank", marker={"size": 9, "color": "#2f6f9f"},
        error_x={"type": "data", "symmetric": False,
                 "array": units["rank_high"] - units["median_rank"],
                 "arrayminus": units["median_rank"] - units["rank_low"]}))
    figure.add_trace(go.Scatter(
        x=units["nominal_rank"], y=[_label(ev, u) for u in units["unit"]], mode="markers",
        name="rank as computed", marker={"symbol": "diamond-open", "size": 10,
                                         "color": "#c0392b"}))
    figure.update_layout(height=max(300, 24 * len(units) + 80), xaxis_title="rank (1 = best)",
                         xaxis_autorange="reversed")
    note = (f"{result['runs']} Monte Carlo runs varying {', '.join(result['varied'])}; bars "
            f"span the {result['quantiles'][0]:.0%}–{result['quantiles'][1]:.0%} rank interval.")
    return Chart(f"Rank uncertainty, {year}", figure_html(figure), note)


def _sensitivity_chart(ev: Evaluation, year: int) -> Chart | None:
    result = ev.uncertainty.get(year)
    if not result:
        return None
    factors = list(result["first_order"])
    figure = go.Figure([
        go.Bar(name="first order", x=factors, y=[result["first_order"][f] for f in factors]),
        go.Bar(name="total", x=factors, y=[result["total"][f] for f in factors])])
    figure.update_layout(barmode="group", height=320, yaxis_title="share of variance")
    note = ("Sobol' indices of the mean absolute rank shift from the computed ranking "
            "(Saltelli 2010 first order, Jansen 1999 total): which choice moves the ranks most.")
    return Chart(f"What drives the uncertainty, {year}", figure_html(figure), note)


def _radar_chart(ev: Evaluation, year: int) -> Chart | None:
    dims = _dimensions(ev)
    if len(dims) < 3:
        return None
    last = _year(ev, year).sort_values("score", ascending=False)
    figure = go.Figure()
    labels = [label for _, label in dims]
    for unit, row in last.head(RADAR_UNITS).iterrows():
        values = [row[code] for code, _ in dims]
        figure.add_trace(go.Scatterpolar(r=[*values, values[0]], theta=[*labels, labels[0]],
                                         name=_label(ev, str(unit)), fill="toself",
                                         opacity=0.55))
    figure.update_layout(height=480, polar={"radialaxis": {"range": [0, 100]}})
    return Chart(f"Dimension profile of the top {min(RADAR_UNITS, len(last))}, {year}",
                 figure_html(figure))


def _trend_chart(ev: Evaluation) -> Chart | None:
    if len(ev.years) < 2:
        return None
    figure = go.Figure()
    for unit, rows in ev.scores.groupby(level="unit"):
        figure.add_trace(go.Scatter(x=rows.index.get_level_values("year"), y=rows["score"],
                                    mode="lines+markers", name=_label(ev, str(unit))))
    figure.update_layout(height=420, xaxis_title="year", yaxis_title="score",
                         xaxis={"dtick": 1})
    return Chart("Scores over the years", figure_html(figure))


def _score_table(ev: Evaluation) -> Table:
    frame = ev.scores.reset_index()
    frame.insert(1, "name", [_label(ev, str(u)) for u in frame["unit"]])
    dims = _dimensions(ev)
    columns = ["year", "rank", "name", "score", "grade", "change", *(c for c, _ in dims)]
    shown = frame.sort_values(["year", "rank"])[columns]
    shown = shown.rename(columns={c: label for c, label in dims})
    return table("Scores, ranks and grades", shown,
                 "change = score minus the unit's score the year before")


def _weights_table(ev: Evaluation) -> Table:
    rows = []
    labels = {i.code: i.name_zh or i.name for i in ev.system.indicators()}
    labels.update({n.code: n.name_zh or n.name for n in ev.system.nodes()})
    for w in ev.weights.values():
        extra = ", ".join(f"{k} {v:.4f}" for k, v in w.detail.items()
                          if k in ("lambda_max", "ci", "cr"))
        for child, weight in zip(w.children, w.weights, strict=True):
            rows.append({"node": labels.get(w.node, w.node), "method": w.method,
                         "child": labels.get(child, child), "weight": weight, "check": extra})
    return table("Weights", pd.DataFrame(rows), digits=4)


def _indicator_table(ev: Evaluation) -> Table:
    rows = [{"code": i.code, "indicator": i.name_zh or i.name, "measure": i.measure
             + (f" / {i.per}" if i.per else "") + (f" × {i.scale:g}" if i.scale != 1 else ""),
             "unit": i.unit, "direction": "benefit" if i.direction > 0 else "cost",
             "goalposts": "" if i.goalposts is None else f"{i.goalposts[0]:g} → {i.goalposts[1]:g}"}
            for i in ev.system.indicators()]
    return table("Indicators", pd.DataFrame(rows))


def _raw_table(ev: Evaluation) -> Table:
    frame = ev.raw.reset_index()
    frame.insert(1, "name", [_label(ev, str(u)) for u in frame["unit"]])
    return table("Indicator values", frame.drop(columns="unit"),
                 "as read from the store, after unit conversion; blank = missing")


def _missing_table(ev: Evaluation) -> Table:
    frame = ev.missing.copy()
    frame.insert(1, "name", [_label(ev, str(u)) for u in frame["unit"]])
    return table(f"Missing values ({len(frame)})", frame.drop(columns="unit"),
                 f"treatment: {ev.system.missing}")


def evaluation_report(ev: Evaluation, path: Path) -> Path:
    """Write the HTML report of an evaluation to ``path``."""
    system = ev.system
    year = ev.years[-1]
    charts = [c for c in (_score_chart(ev, year), _rank_chart(ev, year),
                          _sensitivity_chart(ev, year), _radar_chart(ev, year),
                          _trend_chart(ev)) if c is not None]
    tables = [_score_table(ev), _weights_table(ev), _indicator_table(ev), _raw_table(ev)]
    if len(ev.missing):
        tables.append(_missing_table(ev))
    method = (f"Index system '{system.name}' ({system.file}); source: {system.source}. "
              f"Normalisation {system.normalization}, aggregation {system.aggregation}, missing "
              f"values: {system.missing}; flows counted over {system.window} year(s). Grades: "
              f"{system.bands.describe()}.")
    years = f"{ev.years[0]}–{ev.years[-1]}" if len(ev.years) > 1 else str(year)
    return render("report.html.j2", path, title=system.title, title_zh=system.title_zh,
                  subtitle=f"{len(ev.scores)} {system.unit}-years, {years}", method=method,
                  notes=ev.notes, charts=charts, tables=tables)
