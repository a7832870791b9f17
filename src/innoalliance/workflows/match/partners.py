"""Partner recommendation: the organisations that best complete an alliance's current members.

Coverage dimensions are the four links of the innovation chain (research: universities and
institutes; industry: enterprises; finance: financial institutions; service: intermediaries) and
the alliance's industry field with its sub-industries (NBS 2018, regional codes mapped onto NBS).
An organisation covers a link by its type and an industry when it works in it or in one of its
sub-industries. The greedy coverage of :func:`~innoalliance.methods.matching.complete_team` picks
the candidates; ties go to the better behaviour score from the ledger, then to the host province.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.methods.matching.assignment import complete_team
from innoalliance.model import Industry, Organization, OrganizationIndustry
from innoalliance.workflows.match.context import behaviour_scores
from innoalliance.workflows.register.ledger import alliance_ledger, read_ledger, select_frame

LINKS = {
    "research": ("university", "research_institute"),
    "industry": ("enterprise",),
    "finance": ("financial_institution",),
    "service": ("intermediary",),
}


def _nbs(industries: pd.DataFrame, code: str) -> str:
    """The NBS code a regional code maps onto (itself when it is NBS)."""
    mapped = industries.loc[code, "maps_to"] if code in industries.index else None
    return str(mapped) if isinstance(mapped, str) and mapped else code


def _field_dimensions(industries: pd.DataFrame, field: str) -> list[str]:
    """The alliance's first-level NBS field and its children."""
    parent = industries.loc[field, "parent"] if field in industries.index else None
    top = str(parent) if isinstance(parent, str) and parent else field
    children = industries.index[industries["parent"] == top].tolist()
    return [top, *sorted(children)]


def _vectors(orgs: pd.DataFrame, links: pd.DataFrame, industries: pd.DataFrame,
             dims: list[str]) -> np.ndarray:
    """Organisations × (chain links, industry dimensions) coverage, 0/1."""
    roles = np.array([[t in types for types in LINKS.values()] for t in orgs["type"]], dtype=float)
    parents = industries["parent"].dropna().to_dict()
    held: dict[str, set[str]] = {}
    for org, code in zip(links["organization"], links["industry"], strict=True):
        nbs = _nbs(industries, code)
        held.setdefault(org, set()).update({nbs, str(parents.get(nbs, nbs))})
    inds = np.array([[d in held.get(o, set()) for d in dims] for o in orgs.index], dtype=float)
    return np.hstack([roles, inds])


def recommend_partners(engine: Engine, alliance: str, *, top: int = 5,
                       as_of: dt.date) -> dict[str, Any]:
    """Up to ``top`` non-members that best complete ``alliance``, each with what it adds."""
    led = alliance_ledger(engine, alliance)
    row = led.alliances.iloc[0]
    current = led.memberships
    if "left" in current:
        current = current[current["left"].isna() | (current["left"] > pd.Timestamp(as_of))]
    members = sorted(set(current["organization"]))
    industries = select_frame(engine, Industry.code, Industry.parent, Industry.maps_to,
                              Industry.name_en).set_index("code")
    dims = _field_dimensions(industries, _nbs(industries, str(row["industry"])))
    orgs = select_frame(engine, Organization.credit_code, Organization.name_zh,
                        Organization.type, Organization.region).set_index("credit_code")
    links = select_frame(engine, OrganizationIndustry.organization, OrganizationIndustry.industry)
    behaviour = behaviour_scores(read_ledger(engine), orgs.index.tolist(), as_of)
    province = str(row["host_region"])[:2]
    candidates = orgs.drop(index=members, errors="ignore").assign(
        behaviour=behaviour, near=lambda f: f["region"].str[:2] == province)
    candidates = candidates.sort_values(["behaviour", "near"], ascending=False,
                                        na_position="last", kind="stable")
    english = industries["name_en"].to_dict()
    labels = [*LINKS, *(f"{d} {english.get(d, '')}".strip() for d in dims)]
    team = _vectors(orgs.loc[members], links, industries, dims)
    picks = complete_team(_vectors(candidates, links, industries, dims), team, top,
                          names=candidates.index.tolist())
    covered = np.minimum(1.0, team.sum(axis=0)) if len(members) else np.zeros(len(labels))
    info = candidates.to_dict(orient="index")
    return {
        "alliance": alliance,
        "members": members,
        "dimensions": labels,
        "covered_before": [lab for lab, c in zip(labels, covered, strict=True) if c >= 1],
        "missing_before": [lab for lab, c in zip(labels, covered, strict=True) if c < 1],
        "partners": [
            {"organization": code, "name": info[code]["name_zh"], "type": info[code]["type"],
             "region": info[code]["region"], "gain": round(gain, 6),
             "adds": [labels[j] for j in adds],
             "behaviour": (None if pd.isna(info[code]["behaviour"])
                           else round(float(info[code]["behaviour"]), 2))}
            for code, gain, adds in picks
        ],
    }
