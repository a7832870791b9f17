"""Knowledge-transfer matching between suppliers' offers and receivers' needs.

One import point for the matching methods, which live in two modules:

* :mod:`~innoalliance.methods.stable` — preference lists (:func:`check_preferences`,
  :func:`scores_to_preferences`), the proposer- or receiver-optimal stable matching with
  capacities (:func:`stable_matching`, deferred acceptance; Gale & Shapley 1962, Roth 1984) and
  its check (:func:`blocking_pairs`);
* :mod:`~innoalliance.methods.assignment` — the maximum-total-satisfaction assignment to show
  beside it (:func:`max_total_assignment`) and partner recommendation by greedy coverage
  (:func:`complete_team`; Nemhauser, Wolsey & Fisher 1978).

Lists are best first and may be incomplete; a pair counts only if each side lists the other.
"""

from innoalliance.methods.assignment import (
    AssignmentResult,
    complete_team,
    max_total_assignment,
    satisfaction,
    total_satisfaction,
)
from innoalliance.methods.stable import (
    Pair,
    Preferences,
    StableResult,
    assigned_to,
    blocking_pairs,
    check_matching,
    check_preferences,
    scores_to_preferences,
    stable_matching,
)

__all__ = [
    "AssignmentResult",
    "Pair",
    "Preferences",
    "StableResult",
    "assigned_to",
    "blocking_pairs",
    "check_matching",
    "check_preferences",
    "complete_team",
    "max_total_assignment",
    "satisfaction",
    "scores_to_preferences",
    "stable_matching",
    "total_satisfaction",
]
