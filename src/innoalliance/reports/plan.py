"""The Plan report: a region set's diagnosis on maps and heat maps, and the layout on the map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from innoalliance.methods.spatial.structure import mean_similarity
from innoalliance.reports.html import figure_html, render
from innoalliance.reports.maps import choropleth, layout_map
from innoalliance.reports.tables import Chart, Table, table

if TYPE_CHECKING:
    from innoalliance.workflows.plan.store import Plan


def _heatmap(z: object, x: list[str], y: list[str], label: str, zmin: float | None = None,
             zmax: float | None = None) -> go.Figure:
    figure = go.Figure(go.Heatmap(z=z, x=x, y=y, colorscale="YlOrRd", zmin=zmin, zmax=zmax,
                                  colorbar={"title": {"text": label}},
                                  texttemplate="%{z:.2f}"))
    figure.update_layout(height=120 + 42 * len(y), yaxis={"autorange": "reversed"})
    return figure


def _maps(p: Plan) -> list[Chart]:
    d = p.diagnosis
    regions = d.regions.map_regions()
    s = d.latest
    values = {
        ("Innovation capacity (0–100)", "capacity"): d.capacity * 100.0,
        ("Economic complexity index (ECI)", "ECI"): s.eci,
        ("Mean structural similarity to the other cities", "similarity"):
            mean_similarity(s.similarity),
    }
    if d.ecology is not None:
        values[("Mean RSEI (remote sensing ecological index)", "RSEI")] = d.ecology.mean
    charts = [Chart(title, figure_html(choropleth(
        regions, dict(zip(d.regions.codes, (float(v) for v in vals), strict=True)),
        label=label)), f"{d.year}")
        for (title, label), vals in values.items()]
    return charts


def _trend(p: Plan) -> Chart | None:
    t = p.diagnosis.trend
    if t is None:
        return None
    figure = go.Figure(go.Scatter(x=list(t.years), y=list(t.mean), mode="lines+markers"))
    figure.update_layout(height=320, yaxis_title="mean similarity of city pairs",
                         xaxis={"dtick": 1})
    return Chart("Isomorphism trend", figure_html(figure),
                 f"mean UNIDO similarity over city pairs; mean slope {t.mean_slope:+.4f} a year "
                 "(positive: structures converge)")


def _objective(p: Plan) -> Chart:
    lay = p.layout
    parts = {**{f"+ {k}": v for k, v in lay.component_totals.items()},
             "+ lead bonus": lay.lead_bonus_total,
             "− participation cost": -lay.participation_cost_total,
             "− duplication penalty": -lay.duplication_penalty_total,
             "− eco penalty": -lay.eco_penalty_total}
    figure = go.Figure(go.Waterfall(x=[*parts, "objective"], y=[*parts.values(), 0.0],
                                    measure=["relative"] * len(parts) + ["total"]))
    figure.update_layout(height=360)
    return Chart("What the objective is made of", figure_html(figure),
                 f"solver: HiGHS, {lay.status}, gap {lay.mip_gap:.2g}")


def plan_report(p: Plan, path: Path, region_frame: pd.DataFrame, layout_frame: pd.DataFrame,
                sources: list[str]) -> Path:
    """Write the HTML report of a diagnosis and layout to ``path``."""
    d = p.diagnosis
    s = d.latest
    names, industries = d.regions.names, d.panel.industry_names
    layout = [(industries[i], d.regions.codes[int(p.layout.lead[i])],
               [d.regions.codes[c] for c in p.layout.members[i]])
              for i in range(len(industries))]
    charts = [Chart("The layout: one alliance per industry", figure_html(layout_map(
        d.regions.map_regions(), layout)),
        "★ the lead city; lines join it to the participating cities. Click a legend entry to "
        "hide or show an industry.")]
    charts += _maps(p)
    charts.append(Chart(f"Isomorphism matrix {d.year}", figure_html(
        _heatmap(s.similarity, names, names, "similarity", 0.0, 1.0)),
        "UNIDO structural similarity coefficient: cosine of the industry shares of two cities"))
    charts.append(Chart(f"Krugman specialisation index {d.year}", figure_html(
        _heatmap(s.krugman, names, names, "Σ|s_ik − s_jk|", 0.0, 2.0)),
        "0: identical structures; 2: no industry in common"))
    trend = _trend(p)
    if trend is not None:
        charts.append(trend)
    charts.append(Chart(f"Revealed comparative advantage {d.year}", figure_html(
        _heatmap(s.rca, industries, names, "RCA")), "RCA ≥ 1: the industry is present"))
    charts.append(Chart(f"Density (relatedness) {d.year}", figure_html(
        _heatmap(s.density, industries, names, "density", 0.0, 1.0)),
        "share of the industry's related industries (proximity-weighted) present in the city"))
    charts.append(_objective(p))
    plan_rows = pd.DataFrame({
        "industry": industries, "lead city": [names[int(c)] for c in p.layout.lead],
        "member cities": [", ".join(names[c] for c in m) for m in p.layout.members]})
    weights = ", ".join(f"{k} {v:g}" for k, v in p.settings["weights"].items())
    method = (
        f"Structure from {d.panel.indicator} by industry, {d.panel.years[0]}–{d.year}; "
        "RCA, presence (RCA ≥ 1), proximity, density and ECI/PCI follow the conventions of the "
        "Growth Lab's ecomplexity package (regions with nothing present get 0, never NaN). "
        "Innovation capacity is the regional_innovation index system (indicators and entropy "
        "weights in the table below). The layout is the exact optimum of a mixed-integer "
        f"programme (HiGHS): weights {weights}; at most {p.settings['max_leads_per_city']} "
        f"alliances led per city; duplication penalty {p.settings['duplication_penalty']:g} per "
        "pair of neighbouring cities in the same alliance; eco weight "
        f"{p.settings['eco_weight']:g}. Components: rca = RCA/(1+RCA); density; innovation = "
        "capacity/100; complementarity = 1 − mean similarity to the other cities.")
    weights_rows = pd.DataFrame([
        {"node": w.node, "indicator": name, "weight": value}
        for w in d.innovation.weights.values()
        for name, value in zip(w.children, w.weights, strict=True)])
    tables: list[Table] = [
        table("The plan", plan_rows),
        table("Why: score parts of every membership", layout_frame, digits=3),
        table("Regions", region_frame, digits=3),
        table("Innovation capacity: indicators", d.innovation.raw.reset_index(), digits=3),
        table("Innovation capacity: weights", weights_rows, digits=3),
        table("Sources", pd.DataFrame({"source": sources})),
    ]
    if d.ecology is not None:
        tables.insert(3, table("Ecology: PC1 loadings of the RSEI", pd.DataFrame(
            {"indicator": list(d.ecology.loadings), "loading": list(d.ecology.loadings.values())}),
            note=f"layer {d.ecology.layer}; PC1 explains {d.ecology.explained:.1%}", digits=3))
    return render("report.html.j2", path, title="Regional diagnosis and alliance layout",
                  title_zh="区域诊断与联盟空间布局", subtitle=", ".join(names), method=method,
                  notes=d.notes, charts=charts, tables=tables)
