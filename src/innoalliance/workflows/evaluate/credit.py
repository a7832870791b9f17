"""Members' credit ratings from their behaviour in the alliance ledger (the trust mechanism).

Each member's record becomes evidence for a beta reputation (Jøsang & Ismail 2002) with
forgetting, dated so that recent behaviour weighs more:

* a commitment due by the rating date: positive = the share delivered on time plus half the share
  delivered late, negative = the rest (so delivering more, or earlier, never lowers a rating);
* an output the member owns: positive = its ownership share;
* a completed project it took part in: positive 0.5;
* a violation against it: negative 2; a dispute naming it: negative 1.

The behaviour score (100 × the reputation's expectation) is combined with the member's score on
the ``member_contribution`` index system into a 0–100 credit score and a grade AAA … C. A member
with too little evidence (confidence below ``min_confidence``) keeps its score but is graded NR,
not rated: no record is not a bad record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.ingest.indexsystem import IndexSystem
from innoalliance.methods.mcda.reputation import (
    BetaReputation,
    CreditRating,
    Evidence,
    beta_reputation,
    credit_rating,
)
from innoalliance.workflows.evaluate.store import Evaluation, evaluate
from innoalliance.workflows.register.ledger import Ledger, read_ledger

CATEGORIES = ("commitment kept", "commitment missed", "output", "project completed",
              "violation", "dispute")
LATE_CREDIT = 0.5
SEVERITY = {"violation": 2.0, "dispute": 1.0}
PROJECT_CREDIT = 0.5
MIN_CONFIDENCE = 0.2  # below this (less than half an observation's worth of evidence): NR


@dataclass(frozen=True)
class Ratings:
    """Credit ratings of an alliance's members, with the evidence and index behind them."""

    alliance: str
    as_of: dt.date
    members: pd.DataFrame  # organization, name, role, score, grade, … one row per member
    evidence: pd.DataFrame  # organization, date, category, positive, negative, what
    reputation: BetaReputation
    rating: CreditRating
    index: Evaluation

    def summary(self) -> dict[str, Any]:
        """JSON-ready ratings."""
        members = self.members.replace({np.nan: None}).to_dict(orient="records")
        return {
            "alliance": self.alliance, "as_of": self.as_of.isoformat(),
            "forgetting_per_year": self.reputation.forgetting,
            "weight_behaviour": self.rating.weight_behaviour,
            "index_system": self.index.system.name,
            "bands": self.rating.bands.as_dict(),
            "categories": list(CATEGORIES), "members": members,
            "evidence": self.evidence.assign(date=self.evidence["date"].astype(str))
            .to_dict(orient="records"),
        }


def decimal_year(dates: pd.Series) -> np.ndarray:
    """Dates as decimal years (the unit of the forgetting period)."""
    d = pd.to_datetime(dates)
    return (d.dt.year + (d.dt.day_of_year - 1) / 365.25).to_numpy(dtype=np.float64)


def _commitment_rows(led: Ledger, now: pd.Timestamp) -> pd.DataFrame:
    c = led.commitments
    c = c[(c["due"] <= now) & (c["amount"] > 0)]
    d = led.contributions[led.contributions["date"] <= now]
    d = d.merge(c[["alliance", "ref", "due"]], left_on=["alliance", "commitment"],
                right_on=["alliance", "ref"], suffixes=("", "_c"))
    on_time = d[d["date"] <= d["due"]].groupby("commitment")["amount"].sum()
    late = d[d["date"] > d["due"]].groupby("commitment")["amount"].sum()
    kept = (c["ref"].map(on_time).fillna(0.0) / c["amount"]).clip(upper=1.0)
    late_share = np.minimum(c["ref"].map(late).fillna(0.0) / c["amount"], 1.0 - kept)
    positive = kept + LATE_CREDIT * late_share
    what = c["ref"] + " " + c["kind"] + ": " + (kept * 100).round(0).astype(int).astype(str) \
        + "% on time, " + (late_share * 100).round(0).astype(int).astype(str) + "% late"
    return pd.DataFrame({"organization": c["organization"], "date": c["due"],
                         "category": np.where(positive >= 1.0, CATEGORIES[0], CATEGORIES[1]),
                         "positive": positive, "negative": 1.0 - positive, "what": what})


def _other_rows(led: Ledger, now: pd.Timestamp) -> list[pd.DataFrame]:
    o = led.outputs[led.outputs["date"] <= now][["alliance", "name", "date", "type"]]
    owned = led.owners.merge(o, left_on=["alliance", "output"], right_on=["alliance", "name"])
    outputs = pd.DataFrame({"organization": owned["organization"], "date": owned["date"],
                            "category": "output", "positive": owned["share"], "negative": 0.0,
                            "what": owned["type"] + ": " + owned["output"]})
    p = led.projects
    done = p[(p["status"] == "completed") & (p["end"] <= now)][["alliance", "name", "end"]]
    joined = led.participants.merge(done, left_on=["alliance", "project"],
                                    right_on=["alliance", "name"])
    projects = pd.DataFrame({"organization": joined["organization"], "date": joined["end"],
                             "category": "project completed", "positive": PROJECT_CREDIT,
                             "negative": 0.0, "what": "project: " + joined["project"]})
    e = led.events
    e = e[e["type"].isin(list(SEVERITY)) & e["organization"].notna() & (e["date"] <= now)]
    events = pd.DataFrame({"organization": e["organization"], "date": e["date"],
                           "category": e["type"], "positive": 0.0,
                           "negative": e["type"].map(SEVERITY),
                           "what": e["ref"] + ": " + e["description"].fillna("")})
    return [outputs, projects, events]


def ledger_evidence(led: Ledger, now: pd.Timestamp) -> pd.DataFrame:
    """Every piece of evidence up to ``now``, one row each, in date order."""
    frames = [f for f in (_commitment_rows(led, now), *_other_rows(led, now)) if len(f)]
    if not frames:
        return pd.DataFrame(columns=["organization", "date", "category", "positive",
                                     "negative", "what"])
    rows = pd.concat(frames, ignore_index=True)
    return rows.sort_values(["organization", "date"], kind="stable").reset_index(drop=True)


def rate_members(engine: Engine, alliance: str, *, as_of: dt.date, system: IndexSystem,
                 forgetting: float = 0.9, weight_behaviour: float = 0.6,
                 min_confidence: float = MIN_CONFIDENCE) -> Ratings:
    """Rate every member of ``alliance`` as of a date, from its ledger and index score."""
    index = evaluate(engine, system, [as_of.year], alliance=alliance)
    led = read_ledger(engine, alliance)
    members = led.memberships.drop_duplicates("organization").set_index("organization")
    orgs = members.index.tolist()
    now = pd.Timestamp(as_of)
    evidence = ledger_evidence(led, now)
    evidence = evidence[evidence["organization"].isin(orgs)].reset_index(drop=True)
    position = {o: i for i, o in enumerate(orgs)}
    reputation = beta_reputation(
        Evidence(subject=evidence["organization"].map(position).to_numpy(dtype=np.int64),
                 time=decimal_year(evidence["date"]),
                 positive=evidence["positive"].to_numpy(dtype=np.float64),
                 negative=evidence["negative"].to_numpy(dtype=np.float64),
                 category=evidence["category"].map(CATEGORIES.index).to_numpy(dtype=np.int64)),
        len(orgs), len(CATEGORIES), now=float(decimal_year(pd.Series([now]))[0]),
        forgetting=forgetting)
    index_score = index.scores["score"].droplevel("year").reindex(orgs).to_numpy(np.float64)
    index_score = np.clip(index_score, 0.0, 100.0)  # a weighted mean of 100s may round past 100
    rating = credit_rating(reputation, index_score, weight_behaviour=weight_behaviour,
                           min_confidence=min_confidence)
    table = pd.DataFrame({
        "organization": orgs, "name": members["name_zh"].to_numpy(),
        "role": members["role"].to_numpy(), "grade": rating.grade, "score": rating.score,
        "behaviour_score": rating.behaviour_score, "index_score": rating.index_score,
        "confidence": rating.confidence, "positive_evidence": reputation.r,
        "negative_evidence": reputation.s,
    })
    for k, category in enumerate(CATEGORIES):
        table[f"driver: {category}"] = rating.drivers[:, k]
    table = table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return Ratings(alliance, as_of, table, evidence, reputation, rating, index)
