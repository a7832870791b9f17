"""Policy catalogues as data: measures and the conditions under which they apply, read and checked.

A catalogue (the built-in ``catalogues/policies.yaml`` or a user's YAML file) lists measures. Each
names its conditions under ``when`` — life-cycle ``stage``, ``region`` (GB/T 2260 code prefixes),
``industry`` (codes of the industry catalogue) and alliance ``kind``, each a list of which one
must hold; a condition left out holds for every alliance — and its ``source`` (a seed of the
catalogue's ``seeds``, the section and a quoted phrase). Every mistake is reported at once with
the file, the path of the entry (``measures[3].when.stage[0]``), the value, the rule and, for an
unknown code, the closest known one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from innoalliance.catalogues import industries_table
from innoalliance.errors import InnoallianceError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.documents import DocumentReader, parse_yaml
from innoalliance.model.vocab import AllianceKind, Stage

BUILT_IN = "innoalliance.catalogues"
BUILT_IN_FILE = "policies.yaml"
CONDITIONS = ("stage", "region", "industry", "kind")
DIMENSIONS = ("time", "space", "industry", "time+space", "time+industry", "space+industry",
              "time+space+industry")
STAGES = tuple(s.value for s in Stage)
KINDS = tuple(k.value for k in AllianceKind)
REGION_PREFIX_LENGTHS = (2, 4, 6)


@dataclass(frozen=True)
class Source:
    """Where a measure comes from: the seed, its section and a phrase quoted from it."""

    seed: str
    section: str
    quote: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"seed": self.seed, "section": self.section, "quote": self.quote,
                "citation": self.citation}


@dataclass(frozen=True)
class PolicyMeasure:
    """One measure of the matrix and the conditions (all must hold) under which it applies."""

    code: str
    title: str
    title_zh: str
    dimension: str
    instrument: str
    when: Mapping[str, tuple[str, ...]]  # condition → accepted values; absent = any
    source: Source
    illustrative: str | None
    path: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "code": self.code, "title": self.title, "title_zh": self.title_zh,
            "dimension": self.dimension, "instrument": self.instrument,
            "when": {k: list(v) for k, v in self.when.items()},
            "source": self.source.as_dict(), "illustrative": self.illustrative,
        }


@dataclass(frozen=True)
class PolicyCatalogue:
    """A whole policy catalogue, as read from its YAML file."""

    name: str
    title: str
    title_zh: str
    seeds: Mapping[str, str]
    measures: tuple[PolicyMeasure, ...]
    file: str


@cache
def _region_codes() -> frozenset[str]:
    path = resources.files(BUILT_IN).joinpath("regions.csv")
    with path.open(encoding="utf-8") as f:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False, usecols=["code"])
    return frozenset(frame["code"])


@cache
def _region_prefixes() -> frozenset[str]:
    return frozenset(c[:n] for c in _region_codes() for n in REGION_PREFIX_LENGTHS)


def load_catalogue(path: str | Path | None = None) -> PolicyCatalogue:
    """The built-in catalogue (``path`` None) or a user's catalogue from a YAML file."""
    if path is None:
        text = resources.files(BUILT_IN).joinpath(BUILT_IN_FILE).read_text(encoding="utf-8")
        return parse_catalogue(text, BUILT_IN_FILE)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InnoallianceError(f"no such policy catalogue file: {file}",
                                hint="give a YAML file, or leave --catalogue out for the "
                                "built-in one") from None
    return parse_catalogue(text, file.name)


def parse_catalogue(text: str, file: str) -> PolicyCatalogue:
    """Check a catalogue's YAML text and build it; every problem is reported at once."""
    data = parse_yaml(text, file, "policy catalogue")
    reader = _Reader(file)
    catalogue = reader.catalogue(data)
    reader.problems.raise_if_any(f"{file} is not a valid policy catalogue",
                                 "fix the entries listed in the policy catalogue and run again")
    assert catalogue is not None
    return catalogue


class _Reader(DocumentReader):
    """Walks the parsed YAML of a policy catalogue."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.codes: set[str] = set()
        table = industries_table()
        self.industries = table["code"].tolist()
        self.industry_names = dict(zip(table["name_zh"], table["code"], strict=True))

    def catalogue(self, data: object) -> PolicyCatalogue | None:
        if not isinstance(data, dict):
            self.fail("(file)", None, "must be a mapping with name, seeds and measures")
            return None
        seeds = self.seeds(data.get("seeds"))
        items = data.get("measures")
        measures: list[PolicyMeasure] = []
        if not isinstance(items, list) or not items:
            self.fail("measures", items, "must be a non-empty list of measures")
            items = []
        for i, item in enumerate(items):
            where = f"measures[{i}]"
            if not isinstance(item, dict):
                self.fail(where, item, "must be a mapping with code, title, when and source")
                continue
            measures.append(self.measure(item, where, seeds))
        return PolicyCatalogue(
            name=self.text(data, "name", ""),
            title=str(data.get("title", "")),
            title_zh=str(data.get("title_zh", "")),
            seeds=seeds,
            measures=tuple(measures),
            file=self.file,
        )

    def seeds(self, value: object) -> dict[str, str]:
        if not isinstance(value, dict) or not value:
            self.fail("seeds", value, "must be a mapping seed id → citation (file and title)")
            return {}
        return {str(k): str(v) for k, v in value.items()}

    def measure(self, data: Mapping[str, Any], path: str, seeds: Mapping[str, str]
                ) -> PolicyMeasure:
        code = self.text(data, "code", path)
        if code and code in self.codes:
            self.fail(f"{path}.code", code, "is used twice; codes must be unique in a catalogue")
        self.codes.add(code)
        dimension = str(data.get("dimension", "")).strip()
        if dimension not in DIMENSIONS:
            self.fail(f"{path}.dimension", dimension or None,
                      f"must be one of {', '.join(DIMENSIONS)}", closest(dimension,
                                                                         list(DIMENSIONS)))
        illustrative = data.get("illustrative")
        if illustrative is not None and not isinstance(illustrative, str):
            self.fail(f"{path}.illustrative", illustrative,
                      "must say in words what is illustrative (not in a seed)")
            illustrative = None
        return PolicyMeasure(
            code=code,
            title=self.text(data, "title", path),
            title_zh=str(data.get("title_zh", "")),
            dimension=dimension,
            instrument=str(data.get("instrument", "")),
            when=self.when(data.get("when", {}), f"{path}.when"),
            source=self.source(data.get("source"), f"{path}.source", seeds),
            illustrative=illustrative or None,
            path=path,
        )

    def source(self, value: object, path: str, seeds: Mapping[str, str]) -> Source:
        if not isinstance(value, dict):
            self.fail(path, value, "is required: a mapping with seed, section and quote")
            return Source("", "", "", "")
        seed = self.text(value, "seed", path)
        if seed and seeds and seed not in seeds:
            self.fail(f"{path}.seed", seed, f"is not one of the catalogue's seeds: "
                      f"{', '.join(seeds)}", closest(seed, list(seeds)))
        return Source(seed, self.text(value, "section", path), self.text(value, "quote", path),
                      seeds.get(seed, ""))

    def when(self, value: object, path: str) -> dict[str, tuple[str, ...]]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, value, f"must be a mapping of conditions: {', '.join(CONDITIONS)}")
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for key, items in value.items():
            where = f"{path}.{key}"
            if key not in CONDITIONS:
                self.fail(where, key, f"unknown condition; use {', '.join(CONDITIONS)}",
                          closest(str(key), list(CONDITIONS)))
                continue
            if isinstance(items, str | int):
                items = [items]
            if not isinstance(items, list) or not items:
                self.fail(where, items, "must be a non-empty list of values")
                continue
            out[key] = tuple(self.value(key, str(v).strip(), f"{where}[{i}]")
                             for i, v in enumerate(items))
        return out

    def value(self, condition: str, value: str, path: str) -> str:
        if condition == "stage" and value not in STAGES:
            self.fail(path, value, f"unknown stage; use {', '.join(STAGES)}",
                      closest(value.casefold(), list(STAGES)))
        elif condition == "kind" and value not in KINDS:
            self.fail(path, value, f"unknown alliance kind; use {', '.join(KINDS)}",
                      closest(value.casefold(), list(KINDS)))
        elif condition == "industry" and value not in self.industries:
            by_name = self.industry_names.get(value)
            self.fail(path, value, "unknown industry code (NBS 2018 or a regional code of the "
                      "industry catalogue)", by_name or closest(value, self.industries))
        elif condition == "region" and not (
                value.isdigit() and len(value) in REGION_PREFIX_LENGTHS
                and value in _region_prefixes()):
            self.fail(path, value, "must be a GB/T 2260 code prefix of 2, 4 or 6 digits that "
                      "begins some known region (44 = Guangdong, 3301 = Hangzhou)",
                      closest(value, sorted(c for c in _region_prefixes()
                                            if len(c) == (len(value) if len(value) in
                                                          REGION_PREFIX_LENGTHS else 2))))
        return value
