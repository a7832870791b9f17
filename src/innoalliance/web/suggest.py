"""The matches suggested to a member: for each of its needs the best offers of others, and for
each of its offers the best needs, from the matching engine over every organization (ranked by
relevance first, with the terms that matched); computed once per state of the store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from innoalliance.errors import InnoallianceError
from innoalliance.model import Organization
from innoalliance.web.cache import store_cache
from innoalliance.workflows.match.store import MatchRun, run_match

TOP = 3


def _run(engine: Engine, day: dt.date) -> tuple[MatchRun, dict[str, str]] | None:
    """The matching of every organization's needs and offers, and the organizations' names."""
    try:
        run = run_match(engine, as_of=day, top=TOP)
    except InnoallianceError:  # nothing to match yet
        return None
    with engine.connect() as conn:
        names = dict(conn.execute(select(Organization.credit_code, Organization.name_zh)).all())
    return run, {str(k): str(v) for k, v in names.items()}


def _titles(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each offer's or need's (organization name, title), as the public board shows them."""
    return {str(i): (names.get(str(o), str(o)), str(t)) for i, o, t in
            zip(frame["id"], frame["organization"], frame["title"], strict=True)}


def member_matches(engine: Engine, organization: str) -> dict[str, list[dict[str, Any]]]:
    """``offers_for_needs`` and ``needs_for_offers`` of ``organization``: its own need or offer,
    the other side's title and organization name, the score and the terms in common."""
    day = dt.date.today()
    found_run = store_cache(engine).get(("match", day), lambda: _run(engine, day))
    if found_run is None:
        return {"offers_for_needs": [], "needs_for_offers": []}
    run, names = found_run
    needs, offers = _titles(run.context.needs, names), _titles(run.context.offers, names)
    pairs = run.pairs
    own_needs = pairs[pairs["receiver"] == organization]
    found = [{"mine": needs[str(n)][1], "other": offers[str(o)][1],
              "organization": offers[str(o)][0], "score": round(float(x), 4),
              "terms": list(terms)[:8]}
             for n, o, x, terms in zip(own_needs["need"], own_needs["offer"],
                                       own_needs["score"], own_needs["terms"], strict=True)]
    by_offer = run.by_offer
    own_offers = by_offer[by_offer["supplier"] == organization]
    given = [{"mine": offers[str(o)][1], "other": needs[str(n)][1],
              "organization": needs[str(n)][0], "score": round(float(x), 4)}
             for n, o, x in zip(own_offers["need"], own_offers["offer"], own_offers["score"],
                                strict=True)]
    return {"offers_for_needs": found, "needs_for_offers": given}
