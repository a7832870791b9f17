"""Weights of every node of an index system, and the system as a
:class:`methods.mcda.composite.Tree`.

Data-driven weights (entropy, CRITIC) are computed once from the normalised indicator values of
all units and years together, so that one set of weights holds for the whole panel and scores can
be compared across years. An indicator that is constant over the panel carries no information: it
gets weight 0 under entropy and CRITIC (the entropy method would give it d = 0 anyway) and a note
says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from innoalliance.errors import MethodError
from innoalliance.ingest.indexsystem import IndexSystem, Indicator, Node
from innoalliance.methods._checks import check_weights
from innoalliance.methods.mcda.ahp import ahp
from innoalliance.methods.mcda.composite import Level, Tree
from innoalliance.methods.mcda.weights import critic_weights, entropy_weights

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NodeWeights:
    """The weights of one node's children, how they were obtained, and the method's numbers."""

    node: str
    method: str
    children: tuple[str, ...]
    weights: tuple[float, ...]
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"node": self.node, "method": self.method,
                "weights": dict(zip(self.children, self.weights, strict=True)), **self.detail}


def _code(child: Node | Indicator) -> str:
    return child.code


def _from_data(node: Node, values: pd.DataFrame) -> NodeWeights:
    codes = [_code(c) for c in node.children]
    block = values[codes].dropna()
    informative = [c for c in codes if block[c].nunique() > 1]
    dropped = [c for c in codes if c not in informative]
    detail: dict[str, Any] = {"rows_used": len(block)}
    if dropped:
        detail["constant_indicators"] = dropped
    weights = dict.fromkeys(codes, 0.0)
    if len(informative) == 1:
        weights[informative[0]] = 1.0
    elif informative and len(block) >= 2:
        matrix = block[informative].to_numpy(dtype=np.float64)
        if node.weighting.method == "entropy":
            result = entropy_weights(matrix, names=informative)
            detail["entropy"] = dict(zip(informative, result.entropy.tolist(), strict=True))
        else:
            critic = critic_weights(matrix, names=informative)
            result = critic  # type: ignore[assignment]
            detail["information"] = dict(zip(informative, critic.information.tolist(),
                                             strict=True))
        weights.update(zip(informative, result.weights.tolist(), strict=True))
    else:
        raise MethodError(
            f"{node.path}: {node.weighting.method} weights need at least two units with every "
            f"indicator of '{node.code}' known and one that varies; found {len(block)} complete "
            f"rows and {len(informative)} varying indicators",
            hint="evaluate more units or years, or weight this node 'equal' or 'fixed'")
    return NodeWeights(node.code, node.weighting.method, tuple(codes),
                       tuple(weights[c] for c in codes), detail)


def _node_weights(node: Node, values: pd.DataFrame) -> NodeWeights:
    codes = tuple(_code(c) for c in node.children)
    method = node.weighting.method
    if method in ("entropy", "critic"):
        return _from_data(node, values)
    if method == "ahp":
        result = ahp(np.array(node.weighting.judgments), random_index=node.weighting.random_index,
                     names=list(codes))
        if not result.consistent:
            worst = result.inconsistency[0]
            raise MethodError(
                f"{node.path}: the AHP judgments are inconsistent (CR = {result.cr:.3f} ≥ "
                f"{result.threshold}); the judgment {codes[worst[0]]} vs {codes[worst[1]]} "
                f"contributes most",
                hint=f"revise it towards {result.suggested[0]:.3g} "
                "(the value the other judgments imply)")
        return NodeWeights(node.code, method, codes, tuple(result.weights.tolist()),
                           {"lambda_max": result.lambda_max, "ci": result.ci, "cr": result.cr,
                            "random_index": result.random_index})
    if method == "fixed":
        weights, renormalised = check_weights(np.array(node.weighting.weights), len(codes),
                                              names=list(codes))
        detail = {"renormalised": True} if renormalised else {}
        return NodeWeights(node.code, method, codes, tuple(weights.tolist()), detail)
    return NodeWeights(node.code, method, codes, tuple([1.0 / len(codes)] * len(codes)))


def system_weights(system: IndexSystem, normalised: pd.DataFrame) -> dict[str, NodeWeights]:
    """Weights of every inner node; ``normalised`` has one column per indicator code."""
    return {node.code: _node_weights(node, normalised) for node in system.nodes()}


@dataclass(frozen=True)
class SystemTree:
    """The system as levels for :func:`methods.mcda.composite.aggregate`.

    ``level_codes[k]`` names the nodes of level k (level 0 = the indicators, in ``X`` column
    order); a ``None`` is a pass-through node that carries a shallower leaf down to level 0.
    """

    tree: Tree
    level_codes: tuple[tuple[str | None, ...], ...]

    @property
    def indicator_order(self) -> tuple[str, ...]:
        """Indicator codes in the column order the tree expects."""
        return tuple(c for c in self.level_codes[0] if c is not None)


def build_tree(system: IndexSystem, weights: dict[str, NodeWeights]) -> SystemTree:
    """Lay the system's hierarchy out as levels, padding shallow leaves with pass-through nodes."""

    def depth(item: Node | Indicator) -> int:
        if isinstance(item, Indicator):
            return 0
        return 1 + max(depth(c) for c in item.children)

    height = depth(system.goal)
    # slots[k]: (code or None, parent slot index at level k+1, weight within parent)
    slots: list[list[tuple[str | None, int, float]]] = [[] for _ in range(height + 1)]
    slots[height].append(("goal", 0, 1.0))

    def place(item: Node | Indicator, level: int, parent: int, weight: float) -> None:
        # pad: a leaf met above level 0 is carried down by pass-through nodes of weight 1
        while level > 0 and isinstance(item, Indicator):
            slots[level].append((None, parent, weight))
            parent, weight, level = len(slots[level]) - 1, 1.0, level - 1
        slots[level].append((item.code, parent, weight))
        if isinstance(item, Node):
            me = len(slots[level]) - 1
            own = weights[item.code]
            for child, w in zip(item.children, own.weights, strict=True):
                place(child, level - 1, me, w)

    own = weights["goal"]
    for child, w in zip(system.goal.children, own.weights, strict=True):
        place(child, height - 1, 0, w)
    levels = tuple(
        Level(parent=np.array([s[1] for s in slots[k]], dtype=np.int64),
              weights=np.array([s[2] for s in slots[k]], dtype=np.float64))
        for k in range(height))
    codes = tuple(tuple(s[0] for s in level) for level in slots)
    return SystemTree(Tree(levels=levels), codes)
