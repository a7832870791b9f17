"""Which measures of the policy matrix apply to an alliance, and why.

A measure applies when every one of its conditions holds (see
:mod:`innoalliance.ingest.policies`): the alliance's life-cycle ``stage`` is listed; its host
region's GB/T 2260 code begins with a listed prefix; its industry, one of that industry's
ancestors, the NBS code it ``maps_to`` or an ancestor of that, equals a listed code or the code a
listed regional code maps to; its ``kind`` is listed. Each match says which alliance attribute met
which condition; each measure that does not apply gives its first failed condition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select

from innoalliance.ingest.known import unknown
from innoalliance.ingest.policies import CONDITIONS, PolicyCatalogue, PolicyMeasure, load_catalogue
from innoalliance.model import Alliance, Industry
from innoalliance.store.engine import transaction

_Industries = dict[str, tuple[str | None, str | None]]  # code → (parent, maps_to)


def _alliance(engine: Engine, name: str) -> tuple[Alliance, _Industries]:
    with transaction(engine) as session:
        found = session.scalars(select(Alliance).where(
            or_(Alliance.name_zh == name, Alliance.name_en == name))).first()
        if found is None:
            raise unknown(session, "alliances", name)
        session.expunge(found)
        industries = {code: (parent, maps_to) for code, parent, maps_to in session.execute(
            select(Industry.code, Industry.parent, Industry.maps_to))}
    return found, industries


def _lineage(code: str, industries: _Industries) -> list[str]:
    """``code`` and its ancestors, nearest first."""
    out: list[str] = []
    current: str | None = code
    while current is not None and current not in out:
        out.append(current)
        current = industries.get(current, (None, None))[0]
    return out


def industry_reach(code: str, industries: _Industries) -> dict[str, str]:
    """Every code an alliance of industry ``code`` counts as, each with how it is reached."""
    reach = {c: ("the alliance's industry" if c == code else f"ancestor of {code}")
             for c in _lineage(code, industries)}
    maps_to = industries.get(code, (None, None))[1]
    if maps_to is not None:
        for c in _lineage(maps_to, industries):
            reach.setdefault(c, f"{code} maps to {maps_to}" if c == maps_to
                             else f"{code} maps to {maps_to}, whose ancestor is {c}")
    return reach


def _check(condition: str, wanted: tuple[str, ...], alliance: Alliance,
           industries: _Industries) -> dict[str, Any]:
    """One condition against the alliance: met or not, with the attribute it was judged on."""
    verdict: dict[str, Any] = {"condition": condition, "requires": list(wanted)}
    if condition == "stage":
        verdict["alliance"] = alliance.stage
        verdict["met"] = alliance.stage in wanted
        if alliance.stage is None:
            verdict["reason"] = "the alliance has no life-cycle stage recorded"
    elif condition == "kind":
        verdict["alliance"] = alliance.kind
        verdict["met"] = alliance.kind in wanted
    elif condition == "region":
        hits = [p for p in wanted if alliance.host_region.startswith(p)]
        verdict["alliance"] = alliance.host_region
        verdict["met"] = bool(hits)
        if hits:
            verdict["matched"] = max(hits, key=len)
            verdict["how"] = f"host region {alliance.host_region} begins with {verdict['matched']}"
    else:
        reach = industry_reach(alliance.industry, industries)
        verdict["alliance"] = alliance.industry
        for code in wanted:
            target = industries.get(code, (None, None))[1]
            for candidate, via in ((code, None), (target, code)):
                if candidate is not None and candidate in reach:
                    verdict["matched"] = code
                    verdict["how"] = reach[candidate] + (
                        f"; the condition's {via} maps to {candidate}" if via else "")
                    break
            if "matched" in verdict:
                break
        verdict["met"] = "matched" in verdict
        verdict["alliance_counts_as"] = sorted(reach)
    return verdict


def _judge(measure: PolicyMeasure, alliance: Alliance, industries: _Industries
           ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    met: list[dict[str, Any]] = []
    for condition in CONDITIONS:
        if condition not in measure.when:
            continue
        verdict = _check(condition, measure.when[condition], alliance, industries)
        if not verdict["met"]:
            return met, verdict
        met.append(verdict)
    return met, None


def applicable_policies(engine: Engine, alliance: str,
                        catalogue: PolicyCatalogue | str | Path | None = None) -> dict[str, Any]:
    """The measures of ``catalogue`` (default: the built-in one) that apply to ``alliance``
    (its Chinese or English name), each with the conditions it met, and those that do not apply
    with the first condition that failed (under ``not_applicable``)."""
    if not isinstance(catalogue, PolicyCatalogue):
        catalogue = load_catalogue(catalogue)
    found, industries = _alliance(engine, alliance)
    applicable: list[dict[str, Any]] = []
    not_applicable: list[dict[str, Any]] = []
    for measure in catalogue.measures:
        met, failed = _judge(measure, found, industries)
        entry = measure.as_dict()
        if failed is None:
            entry["why"] = met or [{"condition": None,
                                    "how": "the measure has no condition: it holds for every "
                                    "alliance"}]
            applicable.append(entry)
        else:
            entry["failed"] = failed
            not_applicable.append(entry)
    return {
        "alliance": {
            "name_zh": found.name_zh, "name_en": found.name_en, "kind": found.kind,
            "industry": found.industry,
            "industry_counts_as": sorted(industry_reach(found.industry, industries)),
            "host_region": found.host_region, "stage": found.stage, "status": found.status,
        },
        "catalogue": {"name": catalogue.name, "file": catalogue.file, "title": catalogue.title,
                      "measures": len(catalogue.measures)},
        "applicable": applicable,
        "not_applicable": not_applicable,
    }
