"""The sharing report: each rule's allocation side by side, core checks, gains and losses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from innoalliance.reports.html import figure_html, render
from innoalliance.reports.tables import Chart, Table, table

if TYPE_CHECKING:
    from innoalliance.workflows.share.store import Comparison

WHAT = {"profit": "profit (yuan)", "cost": "cost (yuan)", "risk": "compensation (yuan)"}


def _label(c: Comparison, player: str) -> str:
    return c.names.get(player, player)


def _colour(c: Comparison, rule: str) -> str:
    """The same colour for a rule in every chart."""
    palette = qualitative.Plotly
    return str(palette[list(c.allocations.columns).index(rule) % len(palette)])


def _rules_chart(c: Comparison) -> Chart:
    figure = go.Figure([go.Bar(name=rule, x=[_label(c, p) for p in c.players],
                               y=c.allocations[rule], marker_color=_colour(c, rule))
                        for rule in c.allocations.columns])
    figure.update_layout(barmode="group", height=460, yaxis_title=WHAT[c.kind])
    return Chart("Allocation by rule", figure_html(figure))


def _gains_chart(c: Comparison) -> Chart:
    gains = c.gains().drop(columns=c.baseline)
    figure = go.Figure([go.Bar(name=rule, x=[_label(c, p) for p in c.players], y=gains[rule],
                               marker_color=_colour(c, rule)) for rule in gains.columns])
    figure.update_layout(barmode="group", height=420, yaxis_title=f"minus {c.baseline}")
    return Chart(f"Who gains and who loses against '{c.baseline}'", figure_html(figure))


def _allocation_table(c: Comparison) -> Table:
    frame = c.allocations.copy()
    who = "project" if c.kind == "risk" else "member"
    frame.insert(0, who, [_label(c, p) for p in c.players])
    core = {r: ("" if v is None else "yes" if v else "no") for r, v in c.in_core.items()}
    frame = pd.concat([frame, pd.DataFrame([{who: "in the core?", **core}])],
                      ignore_index=True)
    return table("Allocations", frame, f"total {c.total:,.2f} yuan", digits=2)


def share_report(c: Comparison, path: Path) -> Path:
    """Write the HTML report of a sharing comparison to ``path``."""
    tables = [_allocation_table(c)]
    stand_alone = c.game.get("stand_alone")
    if stand_alone:
        frame = pd.DataFrame({"member": [_label(c, p) for p in c.players],
                              "stand-alone value": [stand_alone[p] for p in c.players],
                              "money put in": [c.game["investment"].get(p, 0.0)
                                               for p in c.players]})
        tables.append(table("The game: what each member realises alone", frame))
        tables.append(table("Projects with revenue", pd.DataFrame(c.game["projects"])))
    if "members" in c.details:
        tables.append(table("What each member receives", pd.DataFrame(c.details["members"])))
    game = ", ".join(f"{k} = {v}" for k, v in c.game.items() if not isinstance(v, dict | list))
    method = (f"Game: {game}. Rules compared against '{c.baseline}'. An allocation is in the "
              "core when no group of members would do better on its own.")
    return render("report.html.j2", path, title=f"Sharing: {c.subject}", title_zh="利益分配",
                  subtitle=c.alliance, method=method, notes=c.notes,
                  charts=[_rules_chart(c), _gains_chart(c)], tables=tables)
