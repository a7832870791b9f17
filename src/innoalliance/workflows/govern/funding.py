"""Funding channels of alliances from the ledger: budgets and delivered amounts by channel, per
alliance, region and year, with leverage, concentration and the over-dependence flag.

Budgets are the joint projects' budget columns (seed 000, section III.C's capital channels), each
project's budget spread evenly over the calendar years from its start to its end (its start year
alone when it has no end). Delivered amounts are what the ledger records: members' contributions
in yuan (the ``members`` channel); other channels' actual receipts are not in the ledger and are
reported as not recorded, never as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.errors import MethodError
from innoalliance.methods.governance.funding import funding_mix
from innoalliance.model.vocab import CapitalChannel
from innoalliance.workflows.register.ledger import read_ledger

#: the capital channels in the vocabulary's order (a project's ``budget_<channel>`` columns)
CHANNELS = tuple(c.value for c in CapitalChannel)
CHANNEL_NAMES = {CapitalChannel.GOVERNMENT.value: "government special fund",
                 CapitalChannel.BANK.value: "bank credit",
                 CapitalChannel.VENTURE.value: "venture guidance fund",
                 CapitalChannel.MEMBERS.value: "member contributions",
                 CapitalChannel.SOCIAL.value: "social capital"}


def _budget_years(projects: pd.DataFrame) -> pd.DataFrame:
    """One row per project-year with the channel budgets divided evenly over the years."""
    dated = projects[projects["start"].notna()]
    first = dated["start"].dt.year.to_numpy(dtype=np.int64)
    last = np.maximum(dated["end"].dt.year.fillna(dated["start"].dt.year).to_numpy(np.int64),
                      first)
    span = last - first + 1
    rows = np.repeat(np.arange(len(dated)), span)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(span) - span, span)
    out = pd.DataFrame({"alliance": dated["alliance"].to_numpy()[rows],
                        "year": first[rows] + offset})
    for c in CHANNELS:
        out[c] = dated[f"budget_{c}"].to_numpy(dtype=np.float64)[rows] / span[rows]
    return out


def _mix_rows(frame: pd.DataFrame, keys: list[str], threshold: float) -> list[dict[str, Any]]:
    grouped = frame.groupby(keys, sort=True)[list(CHANNELS)].sum()
    if grouped.empty:
        return []
    mix = funding_mix(grouped.to_numpy(), CHANNELS.index(CapitalChannel.GOVERNMENT),
                      max_government_share=threshold)
    out = []
    for k, key in enumerate(grouped.index):
        values = key if isinstance(key, tuple) else (key,)
        out.append({**dict(zip(keys, values, strict=True)),
                    "budget": {c: round(float(grouped.iloc[k][c]), 2) for c in CHANNELS},
                    "total": round(float(mix.total[k]), 2),
                    "government_share": round(float(mix.government_share[k]), 6),
                    "leverage": None if np.isnan(mix.leverage[k]) else
                    round(float(mix.leverage[k]), 6),
                    "herfindahl": None if np.isnan(mix.herfindahl[k]) else
                    round(float(mix.herfindahl[k]), 6),
                    "over_dependent": bool(mix.over_dependent[k])})
    return out


def funding_report(engine: Engine, *, region: str | None = None, alliance: str | None = None,
                   years: Sequence[int] | None = None,
                   max_government_share: float = 0.5) -> dict[str, Any]:
    """Budgets by channel per alliance and year, per alliance over the years, and for the region
    (or the one ``alliance``) per year; delivered member contributions beside the budgeted ones;
    flags."""
    led = read_ledger(engine, alliance)
    alliances = led.alliances
    if region:
        prefix = region.rstrip("0") or region
        alliances = alliances[alliances["host_region"].str.startswith(prefix)]
    names = set(alliances["name_zh"])
    budget = _budget_years(led.projects[led.projects["alliance"].isin(names)])
    paid = led.contributions[led.contributions["alliance"].isin(names)
                             & (led.contributions["unit"] == "元")]
    paid = paid.assign(year=paid["date"].dt.year)
    if years:
        budget = budget[budget["year"].isin(list(years))]
        paid = paid[paid["year"].isin(list(years))]
    if budget.empty:
        where = f"region {region}" if region else "the store"
        raise MethodError(f"no project budgets in {where}"
                          + (f" for {min(years)}–{max(years)}" if years else ""),
                          hint="import projects with their budget columns, or widen --years")
    delivered = paid.groupby("alliance")["amount"].sum()
    per_alliance = _mix_rows(budget, ["alliance"], max_government_share)
    for row in per_alliance:
        row["delivered"] = {"members": round(float(delivered.get(row["alliance"], 0.0)), 2),
                            **{c: None for c in CHANNELS if c != "members"}}
    return {
        "region": region, "years": sorted(int(y) for y in budget["year"].unique()),
        "channels": CHANNEL_NAMES, "max_government_share": max_government_share,
        "budget_spread": "each project's budget evenly over its calendar years",
        "alliances": per_alliance,
        "alliance_years": _mix_rows(budget, ["alliance", "year"], max_government_share),
        "region_years": _mix_rows(budget, ["year"], max_government_share),
        "region_total": _mix_rows(budget.assign(all="all"), ["all"], max_government_share)[0],
        "over_dependent": [r["alliance"] for r in per_alliance if r["over_dependent"]],
    }
