"""Spatial layout of strategic-emerging-industry alliances over cities, solved exactly as MILPs.

Conventions: score and component tables have one row per city and one column per industry;
indices in results are 0-based (``lead[i]`` is the row of the city leading industry ``i``),
messages name cities and industries by the names given, else 1-based ("industry 3"). Both
problems are solved to proven optimality (relative MIP gap 0) with ``scipy.optimize.milp``, i.e.
HiGHS (Huangfu & Hall 2018, Math. Program. Comput. 10:119-142), unless a ``time_limit`` stops it
first (then ``status`` is "time limit" and ``mip_gap`` says how far from optimal it may be).

* :func:`lead_assignment` chooses one lead city per industry to maximise the total score, each
  city leading at most K industries: a capacitated assignment (transportation) problem. It is
  the core of ``plan layout --scores FILE.csv --max-leads-per-city K``.
* :func:`plan_layout` chooses each industry's lead *and* its member cities, trading the cities'
  weighted benefit scores against a participation cost, the duplication of one industry in
  neighbouring cities and ecological pressure (the model and its choices are set out in its
  docstring).

Infeasible settings are refused before solving, with the constraint that cannot be met: an
industry that no city may lead, or a set of industries that need more leads (or member places)
than the cities allowed to take them may give — a Hall-condition violation, found from the
minimum cut of a maximum flow (Ford & Fulkerson 1956, Can. J. Math. 8:399-404).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil, isfinite
from types import MappingProxyType
from typing import Literal, NoReturn

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import maximum_flow

from innoalliance.errors import MethodError
from innoalliance.methods._checks import (
    FloatArray,
    as_floats,
    check_count,
    check_matrix,
    check_names,
    check_weights,
    label,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"rca": 0.30, "density": 0.25, "innovation": 0.25, "complementarity": 0.20}
)
"""Weights of the benefit components of :func:`plan_layout` (they sum to 1).

``rca`` — revealed comparative advantage (Balassa 1965): the city already specialises in the
industry, the strongest single sign that an alliance there has firms to build on, so it weighs
most. ``density`` — relatedness density (Hidalgo et al. 2007, Science 317:482-487): the city has
the related capabilities to grow into the industry. ``innovation`` — the city's innovation
capacity in the industry (R&D, patents, labs). ``complementarity`` — how much the city adds to
what the other members bring. Feasibility of growth (density) and innovation weigh equally,
complementarity least because it depends on who else joins and is the least certain input.
"""

DEFAULT_LEAD_WEIGHT = 0.5
"""Lead bonus: the lead city earns ``lead_weight`` × its benefit on top of being a member.

The lead hosts the secretariat and coordinates the alliance, so a strong lead matters more than
a strong member; half a member's benefit again makes the strongest member the lead unless lead
limits forbid it, without letting the lead bonus outweigh the choice of members.
"""

DEFAULT_PARTICIPATION_COST = 0.1
"""Cost of each membership, on the [0, 1] benefit scale: the fixed effort of joining (staff,
dues, coordination). Without it every allowed city with any benefit would join every alliance;
with it a city joins only if its benefit exceeds a tenth of the scale (``min_members`` can still
force a weaker member in).
"""

DEFAULT_DUPLICATION_PENALTY = 0.2
"""Penalty for each pair of neighbouring cities that are both members of one industry's alliance.

A fifth of the benefit scale: with the participation cost, a city whose neighbour is already a
member joins only if its benefit exceeds 0.3 — weak neighbouring duplicates are kept out, a
strong neighbour still joins.
"""

DEFAULT_ECO_WEIGHT = 0.2
"""Ecological penalty per membership: ``eco_weight`` × eco pressure of the city × pollution of
the industry, both on [0, 1]. A fully polluting industry in a city at full pressure costs as much
as a neighbouring duplicate.
"""

DEFAULT_MIN_MEMBERS = 2
"""An alliance has at least two member cities (its lead and one more); one city is no alliance."""

_MAX_LISTED = 6


@dataclass(frozen=True)
class LeadResult:
    """The lead city of every industry that maximises the total score (see :func:`lead_assignment`).

    ``lead[i]`` is the city (row) leading industry ``i`` and ``objective`` the sum of the chosen
    scores; ``leads_per_city[c]`` counts the industries city ``c`` leads. ``runner_up[i]`` is the
    city leading ``i`` in the best assignment in which ``lead[i]`` may not lead it (the other
    industries re-assigned as well), and ``regret[i] ≥ 0`` how much lower that assignment's total
    is: what the choice of ``lead[i]`` is worth. ``runner_up[i]`` is −1 and ``regret[i]`` +∞ when
    no other assignment is possible. ``status`` is "optimal" or "time limit"; ``mip_gap`` the
    solver's relative gap (0 when optimal).
    """

    lead: IntArray
    objective: float
    leads_per_city: IntArray
    runner_up: IntArray
    regret: FloatArray
    status: str
    mip_gap: float


@dataclass(frozen=True)
class Contribution:
    """Why one city is a member of one industry's alliance: its share of the objective.

    ``components`` holds each weighted benefit component (weight × component value), ``benefit``
    their sum; ``lead_bonus`` is ``lead_weight`` × ``benefit`` for the lead (else 0). Costs are
    positive amounts subtracted: ``participation_cost``, ``duplication_penalty`` (half the
    penalty of every duplicated pair it is in; ``duplicated_with`` lists the neighbouring members)
    and ``eco_penalty``. ``net`` = benefit + lead_bonus − the three costs; the nets of all
    contributions sum to the plan's objective.
    """

    city: int
    industry: int
    lead: bool
    components: dict[str, float]
    benefit: float
    lead_bonus: float
    participation_cost: float
    duplication_penalty: float
    eco_penalty: float
    duplicated_with: tuple[int, ...]
    net: float


@dataclass(frozen=True)
class LayoutPlan:
    """An optimal alliance layout (see :func:`plan_layout`).

    Per industry ``i``: ``lead[i]`` (a city row) and ``members[i]`` (city rows, ascending, the
    lead included); ``participation`` is the cities × industries membership mask and
    ``contributions`` one :class:`Contribution` per membership, by industry then city.
    ``duplicated_pairs`` lists (industry, city c, city d), c < d, neighbours both in the alliance.
    ``eco_excluded`` marks the (city, industry) pairs the eco limit ruled out (of taking part or of
    leading, by ``eco_scope``).

    The objective decomposes as ``objective = sum(component_totals.values()) + lead_bonus_total
    − participation_cost_total − duplication_penalty_total − eco_penalty_total``. ``weights`` are
    the component weights used (scaled to sum 1); ``lead_weight``, ``participation_cost``,
    ``duplication_penalty`` and ``eco_weight`` the other settings used.
    """

    lead: IntArray
    members: tuple[tuple[int, ...], ...]
    participation: BoolArray
    contributions: tuple[Contribution, ...]
    duplicated_pairs: tuple[tuple[int, int, int], ...]
    eco_excluded: BoolArray
    objective: float
    component_totals: dict[str, float]
    lead_bonus_total: float
    participation_cost_total: float
    duplication_penalty_total: float
    eco_penalty_total: float
    status: str
    mip_gap: float
    weights: dict[str, float]
    lead_weight: float
    participation_cost: float
    duplication_penalty: float
    eco_weight: float


def lead_assignment(
    score: npt.ArrayLike,
    max_leads_per_city: int | npt.ArrayLike,
    *,
    allowed: npt.ArrayLike | None = None,
    cities: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    time_limit: float | None = None,
) -> LeadResult:
    """Choose exactly one lead city per industry, maximising the total score of the choices.

    Binary x_ci = 1 when city c leads industry i; maximise Σ_ci score[c, i]·x_ci subject to
    Σ_c x_ci = 1 for every industry, Σ_i x_ci ≤ K_c for every city and x_ci = 0 where
    ``allowed[c, i]`` is false (e.g. an ecological red line). Solved to optimality by HiGHS; the
    constraint matrix is totally unimodular, so this is a transportation problem and fast even
    for every prefecture-level city.

    Parameters
    ----------
    score
        Cities × industries, finite numbers of any sign; larger is better.
    max_leads_per_city
        K: the most industries a city may lead, one whole number ≥ 0 or one per city.
    allowed
        Optional cities × industries boolean mask of the pairs that may be chosen (all if None).
    cities, industries
        Optional names, used in messages only.
    time_limit
        Optional limit in seconds on each solve; without it the optimum is always proven.

    Returns
    -------
    LeadResult
        The leads, the objective and, per industry, the runner-up city and the regret; see
        :class:`LeadResult`. Regrets re-solve the problem once per industry with its lead barred.

    Raises
    ------
    MethodError
        On malformed input, or when no assignment exists: an industry that no city is allowed to
        lead, or industries that need more leads than the cities allowed to lead them may take.
    """
    S = check_matrix(score, names=industries, alternatives=cities, kinds=("city", "industry"))
    n_cities, n_ind = S.shape
    K = _counts(max_leads_per_city, n_cities, "max_leads_per_city", cities)
    ok = _mask(allowed, (n_cities, n_ind), "the allowed mask")
    limit = _time_limit(time_limit)
    for i in range(n_ind):
        if not ok[:, i].any():
            raise MethodError(
                f"{label('industry', i, industries)} has no city allowed to lead it",
                hint="allow at least one city for it in the allowed mask, or drop the industry",
            )
    _check_capacity(ok, np.ones(n_ind, dtype=np.int64), K, cities, industries, "lead",
                    "max_leads_per_city")

    scale = float(np.abs(S).max()) or 1.0
    cost = -(S / scale).ravel()
    n = n_cities * n_ind
    city_of, ind_of = np.divmod(np.arange(n), n_ind)
    A = sparse.coo_array(
        (np.ones(2 * n), (np.concatenate([ind_of, n_ind + city_of]), np.tile(np.arange(n), 2))),
        shape=(n_ind + n_cities, n),
    ).tocsr()
    lower = np.concatenate([np.ones(n_ind), np.zeros(n_cities)])
    upper = np.concatenate([np.ones(n_ind), K.astype(np.float64)])
    integrality = np.ones(n)

    def solve(ub: BoolArray) -> tuple[BoolArray, str, float] | None:
        found = _solve(cost, integrality, ub.ravel().astype(np.float64), A, lower, upper, limit)
        if found is None:
            return None
        sol, status, gap = found
        return sol.reshape(n_cities, n_ind) > 0.5, status, gap

    best = solve(ok)
    if best is None:  # the capacity check above makes this unreachable; kept as a guard
        raise MethodError("no lead assignment meets the constraints",
                          hint="raise max_leads_per_city or allow more cities")
    X, status, gap = best
    lead = np.argmax(X, axis=0).astype(np.int64)
    objective = float(S[lead, np.arange(n_ind)].sum())
    runner_up = np.full(n_ind, -1, dtype=np.int64)
    regret = np.full(n_ind, np.inf)
    for i in range(n_ind):
        barred = ok.copy()
        barred[lead[i], i] = False
        other = solve(barred)
        if other is None:
            continue
        alt = np.argmax(other[0], axis=0)
        runner_up[i] = int(alt[i])
        regret[i] = max(0.0, objective - float(S[alt, np.arange(n_ind)].sum()))
    return LeadResult(
        lead=lead,
        objective=objective,
        leads_per_city=X.sum(axis=1).astype(np.int64),
        runner_up=runner_up,
        regret=regret,
        status=status,
        mip_gap=gap,
    )


def plan_layout(
    components: Mapping[str, npt.ArrayLike],
    weights: Mapping[str, float] | None,
    neighbours: npt.ArrayLike,
    *,
    max_leads_per_city: int | npt.ArrayLike,
    min_members: int = DEFAULT_MIN_MEMBERS,
    max_members: int | None = None,
    max_alliances_per_city: int | npt.ArrayLike | None = None,
    lead_weight: float = DEFAULT_LEAD_WEIGHT,
    participation_cost: float = DEFAULT_PARTICIPATION_COST,
    duplication_penalty: float = DEFAULT_DUPLICATION_PENALTY,
    eco_pressure: npt.ArrayLike | None = None,
    eco_weight: float = DEFAULT_ECO_WEIGHT,
    eco_limit: float | None = None,
    eco_scope: Literal["participate", "lead"] = "participate",
    industry_pollution: npt.ArrayLike | None = None,
    allowed: npt.ArrayLike | None = None,
    cities: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    time_limit: float | None = None,
) -> LayoutPlan:
    """Lay out one alliance per industry over the cities: its lead city and its member cities.

    Model (c, d cities; i industries; c ~ d neighbours):

    * binaries x_ci (c is a member of industry i's alliance) and y_ci (c leads it), y_ci ≤ x_ci;
      z_cdi ∈ [0, 1] for every neighbouring pair c < d;
    * benefit b_ci = Σ_f w_f · component_f[c, i], the weights scaled to sum 1, so b ∈ [0, 1];
    * maximise Σ_ci x_ci · (b_ci − participation_cost − eco_weight · e_c · p_i)
      + lead_weight · Σ_ci y_ci · b_ci − duplication_penalty · Σ_i Σ_{c<d, c~d} z_cdi;
    * subject to Σ_c y_ci = 1; min_members ≤ Σ_c x_ci ≤ max_members (the lead counts);
      Σ_i y_ci ≤ max_leads_per_city_c; Σ_i x_ci ≤ max_alliances_per_city_c (if given; a lead
      is a member, so it counts); z_cdi ≥ x_ci + x_di − 1; x_ci = 0 where not allowed.

    Since z is penalised and only bounded below, z_cdi = x_ci · x_di at the optimum: the standard
    linearisation of a product of binaries (Glover & Woolsey 1974, Oper. Res. 22:180-182).

    **Duplication.** Membership means the city commits to building the industry up (sites,
    firms, labs) within the alliance; two *neighbouring* cities both doing so for one industry is
    industrial isomorphism (产业同构): duplicated investment competing for the same firms, talent
    and subsidies within reach of each other. So every pair of neighbouring members of one
    alliance is penalised once. Penalising only neighbouring *hubs* would be void here — each
    industry has exactly one lead — and penalising neighbours that both have a high RCA would be
    a constant of the data that no decision could change. A neighbour still joins when its
    benefit covers the participation cost plus the penalty of each neighbouring member already
    in; cooperation between complementary cities is rewarded through the complementarity
    component. Each pair's penalty is attributed half to each of its two cities.

    **Ecology.** Soft: each membership costs eco_weight · e_c · p_i, with e = ``eco_pressure``
    (per city) and p = ``industry_pollution`` (per industry, default 1: without pollution data
    every industry counts as polluting; give 0 for a clean one). Hard: with ``eco_limit``, a city
    with e_c > eco_limit may not take part in (``eco_scope="participate"``, the default: taking
    part means hosting the industry) or only may not lead (``eco_scope="lead"``) any industry with
    p_i > 0; this is applied to the allowed masks before solving, so a message can say when the
    eco limit is what makes the plan impossible.

    Parameters
    ----------
    components
        Benefit components by name (e.g. "rca", "density", "innovation", "complementarity"),
        each a cities × industries table already normalised to [0, 1] (larger is better).
    weights
        A non-negative weight for every component (same names; scaled to sum 1), or None for
        :data:`DEFAULT_WEIGHTS`.
    neighbours
        Cities × cities boolean adjacency: symmetric, false on the diagonal.
    max_leads_per_city
        Most alliances a city may lead: a whole number ≥ 0, or one per city.
    min_members, max_members
        Bounds on each alliance's member cities, lead included (default 2, no upper bound).
    max_alliances_per_city
        Most alliances a city may take part in (leading included), one number or one per city;
        None for no limit.
    lead_weight, participation_cost, duplication_penalty, eco_weight
        Non-negative, on the [0, 1] benefit scale; defaults :data:`DEFAULT_LEAD_WEIGHT`,
        :data:`DEFAULT_PARTICIPATION_COST`, :data:`DEFAULT_DUPLICATION_PENALTY` and
        :data:`DEFAULT_ECO_WEIGHT`.
    eco_pressure
        Per city, in [0, 1] (e.g. min-max normalised pollution load); None for no eco terms.
    eco_limit
        Eco pressure above which a city is barred from polluting industries (needs
        ``eco_pressure``); None for no hard limit.
    eco_scope
        "participate" (barred cities may not take part) or "lead" (they may not lead).
    industry_pollution
        Per industry, in [0, 1]; 0 marks a clean industry. Default 1 for all (needs
        ``eco_pressure``).
    allowed
        Optional cities × industries mask of the memberships allowed (a lead must be a member).
    cities, industries
        Optional names, used in messages only.
    time_limit
        Optional limit in seconds; without it the optimum is always proven.

    Returns
    -------
    LayoutPlan
        Leads, members, per-membership contributions and the objective's decomposition.

    Raises
    ------
    MethodError
        On a missing or mismatched component, NaN or out-of-range values, negative weights or
        penalties, an asymmetric neighbour matrix, or settings no layout can meet (the message
        names the industry and the constraint).
    """
    names, comps, w = _components(components, DEFAULT_WEIGHTS if weights is None else weights,
                                  cities, industries)
    n_cities, n_ind = comps[0].shape
    nb = _neighbours(neighbours, n_cities, cities)
    K = _counts(max_leads_per_city, n_cities, "max_leads_per_city", cities)
    M = (None if max_alliances_per_city is None
         else _counts(max_alliances_per_city, n_cities, "max_alliances_per_city", cities))
    lo_members, hi_members = _member_bounds(min_members, max_members, n_cities)
    lw = _nonnegative(lead_weight, "lead_weight")
    pc = _nonnegative(participation_cost, "participation_cost")
    dp = _nonnegative(duplication_penalty, "duplication_penalty")
    ew = _nonnegative(eco_weight, "eco_weight")
    limit = _time_limit(time_limit)
    if eco_scope not in ("participate", "lead"):
        raise MethodError(f"eco_scope must be 'participate' or 'lead', got {eco_scope!r}",
                          hint="'participate' bars the cities from polluting industries, "
                          "'lead' only from leading them")
    e, p, eco_excluded = _eco(eco_pressure, industry_pollution, eco_limit, n_cities, n_ind,
                              cities, industries)
    base = _mask(allowed, (n_cities, n_ind), "the allowed mask")
    part_ok = base & ~eco_excluded if eco_scope == "participate" else base.copy()
    lead_ok = part_ok & ~eco_excluded

    def why(i: int, role: str) -> str:
        masked = int((~base[:, i]).sum())
        eco = int((base[:, i] & eco_excluded[:, i]).sum())
        if eco and (role == "lead" or eco_scope == "participate"):
            return (f"{masked} of the {n_cities} cities are excluded by the allowed mask and "
                    f"{eco} by the eco limit (eco_pressure above {eco_limit})")
        return f"{masked} of the {n_cities} cities are excluded by the allowed mask"

    eco_hint = ", raise eco_limit or mark the industry clean (industry_pollution 0)"
    for i in range(n_ind):
        if not lead_ok[:, i].any():
            raise MethodError(
                f"{label('industry', i, industries)} has no city that may lead it: "
                f"{why(i, 'lead')}",
                hint=f"allow more cities for it{eco_hint if eco_excluded[:, i].any() else ''}",
            )
        if part_ok[:, i].sum() < lo_members:
            raise MethodError(
                f"{label('industry', i, industries)} needs at least {lo_members} member cities "
                f"but only {int(part_ok[:, i].sum())} may take part: {why(i, 'member')}",
                hint=f"lower min_members or allow more cities for it"
                f"{eco_hint if eco_excluded[:, i].any() else ''}",
            )
    lead_cap = K if M is None else np.minimum(K, M)
    _check_capacity(lead_ok, np.ones(n_ind, dtype=np.int64), lead_cap, cities, industries,
                    "lead", "max_leads_per_city", None if M is None else "max_alliances_per_city")
    if M is not None:
        _check_capacity(part_ok, np.full(n_ind, lo_members, dtype=np.int64), M, cities,
                        industries, "member", "max_alliances_per_city")

    b = sum((wf * cf for wf, cf in zip(w, comps, strict=True)), np.zeros((n_cities, n_ind)))
    eco_cost = ew * np.outer(e, p)
    pairs = np.argwhere(np.triu(nb, 1)) if dp > 0 else np.zeros((0, 2), dtype=np.int64)
    sol = _solve_layout(b, eco_cost, pairs, part_ok, lead_ok, K, M, lo_members, hi_members,
                        lw, pc, dp, limit)
    if sol is None:
        _explain_conflict(b, part_ok, lead_ok, K, M, lo_members, hi_members, limit)
    X, Y, status, gap = sol
    return _plan(names, w, comps, b, eco_cost, nb, X, Y, eco_excluded, lw, pc, dp, ew,
                 status, gap)


def _solve_layout(
    b: FloatArray, eco_cost: FloatArray, pairs: IntArray, part_ok: BoolArray, lead_ok: BoolArray,
    K: IntArray, M: IntArray | None, lo_members: int, hi_members: int,
    lw: float, pc: float, dp: float, limit: float | None,
) -> tuple[BoolArray, BoolArray, str, float] | None:
    n_cities, n_ind = b.shape
    n = n_cities * n_ind
    n_z = len(pairs) * n_ind
    var = np.arange(n).reshape(n_cities, n_ind)
    x_var, y_var = var, n + var
    cost = np.concatenate([-(b - pc - eco_cost).ravel(), -(lw * b).ravel(), np.full(n_z, dp)])
    ub = np.concatenate([part_ok.ravel(), lead_ok.ravel(), np.ones(n_z)]).astype(np.float64)
    integrality = np.concatenate([np.ones(2 * n), np.zeros(n_z)])
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []

    def add(terms: list[tuple[IntArray, IntArray, float]], lo: FloatArray, hi: FloatArray) -> None:
        """Rows lo ≤ Σ v·var ≤ hi after those added so far; ``terms`` index them from 0."""
        top = sum(a.size for a in lower)
        for r, c, v in terms:
            rows.append(top + r.ravel())
            cols.append(c.ravel())
            vals.append(np.full(r.size, v))
        lower.append(lo)
        upper.append(hi)

    by_industry = np.broadcast_to(np.arange(n_ind), (n_cities, n_ind))
    by_city = np.broadcast_to(np.arange(n_cities)[:, None], (n_cities, n_ind))
    none = np.full(max(n, n_z), -np.inf)
    # one lead per industry
    add([(by_industry, y_var, 1.0)], np.ones(n_ind), np.ones(n_ind))
    # a lead is a member: y − x ≤ 0
    add([(var, y_var, 1.0), (var, x_var, -1.0)], none[:n], np.zeros(n))
    # members per alliance
    add([(by_industry, x_var, 1.0)], np.full(n_ind, float(lo_members)),
        np.full(n_ind, float(hi_members)))
    # leads per city, and memberships per city
    add([(by_city, y_var, 1.0)], none[:n_cities], K.astype(np.float64))
    if M is not None:
        add([(by_city, x_var, 1.0)], none[:n_cities], M.astype(np.float64))
    if n_z:  # z_cdi ≥ x_ci + x_di − 1
        by_pair = np.arange(n_z).reshape(len(pairs), n_ind)
        add([(by_pair, x_var[pairs[:, 0]], 1.0), (by_pair, x_var[pairs[:, 1]], 1.0),
             (by_pair, 2 * n + by_pair, -1.0)], none[:n_z], np.ones(n_z))
    top = sum(a.size for a in lower)
    A = sparse.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(top, 2 * n + n_z),
    ).tocsr()
    found = _solve(cost, integrality, ub, A, np.concatenate(lower), np.concatenate(upper), limit)
    if found is None:
        return None
    sol, status, gap = found
    X = sol[:n].reshape(n_cities, n_ind) > 0.5
    Y = sol[n : 2 * n].reshape(n_cities, n_ind) > 0.5
    return X, Y, status, gap


def _explain_conflict(
    b: FloatArray, part_ok: BoolArray, lead_ok: BoolArray, K: IntArray, M: IntArray | None,
    lo_members: int, hi_members: int, limit: float | None,
) -> NoReturn:
    """Raise for a layout that is infeasible although each limit can be met on its own.

    The leads and the member places are each feasible (checked before), but not together: a lead
    takes one of its city's ``max_alliances_per_city`` places. Each limit is lifted in turn and
    the message names those whose lifting alone makes a layout possible.
    """
    n_cities, n_ind = b.shape
    zero = np.zeros_like(b)
    none = np.zeros((0, 2), dtype=np.int64)
    lifts = {
        "without max_alliances_per_city": (K, None, lo_members),
        "without max_leads_per_city": (np.full(n_cities, n_ind, dtype=np.int64), M, lo_members),
        "with min_members=1": (K, M, 1),
    }
    works = [what for what, (k, m, lo) in lifts.items()
             if _solve_layout(zero, zero, none, part_ok, lead_ok, k, m, lo, hi_members,
                              0.0, 0.0, 0.0, limit) is not None]
    remedy = (f"a layout exists {' or '.join(works)}" if works
              else "no single one of them can be lifted to make it possible")
    raise MethodError(
        "no layout meets max_leads_per_city, max_alliances_per_city, "
        f"min_members={lo_members} and the allowed cities together, although each can be met "
        f"alone: a lead takes one of its city's max_alliances_per_city places; {remedy}",
        hint="raise max_alliances_per_city or max_leads_per_city for the cities that may lead, "
        "lower min_members, or allow more cities",
    )


def _plan(
    names: list[str], w: FloatArray, comps: list[FloatArray], b: FloatArray,
    eco_cost: FloatArray, nb: BoolArray, X: BoolArray, Y: BoolArray, eco_excluded: BoolArray,
    lw: float, pc: float, dp: float, ew: float, status: str, gap: float,
) -> LayoutPlan:
    n_ind = X.shape[1]
    lead = np.argmax(Y, axis=0).astype(np.int64)
    contributions: list[Contribution] = []
    duplicated: list[tuple[int, int, int]] = []
    for i in range(n_ind):
        for c in np.flatnonzero(X[:, i]).tolist():
            with_ = tuple(int(d) for d in np.flatnonzero(nb[c] & X[:, i]))
            duplicated.extend((i, c, d) for d in with_ if d > c)
            is_lead = bool(Y[c, i])
            bonus = lw * float(b[c, i]) if is_lead else 0.0
            dup = 0.5 * dp * len(with_)
            eco = float(eco_cost[c, i])
            contributions.append(Contribution(
                city=c,
                industry=i,
                lead=is_lead,
                components={f: float(wf * cf[c, i]) for f, wf, cf in zip(names, w, comps,
                                                                         strict=True)},
                benefit=float(b[c, i]),
                lead_bonus=bonus,
                participation_cost=pc,
                duplication_penalty=dup,
                eco_penalty=eco,
                duplicated_with=with_,
                net=float(b[c, i]) + bonus - pc - dup - eco,
            ))
    totals = {f: float(sum(k.components[f] for k in contributions)) for f in names}
    lead_bonus = float(sum(k.lead_bonus for k in contributions))
    part_total = pc * len(contributions)
    dup_total = dp * len(duplicated)
    eco_total = float(sum(k.eco_penalty for k in contributions))
    return LayoutPlan(
        lead=lead,
        members=tuple(tuple(int(c) for c in np.flatnonzero(X[:, i])) for i in range(n_ind)),
        participation=X,
        contributions=tuple(contributions),
        duplicated_pairs=tuple(sorted(duplicated)),
        eco_excluded=eco_excluded,
        objective=sum(totals.values()) + lead_bonus - part_total - dup_total - eco_total,
        component_totals=totals,
        lead_bonus_total=lead_bonus,
        participation_cost_total=part_total,
        duplication_penalty_total=dup_total,
        eco_penalty_total=eco_total,
        status=status,
        mip_gap=gap,
        weights={f: float(wf) for f, wf in zip(names, w, strict=True)},
        lead_weight=lw,
        participation_cost=pc,
        duplication_penalty=dp,
        eco_weight=ew,
    )


def _solve(
    cost: FloatArray, integrality: FloatArray, ub: FloatArray, A: sparse.csr_array,
    lower: FloatArray, upper: FloatArray, limit: float | None,
) -> tuple[FloatArray, str, float] | None:
    """Minimise ``cost``·v over 0 ≤ v ≤ ub, lower ≤ A v ≤ upper; None when infeasible."""
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0}
    if limit is not None:
        options["time_limit"] = limit
    res = milp(cost, integrality=integrality, bounds=Bounds(np.zeros(cost.size), ub),
               constraints=LinearConstraint(A, lower, upper), options=options)
    if res.status == 2:
        return None
    if res.x is None:
        raise MethodError(
            f"the solver stopped before finding any layout: {res.message}",
            hint="allow more time (time_limit), or plan fewer cities or industries at once",
        )
    gap = 0.0 if res.status == 0 or res.mip_gap is None else float(res.mip_gap)
    return np.asarray(res.x, dtype=np.float64), "optimal" if res.status == 0 else "time limit", gap


def _check_capacity(
    ok: BoolArray, demand: IntArray, capacity: IntArray,
    cities: Sequence[str] | None, industries: Sequence[str] | None, role: Literal["lead", "member"],
    setting: str, other: str | None = None,
) -> None:
    """Raise when the industries' demands cannot all be met by distinct allowed cities.

    Each industry i needs ``demand[i]`` distinct cities c with ``ok[c, i]``, and city c can serve
    at most ``capacity[c]`` industries. A maximum flow decides it; when it falls short, the
    industries still reachable from the source in the residual graph form a set S whose demand
    exceeds Σ_c min(capacity_c, number of industries of S that c may serve), which is reported.
    """
    n_cities, n_ind = ok.shape
    need = int(demand.sum())
    cap = np.minimum(capacity, need)
    sink = n_ind + n_cities + 1
    cs, ins = np.nonzero(ok)
    pos = cap > 0
    graph = sparse.csr_array(
        (
            np.concatenate([demand, np.ones(cs.size, dtype=np.int64), cap[pos]]).astype(np.int32),
            (
                np.concatenate([np.zeros(n_ind, dtype=np.int64), 1 + ins,
                                1 + n_ind + np.flatnonzero(pos)]),
                np.concatenate([1 + np.arange(n_ind), 1 + n_ind + cs,
                                np.full(int(pos.sum()), sink)]),
            ),
        ),
        shape=(sink + 1, sink + 1),
    )
    flow = maximum_flow(graph, 0, sink)
    if flow.flow_value >= need:
        return
    residual = graph.toarray() - flow.flow.toarray()
    seen = np.zeros(sink + 1, dtype=bool)
    seen[0] = True
    queue = deque([0])
    while queue:
        u = queue.popleft()
        for v in np.flatnonzero((residual[u] > 0) & ~seen).tolist():
            seen[v] = True
            queue.append(v)
    group = np.flatnonzero(seen[1 : 1 + n_ind])
    degree = ok[:, group].sum(axis=1)
    hosts = np.flatnonzero(degree > 0)
    available = int(np.minimum(capacity, degree)[hosts].sum())
    needed = int(demand[group].sum())
    what = "lead(s)" if role == "lead" else "member place(s)"
    fewer = ", or lower min_members" if role == "member" else ""
    limits = setting if other is None else f"{setting} and {other}"
    if group.size == n_ind and hosts.size == n_cities and ok.all():
        uniform = bool((capacity == capacity[0]).all())
        raise MethodError(
            f"the {n_ind} industries need {needed} {what} but the {n_cities} cities may "
            f"take at most {available} between them ({limits})",
            hint=(f"raise {limits} to at least {ceil(needed / n_cities)}" if uniform
                  else f"raise {limits} by {needed - available} in all") + fewer,
        )
    raise MethodError(
        f"{_listing('industry', 'industries', group, industries)} "
        f"{'needs' if group.size == 1 else 'need'} {needed} {what}, but the cities allowed for "
        f"{'it' if group.size == 1 else 'them'} ({_listing('city', 'cities', hosts, cities)}) "
        f"may take at most {available} between them ({limits})",
        hint=f"raise {limits} for those cities, or allow more cities for "
        f"{'it' if group.size == 1 else 'those industries'}{fewer}",
    )


def _listing(kind: str, kinds: str, indices: IntArray, names: Sequence[str] | None) -> str:
    shown = [repr(names[k]) if names is not None else str(k + 1) for k in indices[:_MAX_LISTED]]
    more = f" and {indices.size - _MAX_LISTED} more" if indices.size > _MAX_LISTED else ""
    return f"{kind if indices.size == 1 else kinds} {', '.join(shown)}{more}"


def _components(
    components: Mapping[str, npt.ArrayLike], weights: Mapping[str, float],
    cities: Sequence[str] | None, industries: Sequence[str] | None,
) -> tuple[list[str], list[FloatArray], FloatArray]:
    if not components:
        raise MethodError("no benefit components were given",
                          hint=f"give cities × industries tables such as {list(DEFAULT_WEIGHTS)}")
    names = list(components)
    missing = [f for f in names if f not in weights]
    if missing:
        raise MethodError(f"component {missing[0]!r} has no weight",
                          hint="give a weight for every component (0 to ignore one)")
    extra = [f for f in weights if f not in components]
    if extra:
        raise MethodError(
            f"a weight is given for {extra[0]!r} but there is no such component",
            hint=f"the components are {names}; give a table for it or drop its weight",
        )
    w = check_weights([weights[f] for f in names], len(names), names=names, kind="component")[0]
    comps: list[FloatArray] = []
    for f in names:
        a = as_floats(components[f], f"component {f!r}", "give one number per city and industry")
        if a.ndim != 2 or a.size == 0:
            raise MethodError(f"component {f!r} has shape {a.shape}, not cities × industries",
                              hint="give one row per city and one column per industry")
        if comps and a.shape != comps[0].shape:
            raise MethodError(
                f"component {f!r} has shape {a.shape} but {names[0]!r} has {comps[0].shape}",
                hint="give every component the same cities (rows) and industries (columns), "
                "in the same order",
            )
        comps.append(a)
    check_names(cities, comps[0].shape[0], "city", "cities")
    check_names(industries, comps[0].shape[1], "industry", "industries")
    for f, a in zip(names, comps, strict=True):
        bad = ~np.isfinite(a) | (a < 0) | (a > 1)
        if bad.any():
            c, i = (int(k) for k in np.argwhere(bad)[0])
            kind = "missing (NaN)" if np.isnan(a[c, i]) else f"{a[c, i]}, outside [0, 1]"
            raise MethodError(
                f"component {f!r} of {label('city', c, cities)}, "
                f"{label('industry', i, industries)} is {kind}",
                hint="fill missing values (e.g. 0 for no advantage) and min-max normalise every "
                "component to [0, 1]",
            )
    return names, comps, w


def _neighbours(neighbours: npt.ArrayLike, n: int, cities: Sequence[str] | None) -> BoolArray:
    a = _mask(neighbours, (n, n), "the neighbour matrix", "cities × cities")
    diagonal = np.flatnonzero(np.diag(a))
    if diagonal.size:
        raise MethodError(
            f"{label('city', int(diagonal[0]), cities)} is marked as its own neighbour",
            hint="set the diagonal of the neighbour matrix to false",
        )
    asym = np.argwhere(a != a.T)
    if asym.size:
        c, d = (int(k) for k in asym[0])
        raise MethodError(
            f"the neighbour matrix is not symmetric: {label('city', c, cities)} and "
            f"{label('city', d, cities)} disagree",
            hint="make neighbours[c, d] equal neighbours[d, c] (e.g. neighbours | neighbours.T)",
        )
    return a


def _eco(
    eco_pressure: npt.ArrayLike | None, industry_pollution: npt.ArrayLike | None,
    eco_limit: float | None, n_cities: int, n_ind: int,
    cities: Sequence[str] | None, industries: Sequence[str] | None,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    if eco_pressure is None:
        if eco_limit is not None or industry_pollution is not None:
            raise MethodError(
                "eco_limit and industry_pollution need eco_pressure",
                hint="give the eco pressure of every city, in [0, 1]",
            )
        return np.zeros(n_cities), np.zeros(n_ind), np.zeros((n_cities, n_ind), dtype=bool)
    e = _unit_vector(eco_pressure, n_cities, "eco_pressure", "city", cities)
    p = (np.ones(n_ind) if industry_pollution is None
         else _unit_vector(industry_pollution, n_ind, "industry_pollution", "industry", industries))
    if eco_limit is None:
        return e, p, np.zeros((n_cities, n_ind), dtype=bool)
    limit = _finite(eco_limit, "eco_limit")
    return e, p, np.outer(e > limit, p > 0)


def _unit_vector(x: npt.ArrayLike, n: int, what: str, kind: str,
                 names: Sequence[str] | None) -> FloatArray:
    a = as_floats(x, what, f"give one number per {kind}")
    if a.shape != (n,):
        raise MethodError(f"{what} has shape {a.shape}, expected {n} values (one per {kind})",
                          hint=f"give one value per {kind}, in order")
    bad = np.flatnonzero(~np.isfinite(a) | (a < 0) | (a > 1))
    if bad.size:
        k = int(bad[0])
        raise MethodError(f"{what} of {label(kind, k, names)} is {a[k]}, not in [0, 1]",
                          hint="fill missing values and min-max normalise it to [0, 1]")
    return a


def _counts(value: int | npt.ArrayLike, n: int, what: str,
            names: Sequence[str] | None) -> IntArray:
    """One whole number ≥ 0 for all cities, or one per city."""
    hint = "give one whole number ≥ 0, or one per city in order"
    raw = np.asarray(value)
    if raw.dtype == np.bool_:
        raise MethodError(f"{what} must be whole numbers, got booleans", hint=hint)
    a = as_floats(raw, what, hint)
    if a.ndim == 0:
        a = np.full(n, float(a))
    if a.shape != (n,):
        raise MethodError(f"{what} has {a.size} values for {n} cities", hint=hint)
    bad = np.flatnonzero(~np.isfinite(a) | (a < 0) | (a != np.round(a)))
    if bad.size:
        k = int(bad[0])
        raise MethodError(f"{what} of {label('city', k, names)} is {a[k]:g}", hint=hint)
    return a.astype(np.int64)


def _mask(allowed: npt.ArrayLike | None, shape: tuple[int, int], what: str,
          axes: str = "cities × industries") -> BoolArray:
    """A new boolean array of ``shape`` from booleans or 0/1 (all true when None)."""
    if allowed is None:
        return np.ones(shape, dtype=bool)
    a = np.asarray(allowed)
    if a.shape != shape:
        raise MethodError(f"{what} has shape {a.shape}, expected {shape} ({axes})",
                          hint=f"give one true/false per cell of the {axes} table, in order")
    if a.dtype == np.bool_:
        return np.array(a, dtype=bool)
    try:
        f = a.astype(np.float64)
    except (TypeError, ValueError):
        raise MethodError(f"{what} is not made of booleans", hint="use True/False or 1/0"
                          ) from None
    if not np.isin(f, (0.0, 1.0)).all():
        raise MethodError(f"{what} holds values other than 0 and 1", hint="use True/False or 1/0")
    return np.array(f == 1.0, dtype=bool)


def _member_bounds(min_members: int, max_members: int | None, n_cities: int) -> tuple[int, int]:
    def whole(v: object) -> bool:
        return isinstance(v, int | np.integer) and not isinstance(v, bool)

    check_count(min_members, "min_members", hint=f"e.g. min_members={DEFAULT_MIN_MEMBERS}")
    if min_members > n_cities:
        raise MethodError(f"min_members={min_members} but there are only {n_cities} cities",
                          hint=f"lower min_members to at most {n_cities}")
    if max_members is None:
        return int(min_members), n_cities
    if not whole(max_members) or max_members < min_members:
        raise MethodError(
            f"max_members must be a whole number ≥ min_members ({min_members}), "
            f"got {max_members!r}",
            hint="raise max_members, or leave it out for no upper bound",
        )
    return int(min_members), min(int(max_members), n_cities)


def _finite(value: float, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise MethodError(f"{what} must be a number, got {value!r}", hint="give a number"
                          ) from None
    if not isfinite(v):
        raise MethodError(f"{what} must be finite, got {v}", hint="give a finite number")
    return v


def _nonnegative(value: float, what: str) -> float:
    v = _finite(value, what)
    if v < 0:
        raise MethodError(f"{what} must be ≥ 0, got {v}",
                          hint=f"{what} is subtracted or added as given; use 0 to switch it off")
    return v


def _time_limit(limit: float | None) -> float | None:
    if limit is None:
        return None
    v = _finite(limit, "time_limit")
    if v <= 0:
        raise MethodError(f"time_limit must be positive, got {v}",
                          hint="give seconds, or leave it out to solve to optimality")
    return v


__all__ = [
    "DEFAULT_DUPLICATION_PENALTY",
    "DEFAULT_ECO_WEIGHT",
    "DEFAULT_LEAD_WEIGHT",
    "DEFAULT_MIN_MEMBERS",
    "DEFAULT_PARTICIPATION_COST",
    "DEFAULT_WEIGHTS",
    "Contribution",
    "LayoutPlan",
    "LeadResult",
    "lead_assignment",
    "plan_layout",
]
