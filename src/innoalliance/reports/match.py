"""The matching report: each need's best suppliers with every score part and the reasons."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from innoalliance.methods.matching.fit import PARTS
from innoalliance.reports.html import figure_html, render
from innoalliance.reports.tables import Chart, table

if TYPE_CHECKING:
    from innoalliance.workflows.match.store import MatchRun


def _parts_chart(run: MatchRun) -> Chart:
    best = run.pairs[run.pairs["rank"] == 1]
    needs = run.context.needs.set_index("id")["title"]
    labels = [str(needs.get(n, n))[:24] for n in best["need"]]
    figure = go.Figure([go.Bar(name=p, y=labels, x=best[p], orientation="h")
                        for p in (*PARTS, "score") if p in best])
    figure.update_layout(barmode="group", height=max(360, 90 * len(best) + 120),
                         xaxis_title="0 – 1", xaxis_range=[0, 1])
    return Chart("Score parts of each need's best supplier", figure_html(figure),
                 "score = text × (½ + ½ × weighted mean of the other parts): relevance first")


def match_report(run: MatchRun, path: Path) -> Path:
    """Write the HTML report of a matching run to ``path``."""
    offers = run.context.offers.set_index("id")
    needs = run.context.needs.set_index("id")
    orgs = run.context.organizations["name_zh"]
    frame = run.pairs.copy()
    frame.insert(0, "need title", [needs.at[n, "title"] for n in frame["need"]])
    frame.insert(2, "offer title", [offers.at[o, "title"] for o in frame["offer"]])
    frame["supplier name"] = [orgs.get(offers.at[o, "organization"], "") for o in frame["offer"]]
    frame["terms"] = frame["terms"].map(" ".join)
    frame["gap"] = frame["gap"].map(" ".join)
    shown = frame[["need title", "rank", "offer title", "supplier name", "score",
                   *[p for p in PARTS if p in frame], "terms", "gap"]]
    both = pd.DataFrame({
        "need": [needs.at[n, "title"] for n in run.stable["matching"]],
        "stable": [offers.at[o, "title"] if o else "—" for o in run.stable["matching"].values()],
        "max total": [offers.at[o, "title"] if o else "—"
                      for o in run.best_total["matching"].values()]})
    by_offer = pd.DataFrame({
        "offer title": [offers.at[o, "title"] for o in run.by_offer["offer"]],
        "rank": run.by_offer["rank"],
        "need title": [needs.at[n, "title"] for n in run.by_offer["need"]],
        "receiver name": [orgs.get(needs.at[n, "organization"], "") for n in run.by_offer["need"]],
        "score": run.by_offer["score"]})
    method = ("Score = text × (½ + ½ × weighted mean of the other known parts; weights " +
              ", ".join(f"{p} {w:g}" for p, w in run.weights.items() if p != "text")
              + "). Terms: what the need and the offer share; gap: what the need asks for "
        "that the supplier's record does not show. The "
        "stable matching (needs propose) leaves no need and supplier that would both rather "
        "work together; the maximum-total assignment maximises the summed score and may have "
        f"blocking pairs: {run.best_total['blocking_pairs'] or 'none'}.")
    return render("report.html.j2", path, title="Knowledge-transfer matching",
                  title_zh="知识供需匹配", subtitle=run.scope, method=method, notes=[],
                  charts=[_parts_chart(run)],
                  tables=[table("Stable matching and maximum-total assignment", both),
                          table("Ranked suppliers for each need", shown, digits=3),
                          table("Ranked receivers for each offer", by_offer, digits=3)])
