"""Two-sided preferences and stable many-to-one matching (deferred acceptance).

Proposers rank receivers and receivers rank proposers (either side of a knowledge-transfer
market may propose); each receiver holds up to ``capacity`` proposers: the hospitals/residents
problem (Gale & Shapley 1962, "College admissions and the stability of marriage", Amer. Math.
Monthly 69:9-15; Gusfield & Irving 1989, *The Stable Marriage Problem*, §1.6; Roth 1984, J.
Polit. Econ. 92:991-1016; Manlove 2013, *Algorithmics of Matching under Preferences*, ch. 1).

Conventions. Lists are best first and may be incomplete: a party left off a list is unacceptable
to its owner. Acceptability is mutual — a pair can be matched (or block) only if each lists the
other, as in Gusfield & Irving and the ``matching`` library; :func:`check_preferences` drops the
one-sided entries and records them in :attr:`Preferences.one_sided`. Every result lists every
proposer (``None`` when unmatched) and every receiver (its proposers best first).
"""

from __future__ import annotations

import difflib
import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral
from typing import Literal

from innoalliance.errors import MethodError
from innoalliance.methods._checks import check_count

Pair = tuple[str, str]
"""A (proposer, receiver) pair."""


@dataclass(frozen=True)
class Preferences:
    """Both sides' preference lists, best first, restricted to mutually acceptable pairs.

    Build it with :func:`check_preferences` (or :func:`scores_to_preferences`). ``capacities``
    gives each receiver's number of seats (1 unless stated); ``one_sided`` the (proposer,
    receiver) pairs that only one of the two listed, which were dropped.
    """

    proposers: dict[str, list[str]]
    receivers: dict[str, list[str]]
    capacities: dict[str, int]
    one_sided: tuple[Pair, ...] = field(default=())

    def capacity(self, receiver: str) -> int:
        """Seats of ``receiver`` (1 when not given)."""
        return self.capacities.get(receiver, 1)


@dataclass(frozen=True)
class StableResult:
    """A stable matching and how it was found.

    ``matching`` maps every proposer to its receiver (``None`` if unmatched); ``assigned`` every
    receiver to its proposers, best first. ``proposer_optimal`` says which side proposed (the
    proposing side gets its best stable partners); ``rounds`` counts the proposals made.
    ``blocking_pairs`` is always checked and empty for a stable matching.
    """

    matching: dict[str, str | None]
    assigned: dict[str, list[str]]
    proposer_optimal: bool
    rounds: int
    blocking_pairs: list[Pair]


def _closest_hint(name: object, known: Iterable[str], what: str) -> str:
    """The hint for an unknown name: the closest known one (difflib), else what the names are."""
    known = list(known)
    close = difflib.get_close_matches(str(name), known, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"the {what}s are {', '.join(map(repr, known))}" if known else f"no {what}s are known"


def _check_name(name: object, kind: str) -> str:
    if not isinstance(name, str):
        raise MethodError(f"{kind} names must be text, got {name!r}", hint="name every party")
    return name


def _check_lists(
    lists: Mapping[str, Iterable[str]], kind: str, others: Mapping[str, object], other: str
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for who, listed in lists.items():
        who = _check_name(who, kind)
        if isinstance(listed, str):
            raise MethodError(
                f"the list of {kind} {who!r} is the text {listed!r}, not a list of names",
                hint=f"give a list of {other}s, best first, e.g. [{listed!r}]",
            )
        names = list(listed)
        for name in names:
            if name not in others:
                raise MethodError(
                    f"{kind} {who!r} lists {name!r}, who is not a {other}",
                    hint=_closest_hint(name, others, other),
                )
        if len(set(names)) < len(names):
            twice = next(name for i, name in enumerate(names) if name in names[:i])
            raise MethodError(
                f"{kind} {who!r} lists {twice!r} twice",
                hint=f"list each {other} at most once, best first",
            )
        out[who] = names
    return out


def _check_capacities(
    capacities: Mapping[str, int], receivers: Mapping[str, object]
) -> dict[str, int]:
    out = dict.fromkeys(receivers, 1)
    for who, seats in capacities.items():
        if who not in receivers:
            raise MethodError(
                f"a capacity is given for {who!r}, who is not a receiver",
                hint=_closest_hint(who, receivers, "receiver"),
            )
        if isinstance(seats, bool) or not isinstance(seats, Integral):
            raise MethodError(
                f"the capacity of receiver {who!r} must be a whole number, got {seats!r}",
                hint="give the number of proposers it can take, e.g. 2",
            )
        if seats < 1:
            raise MethodError(
                f"the capacity of receiver {who!r} is {seats}; it must be at least 1",
                hint="leave a receiver with no seats out of the market",
            )
        out[who] = int(seats)
    return out


def check_preferences(
    proposers: Mapping[str, Iterable[str]],
    receivers: Mapping[str, Iterable[str]],
    capacities: Mapping[str, int] | None = None,
) -> Preferences:
    """Validate two-sided preference lists and keep only mutually acceptable pairs.

    Lists are best first and may be incomplete. Each must name only parties of the other side,
    none twice; capacities are whole numbers ≥ 1 for known receivers (1 when not given). A pair
    listed by one side only is dropped and kept in ``one_sided`` (acceptability is mutual, as in
    Gusfield & Irving 1989).
    """
    props = _check_lists(proposers, "proposer", receivers, "receiver")
    recvs = _check_lists(receivers, "receiver", proposers, "proposer")
    seats = _check_capacities(capacities or {}, recvs)
    by_p, by_r = _ranks(props), _ranks(recvs)
    one_sided = [(p, r) for p, rs in props.items() for r in rs if p not in by_r[r]]
    one_sided += [(p, r) for r, ps in recvs.items() for p in ps if r not in by_p[p]]
    return Preferences(
        proposers={p: [r for r in rs if p in by_r[r]] for p, rs in props.items()},
        receivers={r: [p for p in ps if r in by_p[p]] for r, ps in recvs.items()},
        capacities=seats,
        one_sided=tuple(one_sided),
    )


def _ranks(lists: Mapping[str, list[str]]) -> dict[str, dict[str, int]]:
    return {who: {name: i for i, name in enumerate(names)} for who, names in lists.items()}


def finite_score(pair: Pair, value: object) -> float:
    """``value`` as a finite float; a :class:`MethodError` naming ``pair`` otherwise."""
    try:
        s = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        s = math.nan
    if not math.isfinite(s):
        raise MethodError(f"the score of {pair!r} is {value!r}", hint="give a finite number")
    return s


def check_matching(prefs: Preferences, matching: Mapping[str, str | None]) -> dict[str, str | None]:
    """Validate a matching (proposer → receiver or ``None``) and complete it.

    Names must be known, every pair mutually acceptable and no receiver over capacity; proposers
    left out are unmatched. Returns the matching over every proposer, in the proposers' order.
    """
    for p, r in matching.items():
        if p not in prefs.proposers:
            raise MethodError(
                f"the matching names {p!r}, who is not a proposer",
                hint=_closest_hint(p, prefs.proposers, "proposer"),
            )
        if r is not None and r not in prefs.receivers:
            raise MethodError(
                f"the matching gives proposer {p!r} to {r!r}, who is not a receiver",
                hint=_closest_hint(r, prefs.receivers, "receiver"),
            )
        if r is not None and (r not in prefs.proposers[p] or p not in prefs.receivers[r]):
            raise MethodError(
                f"proposer {p!r} is matched to receiver {r!r}, but they do not both list each"
                " other",
                hint="match only pairs that each list the other",
            )
    full = {p: matching.get(p) for p in prefs.proposers}
    for r, held in assigned_to(prefs, full).items():
        if len(held) > prefs.capacity(r):
            raise MethodError(
                f"receiver {r!r} holds {len(held)} proposers but has {prefs.capacity(r)} seat(s)",
                hint="assign no more proposers to a receiver than its capacity",
            )
    return full


def assigned_to(prefs: Preferences, matching: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Every receiver's proposers under ``matching``, best first by the receiver's list."""
    return {r: [p for p in ps if matching.get(p) == r] for r, ps in prefs.receivers.items()}


def blocking_pairs(prefs: Preferences, matching: Mapping[str, str | None]) -> list[Pair]:
    """The pairs that block ``matching`` (after :func:`check_matching`), in proposer order.

    (p, r) blocks when each lists the other, p is unmatched or prefers r to its partner, and r has
    a free seat or prefers p to its worst assigned proposer (Gusfield & Irving 1989 §1.6; Roth
    1984). A matching is stable when there are none. O(total list length).
    """
    full = check_matching(prefs, matching)
    held = assigned_to(prefs, full)
    by_r = _ranks(prefs.receivers)
    worst = {r: by_r[r][ps[-1]] if ps else -1 for r, ps in held.items()}
    found: list[Pair] = []
    for p, rs in prefs.proposers.items():
        partner = full[p]
        for r in rs[: rs.index(partner)] if partner is not None else rs:
            k = by_r[r].get(p)
            if k is not None and (len(held[r]) < prefs.capacity(r) or k < worst[r]):
                found.append((p, r))
    return found


def _proposers_propose(prefs: Preferences) -> tuple[dict[str, str | None], int]:
    """Resident-oriented deferred acceptance with capacities (Gusfield & Irving 1989 §1.6).

    Each receiver keeps a flag per list position and a pointer to its worst held proposer, which
    only moves up once the receiver is full, so the whole run is O(total list length).
    """
    by_r = _ranks(prefs.receivers)
    held = {r: [False] * len(ps) for r, ps in prefs.receivers.items()}
    count = dict.fromkeys(prefs.receivers, 0)
    worst = dict.fromkeys(prefs.receivers, -1)
    nxt = dict.fromkeys(prefs.proposers, 0)
    matching: dict[str, str | None] = dict.fromkeys(prefs.proposers)
    free = deque(prefs.proposers)
    rounds = 0
    while free:
        p = free.popleft()
        rs = prefs.proposers[p]
        while matching[p] is None and nxt[p] < len(rs):
            r = rs[nxt[p]]
            nxt[p] += 1
            k = by_r[r].get(p)
            if k is None:
                continue
            rounds += 1
            if count[r] < prefs.capacity(r):
                count[r] += 1
                worst[r] = max(worst[r], k)
            elif k < worst[r]:
                held[r][k] = True
                w = worst[r]
                held[r][w] = False
                loser = prefs.receivers[r][w]
                matching[loser] = None
                free.append(loser)
                while not held[r][w]:
                    w -= 1
                worst[r] = w
            else:
                continue
            held[r][k] = True
            matching[p] = r
    return matching, rounds


def _receivers_propose(prefs: Preferences) -> tuple[dict[str, str | None], int]:
    """Hospital-oriented deferred acceptance with capacities (Gusfield & Irving 1989 §1.6).

    A receiver with a free seat offers it to the next proposer on its list; a proposer keeps the
    best offer so far and frees the seat it leaves. Each pair is offered at most once.
    """
    by_p = _ranks(prefs.proposers)
    nxt = dict.fromkeys(prefs.receivers, 0)
    seats = {r: prefs.capacity(r) for r in prefs.receivers}
    matching: dict[str, str | None] = dict.fromkeys(prefs.proposers)
    free = deque(prefs.receivers)
    rounds = 0
    while free:
        r = free.popleft()
        ps = prefs.receivers[r]
        while seats[r] and nxt[r] < len(ps):
            p = ps[nxt[r]]
            nxt[r] += 1
            k = by_p[p].get(r)
            if k is None:
                continue
            rounds += 1
            current = matching[p]
            if current is None or k < by_p[p][current]:
                matching[p] = r
                seats[r] -= 1
                if current is not None:
                    seats[current] += 1
                    free.append(current)
    return matching, rounds


def stable_matching(
    prefs: Preferences, *, optimal: Literal["proposer", "receiver"] = "proposer"
) -> StableResult:
    """The proposer-optimal (default) or receiver-optimal stable matching.

    Deferred acceptance (Gale & Shapley 1962) extended to receivers with capacities, the
    hospitals/residents problem (Roth 1984; Gusfield & Irving 1989 §1.6): with
    ``optimal="proposer"`` proposers propose (each gets its best partner in any stable matching),
    with ``optimal="receiver"`` receivers offer their seats (the hospital-oriented algorithm;
    Manlove 2013 ch. 1). Stability is not maximality: a stable matching may leave pairs unmatched
    that :func:`max_total_assignment` would match. O(total list length).
    """
    if optimal not in ("proposer", "receiver"):
        raise MethodError(
            f"optimal must be 'proposer' or 'receiver', got {optimal!r}",
            hint="say which side's best stable matching you want",
        )
    run = _proposers_propose if optimal == "proposer" else _receivers_propose
    matching, rounds = run(prefs)
    return StableResult(
        matching=matching,
        assigned=assigned_to(prefs, matching),
        proposer_optimal=optimal == "proposer",
        rounds=rounds,
        blocking_pairs=blocking_pairs(prefs, matching),
    )


def scores_to_preferences(
    scores: Mapping[Pair, float],
    *,
    min_score: float = 0.0,
    top: int | None = None,
    capacities: Mapping[str, int] | None = None,
) -> Preferences:
    """Preference lists from pairwise scores keyed by (proposer, receiver).

    Each side ranks the other by score, highest first, ties broken by name; a pair scoring below
    ``min_score`` is unacceptable to both; ``top`` keeps each list's first ``top`` entries (a pair
    left on one list only is then one-sided and dropped). Every party named in ``scores`` appears,
    with an empty list if nothing is acceptable. ``capacities`` go to :func:`check_preferences`.
    """
    if top is not None:
        check_count(top, "top", hint="e.g. top=5")
    props: dict[str, list[tuple[float, str]]] = {}
    recvs: dict[str, list[tuple[float, str]]] = {}
    for key, value in scores.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise MethodError(
                f"scores must be keyed by (proposer, receiver), got {key!r}",
                hint="e.g. {('firm A', 'university B'): 0.8}",
            )
        p, r = _check_name(key[0], "proposer"), _check_name(key[1], "receiver")
        s = finite_score(key, value)
        props.setdefault(p, [])
        recvs.setdefault(r, [])
        if s >= min_score:
            props[p].append((-s, r))
            recvs[r].append((-s, p))
    return check_preferences(
        {p: [r for _, r in sorted(c)][:top] for p, c in props.items()},
        {r: [p for _, p in sorted(c)][:top] for r, c in recvs.items()},
        capacities,
    )
