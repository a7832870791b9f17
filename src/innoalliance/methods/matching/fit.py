"""How well a knowledge supplier fits a receiver's need: the parts of a broker's score.

Each part is in [0, 1] and shown on its own. Relevance comes first: the score is the text
relevance times (½ + ½ × the weighted mean of the other known parts), so the other parts can
raise a relevant offer above another by up to a factor of two but never make an irrelevant one
good (:func:`relevance_first`). A part that cannot be computed (no region given, no record) is
left out and its weight shared by the others, as in a composite indicator.

* ``text``: TF-IDF cosine of the need and the offer;
* ``similarity``: cosine of the two organisations' industry profiles (they work in the same
  fields: the receiver can absorb what the supplier knows, Harrigan's similarity argument);
* ``complementarity``: 1 when a university or institute supplies a firm, 0.5 between organisations
  of the same kind (Sinha: partners bring what the other lacks);
* ``absorptive``: the receiver's absorptive capacity, from its size and its joint-project record;
* ``proximity``: geographic (same city 1, same province 0.7, else 0.4, after GB/T 2260 codes) and
  industrial (same industry 1, same first-level category 0.6, else 0.2), averaged;
* ``credit``: the supplier's behaviour score from the beta reputation of the trust mechanism.

These component definitions and default weights are innoalliance's convention, after seed 002's
call to match exporting and receiving parties by complementarity and similarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError

FloatArray = npt.NDArray[np.float64]
PARTS = ("text", "similarity", "complementarity", "absorptive", "proximity", "credit")
DEFAULT_WEIGHTS: Mapping[str, float] = {"text": 0.5, "similarity": 0.1, "complementarity": 0.05,
                                        "absorptive": 0.1, "proximity": 0.1, "credit": 0.15}
SIZE_SCORE: Mapping[str, float] = {"large": 1.0, "medium": 0.7, "small": 0.5, "micro": 0.3}


def region_proximity(a: Sequence[str | None], b: Sequence[str | None]) -> FloatArray:
    """Same prefecture 1, same province 0.7, otherwise 0.4; NaN where a code is unknown."""
    out = np.full(len(a), np.nan)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        if x and y:
            out[k] = 1.0 if x[:4] == y[:4] else 0.7 if x[:2] == y[:2] else 0.4
    return out


def industry_proximity(a: Sequence[str | None], b: Sequence[str | None]) -> FloatArray:
    """Same industry code 1, same first-level category (before the dot) 0.6, else 0.2."""
    out = np.full(len(a), np.nan)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        if x and y:
            out[k] = 1.0 if x == y else 0.6 if x.split(".")[0] == y.split(".")[0] else 0.2
    return out


def profile_similarity(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise cosine of two profile matrices (pairs × industries); NaN for an empty profile."""
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    dot = np.einsum("ij,ij->i", a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where((na > 0) & (nb > 0), dot / (na * nb), np.nan)
    return result


def absorptive_capacity(size: Sequence[str | None], projects: npt.ArrayLike) -> FloatArray:
    """0.6 × size score (large 1 … micro 0.3, unknown 0.5) + 0.4 × min(1, joint projects / 3)."""
    s = np.array([SIZE_SCORE.get(x or "", 0.5) for x in size])
    p = np.minimum(np.asarray(projects, dtype=np.float64) / 3.0, 1.0)
    result: FloatArray = 0.6 * s + 0.4 * p
    return result


def combine(parts: Mapping[str, npt.ArrayLike],
            weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> FloatArray:
    """Weighted mean of the known parts per pair (NaN parts left out, weights renormalised)."""
    unknown = [k for k in weights if k not in PARTS]
    if unknown:
        raise MethodError(f"unknown score part(s) {unknown}", hint=f"use {', '.join(PARTS)}")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise MethodError("score weights must be non-negative and not all zero")
    names = [k for k in parts if weights.get(k, 0.0) > 0]
    if not names:
        raise MethodError("no score part has a weight", hint="give text a positive weight")
    values = np.column_stack([np.asarray(parts[k], dtype=np.float64) for k in names])
    w = np.array([weights[k] for k in names])
    known = ~np.isnan(values)
    total = (np.where(known, values, 0.0) * w).sum(axis=1)
    mass = (known * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where(mass > 0, total / mass, np.nan)
    return result


def relevance_first(parts: Mapping[str, npt.ArrayLike],
                    weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> FloatArray:
    """text × (½ + ½ × weighted mean of the other known parts); text alone where none is known."""
    text = np.asarray(parts["text"], dtype=np.float64)
    others = {k: v for k, v in parts.items() if k != "text" and weights.get(k, 0.0) > 0}
    if not others:
        return text
    modifier = combine(others, {k: weights[k] for k in others})
    result: FloatArray = text * np.where(np.isnan(modifier), 1.0, 0.5 + 0.5 * modifier)
    return result
