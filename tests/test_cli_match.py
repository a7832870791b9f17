"""``innoalliance match``: stable matchings from files as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

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
