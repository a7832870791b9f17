"""``innoalliance match``: stable matchings from files as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import run

# Gale & Shapley (1962), Amer. Math. Monthly 69:9-15, Example 1: men α, β, γ; women A, B, C
GALE_SHAPLEY = {"proposers": {"α": ["A", "B", "C"], "β": ["B", "C", "A"], "γ": ["C", "A", "B"]},
                "receivers": {"A": ["β", "γ", "α"], "B": ["γ", "α", "β"],
                              "C": ["α", "β", "γ"]}}


def stable(tmp_path: Path, data: dict[str, object], *args: str) -> tuple[int, dict, str]:
    path = tmp_path / "prefs.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("match", "stable", str(path), *args, "--json")
    return code, (json.loads(out) if code == 0 else {}), err


def test_gale_shapley_example(tmp_path: Path) -> None:
    code, result, err = stable(tmp_path, GALE_SHAPLEY)
    assert code == 0, err
    assert result["matching"] == {"α": "A", "β": "B", "γ": "C"}  # men-optimal
    assert result["blocking_pairs"] == []
    code, result, _ = stable(tmp_path, GALE_SHAPLEY, "--optimal", "receiver")
    assert result["matching"] == {"α": "C", "β": "A", "γ": "B"}  # women-optimal


def test_capacities_incomplete_lists_and_errors(tmp_path: Path) -> None:
    data = {"proposers": {"f1": ["u1", "u2"], "f2": ["u1"], "f3": ["u1"]},
            "receivers": {"u1": ["f3", "f1", "f2"], "u2": ["f1"]},
            "capacities": {"u1": 2}}
    code, result, err = stable(tmp_path, data)
    assert code == 0, err
    assert result["matching"] == {"f1": "u1", "f2": None, "f3": "u1"}
    assert result["blocking_pairs"] == []
    bad = {**data, "proposers": {**data["proposers"], "f2": ["u3"]}}
    code, _, err = stable(tmp_path, bad)
    assert code == 1 and "u3" in err and "Traceback" not in err
    code, _, err = stable(tmp_path, {**data, "capacities": {"u1": 0}})
    assert code == 1 and "capacit" in err


OFFERS = """id,text,region,industry
o1,采用连续共沉淀法制备高镍三元正极材料前驱体，结合包覆改性抑制表面副反应，循环寿命长。,330211,5.2
o2,碳化硅功率半导体器件的外延生长与可靠性测试平台。,330106,1.2
o3,城市三维实景建模与变化检测的遥感影像处理技术。,440100,
"""
NEEDS = """id,text,region,industry
n1,公司计划建设高镍动力电池产线，需要高镍三元正极材料的量产工艺和包覆改性技术。,330200,5.2
n2,需要碳化硅功率器件的可靠性测试服务。,330100,1.2
"""


def test_rank_offers_for_needs(tmp_path: Path) -> None:
    from .conftest import write

    offers, needs = write(tmp_path / "o.csv", OFFERS), write(tmp_path / "n.csv", NEEDS)
    code, out, err = run("match", str(offers), str(needs), "--top", "2", "--json")
    assert code == 0, err
    matches = json.loads(out)["matches"]
    assert matches["n1"][0]["offer"] == "o1" and matches["n2"][0]["offer"] == "o2"
    assert {"正极", "包覆"} <= set(matches["n1"][0]["terms"])
    assert matches["n1"][0]["score"] >= matches["n1"][-1]["score"]


def test_bad_offer_files_are_named(tmp_path: Path) -> None:
    from .conftest import write

    needs = write(tmp_path / "n.csv", NEEDS)
    dup = write(tmp_path / "dup.csv", "id,text\no1,高镍三元\no1,碳化硅\no2,\n")
    code, _, err = run("match", str(dup), str(needs))
    assert code == 1 and "dup.csv:3" in err and "dup.csv:4" in err and "Traceback" not in err
    (tmp_path / "u16.csv").write_bytes("id,text\no1,高镍三元\n".encode("utf-16"))
    code, _, err = run("match", str(tmp_path / "u16.csv"), str(needs))
    assert code == 1 and "UTF-8" in err
    nocol = write(tmp_path / "nocol.csv", "key,body\no1,x\n")
    code, _, err = run("match", str(nocol), str(needs))
    assert code == 1 and "'id'" in err


def test_store_match_is_stable_and_explained(demo_url: str, tmp_path: Path) -> None:
    code, out, err = run("match", "run", "--alliance", "杭州湾新材料产业技术创新战略联盟",
                         "--as-of", "2018-12-31", "--output", str(tmp_path / "m"),
                         "--db", demo_url, "--json")
    assert code == 0, err
    summary = json.loads(out)
    candidates = summary["candidates"]
    assert {c["need"] for c in candidates}  # every need in scope is ranked
    assert all(0 <= c["score"] <= 1 for c in candidates)
    assert any(c["terms"] for c in candidates) and any(c["gap"] for c in candidates)
    assert summary["stable_matching"]["blocking_pairs"] == []
    assert (summary["max_total_assignment"]["total_score"]
            >= summary["stable_matching"]["total_score"] - 1e-9)
    assert (tmp_path / "m.html").exists()
    offers = summary["needs_for_offer"]
    assert offers and all(len(v) <= 5 for v in offers.values())
    assert all([m["score"] for m in v] == sorted((m["score"] for m in v), reverse=True)
               for v in offers.values())


def test_partners_complete_the_alliance(demo_url: str) -> None:
    """The recommended partners are non-members, each adding a chain link or industry the
    members lack; with equal weights a pick's gain is (links it adds) / (dimensions)."""
    code, out, err = run("match", "partners", "--alliance", "闪联产业联盟", "--top", "3",
                         "--as-of", "2018-12-31", "--db", demo_url, "--json")
    assert code == 0, err
    found = json.loads(out)
    missing = set(found["missing_before"])
    added: set[str] = set()
    for partner in found["partners"]:
        assert partner["organization"] not in found["members"]
        assert partner["adds"] and set(partner["adds"]) <= missing - added
        assert partner["gain"] == pytest.approx(len(partner["adds"]) / len(found["dimensions"]))
        added |= set(partner["adds"])
    gains = [p["gain"] for p in found["partners"]]
    assert gains == sorted(gains, reverse=True) and len(gains) == 3


def test_partners_for_an_unknown_alliance_suggest_the_closest(demo_url: str) -> None:
    code, _, err = run("match", "partners", "--alliance", "闪联产业", "--db", demo_url)
    assert code != 0 and "闪联产业联盟" in err and "Traceback" not in err
