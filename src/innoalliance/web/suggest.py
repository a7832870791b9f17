"""The matches suggested to a member: for each of its needs the best offers of others, and for
each of its offers the best needs, from the matching engine over every organization (ranked by
relevance first, with the terms that matched); computed once per state of the store.

Within a budget whatever the store holds (issue 16 item 8): the ranking only
(:func:`~innoalliance.workflows.match.store.rank`, no matching of the whole store), over the
candidates :func:`~innoalliance.workflows.match.context.read_context` reads (the newest
``MATCH_CANDIDATES`` offers and needs, texts cut to ``MATCH_TEXT`` characters), and at most
:data:`TOP` suggestions for at most :data:`MAX_OWN` of the member's own needs and offers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError
from innoalliance.ingest.schema import MAX_PER_ORGANIZATION
from innoalliance.web.cache import store_cache
from innoalliance.workflows.match.store import rank

TOP = 3
#: the most of its own needs (and offers) a member is shown suggestions for
MAX_OWN = MAX_PER_ORGANIZATION


@dataclass(frozen=True)
class _Ranking:
    pairs: pd.DataFrame  # the TOP offers of each need
    by_offer: pd.DataFrame  # the TOP needs of each offer
    needs: dict[str, tuple[str, str]]  # id → (organization name, title)
    offers: dict[str, tuple[str, str]]


def _run(engine: Engine, day: dt.date) -> _Ranking | None:
    """The ranking of every organization's needs and offers (within the context's budget),
    with each one's organization name and title."""
    try:
        ctx, pairs, by_offer = rank(engine, as_of=day, top=TOP)
    except InnoallianceError:  # nothing to match yet
        return None
    names = {str(k): str(v) for k, v in ctx.organizations["name_zh"].items()}
    return _Ranking(pairs, by_offer, _titles(ctx.needs, names), _titles(ctx.offers, names))


def _titles(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each offer's or need's (organization name, title), as the public board shows them."""
    return {str(i): (names.get(str(o), str(o)), str(t)) for i, o, t in
            zip(frame["id"].tolist(), frame["organization"].tolist(), frame["title"].tolist(),
                strict=True)}


def _own(pairs: pd.DataFrame, side: str) -> pd.DataFrame:
    """The pairs of the first :data:`MAX_OWN` of the member's own needs or offers."""
    first = pd.unique(pairs[side])[:MAX_OWN()]
    return pairs[pairs[side].isin(first)]


def member_matches(engine: Engine, organization: str) -> dict[str, list[dict[str, Any]]]:
    """``offers_for_needs`` and ``needs_for_offers`` of ``organization``: its own need or offer,
    the other side's title and organization name, the score and the terms in common."""
    day = dt.date.today()
    found_run = store_cache(engine).get(("match", day), lambda: _run(engine, day))
    if found_run is None:
        return {"offers_for_needs": [], "needs_for_offers": []}
    run = found_run
    needs, offers = run.needs, run.offers
    pairs = run.pairs
    own_needs = _own(pairs[pairs["receiver"] == organization], "need")
    found = [{"mine": needs[str(n)][1], "other": offers[str(o)][1],
              "organization": offers[str(o)][0], "score": round(float(x), 4),
              "terms": list(terms)[:8]}
             for n, o, x, terms in zip(own_needs["need"], own_needs["offer"],
                                       own_needs["score"], own_needs["terms"], strict=True)]
    by_offer = run.by_offer
    own_offers = _own(by_offer[by_offer["supplier"] == organization], "offer")
    given = [{"mine": offers[str(o)][1], "other": needs[str(n)][1],
              "organization": needs[str(n)][0], "score": round(float(x), 4)}
             for n, o, x in zip(own_offers["need"], own_offers["offer"], own_offers["score"],
                                strict=True)]
    return {"offers_for_needs": found, "needs_for_offers": given}
