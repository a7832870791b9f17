"""``innoalliance share``: game files solved as published, the store runs, the record."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from innoalliance.demo.loader import load_demo
from innoalliance.store.engine import make_engine

from .test_allocation_ledger import _tamper
from .test_cli import run

# TuGames/MatTuGames (Meinhardt) 3-player game: Shapley (65, 75, 80), nucleolus (170, 230, 260)/3
TUGAMES = {"form": "table", "players": ["A", "B", "C"],
           "values": {"A": 0, "B": 0, "C": 0, "A+B": 90, "A+C": 100, "B+C": 120, "A+B+C": 220}}


def share(tmp_path: Path, game: dict[str, object], *args: str) -> tuple[int, dict, str]:
    path = tmp_path / "game.json"
    path.write_text(json.dumps(game, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("share", str(path), *args, "--json")
    return code, (json.loads(out) if code == 0 else {}), err


def test_tugames_shapley_and_nucleolus(tmp_path: Path) -> None:
    code, result, err = share(tmp_path, TUGAMES, "--method", "shapley")
    assert code == 0, err
    assert result["allocation"] == pytest.approx({"A": 65, "B": 75, "C": 80})
    assert result["in_core"] is True
    code, result, _ = share(tmp_path, TUGAMES, "--method", "nucleolus")
    assert result["allocation"] == pytest.approx({"A": 170 / 3, "B": 230 / 3, "C": 260 / 3})


def test_talmud_is_the_nucleolus_of_the_bankruptcy_game(tmp_path: Path) -> None:
    # Aumann & Maschler (1985), Table 1: claims 100, 200, 300
    expected = {100: (100 / 3, 100 / 3, 100 / 3), 200: (50, 75, 75), 300: (50, 100, 150)}
    for estate, awards in expected.items():
        game = {"form": "bankruptcy", "estate": estate,
                "claims": {"first": 100, "second": 200, "third": 300}}
        for method in ("talmud", "nucleolus"):
            code, result, err = share(tmp_path, game, "--method", method)
            assert code == 0, err
            assert list(result["allocation"].values()) == pytest.approx(awards), (estate, method)
    game = {"form": "bankruptcy", "estate": 200, "claims": {"a": 100, "b": 200, "c": 300}}
    code, result, _ = share(tmp_path, game, "--method", "cea")
    assert list(result["allocation"].values()) == pytest.approx([200 / 3] * 3)
    code, result, _ = share(tmp_path, game, "--method", "cel")
    assert list(result["allocation"].values()) == pytest.approx([0, 50, 150])


def test_weighted_voting_and_airport(tmp_path: Path) -> None:
    # 1958 EEC Council of Ministers: Shapley–Shubik (14, 14, 14, 9, 9, 0)/60
    eec = {"form": "weighted_voting", "quota": 12,
           "weights": {"FR": 4, "DE": 4, "IT": 4, "BE": 2, "NL": 2, "LU": 1}}
    code, result, err = share(tmp_path, eec, "--method", "shapley")
    assert code == 0, err
    assert list(result["allocation"].values()) == pytest.approx(
        [14 / 60, 14 / 60, 14 / 60, 9 / 60, 9 / 60, 0])
    # airport game (Littlechild & Owen 1973): segment costs split among their users
    airport = {"form": "airport", "costs": {"a": 1, "b": 3, "c": 7, "d": 10}}
    code, result, _ = share(tmp_path, airport, "--method", "shapley")
    assert result["values_are"] == "costs"
    assert list(result["allocation"].values()) == pytest.approx(
        [float(Fraction(1, 4)), float(Fraction(11, 12)), float(Fraction(35, 12)),
         float(Fraction(71, 12))])
    assert result["in_core"] is True
    code, result, _ = share(tmp_path, airport, "--method", "nucleolus")
    assert sum(result["allocation"].values()) == pytest.approx(10)


def test_sampling_bitmask_files_and_modified_shapley(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    v = rng.uniform(0, 10, 2**6)
    v[0] = 0.0
    np.save(tmp_path / "v.npy", v)
    players = list("ABCDEF")
    game = {"form": "table", "players": players, "values_npy": "v.npy"}
    code, exact, err = share(tmp_path, game, "--method", "shapley")
    assert code == 0, err
    code, sampled, _ = share(tmp_path, game, "--method", "shapley", "--samples", "4000",
                             "--seed", "7")
    assert set(sampled["standard_error"]) == set(players)
    for p in players:
        assert abs(sampled["allocation"][p] - exact["allocation"][p]) <= 5 * max(
            sampled["standard_error"][p], 1e-9)
    modified = {**TUGAMES, "factors": {"A": [1, 0], "B": [1, 1], "C": [2, 1]},
                "factor_weights": [1, 1]}
    code, result, err = share(tmp_path, modified, "--method", "modified-shapley")
    assert code == 0, err
    assert sum(result["allocation"].values()) == pytest.approx(220)
    assert "normalised" in result["note"]


def test_bad_games_say_what_to_do(tmp_path: Path) -> None:
    missing = {**TUGAMES, "values": {k: v for k, v in TUGAMES["values"].items() if k != "B+C"}}
    code, _, err = share(tmp_path, missing, "--method", "shapley")
    assert code == 1 and "B+C" in err and "Traceback" not in err
    unknown = {**TUGAMES, "values": {**TUGAMES["values"], "A+D": 3}}
    code, _, err = share(tmp_path, unknown, "--method", "shapley")
    assert code == 1 and "D" in err
    code, _, err = share(tmp_path, {"form": "bankruptcy", "estate": -5,
                                    "claims": {"a": 1, "b": 2}}, "--method", "talmud")
    assert code == 1 and "negative estate" in err
    big = {"form": "weighted_voting", "quota": 20,
           "weights": {f"p{i}": 1 for i in range(30)}}
    code, _, err = share(tmp_path, big, "--method", "nucleolus")
    assert code == 1 and "--samples" in err
    code, result, _ = share(tmp_path, big, "--method", "shapley")  # exact by the DP
    assert code == 0 and result["allocation"]["p0"] == pytest.approx(1 / 30)
    code, _, err = share(tmp_path, TUGAMES, "--method", "talmud")
    assert code == 1 and "bankruptcy" in err


def test_store_runs_record_and_verify(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    load_demo(engine)
    ev = "电动汽车产学研技术创新联盟"
    code, out, err = run("share", "run", "--alliance", ev, "--as-of", "2016-12-31",
                         "--record", "nucleolus", "--output", str(tmp_path / "p"),
                         "--db", db_url, "--json")
    assert code == 0, err
    summary = json.loads(out)
    total = summary["total"]
    for rule, allocation in summary["allocations"].items():
        assert sum(allocation.values()) == pytest.approx(total), rule
    assert summary["in_core"]["nucleolus"] is True and summary["recorded"]["id"] == 1
    assert (tmp_path / "p.html").exists()
    needs = Path(__file__).parent.parent / "src/innoalliance/demo/data/facility_needs.csv"
    code, out, err = run("share", "run", "--kind", "cost", "--alliance", ev, "--needs",
                         str(needs), "--record", "shapley", "--output", str(tmp_path / "c"),
                         "--db", db_url, "--json")
    assert code == 0, err
    cost = json.loads(out)["allocations"]["shapley"]
    # Littlechild & Owen by hand (million yuan): needs 5, 8, 12, 15, 28
    assert cost["91440600MA44NT99E2"] == pytest.approx(1.0e6)
    assert cost["1244010666265809CB"] == pytest.approx(1.75e6)
    assert cost["91440300MAUKUGJCD9"] == pytest.approx(17.5e6 + 1e6 / 12)
    code, out, err = run("share", "run", "--kind", "risk", "--fund", "5000000", "--rule",
                         "talmud", "--record", "talmud", "--output", str(tmp_path / "r"),
                         "--db", db_url, "--json")
    assert code == 0, err
    risk = json.loads(out)
    assert sum(risk["allocations"]["talmud"].values()) == pytest.approx(5_000_000)
    assert sum(m["award"] for m in risk["details"]["members"]) == pytest.approx(5_000_000)
    code, out, _ = run("share", "verify", "--db", db_url, "--json")
    result = json.loads(out)
    assert code == 0 and {k: result[k] for k in ("entries", "ok", "first_broken", "reason")} == {
        "entries": 3, "ok": True, "first_broken": None, "reason": None}
    assert len(result["head"]) == 64
    _tamper(engine, "UPDATE allocations SET payload = replace(payload, '\"talmud\"', "
                    "'\"cea\"') WHERE id = 3")
    code, out, _ = run("share", "verify", "--db", db_url)
    assert code == 2 and "entry 3" in out
    engine.dispose()
