"""What the store knows about the organisations on both sides of a match: offers and needs in
scope, industry profiles, size, joint-project record, and behaviour scores from the ledger.

The engine reads within a budget (issue 16 item 8), whatever the store holds: the newest
:data:`MATCH_CANDIDATES` offers and as many needs in scope, each text (and each organisation's
capability) cut to its first :data:`MATCH_TEXT` characters, in SQL. Both are far above what a
store within the import limits of :mod:`innoalliance.ingest.schema` usually holds in one scope;
set ``INNOALLIANCE_MATCH_CANDIDATES`` and ``INNOALLIANCE_MATCH_TEXT`` to change them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from innoalliance.errors import MethodError
from innoalliance.ingest.limits import Limit
from innoalliance.methods.mcda.reputation import Evidence, beta_reputation
from innoalliance.model import Need, Offer, Organization, OrganizationIndustry
from innoalliance.workflows.evaluate.credit import CATEGORIES, decimal_year, ledger_evidence
from innoalliance.workflows.register.ledger import (
    Ledger,
    alliance_ledger,
    read_ledger,
    select_frame,
)

#: the most offers, and the most needs, one match reads (the newest: highest ids)
MATCH_CANDIDATES = Limit("INNOALLIANCE_MATCH_CANDIDATES", 5_000)
#: the characters of each text and capability the engine reads (the rest is not matched)
MATCH_TEXT = Limit("INNOALLIANCE_MATCH_TEXT", 1_000)


@dataclass(frozen=True)
class Context:
    """Offers and needs in scope, and one row per organisation that appears in either."""

    offers: pd.DataFrame  # id, organization, title, text, industry
    needs: pd.DataFrame
    organizations: pd.DataFrame  # indexed by credit code: name_zh, type, size, region, …
    profiles: pd.DataFrame  # organisations × industry codes (1 where it works in the industry)
    projects: pd.Series  # joint projects each organisation took part in
    behaviour: pd.Series  # 100 × beta-reputation expectation (NaN without a record)


def _knowledge(engine: Engine, model: type[Offer] | type[Need], orgs: list[str] | None
               ) -> pd.DataFrame:
    """The newest :data:`MATCH_CANDIDATES` of ``model`` (of ``orgs``), in id order, each text
    cut to :data:`MATCH_TEXT` characters by the database."""
    query = select(model.id, model.organization, model.title,
                   func.substr(model.text, 1, MATCH_TEXT()).label("text"), model.industry)
    if orgs is not None:
        query = query.where(model.organization.in_(orgs))
    newest = query.order_by(model.id.desc()).limit(MATCH_CANDIDATES()).subquery()
    with engine.connect() as conn:
        result = conn.execute(select(newest).order_by(newest.c.id))
        frame = pd.DataFrame(result.all(), columns=list(result.keys()), dtype=object)
    frame["id"] = frame["id"].astype(str)
    return frame


def _scope(engine: Engine, alliance: str | None, regions: list[str] | None) -> list[str] | None:
    if alliance is not None:
        led = alliance_ledger(engine, alliance)
        return sorted(set(led.memberships["organization"]))
    if regions:
        orgs = select_frame(engine, Organization.credit_code, Organization.region)
        prefixes = tuple(r.rstrip("0") or r for r in regions)
        return sorted(orgs.loc[orgs["region"].str.startswith(prefixes), "credit_code"])
    return None


def read_context(engine: Engine, *, alliance: str | None = None,
                 regions: list[str] | None = None, as_of: dt.date) -> Context:
    """Offers and needs of an alliance's members, of organisations in regions, or of all."""
    orgs = _scope(engine, alliance, regions)
    offers, needs = _knowledge(engine, Offer, orgs), _knowledge(engine, Need, orgs)
    if offers.empty or needs.empty:
        where = f"alliance {alliance}" if alliance else f"regions {regions}" if regions else "store"
        raise MethodError(f"the {where} has {len(offers)} offers and {len(needs)} needs; "
                          "matching needs both", hint="import offers and needs first")
    involved = sorted(set(offers["organization"]) | set(needs["organization"]))
    table = select_frame(engine, Organization.credit_code, Organization.name_zh,
                         Organization.type, Organization.size, Organization.region,
                         func.substr(Organization.capability, 1, MATCH_TEXT()).label("capability"),
                         where=Organization.credit_code.in_(involved)).set_index("credit_code")
    links = select_frame(engine, OrganizationIndustry.organization, OrganizationIndustry.industry,
                   where=OrganizationIndustry.organization.in_(involved))
    profiles = pd.crosstab(links["organization"], links["industry"]).clip(upper=1)
    profiles = profiles.reindex(involved).fillna(0.0).astype(float)
    led = read_ledger(engine)
    projects = led.participants.groupby("organization").size().reindex(involved).fillna(0)
    return Context(offers, needs, table, profiles, projects.astype(float),
                   behaviour_scores(led, involved, as_of))


def behaviour_scores(led: Ledger, orgs: list[str], as_of: dt.date) -> pd.Series:
    """Behaviour score over each organisation's whole record in every alliance."""
    now = pd.Timestamp(as_of)
    evidence = ledger_evidence(led, now)
    evidence = evidence[evidence["organization"].isin(orgs)]
    if evidence.empty:
        return pd.Series(np.nan, index=orgs)
    position = {o: i for i, o in enumerate(orgs)}
    rep = beta_reputation(
        Evidence(subject=np.asarray(evidence["organization"].map(position), dtype=np.int64),
                 time=decimal_year(evidence["date"]),
                 positive=evidence["positive"].to_numpy(dtype=np.float64),
                 negative=evidence["negative"].to_numpy(dtype=np.float64),
                 category=evidence["category"].map(CATEGORIES.index).to_numpy(dtype=np.int64)),
        len(orgs), len(CATEGORIES), now=float(decimal_year(pd.Series([now]))[0]))
    seen = np.isin(np.arange(len(orgs)), evidence["organization"].map(position).to_numpy())
    return pd.Series(np.where(seen, 100.0 * rep.expectation, np.nan), index=orgs)
