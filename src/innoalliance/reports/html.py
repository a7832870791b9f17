"""Render a report: a Jinja2 template, Plotly figures as divs, and Plotly's JavaScript inlined once.

Reports open offline: no CDN, no web fonts, no map tiles. The page carries its own copy of
plotly.js (about 4.5 MB), so one file is all a user needs to send or archive.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from plotly.offline import get_plotlyjs

from innoalliance import __version__

_env = Environment(
    loader=PackageLoader("innoalliance.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def figure_html(figure: go.Figure) -> str:
    """A figure as a ``<div>`` that uses the page's inlined plotly.js."""
    figure.update_layout(template="plotly_white", margin={"l": 40, "r": 20, "t": 50, "b": 40},
                         font={"family": "sans-serif"})
    html: str = figure.to_html(full_html=False, include_plotlyjs=False,
                               config={"displaylogo": False, "responsive": True})
    return html


def render(template: str, path: Path, **context: Any) -> Path:
    """Write the report ``template`` with ``context`` to ``path``; returns the path."""
    page = _env.get_template(template).render(
        plotly_js=get_plotlyjs(), version=__version__,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), **context)
    path.write_text(page, encoding="utf-8")
    return path
