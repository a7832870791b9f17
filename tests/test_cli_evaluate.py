"""``innoalliance evaluate``: the standalone methods on files and the store commands, as a user
runs them (exit codes, JSON shapes, messages without tracebacks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from innoalliance.demo.loader import load_demo
from innoalliance.store.engine import make_engine

from .conftest import write
from .test_cli import run

# Hwang & Yoon (1981), pp. 133-134: the fighter aircraft example (cost is the 4th criterion).
AIRCRAFT = """
aircraft,speed,range,payload,cost,reliability,maneuverability
A1,2.0,1500,20000,5500000,5,9
A2,2.5,2700,18000,6500000,3,5
A3,1.8,2000,21000,4500000,7,7
A4,2.2,1800,20000,5000000,5,5
"""


def test_ahp_from_json_with_fractions(tmp_path: Path) -> None:
    path = tmp_path / "ahp.json"
    # consistent judgments built from weights (4, 2, 1)/7
    path.write_text(json.dumps({"criteria": ["cost", "quality", "speed"],
                                "matrix": [[1, 2, 4], ["1/2", 1, 2], ["1/4", 0.5, 1]]}))
    code, out, err = run("evaluate", "ahp", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["weights"] == pytest.approx({"cost": 4 / 7, "quality": 2 / 7, "speed": 1 / 7})
    assert result["lambda_max"] == pytest.approx(3.0)
    assert result["ci"] == pytest.approx(0.0, abs=1e-9) and result["cr"] == pytest.approx(0.0,
                                                                                          abs=1e-9)


def test_group_ahp_by_geometric_mean(tmp_path: Path) -> None:
    path = tmp_path / "group.json"
    # two experts: a_12 = 2 and 8 → geometric mean 4 (Aczél & Saaty 1983); weights (4, 1)/5
    path.write_text(json.dumps({"criteria": ["a", "b"],
                                "matrices": [[[1, 2], ["1/2", 1]], [[1, 8], ["1/8", 1]]]}))
    code, out, err = run("evaluate", "ahp", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["matrix"][0][1] == pytest.approx(4.0)
    assert result["weights"] == pytest.approx({"a": 0.8, "b": 0.2})
    path.write_text(json.dumps({"criteria": ["a", "b"]}))
    code, _, err = run("evaluate", "ahp", str(path))
    assert code == 1 and "matrices" in err


def test_ahp_errors_name_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "ahp.json"
    path.write_text(json.dumps({"criteria": ["a", "b"], "matrix": [[1, 3], [3, 1]]}))
    code, _, err = run("evaluate", "ahp", str(path))
    assert code == 1 and "Traceback" not in err
    assert "recipro" in err.lower() and "a" in err and "b" in err
    path.write_text(json.dumps({"criteria": ["a", "b"], "matrix": [[1, -2], ["-1/2", 1]]}))
    code, _, err = run("evaluate", "ahp", str(path))
    assert code == 1 and "Traceback" not in err
    path.write_text("{not json")
    code, _, err = run("evaluate", "ahp", str(path))
    assert code == 1 and "not valid JSON" in err


def test_entropy_and_constant_column(tmp_path: Path) -> None:
    # the zero example: 0·ln 0 = 0 gives (0.870, 0.130)
    path = write(tmp_path / "x.csv", "alt,c1,c2\nA,1,2\nB,0,3\nC,2,5\n")
    code, out, err = run("evaluate", "entropy", str(path), "--json")
    assert code == 0, err
    weights = json.loads(out)["weights"]
    assert weights["c1"] == pytest.approx(0.870, abs=5e-4)
    assert weights["c2"] == pytest.approx(0.130, abs=5e-4)
    flat = write(tmp_path / "flat.csv", "alt,c1,c2\nA,1,2\nB,1,3\nC,1,5\n")
    code, _, err = run("evaluate", "entropy", str(flat), "--json")
    assert code == 1 and "c1" in err and "Traceback" not in err
    bad = write(tmp_path / "bad.csv", "alt,c1,c2\nA,1,x\nB,,3\n")
    code, _, err = run("evaluate", "entropy", str(bad))
    assert code == 1 and "bad.csv:2" in err and "bad.csv:3" in err


def test_topsis_matches_hwang_and_yoon(tmp_path: Path) -> None:
    data = write(tmp_path / "aircraft.csv", AIRCRAFT)
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"speed": 0.2, "range": 0.1, "payload": 0.1, "cost": 0.1,
                                   "reliability": 0.2, "maneuverability": 0.3}))
    types = "benefit,benefit,benefit,cost,benefit,benefit"
    code, out, err = run("evaluate", "topsis", str(data), "--weights", str(weights),
                         "--types", types, "--normalization", "vector", "--json")
    assert code == 0, err
    result = json.loads(out)
    # published closeness C* = (0.643, 0.268, 0.613, 0.312), within one printed unit
    expected = {"A1": 0.643, "A2": 0.268, "A3": 0.613, "A4": 0.312}
    for alt, value in expected.items():
        assert result["closeness"][alt] == pytest.approx(value, abs=1.5e-3)
    assert result["rank"] == {"A1": 1, "A2": 4, "A3": 2, "A4": 3}
    # weights that do not sum to 1 are normalised, and the output says so
    weights.write_text(json.dumps([2, 1, 1, 1, 2, 3]))
    code, out, _ = run("evaluate", "topsis", str(data), "--weights", str(weights),
                       "--types", types, "--json")
    assert code == 0 and "normalised" in json.loads(out)["note"]
    for bad in ([2, 1, 1, -1, 2, 3], [0, 0, 0, 0, 0, 0]):
        weights.write_text(json.dumps(bad))
        code, _, err = run("evaluate", "topsis", str(data), "--weights", str(weights),
                           "--types", types)
        assert code == 1 and "Traceback" not in err and "weight" in err


def test_fuzzy_evaluation(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    # 司守奎 & 孙玺菁 (2011) §14.2: cadre evaluation, B = (0.175, 0.53, 0.275, 0.02, 0) → 良好
    path.write_text(json.dumps({
        "weights": [0.25, 0.2, 0.25, 0.3],
        "relation": [[0.1, 0.5, 0.4, 0, 0], [0.2, 0.5, 0.2, 0.1, 0], [0.2, 0.5, 0.3, 0, 0],
                     [0.2, 0.6, 0.2, 0, 0]],
        "grades": ["优秀", "良好", "一般", "较差", "差"]}, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("evaluate", "fuzzy", str(path), "--operator", "weighted-average",
                         "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["grade"] == "良好"
    assert list(result["membership"].values()) == pytest.approx([0.175, 0.53, 0.275, 0.02, 0])
    code, out, _ = run("evaluate", "fuzzy", str(path), "--operator", "max-min", "--json")
    assert code == 0
    assert list(json.loads(out)["membership"].values()) == pytest.approx([0.2, 0.3, 0.25, 0.1, 0])
    code, _, err = run("evaluate", "fuzzy", str(path), "--operator", "maxmin")
    assert code == 1 and "max-min" in err


def test_store_commands_write_reports_and_runs(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    load_demo(engine)
    engine.dispose()
    prefix = tmp_path / "activity"
    code, out, err = run("evaluate", "alliances", "--years", "2014-2016", "--draws", "32",
                         "--output", str(prefix), "--db", db_url)
    assert code == 0, err
    assert (tmp_path / "activity.html").stat().st_size > 1_000_000  # plotly.js inlined
    summary = json.loads((tmp_path / "activity.json").read_text(encoding="utf-8"))
    assert summary["system"] == "alliance_activity" and summary["run"] >= 1
    assert {r["grade"] for r in summary["results"]} <= {"high", "fairly high", "average",
                                                        "inactive"}
    code, out, err = run("evaluate", "members", "--alliance", "电动汽车产学研技术创新联盟",
                         "--as-of", "2016-12-31", "--output", str(tmp_path / "credit"),
                         "--db", db_url, "--json")
    assert code == 0, err
    members = json.loads(out)["members"]
    assert len(members) == 8 and all(m["grade"] for m in members)
    code, _, err = run("evaluate", "regions", "--years", "2014", "--system", "alliance_activity",
                       "--db", db_url)
    assert code == 1 and "evaluate alliances" in err
    code, _, err = run("evaluate", "alliances", "--years", "2016-2014", "--db", db_url)
    assert code == 1 and "backwards" in err
