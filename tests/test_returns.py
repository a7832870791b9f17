"""Annual returns: one file of several parts, imported all-or-nothing, with findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from innoalliance.demo.loader import load_demo
from innoalliance.errors import ValidationError
from innoalliance.ingest.indexsystem import load_system
from innoalliance.model import Event, Project
from innoalliance.store.engine import make_engine
from innoalliance.workflows.evaluate.store import evaluate
from innoalliance.workflows.register.returns import import_return

from .test_cli import run

ALLIANCE = "广东省干细胞与再生医学产业技术创新联盟"
LEAD, VICE, M1, M2, M3 = ("1244010084127767JH", "91440106MA9UHLM9QA", "1244010089760185CG",
                          "1244010072430741T8", "12440106958859397E")


def a_return() -> dict[str, Any]:
    return {
        "alliance": ALLIANCE, "year": 2016, "unit": "万元",
        "members": [
            {"organization": LEAD, "role": "lead", "joined": "2015-03-10"},
            {"organization": VICE, "role": "vice_lead", "joined": "2015-04-12"},
            {"organization": M1, "role": "member", "joined": "2015-05-14"},
            {"organization": M2, "role": "member", "joined": "2015-06-16"},
        ],
        "projects": [
            {"name": "干细胞库质量标准研究", "status": "ongoing", "start": "2016-03-01",
             "participants": f"{LEAD};{VICE}", "budget_government": 300,
             "budget_members": 200},
            {"name": "再生医学临床转化平台", "status": "ongoing", "start": "2016-06-01",
             "participants": f"{M1};{M2}", "budget_government": 500},
        ],
        "outputs": [
            {"name": "干细胞储存专利", "type": "patent", "project": "干细胞库质量标准研究",
             "date": "2016-11-02", "owners": f"{LEAD}:0.5;{VICE}:0.5"},
        ],
        "events": [
            {"ref": "R-2016", "type": "report", "date": "2016-12-20",
             "description": "2016年度工作报告"},
            {"ref": "V-2015", "type": "dispute", "date": "2015-11-01", "organization": M1,
             "description": "a dispute of 2015, reported late"},
        ],
    }


def dump(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def activity(engine: Engine, year: int) -> pd.Series:
    ev = evaluate(engine, load_system("alliance_activity"), [year])
    return ev.raw.loc[(ALLIANCE, year)]


def test_a_return_lands_and_raises_the_activity_indicators(demo_store: Engine,
                                                           tmp_path: Path) -> None:
    before = activity(demo_store, 2016)
    found = import_return(demo_store, dump(tmp_path / "r2016.json", a_return()))
    assert [p["kind"] for p in found["parts"]] == ["memberships", "projects", "outputs",
                                                   "events"]
    assert found["parts"][1]["inserted"] == 2
    assert found["parts"][1]["file"] == "r2016.json[projects]"
    after = activity(demo_store, 2016)
    assert after["projects"] == before["projects"] + 2
    assert after["reports"] == before["reports"] + 1
    assert after["violations"] == before["violations"] + 1  # the window is 2014-2016
    with demo_store.connect() as conn:
        budget = conn.scalar(select(Project.budget_government).where(
            Project.name == "再生医学临床转化平台"))
    assert budget == pytest.approx(5e6)  # 500 万元, declared once in the header
    findings = {(f["finding"], f["value"]) for f in found["findings"]}
    assert ("missing_part", None) in findings and found["missing_parts"] == ["funding"]
    assert ("member_not_reported", M3) in findings
    assert ("project_without_update", "临床级间充质干细胞制备标准") in findings
    assert ("outside_year", "2015-11-01") in findings
    again = import_return(demo_store, dump(tmp_path / "r2016.json", a_return()))
    assert all(p["inserted"] == p["updated"] == 0 for p in again["parts"])  # idempotent


def test_a_bad_row_refuses_the_whole_return(demo_store: Engine, tmp_path: Path) -> None:
    data = a_return()
    data["projects"][1]["status"] = "on going"
    data["outputs"][0]["owners"] = f"{LEAD}:0.5;91110108MA2R0B2GBL:0.5"  # not a member
    with demo_store.connect() as conn:
        projects = conn.scalar(select(func.count()).select_from(Project))
        events = conn.scalar(select(func.count()).select_from(Event))
    with pytest.raises(ValidationError) as caught:
        import_return(demo_store, dump(tmp_path / "bad.json", data))
    problems = caught.value.problems
    status = next(p for p in problems if p.column == "status")
    assert (status.file, status.row, status.value) == ("bad.json[projects]", 2, "on going")
    assert status.suggestion == "ongoing"
    owners = next(p for p in problems if p.column == "owners")
    assert owners.file == "bad.json[outputs]" and owners.row == 1
    assert "not a member" in owners.rule
    with demo_store.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Project)) == projects
        assert conn.scalar(select(func.count()).select_from(Event)) == events


def test_findings_name_inconsistencies_with_the_store(demo_store: Engine,
                                                      tmp_path: Path) -> None:
    # M3 leaves in mid-2016; the return then has it deliver and own an output after that
    folder = tmp_path / "return2016"
    folder.mkdir()
    (folder / "return.csv").write_text(f"alliance,year\n{ALLIANCE},2016\n", "utf-8")
    (folder / "members.csv").write_text(
        "organization,role,joined,left\n"
        f"{LEAD},lead,2015-03-10,\n{VICE},vice_lead,2015-04-12,\n{M1},member,2015-05-14,\n"
        f"{M2},member,2015-06-16,\n{M3},member,2015-07-18,2016-06-30\n", "utf-8")
    (folder / "commitments.csv").write_text(
        "ref,organization,kind,amount,unit,due\nC-2016,"
        f"{M3},capital,100,万元,2016-12-31\n", "utf-8")
    (folder / "funding.csv").write_text(
        "ref,commitment,organization,date,amount,unit\n"
        f"D-2016,C-2016,{M3},2016-09-01,50,万元\n", "utf-8")
    (folder / "outputs.csv").write_text(
        "name,type,date,owners\n"
        f"干细胞冻存规范,standard,2016-10-01,{LEAD}:0.6;{M3}:0.4\n", "utf-8")
    found = import_return(demo_store, folder)
    findings = {f["finding"]: f for f in found["findings"]}
    assert set(found["missing_parts"]) == {"projects", "events"}
    assert findings["contribution_not_member"]["value"] == M3
    assert findings["contribution_not_member"]["part"] == "funding"
    assert findings["contribution_not_member"]["row"] == 2
    assert findings["owner_not_member"]["value"] == M3
    assert "member_not_reported" not in findings


def test_cli_import_returns_xlsx(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    load_demo(engine)
    engine.dispose()
    data = a_return()
    book = tmp_path / "r2016.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame([{"alliance": ALLIANCE, "year": 2016, "unit": "万元"}]).to_excel(
            writer, sheet_name="return", index=False)
        for part in ("members", "projects", "events"):
            pd.DataFrame(data[part]).to_excel(writer, sheet_name=part, index=False)
    code, out, err = run("import", "returns", str(book), "--db", db_url, "--json")
    assert code == 0, err
    done = json.loads(out)[0]
    assert done["year"] == 2016 and set(done["missing_parts"]) == {"funding", "outputs"}
    data["projects"][0]["status"] = "on going"
    bad = tmp_path / "bad.xlsx"
    with pd.ExcelWriter(bad) as writer:
        pd.DataFrame([{"alliance": ALLIANCE, "year": 2016, "unit": "万元"}]).to_excel(
            writer, sheet_name="return", index=False)
        pd.DataFrame(data["projects"]).to_excel(writer, sheet_name="projects", index=False)
    code, out, err = run("import", "returns", str(bad), "--db", db_url)
    assert code == 1 and "bad.xlsx[projects]:2: column 'status' = 'on going'" in err
    pd.DataFrame(data["members"]).to_excel(tmp_path / "m.xlsx", sheet_name="members",
                                           index=False)
    code, out, err = run("import", "returns", str(tmp_path / "m.xlsx"), "--db", db_url)
    assert code == 1 and "return" in err and "Traceback" not in err
