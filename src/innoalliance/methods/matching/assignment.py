"""Maximum-satisfaction assignment, to set beside the stable matching, and team completion.

A stable matching (:func:`~innoalliance.methods.matching.stable.stable_matching`) answers "can any
pair do
better together?"; :func:`max_total_assignment` answers "which assignment makes the parties
happiest in total?" — the maximum-weight many-to-one assignment over mutually acceptable pairs
(Kuhn 1955; Crouse 2016, IEEE Trans. Aerosp. Electron. Syst. 52:1679-1696, as implemented by
``scipy.optimize.linear_sum_assignment``). It usually has blocking pairs; showing both tells a
broker what stability costs in total satisfaction and who would walk away from the maximum.

:func:`complete_team` recommends partners that best complete a set of members (greedy maximum
coverage, Nemhauser, Wolsey & Fisher 1978).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, check_count, check_matrix, check_weights
from innoalliance.methods.matching.stable import (
    Pair,
    Preferences,
    assigned_to,
    blocking_pairs,
    check_matching,
    finite_score,
)


@dataclass(frozen=True)
class AssignmentResult:
    """A maximum-total-satisfaction assignment.

    ``matching`` maps every proposer to its receiver (``None`` if unassigned), ``assigned`` every
    receiver to its proposers, best first; ``total`` is the total satisfaction and
    ``blocking_pairs`` the pairs that would rather leave it for each other.
    """

    matching: dict[str, str | None]
    assigned: dict[str, list[str]]
    total: float
    blocking_pairs: list[Pair]


def satisfaction(
    prefs: Preferences, scores: Mapping[Pair, float] | None = None
) -> dict[Pair, float]:
    """The satisfaction of every mutually acceptable (proposer, receiver) pair.

    With ``scores``, the given score of each such pair (every one must be given; scores of other
    pairs are ignored). Without, a Borda-like count: (len_p − rank_p(r)) + (len_r − rank_r(p)),
    ranks 0-based on the mutual lists, so a party's first choice earns the length of its list
    and its last choice 1.
    """
    by_r = {r: {p: i for i, p in enumerate(ps)} for r, ps in prefs.receivers.items()}
    out: dict[Pair, float] = {}
    for p, rs in prefs.proposers.items():
        for i, r in enumerate(rs):
            j = by_r[r].get(p)
            if j is None:
                continue
            if scores is None:
                out[p, r] = float(len(rs) - i + len(prefs.receivers[r]) - j)
            elif (p, r) in scores:
                out[p, r] = finite_score((p, r), scores[p, r])
            else:
                raise MethodError(
                    f"no score is given for proposer {p!r} and receiver {r!r}",
                    hint="give a score for every pair that lists each other",
                )
    return out


def total_satisfaction(
    prefs: Preferences,
    matching: Mapping[str, str | None],
    *,
    scores: Mapping[Pair, float] | None = None,
) -> float:
    """Total :func:`satisfaction` of the pairs in ``matching`` (checked by ``check_matching``)."""
    full = check_matching(prefs, matching)
    sat = satisfaction(prefs, scores)
    return float(sum(sat[p, r] for p, r in full.items() if r is not None))


def max_total_assignment(
    prefs: Preferences, *, scores: Mapping[Pair, float] | None = None
) -> AssignmentResult:
    """The many-to-one assignment of maximum total :func:`satisfaction`.

    Receivers are expanded into one column per seat and every proposer gets a zero-valued
    "unassigned" column, so leaving a proposer out is always allowed; pairs that do not list each
    other are forbidden (−∞) and never assigned. Solved exactly with
    ``scipy.optimize.linear_sum_assignment(maximize=True)``. Pairs of satisfaction ≤ 0 may be left
    unassigned. Unlike a stable matching it maximises the sum, not stability, so its
    ``blocking_pairs`` are usually not empty.
    """
    sat = satisfaction(prefs, scores)
    proposers = list(prefs.proposers)
    seats = [r for r in prefs.receivers for _ in range(prefs.capacity(r))]
    offsets = accumulate(map(prefs.capacity, prefs.receivers), initial=0)
    first = dict(zip(prefs.receivers, offsets, strict=False))  # offsets has one more entry
    row = {p: i for i, p in enumerate(proposers)}
    value = np.full((len(proposers), len(seats) + len(proposers)), -np.inf)
    value[:, len(seats) :] = 0.0
    for (p, r), s in sat.items():
        value[row[p], first[r] : first[r] + prefs.capacity(r)] = s
    rows, cols = linear_sum_assignment(value, maximize=True)
    matching: dict[str, str | None] = dict.fromkeys(proposers)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if j < len(seats):
            matching[proposers[i]] = seats[j]
    return AssignmentResult(
        matching=matching,
        assigned=assigned_to(prefs, matching),
        total=float(sum(sat[p, r] for p, r in matching.items() if r is not None)),
        blocking_pairs=blocking_pairs(prefs, matching),
    )


def complete_team(
    candidate_vectors: npt.ArrayLike,
    team_vectors: npt.ArrayLike,
    k: int,
    *,
    names: Sequence[str],
    weights: npt.ArrayLike | None = None,
) -> list[tuple[str, float, list[int]]]:
    """Up to ``k`` candidates that best complete a team, in the order picked.

    Rows are organisations, columns capability dimensions (industries, topic weights, …), values
    ≥ 0. Coverage of a set S is Σ_j w_j · min(1, Σ_{i∈S} x_ij) with weights scaled to sum 1, so it
    lies in [0, 1] (equal weights by default). Starting from the team, each step adds the
    candidate of largest marginal coverage gain (first in order on ties) and stops early when
    none gains anything: the greedy algorithm of Nemhauser, Wolsey & Fisher (1978, Math. Program.
    14:265-294), within 1 − 1/e of the best k-set for this monotone submodular coverage. Returns
    (name, gain, the 0-based dimensions whose coverage it raises) per pick.
    """
    X = check_matrix(candidate_vectors, alternatives=names, kinds=("candidate", "dimension"))
    d = X.shape[1]
    team = _team_matrix(team_vectors, d)
    if (X < 0).any():
        i, j = (int(a) for a in np.argwhere(X < 0)[0])
        raise MethodError(
            f"candidate {names[i]!r} has a negative value ({X[i, j]}) on dimension {j + 1}",
            hint="capabilities must be zero or positive",
        )
    if len(set(names)) != len(names):
        raise MethodError("two candidates share a name", hint="give every candidate its own name")
    check_count(k, "k", hint="e.g. k=3")
    w = check_weights(np.ones(d) if weights is None else weights, d, kind="dimension")[0]
    level = np.minimum(1.0, team.sum(axis=0))
    left = np.ones(X.shape[0], dtype=bool)
    picks: list[tuple[str, float, list[int]]] = []
    while len(picks) < k and left.any():
        raised = np.minimum(1.0, level + X) - level
        gains = np.where(left, raised @ w, -np.inf)
        best = int(np.argmax(gains))
        if gains[best] <= 1e-12:
            break
        picks.append((names[best], float(gains[best]), np.flatnonzero(raised[best] > 0).tolist()))
        level += raised[best]
        left[best] = False
    return picks


def _team_matrix(team_vectors: npt.ArrayLike, d: int) -> FloatArray:
    if isinstance(team_vectors, Sized) and len(team_vectors) == 0:
        return np.zeros((0, d))
    T = check_matrix(team_vectors, kinds=("member", "dimension"))
    if T.shape[1] != d:
        raise MethodError(
            f"the team has {T.shape[1]} dimension(s) but the candidates {d}",
            hint="describe members and candidates on the same dimensions, in the same order",
        )
    if (T < 0).any():
        raise MethodError("a team member has a negative value", hint="use values ≥ 0")
    return T
