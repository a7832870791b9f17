"""``innoalliance govern funding`` on the demo store, checked against the projects themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from innoalliance.store.engine import make_engine
from innoalliance.workflows.register.ledger import Ledger, read_ledger

from .test_cli import run

CHANNELS = ("government", "bank", "venture", "members", "social")


def ledger(url: str) -> Ledger:
    engine = make_engine(url)
    try:
        return read_ledger(engine)
    finally:
        engine.dispose()


def test_funding_adds_up_to_the_project_budgets(demo_url: str) -> None:
    code, out, err = run("govern", "funding", "--db", demo_url, "--json")
    assert code == 0, err
    found = json.loads(out)
    projects = ledger(demo_url).projects
    projects = projects[projects["start"].notna()]
    for row in found["alliances"]:
        mine = projects[projects["alliance"] == row["alliance"]]
        for c in CHANNELS:
            assert row["budget"][c] == pytest.approx(mine[f"budget_{c}"].sum(), abs=0.05)
        gov = row["budget"]["government"]
        if gov > 0:
            assert row["leverage"] == pytest.approx((row["total"] - gov) / gov, rel=1e-5)
        assert row["over_dependent"] == (row["government_share"] > 0.5)
        assert row["delivered"]["bank"] is None  # not in the ledger: not zero
    spread = sum(r["total"] for r in found["alliance_years"])
    assert spread == pytest.approx(found["region_total"]["total"], rel=1e-9)


def test_funding_of_a_region_and_years(demo_url: str) -> None:
    code, out, err = run("govern", "funding", "--region", "440000", "--years", "2014-2016",
                         "--max-government-share", "0.3", "--db", demo_url, "--json")
    assert code == 0, err
    found = json.loads(out)
    hosts = ledger(demo_url).alliances.set_index("name_zh")["host_region"]
    assert all(hosts[r["alliance"]].startswith("44") for r in found["alliances"])
    assert set(found["years"]) <= {2014, 2015, 2016}
    assert found["over_dependent"] == [r["alliance"] for r in found["alliances"]
                                       if r["government_share"] > 0.3]
    code, _, err = run("govern", "funding", "--region", "440000", "--years", "1990-1991",
                       "--db", demo_url)
    assert code != 0 and "no project budgets" in err and "Traceback" not in err


def test_profit_sharing_uses_the_charter_checks_factors(demo_url: str, tmp_path: Path) -> None:
    """The modified Shapley value's investment and risk factors come from the enforcement
    check when the alliance has a charter: risk = committed − outstanding in default."""
    ev = "电动汽车产学研技术创新联盟"
    code, out, err = run("govern", "check", "--as-of", "2016-12-31", "--alliance", ev,
                         "--db", demo_url, "--json")
    assert code == 0, err
    enforced = json.loads(out)["alliances"][0]["correction_factors"]["factors"]
    code, out, err = run("share", "run", "--alliance", ev, "--as-of", "2016-12-31",
                         "--output", str(tmp_path / "p"), "--db", demo_url, "--json")
    assert code == 0, err
    summary = json.loads(out)
    factors = summary["details"]["modified_shapley"]["factors"]
    for player, risk in factors["risk"].items():
        assert risk == pytest.approx(enforced[player]["risk"])
        assert factors["investment"][player] == pytest.approx(enforced[player]["investment"])
    assert any("charter check" in n for n in summary["notes"])
