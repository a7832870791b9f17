"""``govern report`` and ``govern overview`` on the demo store: every section filled."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli import run

EV = "电动汽车产学研技术创新联盟"


def test_annual_report_has_every_section(demo_url: str, tmp_path: Path) -> None:
    code, out, err = run("govern", "report", "--alliance", EV, "--year", "2014", "--pdf",
                         "--output", str(tmp_path / "r"), "--db", demo_url, "--json")
    assert code == 0, err
    sections = json.loads(out)["sections"]
    titles = list(sections)
    for part in ("Life cycle", "Members", "Commitments", "Projects", "Funding", "Outputs",
                 "Evaluation", "credit ratings", "Allocations", "Disputes", "policies",
                 "Charter check", "Open alerts"):
        assert any(part in t for t in titles), part
    filled = [t for t in titles if not t.startswith("Allocations")]
    assert all(sections[t] for t in filled), [t for t in filled if not sections[t]]
    commitments = next(v for k, v in sections.items() if k.startswith("Commitments"))
    c005 = next(r for r in commitments if r["ref"] == "C-005")
    assert c005["status"] == "partly delivered" and c005["delivered share"] == 0.25
    penalties = next(v for k, v in sections.items() if k.startswith("Charter check"))
    assert any("C-005" in p["defaults"] and p["late fee (元)"] > 0 for p in penalties)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert EV in html and "Commitments against delivery" in html


def test_overview_counts_add_up(demo_url: str, tmp_path: Path) -> None:
    code, out, err = run("govern", "overview", "--region", "440000", "--as-of", "2016-12-31",
                         "--output",
                         str(tmp_path / "o"), "--db", demo_url, "--json")
    assert code == 0, err
    found = json.loads(out)
    for counts in found["counts"].values():
        assert sum(r["alliances"] for r in counts) == found["alliances"]
    assert all(a["host_region"].startswith("44") for a in found["list"])
    severities = [a["severity"] for a in found["alerts"]]
    assert "critical" in severities and severities == sorted(
        severities, key=["critical", "warning", "info"].index)
    assert "Alliances by host city" in (tmp_path / "o.html").read_text(encoding="utf-8")


def test_unknown_alliance_and_empty_region(demo_url: str) -> None:
    code, _, err = run("govern", "report", "--alliance", "电动汽车联盟", "--year", "2014",
                       "--db", demo_url)
    assert code != 0 and EV in err and "Traceback" not in err
    code, _, err = run("govern", "overview", "--region", "650000", "--db", demo_url)
    assert code != 0 and "no alliance" in err


def test_report_of_an_alliance_without_charter(demo_url: str, tmp_path: Path) -> None:
    code, out, err = run("govern", "report", "--alliance", "数字家庭产学研技术创新联盟",
                         "--year", "2014",
                         "--output", str(tmp_path / "s"), "--db", demo_url, "--json")
    assert code == 0, err
    assert "Charter check and open alerts" in json.loads(out)["sections"]
