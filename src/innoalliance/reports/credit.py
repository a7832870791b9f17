"""The members' credit report: grades, what drives each score, and the evidence behind it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from innoalliance.reports.html import figure_html, render
from innoalliance.reports.tables import Chart, table

if TYPE_CHECKING:
    from innoalliance.workflows.evaluate.credit import Ratings


def _score_chart(r: Ratings) -> Chart:
    m = r.members.sort_values("score")
    figure = go.Figure([
        go.Bar(name="behaviour (beta reputation)", y=m["name"], orientation="h",
               x=m["behaviour_score"] * r.rating.weight_behaviour, marker_color="#2f6f9f"),
        go.Bar(name="index (member contribution)", y=m["name"], orientation="h",
               x=(m["score"] - m["behaviour_score"] * r.rating.weight_behaviour),
               marker_color="#8fb8d8", text=m["grade"], textposition="outside"),
    ])
    figure.update_layout(barmode="stack", height=max(300, 30 * len(m) + 100),
                         xaxis_title="credit score (0–100)", xaxis_range=[0, 105])
    return Chart("Credit scores and grades", figure_html(figure),
                 f"score = {r.rating.weight_behaviour:g} × behaviour + "
                 f"{1 - r.rating.weight_behaviour:g} × index (behaviour alone where a member "
                 "has no index score)")


def _driver_chart(r: Ratings) -> Chart:
    m = r.members.sort_values("score")
    figure = go.Figure()
    for column in [c for c in m.columns if c.startswith("driver: ")]:
        figure.add_trace(go.Bar(name=column.removeprefix("driver: "), y=m["name"], x=m[column],
                                orientation="h"))
    figure.update_layout(barmode="relative", height=max(300, 30 * len(m) + 100),
                         xaxis_title="score points against a member with no record")
    return Chart("What drives each rating", figure_html(figure),
                 "each bar is the points a kind of evidence adds to (or takes from) the score "
                 "of a member with no record; older evidence weighs less")


def credit_report(r: Ratings, path: Path) -> Path:
    """Write the HTML report of an alliance's member ratings to ``path``."""
    members = r.members.drop(columns=[c for c in r.members.columns if c.startswith("driver: ")])
    evidence = r.evidence.merge(r.members[["organization", "name"]], on="organization")
    evidence = evidence[["name", "date", "category", "positive", "negative", "what"]]
    method = (f"Beta reputation (Jøsang & Ismail 2002) over each member's record up to "
              f"{r.as_of.isoformat()}, evidence discounted by {r.reputation.forgetting:g} per "
              f"year of age; behaviour score = 100 × (r + 1)/(r + s + 2). Index score: "
              f"'{r.index.system.name}'. Grades: {r.rating.bands.describe()}. Confidence = "
              "(r + s)/(r + s + 2): how much evidence the rating rests on; below "
              f"{r.rating.min_confidence or 0:g} a member is not rated (NR).")
    return render(
        "report.html.j2", path, title="Member credit ratings", title_zh="成员单位信用评价",
        subtitle=f"{r.alliance}, as of {r.as_of.isoformat()}", method=method,
        notes=r.index.notes, charts=[_score_chart(r), _driver_chart(r)],
        tables=[table("Ratings", members),
                table(f"Evidence ({len(evidence)} records)", evidence.astype({"date": str}))])
