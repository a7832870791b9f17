"""The policy matrix: the built-in catalogue, which measures apply to an alliance and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from innoalliance.errors import UnknownReference, ValidationError
from innoalliance.ingest.policies import load_catalogue, parse_catalogue
from innoalliance.workflows.govern.policies import applicable_policies

from .test_cli import run

STEM_CELLS = "广东省干细胞与再生医学产业技术创新联盟"  # incubation, 440100, GD04 → 4
TD_SCDMA = "TD-SCDMA产业联盟"  # maturity, 110108, ZGC03 → 1.1, technical_standard


def test_built_in_catalogue_validates_and_cites_the_seeds() -> None:
    catalogue = load_catalogue()
    assert 15 <= len(catalogue.measures) <= 30
    assert {m.source.seed for m in catalogue.measures} == {"000", "001", "002", "004"}
    for m in catalogue.measures:
        assert m.source.section and m.source.quote and m.source.citation
    # every stage has its own measures from seed 000, III.B
    time_measures = [m for m in catalogue.measures if m.source.section == "III.B"]
    assert {s for m in time_measures for s in m.when["stage"]} == {
        "incubation", "growth", "maturity"}
    # stage assignments not in the seed say so
    credit = next(m for m in catalogue.measures if m.code == "F-GRO-CREDIT")
    assert credit.illustrative and "stage" in credit.illustrative


def test_measures_of_an_incubating_guangdong_biomedicine_alliance(demo_engine: Engine) -> None:
    found = applicable_policies(demo_engine, STEM_CELLS)
    codes = {m["code"] for m in found["applicable"]}
    # checked by hand against policies.yaml: incubation + region 44 + GD04 (maps to 4)
    assert {"T-INC-PLATFORM", "T-INC-DESIGN", "F-INC-SPECIAL-PROJECTS", "F-INC-FISCAL",
            "F-GUIDANCE-FUND", "S-PRD-PLANNING", "SI-PRD-SURVEY", "N-SPECIAL-FUND-PLATFORM",
            "N-PLATFORMS-TALENT"} == codes
    survey = next(m for m in found["applicable"] if m["code"] == "SI-PRD-SURVEY")
    why = {w["condition"]: w for w in survey["why"]}
    assert why["region"]["matched"] == "44" and why["region"]["alliance"] == "440100"
    assert why["industry"]["matched"] == "GD04"
    missed = {m["code"]: m["failed"] for m in found["not_applicable"]}
    assert missed["F-GRO-CREDIT"]["condition"] == "stage"
    assert missed["F-GRO-CREDIT"]["alliance"] == "incubation"
    assert missed["S-HZB-TRUST"]["condition"] == "region"
    assert len(codes) + len(missed) == found["catalogue"]["measures"]


def test_industry_through_maps_to_and_parents(demo_engine: Engine) -> None:
    found = applicable_policies(demo_engine, TD_SCDMA)
    codes = {m["code"] for m in found["applicable"]}
    assert {"T-MAT-INTL-STANDARDS", "T-MAT-GLOBAL-CHAIN", "S-ZGC-STATE-COUNCIL",
            "SI-ZGC-IT-STANDARDS"} <= codes
    assert not codes & {"T-INC-PLATFORM", "S-PRD-PLANNING", "S-ZGC-SME-MARKET"}
    it = next(m for m in found["applicable"] if m["code"] == "SI-ZGC-IT-STANDARDS")
    industry = next(w for w in it["why"] if w["condition"] == "industry")
    assert industry["alliance"] == "ZGC03" and industry["matched"] == "1"
    assert "maps to 1.1" in industry["how"]  # ZGC03 → 1.1, whose parent is 1
    missed = {m["code"]: m["failed"] for m in found["not_applicable"]}
    assert missed["S-ZGC-SME-MARKET"]["condition"] == "kind"


def test_user_catalogue_lists_every_problem(tmp_path: Path) -> None:
    data = {
        "name": "mine",
        "seeds": {"000": "seed 000"},
        "measures": [
            {"code": "A", "title": "a", "dimension": "time",
             "when": {"stage": ["incubaton"], "kind": ["rd_cooperaton"]},
             "source": {"seed": "000", "section": "III.B", "quote": "q"}},
            {"code": "A", "title": "b", "dimension": "space",
             "when": {"region": ["4401x", "99"], "industry": ["GD4"], "color": ["red"]},
             "source": {"seed": "009", "section": "1"}},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        parse_catalogue(yaml.safe_dump(data, allow_unicode=True), "mine.yaml")
    problems = {(p.column, p.value): p for p in caught.value.problems}
    assert problems[("measures[0].when.stage[0]", "incubaton")].suggestion == "incubation"
    assert problems[("measures[0].when.kind[0]", "rd_cooperaton")].suggestion == "rd_cooperation"
    assert ("measures[1].code", "A") in problems
    assert ("measures[1].when.region[0]", "4401x") in problems
    assert ("measures[1].when.region[1]", "99") in problems
    assert problems[("measures[1].when.industry[0]", "GD4")].suggestion is not None
    assert ("measures[1].when.color", "color") in problems
    assert ("measures[1].source.seed", "009") in problems
    assert ("measures[1].source.quote", None) in problems
    assert all(p.file == "mine.yaml" for p in caught.value.problems)
    assert len(caught.value.problems) == 9


def test_cli_policies_json_user_catalogue_and_unknown_alliance(demo_url: str,
                                                               tmp_path: Path) -> None:
    code, out, err = run("govern", "policies", "--alliance", STEM_CELLS, "--db", demo_url,
                         "--json")
    assert code == 0, err
    assert "T-INC-PLATFORM" in {m["code"] for m in json.loads(out)["applicable"]}
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump({
        "name": "mine", "seeds": {"x": "local note"},
        "measures": [{"code": "BIO", "title": "bio", "dimension": "industry",
                      "when": {"industry": ["4"]},
                      "source": {"seed": "x", "section": "1", "quote": "q"}}]}), "utf-8")
    code, out, err = run("govern", "policies", "--alliance", STEM_CELLS, "--catalogue",
                         str(mine), "--db", demo_url, "--json")
    assert code == 0, err
    assert [m["code"] for m in json.loads(out)["applicable"]] == ["BIO"]
    code, out, err = run("govern", "policies", "--alliance", "广东省干细胞与再生医学联盟",
                         "--db", demo_url)
    assert code == 1 and STEM_CELLS in err and "Traceback" not in err


def test_unknown_alliance_names_the_closest(demo_engine: Engine) -> None:
    with pytest.raises(UnknownReference) as caught:
        applicable_policies(demo_engine, "TD-SCDMA产业联")
    assert caught.value.closest == TD_SCDMA
