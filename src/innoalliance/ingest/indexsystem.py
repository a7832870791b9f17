"""Index systems as data: a YAML hierarchy (goal → dimensions → … → indicators) read and checked.

A system names the kind of unit it rates (``alliance``, ``region`` or ``member``), the
normalisation and aggregation, the grading bands, and a tree whose leaves are indicators. Each
indicator names the store measure it reads (see :mod:`innoalliance.workflows.evaluate.measures`),
its
direction and unit; each inner node says how its children are weighted. Every mistake in a file is
reported with the file, the path of the node (``goal.children[1].weighting``), the value and the
rule, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from innoalliance.errors import InnoallianceError, UnknownReference
from innoalliance.ingest.cells import closest
from innoalliance.ingest.documents import DocumentReader, parse_yaml
from innoalliance.methods.mcda.ahp import RANDOM_INDEX, parse_judgment
from innoalliance.methods.mcda.composite import AGGREGATIONS, IMPUTATIONS, NORMALIZATIONS
from innoalliance.methods.mcda.grading import (
    CREDIT_BANDS,
    MOST_ACTIVITY_BANDS,
    GradeBands,
    bands_from_mapping,
)

UNIT_KINDS = ("alliance", "region", "member")
WEIGHTINGS = ("equal", "fixed", "ahp", "entropy", "critic")
DATA_WEIGHTINGS = ("entropy", "critic")
SYSTEM_NORMALIZATIONS = ("goalposts", *NORMALIZATIONS)
NAMED_BANDS: Mapping[str, GradeBands] = {
    "most_activity": MOST_ACTIVITY_BANDS,
    "credit": CREDIT_BANDS,
}
BUILT_IN = "innoalliance.catalogues.index_systems"


@dataclass(frozen=True)
class Weighting:
    """How the children of one node are weighted: ``equal``, ``fixed`` (given weights), ``ahp``
    (pairwise judgments, Saaty's eigenvector), ``entropy`` or ``critic`` (from the data)."""

    method: str
    weights: tuple[float, ...] = ()
    judgments: tuple[tuple[float, ...], ...] = ()
    random_index: str = "saaty1980"


@dataclass(frozen=True)
class Indicator:
    """A leaf: one store measure (optionally divided by another and scaled), with a direction."""

    code: str
    name: str
    name_zh: str
    measure: str
    per: str | None
    scale: float
    direction: int  # +1 higher is better, −1 lower is better
    unit: str
    goalposts: tuple[float, float] | None
    path: str


@dataclass(frozen=True)
class Node:
    """An inner node (the goal, a dimension, a sub-dimension) and how its children are weighted."""

    code: str
    name: str
    name_zh: str
    weighting: Weighting
    children: tuple[Node | Indicator, ...]
    path: str


@dataclass(frozen=True)
class IndexSystem:
    """A whole index system, as read from its YAML file."""

    name: str
    title: str
    title_zh: str
    unit: str
    source: str
    normalization: str
    aggregation: str
    missing: str
    window: int
    bands: GradeBands
    goal: Node
    file: str

    def indicators(self) -> list[Indicator]:
        """The leaves, in file order."""
        return list(_leaves(self.goal))

    def nodes(self) -> list[Node]:
        """The inner nodes, children before parents (the order weights are computed in)."""
        return list(_post_order(self.goal))


def _leaves(node: Node) -> Any:
    for child in node.children:
        if isinstance(child, Indicator):
            yield child
        else:
            yield from _leaves(child)


def _post_order(node: Node) -> Any:
    for child in node.children:
        if isinstance(child, Node):
            yield from _post_order(child)
    yield node


def built_in_systems() -> list[str]:
    """Names of the index systems shipped with innoalliance."""
    folder = resources.files(BUILT_IN)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def load_system(name_or_path: str) -> IndexSystem:
    """A built-in system by name, or a user's system from a YAML file path."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InnoallianceError(
                f"no such index system file: {path}",
                hint="give a YAML file or a built-in name: " + ", ".join(built_in_systems()),
            ) from None
        return parse_system(text, path.name)
    names = built_in_systems()
    if name_or_path not in names:
        raise UnknownReference("index system", name_or_path, closest(name_or_path, names),
                               hint="list them with: innoalliance evaluate systems")
    text = resources.files(BUILT_IN).joinpath(f"{name_or_path}.yaml").read_text(encoding="utf-8")
    return parse_system(text, f"{name_or_path}.yaml")


def parse_system(text: str, file: str) -> IndexSystem:
    """Check a system's YAML text and build it; every problem is reported at once."""
    data = parse_yaml(text, file, "index system")
    reader = _Reader(file)
    system = reader.system(data)
    reader.problems.raise_if_any(f"{file} is not a valid index system",
                                 "fix the entries listed in the index system file and run again")
    assert system is not None
    return system


class _Reader(DocumentReader):
    """Walks the parsed YAML of an index system."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.codes: set[str] = set()

    def choice(self, data: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...],
               default: str) -> str:
        value = str(data.get(key, default)).strip()
        if value not in allowed:
            self.fail(f"{path}.{key}", value, f"must be one of {', '.join(allowed)}",
                      closest(value, list(allowed)))
        return value

    def system(self, data: object) -> IndexSystem | None:
        if not isinstance(data, dict):
            self.fail("(file)", None, "must be a mapping with name, unit and goal")
            return None
        root = "system"
        bands = self.bands(data.get("bands", "credit"))
        window = data.get("window", 1)
        if not isinstance(window, int) or isinstance(window, bool) or window < 1:
            self.fail("window", window, "must be a whole number of years ≥ 1")
            window = 1
        normalization = self.choice(data, "normalization", root, SYSTEM_NORMALIZATIONS, "minmax")
        goal_data = data.get("goal")
        goal = None
        if not isinstance(goal_data, dict):
            self.fail("goal", goal_data, "must be a mapping with weighting and children")
        else:
            goal = self.node(goal_data, "goal", normalization == "goalposts", is_goal=True)
        system = IndexSystem(
            name=self.text(data, "name", root),
            title=self.text(data, "title", root),
            title_zh=str(data.get("title_zh", "")),
            unit=self.choice(data, "unit", root, UNIT_KINDS, ""),
            source=str(data.get("source", "")).strip(),
            normalization=normalization,
            aggregation=self.choice(data, "aggregation", root, AGGREGATIONS, "arithmetic"),
            missing=self.choice(data, "missing", root, IMPUTATIONS, "none"),
            window=window,
            bands=bands,
            goal=goal if goal is not None else Node("goal", "", "", Weighting("equal"), (), "goal"),
            file=self.file,
        )
        return system

    def bands(self, value: object) -> GradeBands:
        if isinstance(value, str):
            if value in NAMED_BANDS:
                return NAMED_BANDS[value]
            self.fail("bands", value, f"must be one of {', '.join(NAMED_BANDS)} or a mapping "
                      "label → lower cut-off", closest(value, list(NAMED_BANDS)))
        elif isinstance(value, dict):
            try:
                return bands_from_mapping({str(k): float(v) for k, v in value.items()},
                                          source=f"{self.file}: bands")
            except (TypeError, ValueError) as exc:
                self.fail("bands", value, str(exc))
        else:
            self.fail("bands", value, "must be a band set name or a mapping label → cut-off")
        return CREDIT_BANDS

    def node(self, data: Mapping[str, Any], path: str, goalposts: bool,
             is_goal: bool = False) -> Node:
        code = "goal" if is_goal else self.code(data, path)
        children_data = data.get("children")
        children: list[Node | Indicator] = []
        if not isinstance(children_data, list) or not children_data:
            self.fail(f"{path}.children", children_data, "must be a non-empty list")
            children_data = []
        for i, child in enumerate(children_data):
            where = f"{path}.children[{i}]"
            if not isinstance(child, dict):
                self.fail(where, child, "must be a mapping (a dimension or an indicator)")
            elif "children" in child:
                children.append(self.node(child, where, goalposts))
            else:
                children.append(self.indicator(child, where, goalposts))
        weighting = self.weighting(data.get("weighting", "equal"), f"{path}.weighting",
                                   len(children))
        if weighting.method in DATA_WEIGHTINGS and any(isinstance(c, Node) for c in children):
            self.fail(f"{path}.weighting", weighting.method,
                      "weights from the data need indicators as children, not dimensions; use "
                      "equal, fixed or ahp here")
        return Node(
            code=code,
            name=str(data.get("name", code)),
            name_zh=str(data.get("name_zh", "")),
            weighting=weighting,
            children=tuple(children),
            path=path,
        )

    def code(self, data: Mapping[str, Any], path: str) -> str:
        code = self.text(data, "code", path)
        if code in self.codes:
            self.fail(f"{path}.code", code, "is used twice; codes must be unique in a system")
        self.codes.add(code)
        return code

    def indicator(self, data: Mapping[str, Any], path: str, goalposts: bool) -> Indicator:
        direction = self.choice(data, "direction", path, ("benefit", "cost"), "benefit")
        scale = data.get("scale", 1)
        if not isinstance(scale, int | float) or isinstance(scale, bool) or scale <= 0:
            self.fail(f"{path}.scale", scale, "must be a positive number")
            scale = 1
        posts = self.goalposts(data.get("goalposts"), f"{path}.goalposts", goalposts)
        per = data.get("per")
        return Indicator(
            code=self.code(data, path),
            name=str(data.get("name", data.get("code", ""))),
            name_zh=str(data.get("name_zh", "")),
            measure=self.text(data, "measure", path),
            per=None if per is None else str(per),
            scale=float(scale),
            direction=1 if direction == "benefit" else -1,
            unit=str(data.get("unit", "")),
            goalposts=posts,
            path=path,
        )

    def goalposts(self, value: object, path: str, required: bool) -> tuple[float, float] | None:
        if value is None:
            if required:
                self.fail(path, None, "is required when normalization is goalposts: "
                          "[worst, best] values of the indicator")
            return None
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
                or value[0] == value[1]):
            self.fail(path, value, "must be two different numbers [low, high]")
            return None
        return float(value[0]), float(value[1])

    def weighting(self, value: object, path: str, n: int) -> Weighting:
        if isinstance(value, str):
            value = {"method": value}
        if not isinstance(value, dict):
            self.fail(path, value, "must be a method name or a mapping with 'method'")
            return Weighting("equal")
        method = self.choice(value, "method", path, WEIGHTINGS, "equal")
        if method == "fixed":
            weights = value.get("weights")
            if (not isinstance(weights, list) or len(weights) != n
                    or not all(isinstance(w, int | float) and not isinstance(w, bool)
                               for w in weights)):
                self.fail(f"{path}.weights", weights,
                          f"must be a list of {n} numbers, one per child")
                return Weighting("equal")
            return Weighting("fixed", weights=tuple(float(w) for w in weights))
        if method == "ahp":
            return self.judgments(value, path, n)
        return Weighting(method)

    def judgments(self, value: Mapping[str, Any], path: str, n: int) -> Weighting:
        rows = value.get("judgments")
        random_index = str(value.get("random_index", "saaty1980"))
        if random_index not in RANDOM_INDEX:
            self.fail(f"{path}.random_index", random_index,
                      f"must be one of {', '.join(RANDOM_INDEX)}", closest(random_index,
                                                                           list(RANDOM_INDEX)))
        if not isinstance(rows, list) or len(rows) != n or not all(
                isinstance(r, list) and len(r) == n for r in rows):
            self.fail(f"{path}.judgments", rows, f"must be a {n}×{n} matrix, one row per child")
            return Weighting("equal")
        matrix: list[tuple[float, ...]] = []
        for i, row in enumerate(rows):
            cells: list[float] = []
            for j, cell in enumerate(row):
                where = f"{path}.judgments[{i}][{j}]"
                try:
                    cells.append(parse_judgment(cell, where))
                except ValueError as exc:
                    self.fail(where, cell, str(exc))
                    cells.append(1.0)
            matrix.append(tuple(cells))
        return Weighting("ahp", judgments=tuple(matrix), random_index=random_index)
