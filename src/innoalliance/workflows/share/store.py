"""Profit, cost and risk sharing for an alliance from its ledger: games, rules side by side.

* **Profit**: the project synergy game (:mod:`methods.games.project_game`) from the alliance's
projects
  with revenue; each rule's allocation, whether it lies in the core, and who gains or loses
  against shares proportional to the money put in.
* **Cost** of a shared facility: the airport game of the members' needs (a cost game).
* **Risk**: a risk compensation fund facing the losses of failed projects, as a bankruptcy
  problem between the projects, each project's award passed on to its participants in proportion
  to what they put in, after the members' co-payment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from innoalliance.errors import MethodError, UnknownReference
from innoalliance.ingest.cells import closest
from innoalliance.ingest.decision import read_decision_matrix
from innoalliance.methods.games.bargaining import nash_bargaining, proportional_allocation
from innoalliance.methods.games.claims import RULES, claims_rule
from innoalliance.methods.games.forms import AirportGame, BankruptcyGame, TableGame
from innoalliance.methods.games.modified_shapley import modified_shapley
from innoalliance.methods.games.nucleolus import in_core, nucleolus
from innoalliance.methods.games.project_game import ProjectGame
from innoalliance.methods.games.shapley import banzhaf_value, shapley_value
from innoalliance.methods.mcda.weights import entropy_weights
from innoalliance.workflows.evaluate.measures import ACADEMIC
from innoalliance.workflows.govern.enforcement import enforced_factors
from innoalliance.workflows.register.ledger import Ledger, alliance_ledger, read_ledger

NUCLEOLUS_MAX = 12  # sequential LPs over 2ⁿ coalitions: seconds up to here
FACTORS = ("investment", "risk", "contribution", "innovation")


@dataclass(frozen=True)
class Comparison:
    """Allocations of one game by several rules, side by side."""

    alliance: str
    kind: str  # profit | cost | risk
    subject: str
    players: list[str]
    names: dict[str, str]
    total: float
    allocations: pd.DataFrame  # players × rules
    in_core: dict[str, bool | None]
    baseline: str  # the rule gains and losses are measured against
    game: dict[str, Any]  # what the game was built from, for the report and the record
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def gains(self) -> pd.DataFrame:
        """Each rule's allocation minus the baseline's."""
        return self.allocations.sub(self.allocations[self.baseline], axis=0)

    def summary(self) -> dict[str, Any]:
        """JSON-ready form."""
        frame = self.allocations
        return {
            "alliance": self.alliance, "kind": self.kind, "subject": self.subject,
            "players": [{"id": p, "name": self.names.get(p, p)} for p in self.players],
            "total": self.total, "baseline": self.baseline,
            "allocations": {str(rule): {p: float(x) + 0.0 for p, x in  # no "-0"
                                        zip(self.players, frame[rule], strict=True)}
                            for rule in frame.columns},
            "in_core": self.in_core, "game": self.game, "notes": self.notes,
            "details": self.details,
        }


def _ledger(engine: Engine, alliance: str) -> Ledger:
    led = alliance_ledger(engine, alliance)
    return led


def _money_by_member(led: Ledger, as_of: pd.Timestamp) -> pd.Series:
    d = led.contributions
    return d[(d["date"] <= as_of) & (d["unit"] == "元")].groupby("organization")["amount"].sum()


def _factors(led: Ledger, players: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Investment, risk, contribution and innovation of each player (Chinese modified-Shapley
    practice): money delivered, money committed, outputs owned and patents/standards owned."""
    c = led.commitments
    committed = c[(c["unit"] == "元")].groupby("organization")["amount"].sum()
    o = led.outputs[led.outputs["date"] <= as_of][["name", "type"]].rename(
        columns={"name": "output"})
    owned = led.owners.merge(o, on="output")
    outputs = owned.groupby("organization")["share"].sum()
    innovation = owned[owned["type"].isin(("patent", "standard"))].groupby(
        "organization")["share"].sum()
    frame = pd.DataFrame({"investment": _money_by_member(led, as_of), "risk": committed,
                          "contribution": outputs, "innovation": innovation})
    return frame.reindex(players).fillna(0.0)


def _factor_weights(factors: pd.DataFrame, given: list[float] | None,
                    notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop factors that do not vary; weight the rest by entropy (or as given)."""
    if given is not None:
        if len(given) != factors.shape[1]:
            raise MethodError(f"{len(given)} factor weights for {factors.shape[1]} factors "
                              f"({', '.join(factors.columns)})",
                              hint="give one weight per factor, in that order")
        return factors, np.asarray(given, dtype=np.float64)
    varying = [c for c in factors.columns if factors[c].nunique() > 1]
    dropped = [c for c in factors.columns if c not in varying]
    if dropped:
        notes.append(f"factors {', '.join(dropped)} are the same for every member and are left "
                     "out of the modified Shapley value")
    kept = factors[varying]
    if len(varying) < 2:
        return kept, np.ones(len(varying))
    weights = entropy_weights(kept.to_numpy(dtype=np.float64), names=varying).weights
    notes.append("factor weights by the entropy method: " + ", ".join(
        f"{c} {w:.3f}" for c, w in zip(varying, weights, strict=True)))
    return kept, weights


@dataclass(frozen=True)
class ProfitGame:
    """The project synergy game of an alliance, and what it was estimated from."""

    players: list[str]
    names: dict[str, str]
    game: ProjectGame
    projects: pd.DataFrame
    investment: pd.Series
    led: Ledger
    unpaid: list[str]  # participants with no money on record, weighted as the smallest payer
    enforced: dict[str, dict[str, float]] | None = None  # charter check's correction factors


def profit_game(engine: Engine, alliance: str, *, as_of: dt.date, gamma: float = 1.0
                ) -> ProfitGame:
    """Build the profit game from projects with revenue recorded up to ``as_of``."""
    led = _ledger(engine, alliance)
    now = pd.Timestamp(as_of)
    o = led.outputs
    revenue = o[(o["type"] == "revenue") & (o["date"] <= now) & o["project"].notna()]
    values = revenue.groupby("project")["value"].sum()
    values = values[values > 0]
    if values.empty:
        raise MethodError(f"{alliance} has no revenue from its projects recorded by {as_of}",
                          hint="import outputs of type revenue linked to projects, or share a "
                               "game file: innoalliance share FILE.json")
    parts = led.participants[led.participants["project"].isin(values.index)]
    players = sorted(parts["organization"].unique().tolist())
    money = _money_by_member(led, now).reindex(players).fillna(0.0)
    weights = np.zeros((len(values), len(players)))
    unpaid: set[str] = set()
    for k, project in enumerate(values.index):
        members = [players.index(m) for m in parts.loc[parts["project"] == project,
                                                       "organization"]]
        inputs = money.iloc[members].to_numpy()
        # a partner with no money on record (it gave staff, knowledge) still takes part: it
        # counts as the smallest money contributor of the project (as 1 if nobody paid)
        floor = inputs[inputs > 0].min() if (inputs > 0).any() else 1.0
        unpaid.update(players[m] for m, x in zip(members, inputs, strict=True) if x <= 0)
        weights[k, members] = np.where(inputs > 0, inputs, floor)
    kinds = led.memberships.drop_duplicates("organization").set_index("organization")
    names = {p: str(kinds["name_zh"].get(p, p)) for p in players}
    research = np.array([kinds["type"].get(p) in ACADEMIC for p in players])
    projects = pd.DataFrame({"project": values.index, "value": values.to_numpy(),
                             "participants": [int((w > 0).sum()) for w in weights]})
    return ProfitGame(players, names, ProjectGame(values.to_numpy(), weights, research, gamma),
                      projects, money, led, sorted(unpaid), enforced_factors(engine, alliance,
                                                                             as_of))


def _check_core(v: np.ndarray | None, x: np.ndarray, sign: float) -> bool | None:
    return None if v is None else bool(in_core(sign * v, sign * x).in_core)


def compare_profit(pg: ProfitGame, alliance: str, *, as_of: dt.date,
                   factor_weights: list[float] | None = None, samples: int | None = None,
                   seed: int = 0) -> Comparison:
    """Every profit rule on the alliance's profit game, with core checks and factor details."""
    game, players = pg.game, pg.players
    notes = [f"{pg.names[p]} put no money on record into its projects; it counts as their "
             "smallest money contributor in the game" for p in pg.unpaid]
    n = len(players)
    v = game.values() if n <= 20 else None
    rules: dict[str, np.ndarray] = {}
    total = game.total()
    if pg.investment.sum() > 0:
        rules["proportional"] = proportional_allocation(total, pg.investment.to_numpy(),
                                                        names=players)
    else:
        rules["proportional"] = np.full(n, total / n)
        notes.append("no money recorded as delivered: 'proportional' is an equal split")
    sh = shapley_value(game if v is None else TableGame(v), method="sampled" if samples
                       else "auto", samples=samples, seed=seed)
    rules["shapley"] = np.asarray(sh.values)
    if v is not None:
        rules["banzhaf"] = np.asarray(banzhaf_value(TableGame(v), normalized=True).values)
        if n <= NUCLEOLUS_MAX:
            rules["nucleolus"] = np.asarray(nucleolus(v).values)
        rules["nash"] = np.asarray(nash_bargaining(total, game.stand_alone()).values)
    raw = _factors(pg.led, players, pd.Timestamp(as_of))
    if pg.enforced is not None:
        for column in ("investment", "risk"):
            ledger_sums = raw[column].to_dict()
            raw[column] = np.array([pg.enforced.get(p, {}).get(column, ledger_sums[p])
                                    for p in players], dtype=np.float64)
        notes.append("investment and risk factors corrected by the charter check: a defaulted "
                     "promise carries no risk share, an excluded member keeps 1 − the forfeited "
                     "share")
    factors, weights = _factor_weights(raw, factor_weights, notes)
    details: dict[str, Any] = {"shapley_method": sh.method}
    if factors.shape[1] and v is not None:
        ms = modified_shapley(v, factors.to_numpy(dtype=np.float64), weights,
                              shapley=rules["shapley"], names=players,
                              factor_names=list(factors.columns))
        rules["modified-shapley"] = np.asarray(ms.values)
        below = [pg.names[p] for p, x in zip(players, ms.values, strict=True) if x < 0]
        if below:
            notes.append("the modified Shapley value is negative for " + ", ".join(below)
                         + ": their factor shares are far below 1/n; it is reported, not "
                           "clipped (set --factor-weights to change the correction)")
        details["modified_shapley"] = {
            "factors": {c: dict(zip(players, factors[c].astype(float), strict=True))
                        for c in factors.columns},
            "factor_weights": dict(zip(factors.columns, map(float, ms.factor_weights),
                                       strict=True)),
            "corrections": dict(zip(players, map(float, ms.corrections), strict=True)),
        }
    frame = pd.DataFrame(rules, index=players)
    return Comparison(
        alliance=alliance, kind="profit", subject=f"profit from projects to {as_of.isoformat()}",
        players=players, names=pg.names, total=total, allocations=frame,
        in_core={r: _check_core(v, frame[r].to_numpy(), 1.0) for r in frame.columns},
        baseline="proportional",
        game={"form": "project synergy", "gamma": game.gamma,
              "projects": pg.projects.to_dict(orient="records"),
              "stand_alone": dict(zip(players, map(float, game.stand_alone()), strict=True)),
              "investment": {p: float(x) for p, x in pg.investment.items()}},
        notes=notes, details=details)


def compare_cost(engine: Engine, alliance: str, needs: Path) -> Comparison:
    """Share the cost of a facility by the members' needs (airport game)."""
    led = _ledger(engine, alliance)
    m = read_decision_matrix(needs)
    members = set(led.memberships["organization"])
    names = dict(zip(led.memberships["organization"], led.memberships["name_zh"], strict=True))
    unknown = [a for a in m.alternatives if a not in members]
    if unknown:
        raise UnknownReference(f"member of {alliance}", unknown[0],
                               closest(unknown[0], sorted(members)),
                               hint=f"see its members: innoalliance show alliances {alliance}")
    costs = m.values[:, 0]
    game = AirportGame(costs)
    players = m.alternatives
    v = game.values() if len(players) <= 20 else None
    total = float(costs.max())
    rules = {"proportional": proportional_allocation(total, costs, names=players),
             "equal": np.full(len(players), total / len(players)),
             "shapley": np.asarray(shapley_value(game).values)}
    if v is not None and len(players) <= NUCLEOLUS_MAX:
        rules["nucleolus"] = -np.asarray(nucleolus(-v).values)
    frame = pd.DataFrame(rules, index=players)
    return Comparison(
        alliance=alliance, kind="cost", subject=f"shared facility ({needs.name})",
        players=players, names=names, total=total, allocations=frame,
        in_core={r: _check_core(v, frame[r].to_numpy(), -1.0) for r in frame.columns},
        baseline="proportional",
        game={"form": "airport", "costs": dict(zip(players, map(float, costs), strict=True))})



def risk_fund(engine: Engine, fund: float, *, rule: str = "talmud", copay: float = 0.2,
              alliance: str | None = None, as_of: dt.date) -> Comparison:
    """Allocate a risk compensation fund over the failed projects' losses, then to members.

    A failed project's loss is its non-government budget (bank credit, venture fund, members'
    and social capital: the money at risk; the special fund is the government's own); its claim
    is that loss less the members' co-payment share. If the fund covers every claim, each is paid
    in full and the rest is kept; otherwise ``rule`` divides it. Each project's award goes to its
    participants in proportion to the money they delivered (equally if none is recorded).
    """
    if not 0.0 <= copay < 1.0:
        raise MethodError(f"co-payment {copay} is not a share in [0, 1)",
                          hint="e.g. 0.2: members bear 20 % of a failed project's loss")
    if rule not in RULES:
        raise MethodError(f"unknown rule {rule!r}", hint=f"use one of {', '.join(RULES)}")
    if fund < 0:
        raise MethodError(f"a negative fund ({fund:g}) cannot compensate anything",
                          hint="give the fund's size in yuan")
    led = _ledger(engine, alliance) if alliance else read_ledger(engine)
    p = led.projects
    failed = p[(p["status"] == "failed") & (p["end"].isna() | (p["end"] <= pd.Timestamp(as_of)))]
    if failed.empty:
        raise MethodError("no failed project to compensate" + (f" in {alliance}" if alliance
                                                               else ""),
                          hint="a project counts as failed when its status is 'failed'")
    loss = (failed["budget"] - failed["budget_government"]).to_numpy(dtype=np.float64)
    claims = (1.0 - copay) * loss
    labels = [f"{a} / {n}" for a, n in zip(failed["alliance"], failed["name"], strict=True)]
    notes: list[str] = []
    estate = min(fund, float(claims.sum()))
    if fund >= claims.sum():
        notes.append(f"the fund covers every claim; {fund - claims.sum():,.0f} yuan remain")
        rules = {"full": claims}
        rule = "full"
    else:
        rules = {r: claims_rule(r, estate, claims).awards for r in RULES}
    frame = pd.DataFrame(rules, index=labels)
    v = BankruptcyGame(estate, claims).values() if len(labels) <= 20 else None
    awards = frame[rule].to_numpy()
    members = _pass_on(led, failed, np.asarray(awards), pd.Timestamp(as_of))
    return Comparison(
        alliance=alliance or "", kind="risk", subject=f"risk compensation fund {fund:,.0f} yuan",
        players=labels, names={}, total=estate, allocations=frame,
        in_core={r: _check_core(v, frame[r].to_numpy(), 1.0) for r in frame.columns},
        baseline="full" if rule == "full" else "proportional",
        game={"form": "bankruptcy", "estate": fund, "copay": copay,
              "losses": dict(zip(labels, map(float, loss), strict=True)),
              "claims": dict(zip(labels, map(float, claims), strict=True)), "rule": rule},
        notes=notes, details={"members": members})


def _pass_on(led: Ledger, failed: pd.DataFrame, awards: np.ndarray, as_of: pd.Timestamp
             ) -> list[dict[str, Any]]:
    money = _money_by_member(led, as_of)
    names = dict(zip(led.memberships["organization"], led.memberships["name_zh"], strict=True))
    rows = []
    for (alliance, project), award in zip(failed[["alliance", "name"]].itertuples(index=False),
                                          awards, strict=True):
        part = led.participants
        members = part[(part["alliance"] == alliance) & (part["project"] == project)][
            "organization"].tolist()
        basis = money.reindex(members).fillna(0.0).to_numpy()
        shares = basis / basis.sum() if basis.sum() > 0 else np.full(len(members), 1 / len(members))
        rows += [{"project": project, "organization": m, "name": names.get(m, m),
                  "award": float(award * s)} for m, s in zip(members, shares, strict=True)]
    return rows
