"""Cooperative-game solutions on a user's own game file, without a store.

File forms (JSON): ``table`` (``values`` by coalition name such as ``"A+B"``, or ``values_npy``:
a float array of length 2ⁿ indexed by bitmask, bit i ↔ the i-th player), ``weighted_voting``,
``bankruptcy`` and ``airport`` (a cost game: allocations are costs). Each method returns the
allocation by player and, where the game is explicit, whether the allocation lies in the core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from innoalliance.errors import MethodError, Problem, ValidationError
from innoalliance.ingest.decision import read_json_document
from innoalliance.methods.games.bargaining import nash_bargaining, proportional_allocation
from innoalliance.methods.games.claims import RULES, claims_rule
from innoalliance.methods.games.forms import (
    MAX_EXACT_PLAYERS,
    AirportGame,
    BankruptcyGame,
    TableGame,
    WeightedVotingGame,
    check_game,
    table_game,
)
from innoalliance.methods.games.modified_shapley import modified_shapley
from innoalliance.methods.games.nucleolus import in_core, least_core, nucleolus
from innoalliance.methods.games.shapley import banzhaf_value, shapley_value

FORMS = ("table", "weighted_voting", "bankruptcy", "airport")
METHODS = ("shapley", "banzhaf", "nucleolus", "proportional", "nash", "least-core",
           "modified-shapley", "talmud", "cea", "cel")
Game = TableGame | WeightedVotingGame | BankruptcyGame | AirportGame


@dataclass(frozen=True)
class GameFile:
    """A game read from a file: its players, the game, and whether values are costs."""

    form: str
    players: list[str]
    game: Game
    cost: bool
    data: dict[str, Any]


def _named_numbers(data: Mapping[str, Any], key: str, file: str) -> tuple[list[str], np.ndarray]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise ValidationError([Problem(file, None, key, None,
                                       'must be an object {"player": number, ...}')])
    bad = [k for k, v in value.items()
           if not isinstance(v, int | float) or isinstance(v, bool)]
    if bad:
        raise ValidationError([Problem(file, None, f"{key}.{k}", str(value[k]),
                                       "must be a number") for k in bad])
    return [str(k) for k in value], np.array(list(value.values()), dtype=np.float64)


def read_game(path: Path) -> GameFile:
    """Read and check a game file; every form's rules are checked by its game class."""
    data = read_json_document(path, ("form",))
    form = str(data["form"])
    file = path.name
    if form == "table":
        players = [str(p) for p in data.get("players") or []]
        if not players:
            raise ValidationError([Problem(file, None, "players", None, "list the players")])
        if "values_npy" in data:
            npy = (path.parent / str(data["values_npy"]))
            if not npy.is_file():
                raise ValidationError([Problem(file, None, "values_npy", str(data["values_npy"]),
                                               "no such file (paths are relative to the JSON)")])
            v = check_game(np.load(npy, allow_pickle=False), len(players))
        elif isinstance(data.get("values"), dict):
            v = table_game(players, data["values"])
        else:
            raise ValidationError([Problem(file, None, "values", None,
                                           'give "values" {"A+B": ...} or "values_npy"')])
        return GameFile(form, players, TableGame(v), False, data)
    if form == "weighted_voting":
        players, weights = _named_numbers(data, "weights", file)
        quota = data.get("quota")
        if not isinstance(quota, int | float) or isinstance(quota, bool):
            raise ValidationError([Problem(file, None, "quota", str(quota), "must be a number")])
        return GameFile(form, players, WeightedVotingGame(float(quota), weights), False, data)
    if form == "bankruptcy":
        players, claims = _named_numbers(data, "claims", file)
        estate = data.get("estate")
        if not isinstance(estate, int | float) or isinstance(estate, bool):
            raise ValidationError([Problem(file, None, "estate", str(estate), "must be a number")])
        return GameFile(form, players, BankruptcyGame(float(estate), claims), False, data)
    if form == "airport":
        players, costs = _named_numbers(data, "costs", file)
        return GameFile(form, players, AirportGame(costs), True, data)
    raise ValidationError([Problem(file, None, "form", form, f"must be one of {', '.join(FORMS)}")])


def _explicit(g: GameFile) -> np.ndarray:
    """The game as a 2ⁿ array of values (costs negated, so that every game is a profit game)."""
    if len(g.players) > MAX_EXACT_PLAYERS:
        raise MethodError(f"{len(g.players)} players are too many for this method, which needs "
                          f"all 2^{len(g.players)} coalition values",
                          hint="use --method shapley or banzhaf with --samples N")
    v = g.game.values()
    return -v if g.cost else v


def _named(players: Sequence[str], values: Any) -> dict[str, float]:
    return {p: float(x) for p, x in zip(players, values, strict=True)}


def _basis(g: GameFile) -> np.ndarray:
    """What 'proportional' is proportional to: claims, costs, weights, or stand-alone values."""
    if isinstance(g.game, BankruptcyGame):
        return np.asarray(g.game.claims, dtype=np.float64)
    if isinstance(g.game, AirportGame):
        return np.asarray(g.game.costs, dtype=np.float64)
    if isinstance(g.game, WeightedVotingGame):
        return np.asarray(g.game.weights, dtype=np.float64)
    v = _explicit(g)
    return np.array([v[1 << i] for i in range(len(g.players))])


def solve(g: GameFile, method: str, *, samples: int | None = None, seed: int = 0
          ) -> dict[str, Any]:
    """Allocate ``g`` by ``method``; JSON-ready, with the method's intermediate values."""
    if method not in METHODS:
        raise MethodError(f"unknown method {method!r}", hint=f"use one of {', '.join(METHODS)}")
    players = g.players
    sign = -1.0 if g.cost else 1.0
    out: dict[str, Any] = {"form": g.form, "method": method, "players": players,
                           "values_are": "costs" if g.cost else "payoffs"}
    if method in ("shapley", "banzhaf"):
        kind = "sampled" if samples else "auto"
        solver = shapley_value if method == "shapley" else banzhaf_value
        r = solver(g.game, method=kind, samples=samples, seed=seed)
        out["allocation"] = _named(players, r.values)
        out["computed_by"] = r.method
        if r.standard_error is not None:
            out["standard_error"] = _named(players, r.standard_error)
            out["samples"], out["seed"] = r.samples, r.seed
    elif method in RULES:
        if not isinstance(g.game, BankruptcyGame):
            raise MethodError(f"{method} is a rule for bankruptcy problems",
                              hint='give {"form": "bankruptcy", "estate": E, "claims": {...}}')
        c = claims_rule(method, g.game.estate, g.game.claims)
        out["allocation"] = _named(players, c.awards)
        out["losses"] = _named(players, c.losses)
    elif method == "proportional":
        basis = _basis(g)
        total = g.game.value((1 << len(players)) - 1)
        out["allocation"] = _named(players, proportional_allocation(total, basis, names=players))
        out["basis"] = _named(players, basis)
    elif method == "nash":
        v = _explicit(g)
        d = np.array([v[1 << i] for i in range(len(players))])
        bargained = nash_bargaining(float(v[-1]), d)
        out["allocation"] = _named(players, sign * np.asarray(bargained.values))
        out["disagreement"] = _named(players, sign * d)
    elif method == "nucleolus":
        nucl = nucleolus(_explicit(g))
        out["allocation"] = _named(players, sign * np.asarray(nucl.values))
        out["stages"] = nucl.stages
    elif method == "least-core":
        lc = least_core(_explicit(g))
        out["allocation"] = _named(players, sign * np.asarray(lc.values))
        out["epsilon"] = float(lc.epsilon)
    else:
        out.update(_modified(g))
    if len(players) <= MAX_EXACT_PLAYERS and "allocation" in out:
        x = sign * np.array([out["allocation"][p] for p in players])
        check = in_core(_explicit(g), x)
        out["in_core"] = bool(check.in_core)
    return out


def _modified(g: GameFile) -> dict[str, Any]:
    factors = g.data.get("factors")
    weights = g.data.get("factor_weights")
    if not isinstance(factors, dict) or weights is None:
        raise MethodError("the modified Shapley value needs the members' factors",
                          hint='add "factors": {"A": [investment, risk, ...], ...} and '
                               '"factor_weights": [...]')
    missing = [p for p in g.players if p not in factors]
    if missing:
        raise MethodError(f"no factors for {', '.join(missing)}",
                          hint="give one list of factors per player")
    matrix = np.array([factors[p] for p in g.players], dtype=np.float64)
    r = modified_shapley(_explicit(g), matrix, np.asarray(weights, dtype=np.float64),
                         names=g.players, factor_names=g.data.get("factor_names"))
    sign = -1.0 if g.cost else 1.0
    out: dict[str, Any] = {
        "allocation": _named(g.players, sign * r.values),
        "shapley": _named(g.players, sign * r.shapley),
        "corrections": _named(g.players, sign * r.corrections),
        "combined_share": _named(g.players, r.combined_share),
        "factor_weights": [float(w) for w in r.factor_weights],
    }
    if r.weights_renormalised:
        out["note"] = "the factor weights did not sum to 1 and were normalised"
    return out


def share_file(path: Path, method: str, *, samples: int | None = None, seed: int = 0
               ) -> dict[str, Any]:
    """Read a game file and allocate it by ``method``."""
    return solve(read_game(path), method, samples=samples, seed=seed)
