"""Maps that open offline: region polygons drawn as filled Plotly shapes on plain axes.

Plotly's geographic traces fetch base-map topology or tiles from the internet, so maps here are
cartesian: each polygon ring is a filled ``Scatter`` in longitude/latitude, the x axis scaled by
cos(mean latitude) so shapes keep their proportions. A hidden marker trace carries the colour bar
and the hover text (region, value) sits at each region's representative point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import shapely
from plotly.colors import sample_colorscale
from shapely.geometry.base import BaseGeometry

NO_DATA = "#d9d9d9"
INDUSTRY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
                    "#e377c2", "#bcbd22", "#7f7f7f")


@dataclass(frozen=True)
class Region:
    """A region to draw: its code, display name and lon/lat geometry."""

    code: str
    name: str
    geometry: BaseGeometry


def _rings(geometry: BaseGeometry) -> list[np.ndarray]:
    polygons = getattr(geometry, "geoms", [geometry])
    return [np.asarray(p.exterior.coords) for p in polygons if not p.is_empty]


def _base(figure: go.Figure, regions: Sequence[Region], colours: Mapping[str, str]) -> None:
    for region in regions:
        for ring in _rings(region.geometry):
            figure.add_trace(go.Scatter(
                x=ring[:, 0], y=ring[:, 1], mode="lines", fill="toself",
                fillcolor=colours.get(region.code, NO_DATA), line={"color": "white", "width": 1},
                hoverinfo="skip", showlegend=False))


def _frame(figure: go.Figure, regions: Sequence[Region], height: int) -> None:
    bounds = shapely.total_bounds([r.geometry for r in regions])
    lat = (bounds[1] + bounds[3]) / 2
    figure.update_xaxes(visible=False, range=[bounds[0] - 0.05, bounds[2] + 0.05])
    figure.update_yaxes(visible=False, range=[bounds[1] - 0.05, bounds[3] + 0.05],
                        scaleanchor="x", scaleratio=1 / math.cos(math.radians(lat)))
    figure.update_layout(height=height, plot_bgcolor="white", hovermode="closest")


def choropleth(regions: Sequence[Region], values: Mapping[str, float | None], *, label: str,
               colorscale: str = "Viridis", height: int = 460) -> go.Figure:
    """Regions filled by ``values`` (grey where a region has no value), hover shows each value."""
    known = {c: float(v) for c, v in values.items()
             if v is not None and np.isfinite(float(v))}
    low, high = (min(known.values()), max(known.values())) if known else (0.0, 1.0)
    span = (high - low) or 1.0
    colours = {c: sample_colorscale(colorscale, [(v - low) / span])[0] for c, v in known.items()}
    figure = go.Figure()
    _base(figure, regions, colours)
    points = [r.geometry.representative_point() for r in regions]
    figure.add_trace(go.Scatter(
        x=[p.x for p in points], y=[p.y for p in points], mode="markers+text",
        text=[r.name for r in regions], textposition="middle center",
        textfont={"size": 11, "color": "#222"},
        marker={"size": 1, "color": [known.get(r.code, low) for r in regions],
                "colorscale": colorscale, "cmin": low, "cmax": high, "showscale": True,
                "colorbar": {"title": {"text": label}}},
        hovertext=[f"{r.name} ({r.code})<br>{label}: "
                   + (f"{known[r.code]:.4g}" if r.code in known else "no data") for r in regions],
        hoverinfo="text", showlegend=False))
    _frame(figure, regions, height)
    return figure


def layout_map(regions: Sequence[Region], alliances: Sequence[tuple[str, str, Sequence[str]]],
               *, height: int = 560) -> go.Figure:
    """The plan on the map: per industry (name, lead code, member codes) a star on the lead and
    lines from it to each participating city; each industry is one legend entry to toggle."""
    figure = go.Figure()
    _base(figure, regions, {})
    where = {r.code: r.geometry.representative_point() for r in regions}
    names = {r.code: r.name for r in regions}
    figure.add_trace(go.Scatter(x=[p.x for p in where.values()],
                                y=[p.y - 0.06 for p in where.values()], mode="text",
                                text=list(names.values()), textfont={"size": 11, "color": "#444"},
                                hoverinfo="skip", showlegend=False))
    for k, (industry, lead, members) in enumerate(alliances):
        colour = INDUSTRY_COLOURS[k % len(INDUSTRY_COLOURS)]
        offset = 0.03 * (k - len(alliances) / 2)  # keep stars of one city apart
        xs: list[float | None] = []
        ys: list[float | None] = []
        for member in members:
            if member != lead:
                xs += [where[lead].x + offset, where[member].x, None]
                ys += [where[lead].y, where[member].y, None]
        figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", legendgroup=industry,
                                    line={"color": colour, "width": 2}, name=industry,
                                    hoverinfo="skip", showlegend=False))
        figure.add_trace(go.Scatter(
            x=[where[lead].x + offset], y=[where[lead].y], mode="markers", name=industry,
            legendgroup=industry, marker={"symbol": "star", "size": 16, "color": colour,
                                          "line": {"color": "black", "width": 1}},
            hovertext=[f"{industry}<br>lead: {names[lead]}<br>members: "
                       + ", ".join(names[m] for m in members)], hoverinfo="text"))
    _frame(figure, regions, height)
    figure.update_layout(legend={"title": {"text": "alliance (★ lead city)"}})
    return figure
