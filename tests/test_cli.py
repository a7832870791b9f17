"""The command line as a user meets it: exit codes, messages, JSON output, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from innoalliance.cli.app import app

from .conftest import write

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_demo_list_show_export(db_url: str, tmp_path: Path) -> None:
    code, out, _ = run("demo", "--db", db_url, "--reports", str(tmp_path / "reports"))
    assert code == 0, out
    assert "demo database ready" in out and "try next" in out
    assert "innoalliance serve" in out and "demo-secretariat (secretariat)" in out
    written = {p.name for p in (tmp_path / "reports").iterdir()}
    assert {"plan_hangzhou_bay.html", "match.html", "share_profit.html"} <= written
    code, out, _ = run("list", "alliances", "--db", db_url, "--json", "--limit", "0")
    names = {a["name_zh"] for a in json.loads(out)}
    assert "TD-SCDMA产业联盟" in names
    code, out, _ = run("show", "alliances", "TD-SCDMA产业联盟", "--db", db_url, "--json")
    record = json.loads(out)
    assert record["kind"] == "technical_standard" and record["members"]
    code, out, _ = run("export", "memberships", "--db", db_url)
    assert code == 0 and out.startswith("alliance,organization,role,joined,left,source\n")
    code, out, _ = run("demo", "--db", db_url, "--no-reports")
    assert code == 1  # a non-empty database is not replaced without --force


def test_bad_file_is_refused_with_every_problem(db_url: str, tmp_path: Path) -> None:
    assert run("init", "--db", db_url)[0] == 0
    bad = write(tmp_path / "orgs.csv", """
credit_code,name_zh,type,region
91330100MA2AAAAA01,甲,enterprise,330100
91330100MA2AAAAA0X,乙,firm,330100
""")
    report = tmp_path / "report.json"
    code, out, err = run("import", "organizations", str(bad), "--db", db_url,
                         "--report", str(report))
    assert code == 1
    assert "Traceback" not in out + err
    assert "orgs.csv:2: column 'credit_code'" in err
    assert "orgs.csv:3: column 'type' = 'firm'" in err
    assert "nothing was written" in err
    problems = json.loads(report.read_text(encoding="utf-8"))["problems"]
    assert len(problems) == 3
    code, out, _ = run("list", "organizations", "--db", db_url, "--json")
    assert json.loads(out) == []


def test_user_mistakes_are_messages(db_url: str, tmp_path: Path) -> None:
    code, _, err = run("list", "alliances", "--db", db_url)
    assert code == 1 and "innoalliance init" in err  # empty database
    run("init", "--db", db_url)
    code, _, err = run("list", "aliances", "--db", db_url)
    assert code == 1 and "alliances" in err
    code, _, err = run("import", "organizations", str(tmp_path / "missing.csv"), "--db", db_url)
    assert code == 1 and "no such file" in err
    code, _, err = run("show", "regions", "339999", "--db", db_url)
    assert code == 1 and "no region '339999'" in err
    code, _, err = run("export", "regions", "--format", "gpkg", "--db", db_url)
    assert code == 1 and "csv, json or xlsx" in err and "--format" in err


def test_bad_database_url(tmp_path: Path) -> None:
    code, _, err = run("init", "--db", "nosuchdialect://x")
    assert code == 1 and "cannot use database URL" in err


def test_unreachable_server_and_unwritable_path(tmp_path: Path) -> None:
    down = "postgresql://nobody@127.0.0.1:1/none"
    for args in (("demo", "--db", down), ("list", "regions", "--db", down)):
        code, out, err = run(*args)
        assert code == 1 and "cannot use the database" in err and "Traceback" not in out + err
    db = f"sqlite:///{tmp_path / 's.db'}"
    run("init", "--db", db)
    code, _, err = run("export", "regions", "--db", db, "--output",
                       str(tmp_path / "no" / "such" / "dir.csv"))
    assert code == 1 and "No such file or directory" in err
