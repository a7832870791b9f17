"""Measures an index system's indicators read from the store, per unit and year.

A measure is named ``alliance.X``, ``member.X`` or ``region.X``. Region measures are statistics
(``region.gdp`` is the statistic ``gdp`` of the region for all industries). Alliance and member
measures are counted from the ledger over a window of years ending with the year evaluated:
*flows* (outputs, events, projects, contributions) dated within the window, *stocks* (members,
commitments due) as of 31 December of the year. Money stays in yuan (an indicator's ``scale``
converts it). A measure that has no meaning for a unit in a year (a share of nothing, a
fulfilment rate with no commitment due) is missing (NaN), never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from innoalliance.errors import UnknownReference
from innoalliance.ingest.cells import closest
from innoalliance.workflows.register.ledger import Ledger

ACADEMIC = ("university", "research_institute")
CONFLICTS = ("violation", "dispute")
INACTIVE_PROJECTS = ("planned", "cancelled")


@dataclass(frozen=True)
class Window:
    """The years a flow is counted over: 1 January of ``first`` to 31 December of ``last``."""

    first: int
    last: int

    @property
    def start(self) -> pd.Timestamp:
        """First day of the window."""
        return pd.Timestamp(self.first, 1, 1)

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the window (the stock date)."""
        return pd.Timestamp(self.last, 12, 31)

    def holds(self, dates: pd.Series) -> pd.Series:
        """Which dates fall in the window (a missing date never does)."""
        return (dates >= self.start) & (dates <= self.end)


Measure = Callable[[Ledger, Window, str], pd.Series]
"""(ledger, window, key column) → value per unit; the key is ``alliance`` or ``organization``."""


def _count(frame: pd.DataFrame, mask: pd.Series, key: str) -> pd.Series:
    return frame[mask].groupby(key).size().astype(float)


def _current_members(led: Ledger, w: Window) -> pd.DataFrame:
    m = led.memberships
    joined = m["joined"].isna() | (m["joined"] <= w.end)
    stayed = m["left"].isna() | (m["left"] > w.end)
    return m[joined & stayed]


def _active_projects(led: Ledger, w: Window) -> pd.DataFrame:
    p = led.projects
    started = p["start"].isna() | (p["start"] <= w.end)
    running = p["end"].isna() | (p["end"] >= w.start)
    return p[started & running & ~p["status"].isin(INACTIVE_PROJECTS)]


def _outputs(led: Ledger, w: Window, kind: str | None = None) -> pd.DataFrame:
    o = led.outputs
    mask = w.holds(o["date"])
    if kind is not None:
        mask &= o["type"] == kind
    return o[mask]


def _fulfilment(led: Ledger, w: Window, key: str) -> pd.Series:
    """Mean over commitments due by the stock date of min(1, delivered by then / committed), %."""
    c = led.commitments
    due = c[(c["due"] <= w.end) & (c["amount"] > 0)]
    d = led.contributions
    delivered = (d[d["date"] <= w.end].groupby(["alliance", "commitment"])["amount"].sum()
                 .rename("delivered"))
    due = due.join(delivered, on=["alliance", "ref"])
    ratio = (due["delivered"].fillna(0.0) / due["amount"]).clip(upper=1.0)
    return (ratio.groupby(due[key]).mean() * 100.0).astype(float)


def members(led: Ledger, w: Window, key: str) -> pd.Series:
    """Member organisations at the stock date."""
    return _current_members(led, w).groupby("alliance").size().astype(float)


def academic_share(led: Ledger, w: Window, key: str) -> pd.Series:
    """Universities and research institutes among the members at the stock date, %."""
    m = _current_members(led, w)
    return (m["type"].isin(ACADEMIC).groupby(m["alliance"]).mean() * 100.0).astype(float)


def reports(led: Ledger, w: Window, key: str) -> pd.Series:
    """Reports (annual work reports and the like) filed in the window."""
    e = led.events
    return _count(e, w.holds(e["date"]) & (e["type"] == "report"), "alliance")


def violations(led: Ledger, w: Window, key: str) -> pd.Series:
    """Violations and disputes recorded in the window (against the member, for member measures)."""
    e = led.events
    return _count(e, w.holds(e["date"]) & e["type"].isin(CONFLICTS), key)


def projects_active(led: Ledger, w: Window, key: str) -> pd.Series:
    """Joint projects under way at some time in the window (not planned or cancelled)."""
    if key == "alliance":
        return _active_projects(led, w).groupby("alliance").size().astype(float)
    active = _active_projects(led, w)[["alliance", "name"]].rename(columns={"name": "project"})
    joined = led.participants.merge(active, on=["alliance", "project"])
    return joined.groupby("organization").size().astype(float)


def projects_completed(led: Ledger, w: Window, key: str) -> pd.Series:
    """Projects completed with an end date in the window."""
    p = led.projects
    return _count(p, (p["status"] == "completed") & w.holds(p["end"]), "alliance")


def project_budget(led: Ledger, w: Window, key: str) -> pd.Series:
    """Budget (all five capital channels, yuan) of projects starting in the window."""
    p = led.projects
    return p[w.holds(p["start"])].groupby("alliance")["budget"].sum().astype(float)


def nongovernment_share(led: Ledger, w: Window, key: str) -> pd.Series:
    """Share of the budget of projects under way that is not the government special fund, %."""
    p = _active_projects(led, w)
    sums = p.groupby("alliance")[["budget", "budget_government"]].sum()
    sums = sums[sums["budget"] > 0]
    return ((1.0 - sums["budget_government"] / sums["budget"]) * 100.0).astype(float)


def participants_per_project(led: Ledger, w: Window, key: str) -> pd.Series:
    """Mean number of participating organisations of the projects under way."""
    active = _active_projects(led, w)[["alliance", "name"]].rename(columns={"name": "project"})
    sizes = led.participants.groupby(["alliance", "project"]).size().rename("n")
    sized = active.join(sizes, on=["alliance", "project"]).fillna({"n": 0})
    return sized.groupby("alliance")["n"].mean().astype(float)


def _output_count(kind: str) -> Measure:
    def measure(led: Ledger, w: Window, key: str) -> pd.Series:
        return _outputs(led, w, kind).groupby("alliance").size().astype(float)

    measure.__doc__ = f"Outputs of type {kind} dated in the window."
    return measure


def revenue(led: Ledger, w: Window, key: str) -> pd.Series:
    """Revenue recorded as outputs in the window, yuan."""
    return _outputs(led, w, "revenue").groupby("alliance")["value"].sum().astype(float)


def joint_outputs(led: Ledger, w: Window, key: str) -> pd.Series:
    """Outputs in the window owned by two or more organisations."""
    o = _outputs(led, w)
    owners = led.owners.groupby(["alliance", "output"]).size().rename("owners")
    o = o.join(owners, on=["alliance", "name"])
    return _count(o, o["owners"] >= 2, "alliance")


def member_outputs(led: Ledger, w: Window, key: str) -> pd.Series:
    """Outputs in the window, each counted by the member's ownership share."""
    o = _outputs(led, w)[["alliance", "name"]].rename(columns={"name": "output"})
    owned = led.owners.merge(o, on=["alliance", "output"])
    return owned.groupby("organization")["share"].sum().astype(float)


def contributed(led: Ledger, w: Window, key: str) -> pd.Series:
    """Money (yuan) delivered against commitments in the window."""
    d = led.contributions
    return d[w.holds(d["date"]) & (d["unit"] == "元")].groupby("organization")["amount"].sum()


ALLIANCE_MEASURES: dict[str, Measure] = {
    "members": members,
    "academic_share": academic_share,
    "commitment_fulfilment": _fulfilment,
    "reports": reports,
    "violations": violations,
    "projects_active": projects_active,
    "projects_completed": projects_completed,
    "project_budget": project_budget,
    "nongovernment_share": nongovernment_share,
    "participants_per_project": participants_per_project,
    "patents": _output_count("patent"),
    "standards": _output_count("standard"),
    "products": _output_count("product"),
    "revenue": revenue,
    "joint_outputs": joint_outputs,
}
MEMBER_MEASURES: dict[str, Measure] = {
    "commitment_fulfilment": _fulfilment,
    "contributed": contributed,
    "outputs": member_outputs,
    "projects": projects_active,
    "violations": violations,
}
MEASURES = {"alliance": ALLIANCE_MEASURES, "member": MEMBER_MEASURES}
# A count with no record is a true zero; a rate or mean with nothing to rate stays missing.
RATES = {"academic_share", "commitment_fulfilment", "nongovernment_share",
         "participants_per_project"}


def check_measure(unit: str, name: str) -> tuple[str, str]:
    """Split ``alliance.patents`` into (unit kind, measure) and check the measure exists."""
    kind, _, measure = name.partition(".")
    if kind != unit:
        raise UnknownReference(f"{unit} measure", name, f"{unit}.{measure}")
    if unit != "region" and measure not in MEASURES[unit]:
        known = [f"{unit}.{m}" for m in MEASURES[unit]]
        raise UnknownReference(f"{unit} measure", name, closest(name, known),
                               hint=f"use one of the {unit} measures: {', '.join(known)}")
    return kind, measure


def ledger_measures(led: Ledger, unit: str, names: list[str], units: list[str],
                    years: list[int], window: int) -> pd.DataFrame:
    """Values of ledger measures: rows (unit, year), one column per measure name."""
    key = "alliance" if unit == "alliance" else "organization"
    index = pd.MultiIndex.from_product([units, years], names=["unit", "year"])
    out = pd.DataFrame(index=index, columns=names, dtype=float)
    for year in years:
        w = Window(year - window + 1, year)
        for name in names:
            measure = name.partition(".")[2]
            values = MEASURES[unit][measure](led, w, key).reindex(units)
            if measure not in RATES:
                values = values.fillna(0.0)
            out.loc[(slice(None), year), name] = values.to_numpy(dtype=float)
    return out


def region_measures(stats: pd.DataFrame, names: list[str], units: list[str],
                    years: list[int]) -> pd.DataFrame:
    """Values of statistics: rows (region, year), one column per ``region.X`` name."""
    index = pd.MultiIndex.from_product([units, years], names=["unit", "year"])
    all_industries = stats[stats["industry"].isna() | (stats["industry"] == "")]
    wide = all_industries.pivot_table(index=["region", "year"], columns="indicator",
                                      values="value", aggfunc="first")
    out = pd.DataFrame(index=index, columns=names, dtype=float)
    for name in names:
        indicator = name.partition(".")[2]
        if indicator in wide.columns:
            out[name] = wide[indicator].reindex(index).to_numpy(dtype=float)
    return out.astype(np.float64)


def render_measures() -> str:
    """The measures an indicator can read, as a Markdown table (for docs/index-systems.md)."""
    lines = ["| measure | what it counts |", "| --- | --- |"]
    for unit, registry in MEASURES.items():
        for name, measure in registry.items():
            doc = (measure.__doc__ or "").strip().splitlines()[0]
            kind = "rate or mean: missing when undefined" if name in RATES else "count or sum"
            lines.append(f"| `{unit}.{name}` | {doc} ({kind}) |")
    lines.append("| `region.X` | the statistic X of the region for all industries, in its stored "
                 "unit (any indicator imported with `import statistics`) |")
    return "\n".join(lines) + "\n"
