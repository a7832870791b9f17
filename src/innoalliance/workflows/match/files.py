"""Matching on a user's own files, without a store: stable matching of preference lists, and
ranked offers for each need from two ``id,text`` tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from innoalliance.errors import Problem, ValidationError
from innoalliance.ingest.decision import read_json_document
from innoalliance.methods.matching.assignment import max_total_assignment
from innoalliance.methods.matching.stable import check_preferences, stable_matching


def _names(value: object, file: str, key: str) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
        raise ValidationError([Problem(file, None, key, None,
                                       'must be an object {"name": ["first choice", ...], ...}')])
    return {str(k): [str(x) for x in v] for k, v in value.items()}


def stable_file(path: Path, optimal: str = "proposer") -> dict[str, Any]:
    """Stable matching of ``{"proposers": {...}, "receivers": {...}, "capacities": {...}}``,
    beside the maximum-total-satisfaction assignment of the same lists."""
    data = read_json_document(path, ("proposers", "receivers"))
    capacities = data.get("capacities")
    if capacities is not None and not isinstance(capacities, dict):
        raise ValidationError([Problem(path.name, None, "capacities", None,
                                       'must be an object {"receiver": seats, ...}')])
    prefs = check_preferences(_names(data["proposers"], path.name, "proposers"),
                              _names(data["receivers"], path.name, "receivers"), capacities)
    stable = stable_matching(prefs, optimal="receiver" if optimal == "receiver" else "proposer")
    best = max_total_assignment(prefs)
    return {
        "matching": stable.matching,
        "blocking_pairs": [list(p) for p in stable.blocking_pairs],
        "optimal_for": "proposers" if stable.proposer_optimal else "receivers",
        "assigned": stable.assigned,
        "max_total": {"matching": best.matching, "total": best.total,
                      "blocking_pairs": [list(p) for p in best.blocking_pairs]},
        "ignored_one_sided": [list(p) for p in prefs.one_sided],
    }
