"""Rank offers for each need: text relevance first, then the broker's other score parts.

Candidates are the ``pool`` offers most relevant by TF-IDF (exact search for small inputs, an
approximate index re-ranked by exact cosine for large ones); each is then scored by
:func:`methods.matching.fit.relevance_first` (relevance times the other known parts), and explained
by the terms the need and the offer share and the terms the need asks for that the
supplier's record lacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innoalliance.ingest.knowledge import read_knowledge
from innoalliance.methods.matching.fit import industry_proximity, region_proximity, relevance_first
from innoalliance.methods.matching.neighbours import top_k
from innoalliance.methods.matching.text import fit_index, knowledge_gap, shared_terms, vectorize

POOL = 30


@dataclass(frozen=True)
class Ranked:
    """Candidate pairs (need, offer) with every score part, the score and the explanation."""

    pairs: pd.DataFrame  # need, offer, text, … parts …, score, rank, terms, gap

    def matches(self) -> dict[str, list[dict[str, Any]]]:
        """need id → best offers first, as the CLI prints them."""
        out: dict[str, list[dict[str, Any]]] = {}
        p = self.pairs
        for need, offer, score, terms in zip(p["need"], p["offer"], p["score"], p["terms"],
                                             strict=True):
            out.setdefault(str(need), []).append(
                {"offer": str(offer), "score": round(float(score), 6), "terms": list(terms)})
        return out


def text_candidates(offers: pd.DataFrame, needs: pd.DataFrame, pool: int,
                    user_terms: tuple[str, ...] = ()) -> pd.DataFrame:
    """(need, offer, text relevance) for the ``pool`` most relevant offers of each need."""
    index = fit_index(list(offers["text"]), ids=list(offers["id"]), user_terms=user_terms)
    queries = vectorize(index, list(needs["text"]), ids=list(needs["id"]))
    found = top_k(queries, index.matrix, min(pool, len(offers)))
    rows = [(needs["id"].iat[q], offers["id"].iat[int(o)], float(s))
            for q in range(len(needs))
            for o, s in zip(found.indices[q], found.scores[q], strict=True) if o >= 0]
    return pd.DataFrame(rows, columns=["need", "offer", "text"])


def explain(pairs: pd.DataFrame, offers: pd.DataFrame, needs: pd.DataFrame,
            records: Mapping[str, str] | None = None,
            user_terms: tuple[str, ...] = ()) -> pd.DataFrame:
    """Add the shared terms and, given each offer's supplier record, the knowledge gap."""
    offer_text = dict(zip(offers["id"], offers["text"], strict=True))
    need_text = dict(zip(needs["id"], needs["text"], strict=True))
    pairs = pairs.copy()
    pairs["terms"] = [shared_terms(need_text[n], offer_text[o], user_terms=user_terms)
                      for n, o in zip(pairs["need"], pairs["offer"], strict=True)]
    if records is not None:
        pairs["gap"] = [knowledge_gap(need_text[n], records[o], user_terms=user_terms)
                        for n, o in zip(pairs["need"], pairs["offer"], strict=True)]
    return pairs


def mean_known(*parts: np.ndarray) -> np.ndarray:
    """Row-wise mean of the parts that are known (NaN where none is)."""
    values = np.column_stack(parts)
    known = ~np.isnan(values)
    count = known.sum(axis=1)
    total = np.where(known, values, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def keep_top(pairs: pd.DataFrame, top: int, by: str = "need") -> pd.DataFrame:
    """The ``top`` best-scored pairs of each need (or, with ``by="offer"``, of each offer), ranked
    1, 2, … (ties by the other side's id)."""
    other = "offer" if by == "need" else "need"
    ordered = pairs.sort_values([by, "score", other], ascending=[True, False, True],
                                kind="stable")
    ordered["rank"] = ordered.groupby(by).cumcount() + 1
    return ordered[ordered["rank"] <= top].reset_index(drop=True)


def rank_files(offers_path: Path, needs_path: Path, *, top: int = 10) -> Ranked:
    """Rank the offers of one file for each need of another (columns id, text, and optionally
    organization, region, industry: then proximity joins the score)."""
    offers, needs = read_knowledge(offers_path), read_knowledge(needs_path)
    pairs = text_candidates(offers, needs, max(POOL, top))
    o = offers.set_index("id").loc[pairs["offer"]]
    n = needs.set_index("id").loc[pairs["need"]]
    geo = region_proximity(list(n["region"]), list(o["region"]))
    ind = industry_proximity(list(n["industry"]), list(o["industry"]))
    pairs["proximity"] = mean_known(geo, ind)
    pairs["score"] = relevance_first({"text": pairs["text"], "proximity": pairs["proximity"]})
    return Ranked(explain(keep_top(pairs, top), offers, needs))
