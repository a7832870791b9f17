"""Supervision reports: the annual report of one alliance for its supervising committee, and the
regional overview across alliances. Every section is read from the store; a section with nothing
to show says so rather than disappearing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError, NoCharter
from innoalliance.ingest.indexsystem import load_system
from innoalliance.methods.governance.enforcement import delivery_status
from innoalliance.reports.tables import Table, table
from innoalliance.workflows.evaluate.credit import MIN_CONFIDENCE, rate_members
from innoalliance.workflows.evaluate.store import evaluate
from innoalliance.workflows.govern.enforcement import check
from innoalliance.workflows.govern.funding import CHANNELS, funding_report
from innoalliance.workflows.govern.lifecycle import history
from innoalliance.workflows.govern.policies import applicable_policies
from innoalliance.workflows.register.ledger import Ledger, alliance_ledger, delivered
from innoalliance.workflows.share.allocations import list_allocations, verify_chain


@dataclass(frozen=True)
class AnnualReport:
    """The report's sections as titled tables, and the facts of the alliance."""

    alliance: str
    year: int
    facts: dict[str, Any]
    tables: list[Table]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """JSON-ready report: each section's rows as records."""
        return {"alliance": self.alliance, "year": self.year, "facts": self.facts,
                "notes": self.notes,
                "sections": {t.title: [dict(zip(t.columns, r, strict=True)) for r in t.rows]
                             for t in self.tables}}


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    result: pd.Series = dates.dt.year == year
    return result


def _members(led: Ledger, year: int) -> Table:
    m = led.memberships
    end = pd.Timestamp(year, 12, 31)
    current = m[(m["joined"].isna() | (m["joined"] <= end))
                & (m["left"].isna() | (m["left"] > end))]
    change = np.where(_in_year(m["joined"], year), "joined",
                      np.where(_in_year(m["left"], year), "left", ""))
    frame = pd.DataFrame({"organisation": m["name_zh"], "type": m["type"], "role": m["role"],
                          "joined": m["joined"].dt.date, "left": m["left"].dt.date,
                          f"change in {year}": change})
    frame = frame[m.index.isin(current.index) | (change != "")]
    return table(f"Members at the end of {year} and changes", frame,
                 note=f"{len(current)} members; {int((change == 'joined').sum())} joined, "
                      f"{int((change == 'left').sum())} left in {year}")


def _commitments(led: Ledger, year: int) -> Table:
    end = pd.Timestamp(year, 12, 31)
    c = led.commitments
    names = led.memberships.drop_duplicates("organization").set_index("organization")["name_zh"]
    got = delivered(c, led.contributions, end)
    status = delivery_status(c["amount"] - got, got, c["due"] < end)
    frame = pd.DataFrame({
        "ref": c["ref"], "member": c["organization"].map(names).fillna(c["organization"]),
        "kind": c["kind"], "promised": c["amount"], "unit": c["unit"], "due": c["due"].dt.date,
        "delivered by year end": got, "delivered share": np.where(c["amount"] > 0,
                                                                  got / c["amount"], np.nan),
        "status": status,
    })
    return table("Commitments against delivery", frame,
                 note="amounts in the commitment's base unit (the import converts 万元 and 亿元 to "
                      "元, 人月 to 人年)")


def _projects(led: Ledger, year: int) -> Table:
    p = led.projects
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    active = p[(p["start"].isna() | (p["start"] <= end)) & (p["end"].isna() | (p["end"] >= start))]
    frame = pd.DataFrame({"project": active["name"], "status": active["status"],
                          "start": active["start"].dt.date, "end": active["end"].dt.date,
                          **{f"{c} (万元)": active[f"budget_{c}"] / 1e4 for c in CHANNELS}})
    return table(f"Projects active in {year}, budget by channel", frame)


def _funding(engine: Engine, alliance: str, year: int) -> Table:
    try:
        found = funding_report(engine, alliance=alliance, years=[year])
    except InnoallianceError:
        found = {"alliances": []}
    rows = [r for r in found["alliances"] if r["alliance"] == alliance]
    frame = pd.DataFrame([{**{f"{c} (万元)": r["budget"][c] / 1e4 for c in CHANNELS},
                           "government share": r["government_share"],
                           "leverage": r["leverage"], "Herfindahl": r["herfindahl"],
                           "over-dependent": r["over_dependent"]} for r in rows])
    return table(f"Funding mix {year}", frame, digits=3,
                 note="budgets spread evenly over each project's years; leverage = "
                      "non-government yuan per government yuan")


def _outputs(led: Ledger, year: int) -> Table:
    o = led.outputs
    names = led.memberships.drop_duplicates("organization").set_index("organization")["name_zh"]
    owners = led.owners.assign(name=lambda f: f["organization"].map(names)
                               .fillna(f["organization"]))
    labels = owners["name"].astype(str) + " " + (owners["share"] * 100).round(0).astype(
        int).astype(str) + "%"
    shares = labels.groupby(owners["output"]).agg("; ".join)
    mine = o[_in_year(o["date"], year)]
    frame = pd.DataFrame({"output": mine["name"], "type": mine["type"],
                          "date": mine["date"].dt.date, "value": mine["value"],
                          "unit": mine["unit"], "owners": mine["name"].map(shares)})
    return table(f"Outputs of {year} and their owners", frame)


def _grades(engine: Engine, alliance: str, year: int) -> Table:
    rows = []
    for name in ("alliance_activity", "alliance_performance"):
        try:
            scores = evaluate(engine, load_system(name), [year]).scores
            row = scores.xs(year, level="year").loc[alliance].to_dict()
            rows.append({"index system": name, "score": float(row["score"]),
                         "rank": int(row["rank"]), "grade": row["grade"]})
        except (InnoallianceError, KeyError):
            rows.append({"index system": name, "score": None, "rank": None,
                         "grade": "not evaluated (no data for the year)"})
    return table(f"Evaluation grades {year}", pd.DataFrame(rows), digits=1)


def _ratings(engine: Engine, alliance: str, year: int) -> Table:
    try:
        ratings = rate_members(engine, alliance, as_of=dt.date(year, 12, 31),
                               system=load_system("member_contribution"),
                               min_confidence=MIN_CONFIDENCE)
    except InnoallianceError as exc:
        return table("Members' credit ratings", pd.DataFrame(), note=f"not rated: {exc.message}")
    cols = [c for c in ("name", "role", "score", "grade", "behaviour_score", "index_score")
            if c in ratings.members]
    return table(f"Members' credit ratings at the end of {year}", ratings.members[cols], digits=1)


def _allocations(engine: Engine, alliance: str) -> Table:
    entries = list_allocations(engine, alliance)
    check = verify_chain(engine)
    frame = pd.DataFrame([{k: e.get(k) for k in ("id", "recorded_at", "subject", "kind",
                                                 "method", "actor")} for e in entries])
    verdict = (f"the record's {check.entries} entries verify" if check.ok else
               f"THE RECORD IS BROKEN at entry {check.first_broken}: {check.reason}")
    return table("Allocations recorded and the ledger's verification", frame, note=verdict)


def _events(led: Ledger, year: int) -> Table:
    e = led.events
    mine = e[_in_year(e["date"], year) | (e["type"].isin(("violation", "dispute"))
                                           & (e["date"].dt.year <= year))]
    names = led.memberships.drop_duplicates("organization").set_index("organization")["name_zh"]
    frame = pd.DataFrame({"date": mine["date"].dt.date, "type": mine["type"],
                          "organisation": mine["organization"].map(names)
                          .fillna(mine["organization"]),
                          "what happened and how it ended": mine["description"]})
    return table("Disputes, violations and other events, and how they ended", frame,
                 note=f"events of {year}, and every earlier violation and dispute")


def _life_cycle(engine: Engine, alliance: str, year: int) -> Table:
    entries = [e for e in history(engine, alliance) if e.at.year <= year]
    frame = pd.DataFrame([{"date": e.at.date(), "kind": e.kind, "from": e.from_state,
                           "to": e.to_state, "organisation": e.organization, "by": e.actor,
                           "why": e.reason,
                           "inputs": ", ".join(f"{k} {v}" for k, v in e.inputs.items())}
                          for e in entries])
    state = entries[-1].to_state if entries else "no recorded history"
    return table(f"Life cycle to the end of {year}", frame,
                 note=f"state at the end of {year}: {state}")


def _charter_check(engine: Engine, alliance: str, year: int) -> list[Table]:
    try:
        found = check(engine, dt.date(year, 12, 31), alliance)["alliances"]
    except NoCharter as exc:  # the section says so
        return [table("Charter check and open alerts", pd.DataFrame(),
                      note=f"nothing to enforce: {exc.message}")]
    a = found[0]
    penalties = pd.DataFrame([{
        "member": p["member"], "defaults": ", ".join(p["defaults"]),
        "late fee (元)": p["late_fee"]["total"],
        "computation": "; ".join(x["computation"] for x in p["late_fee"]["parts"]),
        "rights suspended": p["suspended"], "excluded": p["excluded"],
        "forfeit share": p["forfeit_share"]} for p in a["penalties"]])
    alerts = pd.DataFrame([{"severity": x["severity"], "alert": x["message"], "rule": x["rule"]}
                           for x in a["alerts"]])
    return [table(f"Charter check at the end of {year}: penalties", penalties,
                  note=f"charter version {a['charter_version']} adopted {a['adopted']}"),
            table("Open alerts", alerts)]


def _why(condition: dict[str, Any]) -> str:
    if "how" in condition:
        return str(condition["how"])
    return f"{condition['condition']} is {condition['alliance']}"


def _policies(engine: Engine, alliance: str) -> Table:
    found = applicable_policies(engine, alliance)
    frame = pd.DataFrame([{
        "measure": m["title"], "措施": m["title_zh"], "dimension": m["dimension"],
        "why": "; ".join(_why(w) for w in m["why"]),
        "source": f"seed {m['source']['seed']} {m['source']['section']}"
                  + (" (illustrative)" if m.get("illustrative") else "")}
        for m in found["applicable"]])
    return table("Applicable policies", frame,
                 note=f"{len(frame)} of {found['catalogue']['measures']} measures of the "
                      "time × space × industry policy matrix apply")


def annual_report(engine: Engine, alliance: str, year: int) -> AnnualReport:
    """Every section of the annual supervision report of ``alliance`` for ``year``."""
    led = alliance_ledger(engine, alliance)
    a = led.alliances.iloc[0]
    facts = {k: (None if pd.isna(a[k]) else a[k]) for k in
             ("name_en", "kind", "industry", "host_region", "stage", "batch", "approval_year",
              "status")}
    tables = [_life_cycle(engine, alliance, year), _members(led, year),
              _commitments(led, year), _projects(led, year),
              _funding(engine, alliance, year), _outputs(led, year),
              _grades(engine, alliance, year), _ratings(engine, alliance, year),
              _allocations(engine, alliance), _events(led, year), _policies(engine, alliance)]
    tables += _charter_check(engine, alliance, year)
    return AnnualReport(alliance, year, facts, tables)


def write_annual_report(engine: Engine, alliance: str, year: int, output: Path, *,
                        pdf: bool = False) -> tuple[AnnualReport, list[Path]]:
    """Write ``output``.html (and ``output``.pdf) and ``output``.json; returns the paths."""
    from innoalliance.reports.html import render
    from innoalliance.workflows.common import write_outputs

    report = annual_report(engine, alliance, year)
    facts = ", ".join(f"{k} {v}" for k, v in report.facts.items() if v is not None)
    html, json_path = write_outputs(report.summary(), output, lambda path: render(
        "report.html.j2", path, title=f"Annual supervision report {year}",
        title_zh="联盟年度监督报告", subtitle=f"{alliance} · {facts}",
        method="Every section is read from the innoalliance store as recorded on the day the "
               "report was made; amounts in yuan unless stated.",
        notes=report.notes, charts=[], tables=report.tables))
    paths = [html, json_path]
    if pdf:
        from innoalliance.reports.pdf import tables_pdf

        paths.append(tables_pdf(json_path.with_suffix(".pdf"),
                                title=f"Annual supervision report {year}: {alliance}",
                                subtitle=facts, notes=report.notes, tables=report.tables))
    return report, paths
