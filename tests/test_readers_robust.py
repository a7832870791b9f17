"""Bad input files are clear problems naming the file (and sheet, row, column), never tracebacks."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from innoalliance.errors import ValidationError
from innoalliance.ingest.creditcode import complete
from innoalliance.ingest.readers import load_json, read_table
from innoalliance.ingest.returns import read_return

from .conftest import write
from .test_cli import run

NOT_XLSX = "not an Excel .xlsx workbook"
ORG_HEADER = ["credit_code", "name_zh", "type", "region"]
ORG_ROW = [complete("91330100MA2AAAAA0"), "甲", "enterprise", "330100"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An initialised SQLite store; the tests here only fail to import, so it stays empty."""
    url = f"sqlite:///{tmp_path_factory.mktemp('robust') / 'store.db'}"
    assert run("init", "--db", url)[0] == 0
    yield url


def _nothing_written(db: str) -> None:
    code, out, _ = run("list", "organizations", "--db", db, "--json")
    assert code == 0 and json.loads(out) == []


def _bad_files(tmp_path: Path) -> list[Path]:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("x\n", encoding="utf-8")
    nozip = tmp_path / "nocontent.xlsx"
    with zipfile.ZipFile(nozip, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    nobook = tmp_path / "nobook.xlsx"  # a zip with content types but no workbook part
    with zipfile.ZipFile(nobook, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"></Types>')
    return [fake, nozip, nobook]


def test_not_a_workbook_is_a_problem_naming_the_file(tmp_path: Path) -> None:
    for path in _bad_files(tmp_path):
        with pytest.raises(ValidationError) as exc:
            read_table(path)
        problem = exc.value.problems[0]
        assert problem.file == path.name and NOT_XLSX in problem.rule
        assert "save it again from Excel as .xlsx" in problem.rule
        assert "fix the rows" not in (exc.value.hint or "")
        with pytest.raises(ValidationError) as exc:
            read_return(path)
        assert NOT_XLSX in exc.value.problems[0].rule


def test_cli_not_a_workbook(db: str, tmp_path: Path) -> None:
    for path in _bad_files(tmp_path):
        for kind in ("organizations", "returns"):
            code, out, err = run("import", kind, str(path), "--db", db)
            assert code == 1, out
            assert "Traceback" not in out + err
            assert path.name in err and NOT_XLSX in err
    _nothing_written(db)


def test_old_excel_xls(db: str, tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    for kind in ("organizations", "returns"):
        code, out, err = run("import", kind, str(old), "--db", db)
        assert code == 1 and "Traceback" not in out + err
        assert "old.xls" in err and "save it" in err and ".xlsx" in err


def test_header_clash_after_trimming(tmp_path: Path) -> None:
    csv = write(tmp_path / "m.csv", 'alliance,"alliance ",ref\na,b,c\n')
    js = tmp_path / "m.json"
    js.write_text(json.dumps([{"alliance": "a", " alliance": "b", "ref": "c"}]), "utf-8")
    for path in (csv, js):
        with pytest.raises(ValidationError) as exc:
            read_table(path)
        [problem] = exc.value.problems
        assert (problem.file, problem.row, problem.column) == (path.name, 1, "alliance")
        assert problem.rule == "column appears twice once spaces around the names are trimmed"


def test_header_clash_in_a_json_return(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"alliance": "A", "year": 2016,
                                "members": [{"organization": "x", "organization ": "y"}]}),
                    "utf-8")
    with pytest.raises(ValidationError) as exc:
        read_return(path)
    problem = exc.value.problems[0]
    assert (problem.row, problem.column) == (1, "organization")
    assert "appears twice" in problem.rule and "members" in problem.file


def test_cli_header_clash(db: str, tmp_path: Path) -> None:
    path = write(tmp_path / "orgs.csv", 'credit_code,"credit_code ",name_zh\nx,y,z\n')
    code, out, err = run("import", "organizations", str(path), "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "orgs.csv:1: column 'credit_code': column appears twice" in err
    _nothing_written(db)


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_empty_first_sheet_names_the_sheets(db: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "members.xlsx",
                     {"Cover": [], "Members": [ORG_HEADER, ORG_ROW], "Notes": [["x"]]})
    with pytest.raises(ValidationError) as exc:
        read_table(path)
    assert exc.value.problems[0].file == "members.xlsx[Cover]"
    hint = exc.value.hint or ""
    assert "the first sheet 'Cover' is empty" in hint and "--sheet" in hint
    assert "Members" in hint
    code, out, err = run("import", "organizations", str(path), "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "Cover" in err and "--sheet" in err and "Members" in err
    code, out, err = run("import", "organizations", str(path), "--sheet", "Members",
                         "--db", db, "--json")
    assert code == 0, err
    assert json.loads(out)[0]["inserted"] == 1


def test_sheet_named_in_problems(tmp_path: Path, db: str) -> None:
    path = _workbook(tmp_path / "orgs.xlsx",
                     {"Sheet1": [ORG_HEADER, ["91330100MA2AAAAA0X", "乙", "firm", "330100"]]})
    code, out, err = run("import", "organizations", str(path), "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "orgs.xlsx[Sheet1]:2: column 'type' = 'firm'" in err
    code, out, err = run("import", "organizations", str(path), "--sheet", "Nope", "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "Nope" in err and "Sheet1" in err


def test_returns_sheet_option_is_refused(db: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "r.xlsx", {"return": [["alliance", "year"], ["A", "2016"]]})
    code, out, err = run("import", "returns", str(path), "--sheet", "members", "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "--sheet" in err and "part" in err


def test_missing_file_and_bad_json_hints(db: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    for reader in (read_table, read_return, load_json):
        with pytest.raises(ValidationError) as exc:
            reader(missing)
        assert "no such file" in exc.value.problems[0].rule
        assert "fix the rows" not in (exc.value.hint or "")
        assert "path" in (exc.value.hint or "")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"a": 1},\n {"a": 2,}]\n', encoding="utf-8")
    for reader in (read_table, read_return, load_json):
        with pytest.raises(ValidationError) as exc:
            reader(bad)
        hint = exc.value.hint or ""
        assert "fix the JSON syntax" in hint and "line 2" in hint and "column" in hint
        assert "fix the rows" not in hint
    for kind in ("organizations", "returns"):
        code, _, err = run("import", kind, str(missing), "--db", db)
        assert code == 1 and "check the path" in err and "fix the rows" not in err
        code, _, err = run("import", kind, str(bad), "--db", db)
        assert code == 1 and "fix the JSON syntax" in err and "fix the rows" not in err


def test_sheet_named_in_problems_of_a_wide_table(db: str, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "y.xlsx",
                     {"GDP": [["region", "2013", "2014"], ["339999", "8343.52", "9206.16"]]})
    code, out, err = run("import", "statistics", str(path), "--wide", "years", "--indicator",
                         "gdp", "--unit", "亿元", "--source", "test", "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "y.xlsx[GDP]:2: column 'region'" in err
