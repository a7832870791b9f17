"""Matching on the store: ranked, explained suppliers for each need of an alliance's members (or
of a region's organisations), and a stable matching beside the maximum-total assignment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.methods.matching.assignment import max_total_assignment
from innoalliance.methods.matching.fit import (
    DEFAULT_WEIGHTS,
    PARTS,
    absorptive_capacity,
    industry_proximity,
    profile_similarity,
    region_proximity,
    relevance_first,
)
from innoalliance.methods.matching.stable import scores_to_preferences, stable_matching
from innoalliance.model import Alliance, Industry
from innoalliance.workflows.evaluate.measures import ACADEMIC
from innoalliance.workflows.match.context import MATCH_TEXT, Context, read_context
from innoalliance.workflows.match.rank import POOL, explain, keep_top, mean_known, text_candidates
from innoalliance.workflows.register.ledger import select_frame


@dataclass(frozen=True)
class MatchRun:
    """Ranked candidates with their score parts, and the two matchings of needs to offers."""

    scope: str
    pairs: pd.DataFrame
    by_offer: pd.DataFrame
    stable: dict[str, Any]
    best_total: dict[str, Any]
    weights: Mapping[str, float]
    context: Context

    def summary(self) -> dict[str, Any]:
        """JSON-ready form."""
        cols = ["need", "offer", "rank", "score", *[p for p in PARTS if p in self.pairs],
                "terms", "gap"]
        frame = self.pairs[cols].replace({np.nan: None})
        return {"scope": self.scope, "weights": dict(self.weights),
                "candidates": frame.to_dict(orient="records"),
                "needs_for_offer": {
                    offer: [{"need": n, "score": round(float(x), 6)}
                            for n, x in zip(g["need"], g["score"], strict=True)]
                    for offer, g in self.by_offer.groupby("offer", sort=True)},
                "stable_matching": self.stable, "max_total_assignment": self.best_total}


def domain_terms(engine: Engine, ctx: Context) -> tuple[str, ...]:
    """Words jieba must keep whole: the words of every industry's and alliance's Chinese name.

    A name is split at whitespace, each part a term of its own ("新能源 汽车联盟" gives "新能源"
    and "汽车联盟"; leading and trailing spaces are dropped): jieba never keeps a space inside a
    word, and :func:`methods.matching.text.tokenize` refuses a term containing one, so one
    alliance named with a space used to make every match fail. A name without whitespace is one
    term, as it always was. Sorted, each term once."""
    names = select_frame(engine, Industry.name_zh)["name_zh"].dropna().tolist()
    names += select_frame(engine, Alliance.name_zh)["name_zh"].dropna().tolist()
    return tuple(sorted({word for name in names for word in str(name).split()}))


def _parts(ctx: Context, pairs: pd.DataFrame) -> pd.DataFrame:
    offer_org = ctx.offers.set_index("id").loc[pairs["offer"], "organization"].to_numpy()
    need_org = ctx.needs.set_index("id").loc[pairs["need"], "organization"].to_numpy()
    offer_ind = ctx.offers.set_index("id").loc[pairs["offer"], "industry"].tolist()
    need_ind = ctx.needs.set_index("id").loc[pairs["need"], "industry"].tolist()
    orgs = ctx.organizations
    pairs = pairs.assign(supplier=offer_org, receiver=need_org)
    pairs = pairs[pairs["supplier"] != pairs["receiver"]].copy()  # nobody supplies itself
    keep = pairs.index
    s, r = pairs["supplier"].to_numpy(), pairs["receiver"].to_numpy()
    pairs["similarity"] = profile_similarity(ctx.profiles.loc[r].to_numpy(),
                                             ctx.profiles.loc[s].to_numpy())
    academic = orgs.loc[s, "type"].isin(ACADEMIC).to_numpy()
    firm = (orgs.loc[r, "type"] == "enterprise").to_numpy()
    pairs["complementarity"] = np.where(academic & firm, 1.0, 0.5)
    pairs["absorptive"] = absorptive_capacity(list(orgs.loc[r, "size"]), ctx.projects.loc[r])
    pairs["proximity"] = mean_known(
        region_proximity(list(orgs.loc[r, "region"]), list(orgs.loc[s, "region"])),
        industry_proximity([need_ind[i] for i in keep], [offer_ind[i] for i in keep]))
    pairs["credit"] = ctx.behaviour.loc[s].to_numpy() / 100.0
    return pairs


#: how many texts' worth (:data:`MATCH_TEXT` characters each) of a supplier's record
#: (capability and offers) the gaps are read from
RECORD_TEXTS = 10


def _records(ctx: Context) -> dict[str, str]:
    """Each offer's supplier record: capability text and its offers' titles and texts, cut to
    :data:`RECORD_TEXTS` texts' characters; the offers of one organisation share one string (memory
    linear in the organisations, not quadratic in their offers: issue 16 item 8)."""
    joined = ctx.offers["title"].astype(str) + " " + ctx.offers["text"].astype(str)
    by_org = joined.groupby(ctx.offers["organization"]).agg(" ".join)
    capability = ctx.organizations["capability"].fillna("")
    most = RECORD_TEXTS * MATCH_TEXT()
    record = {org: f"{capability.get(org, '')} {text}"[:most]
              for org, text in by_org.items()}
    return {o: record[org]
            for o, org in zip(ctx.offers["id"], ctx.offers["organization"], strict=True)}


def rank(engine: Engine, *, alliance: str | None = None, regions: list[str] | None = None,
         top: int = 5, as_of: dt.date, weights: Mapping[str, float] = DEFAULT_WEIGHTS,
         ) -> tuple[Context, pd.DataFrame, pd.DataFrame]:
    """The context, the ``top`` offers of each need in scope (explained), and the ``top`` needs
    of each offer: the ranking of :func:`run_match` without its two matchings, at a cost linear
    in the candidates the context reads (a member's suggestions need no more)."""
    ctx = read_context(engine, alliance=alliance, regions=regions, as_of=as_of)
    terms = domain_terms(engine, ctx)
    pairs = _parts(ctx, text_candidates(ctx.offers, ctx.needs, POOL, terms))
    pairs["score"] = relevance_first({p: pairs[p] for p in PARTS}, weights)
    ranked = explain(keep_top(pairs, top), ctx.offers, ctx.needs, _records(ctx), terms)
    return ctx, ranked, keep_top(pairs, top, by="offer")


def run_match(engine: Engine, *, alliance: str | None = None, regions: list[str] | None = None,
              top: int = 5, capacity: int = 1, as_of: dt.date,
              weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> MatchRun:
    """Rank, explain and match the needs and offers in scope."""
    ctx, ranked, by_offer = rank(engine, alliance=alliance, regions=regions, top=top,
                                 as_of=as_of, weights=weights)
    scores = {(n, o): float(x) for n, o, x in
              zip(ranked["need"], ranked["offer"], ranked["score"], strict=True)}
    # an offer no need ranks (nothing in common) takes no part in the matching
    prefs = scores_to_preferences(scores, capacities=dict.fromkeys(
        (o for o in ctx.offers["id"] if o in set(ranked["offer"])), capacity))
    stable = stable_matching(prefs)
    best = max_total_assignment(prefs, scores=scores)
    scope = (f"alliance {alliance}" if alliance else f"regions {', '.join(regions)}" if regions
             else "all organisations")
    return MatchRun(
        scope, ranked, by_offer,
        {"matching": stable.matching, "blocking_pairs": [list(p) for p in stable.blocking_pairs],
         "total_score": sum(scores[(n, o)] for n, o in stable.matching.items() if o)},
        {"matching": best.matching, "blocking_pairs": [list(p) for p in best.blocking_pairs],
         "total_score": best.total},
        weights, ctx)
