"""Reading within bounds (issue 16 item 11), repeated header names, options that do not apply to
annual returns, and the formula escaping of returns (issue 16, "Nothing breaks").

Each bomb is built small against bounds patched low, so the tests stay fast; each test checks
that the refusal names the file, the bound and its environment variable, and that nothing was read
beyond the bound. No test times anything.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError, ValidationError
from innoalliance.ingest import readers
from innoalliance.ingest.readers import HEADER_TWICE, HEADER_TWICE_TRIMMED, read_table
from innoalliance.ingest.returns import read_return
from innoalliance.workflows.register.export import escape_frame, export_frame, frame_to_text
from innoalliance.workflows.register.returns import import_return

from .conftest import write
from .test_cli import run
from .test_returns import ALLIANCE, M1

# --------------------------------------------------------------------------- helpers


def _bound(monkeypatch: pytest.MonkeyPatch, **bounds: int) -> None:
    """Set bounds low for one test (the module constants; no environment variable set)."""
    for name in readers.LIMIT_VARIABLES.values():
        monkeypatch.delenv(name, raising=False)
    for name, value in bounds.items():
        monkeypatch.setattr(readers, name, value)


def _refused(path: Path, bound: str, **read: Any) -> str:
    """The rule of the one problem refusing ``path`` for ``bound``; checks the file is named."""
    with pytest.raises(ValidationError) as caught:
        read_table(path, **read)
    [problem] = caught.value.problems
    assert problem.file.startswith(path.name)
    assert readers.LIMIT_VARIABLES[bound] in problem.rule
    assert readers.LIMIT_VARIABLES[bound] in (caught.value.hint or "")
    assert "nothing was written" in caught.value.message
    return problem.rule


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[dict[str, Any]]:
    """Record the keyword arguments of each call of ``owner.name``."""
    calls: list[dict[str, Any]] = []
    original: Callable[..., Any] = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def _never(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name} must not be called")

    monkeypatch.setattr(owner, name, fail)


def _workbook(path: Path, rows: list[list[Any]], sheet: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _bomb(path: Path, rows: int) -> Path:
    """An XLSX of ``rows`` identical rows written without row and cell references, which
    compresses hundreds of times (the issue's 415 KB workbook held a million such rows)."""
    template = _workbook(path.with_name("template.xlsx"), [["a", "b"]])
    with zipfile.ZipFile(template) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    head, rest = xml.split("<sheetData>")
    tail = rest.split("</sheetData>")[1]
    data = ('<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is>'
            '</c></row>' + '<row><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>' * rows)
    parts["xl/worksheets/sheet1.xml"] = f"{head}<sheetData>{data}</sheetData>{tail}".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name, content in parts.items():
            bomb.writestr(name, content)
    return path


# --------------------------------------------------------------------------- CSV


def test_csv_header_longer_than_the_bound_is_refused_before_pandas(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The 14 MB header of 1.7M columns, in small: refused from its first bytes."""
    _bound(monkeypatch, MAX_HEADER_BYTES=100)
    path = write(tmp_path / "wide.csv", ",".join(f"c{i}" for i in range(100)) + "\n1,2\n")
    _never(monkeypatch, readers.pd, "read_csv")
    rule = _refused(path, "MAX_HEADER_BYTES")
    assert "header row" in rule and "more than 100" in rule


def test_csv_too_many_columns_is_refused_before_pandas(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    _bound(monkeypatch, MAX_COLUMNS=5)
    assert read_table(write(tmp_path / "ok.csv", "a,b,c,d,e\n1,2,3,4,5\n")).frame.shape == (1, 5)
    path = write(tmp_path / "wide.csv", "a,b,c,d,e,f\n1,2,3,4,5,6\n")
    _never(monkeypatch, readers.pd, "read_csv")
    rule = _refused(path, "MAX_COLUMNS")
    assert "6 columns" in rule and "limit is 5" in rule


def test_csv_too_many_rows_reads_one_row_past_the_bound(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    _bound(monkeypatch, MAX_ROWS=10)
    path = write(tmp_path / "long.csv", "a,b\n" + "1,2\n" * 1000)
    calls = _spy(monkeypatch, readers.pd, "read_csv")
    rule = _refused(path, "MAX_ROWS")
    assert "more than 10 data rows" in rule
    assert [c["nrows"] for c in calls] == [11]
    assert len(read_table(write(tmp_path / "ok.csv", "a,b\n" + "1,2\n" * 10)).frame) == 10


def test_csv_too_many_cells(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _bound(monkeypatch, MAX_CELLS=20)
    path = write(tmp_path / "cells.csv", "a,b,c\n" + "1,2,3\n" * 10)
    calls = _spy(monkeypatch, readers.pd, "read_csv")
    assert "cells" in _refused(path, "MAX_CELLS")
    assert [c["nrows"] for c in calls] == [20 // 3 + 1]


def test_a_cell_too_long_names_its_row_and_column(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """The 20 MB single cell, in small."""
    _bound(monkeypatch, MAX_CELL_CHARS=10)
    path = write(tmp_path / "long.csv", "a,b\nx,short\ny," + "z" * 11 + "\n")
    with pytest.raises(ValidationError) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("long.csv", 3, "b")
    assert "11 characters" in problem.rule and "INNOALLIANCE_MAX_CELL_CHARS" in problem.rule


def test_environment_variable_overrides_a_bound(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    _bound(monkeypatch)
    path = write(tmp_path / "long.csv", "a\n" + "1\n" * 6)
    assert len(read_table(path).frame) == 6
    monkeypatch.setenv("INNOALLIANCE_MAX_ROWS", "5")
    assert "more than 5" in _refused(path, "MAX_ROWS")
    monkeypatch.setenv("INNOALLIANCE_MAX_ROWS", "lots")
    with pytest.raises(InnoallianceError) as caught:
        read_table(path)
    assert "INNOALLIANCE_MAX_ROWS" in caught.value.message and "1000000" in (
        caught.value.hint or "")


def test_the_demo_data_fits_the_default_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    _bound(monkeypatch)
    data = Path(readers.__file__).parent.parent / "demo" / "data"
    for path in sorted(data.glob("*.csv")):
        read_table(path)


# --------------------------------------------------------------------------- XLSX


def test_xlsx_zip_bomb_is_refused_before_it_is_opened(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    """The 415 KB workbook of a million rows, in small: refused from its zip directory."""
    path = _bomb(tmp_path / "bomb.xlsx", 20_000)
    _bound(monkeypatch, XLSX_RATIO_FROM=10_000)
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    assert sum(p.file_size for p in parts) > 100 * sum(p.compress_size for p in parts)
    _never(monkeypatch, readers.openpyxl, "load_workbook")
    rule = _refused(path, "MAX_XLSX_RATIO")
    assert "times larger unzipped" in rule and "zip bomb" in rule


def test_xlsx_unzipped_size_is_bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "small.xlsx", [["a"], ["1"]])
    _bound(monkeypatch, MAX_XLSX_BYTES=1000)
    _never(monkeypatch, readers.openpyxl, "load_workbook")
    assert "bytes once unzipped" in _refused(path, "MAX_XLSX_BYTES")
    with pytest.raises(ValidationError):
        read_return(path)


def test_xlsx_rows_counted_while_streaming(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """The sheet's stated dimension is not trusted: rows are counted as they stream, and no
    cell is converted past the first row over the bound."""
    path = _bomb(tmp_path / "rows.xlsx", 1000)  # no dimension tag and no row numbers
    _bound(monkeypatch, MAX_ROWS=10)
    calls = _spy(monkeypatch, readers, "_excel_cell")
    with pytest.raises(ValidationError) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert problem.file == "rows.xlsx[Sheet1]"
    assert "more than 10 data rows" in problem.rule and "INNOALLIANCE_MAX_ROWS" in problem.rule
    assert len(calls) == 2 * 11  # the header and 10 rows (two cells a row); no more


def test_xlsx_columns_bounded_even_far_right(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["a", "b"])
    ws.cell(row=2, column=16_000, value="far")  # a cell at the right edge of a sheet
    book.save(tmp_path / "far.xlsx")
    _bound(monkeypatch, MAX_COLUMNS=5)
    calls = _spy(monkeypatch, readers, "_excel_cell")
    rule = _refused(tmp_path / "far.xlsx", "MAX_COLUMNS")
    assert "more than 5 columns in row 2" in rule
    assert len(calls) <= 2 + 5  # the header, then at most the bound's cells of a row


def test_xlsx_sheet_cells_bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "cells.xlsx", [["a", "b", "c"]] + [[1, 2, 3]] * 30)
    _bound(monkeypatch, MAX_SHEET_CELLS=50)
    assert "more than 50" in _refused(path, "MAX_SHEET_CELLS")


def test_xlsx_empty_rows_inside_kept_trailing_dropped(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "gaps.xlsx", [["a", "b", None], [1, None], [None, None],
                                              [None, "x", "y"], [None], [None]])
    frame = read_table(path).frame
    assert list(frame.columns) == ["a", "b", "Unnamed: 2"]
    assert frame.to_numpy().tolist() == [["1", None, None], [None, None, None],
                                         [None, "x", "y"]]


def test_xlsx_date_cells_read_as_dates(tmp_path: Path) -> None:
    """A date cell (a datetime at midnight to openpyxl) is ``YYYY-MM-DD``, as the date columns
    of every import kind expect; it used to arrive as ``2016-06-01 00:00:00`` and be refused."""
    path = _workbook(tmp_path / "d.xlsx", [["date", "at"], [dt.datetime(2016, 6, 1),
                                                           dt.datetime(2016, 6, 1, 8, 30)]])
    assert read_table(path).frame.to_numpy().tolist() == [["2016-06-01", "2016-06-01 08:30:00"]]


# --------------------------------------------------------------------------- JSON


def test_json_records_and_keys_bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _bound(monkeypatch, MAX_ROWS=3, MAX_COLUMNS=2)
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"a": i} for i in range(5)]), "utf-8")
    _never(monkeypatch, readers.pd.DataFrame, "from_records")
    assert "5 records" in _refused(many, "MAX_ROWS")
    wide = tmp_path / "wide.json"
    wide.write_text(json.dumps([{"a": 1, "b": 2}, {"c": 3}]), "utf-8")
    assert "3 columns" in _refused(wide, "MAX_COLUMNS")
    ret = tmp_path / "r.json"
    ret.write_text(json.dumps({"alliance": "A", "year": 2016,
                               "events": [{"ref": str(i)} for i in range(5)]}), "utf-8")
    with pytest.raises(ValidationError) as caught:
        read_return(ret)
    [problem] = caught.value.problems
    assert problem.file == "r.json[events]" and "INNOALLIANCE_MAX_ROWS" in problem.rule


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(("header", "rule"), [
    ('alliance,alliance,ref', HEADER_TWICE), ('alliance,"alliance",ref', HEADER_TWICE),
    ('alliance, alliance ,ref', HEADER_TWICE_TRIMMED)])
def test_csv_exact_duplicate_header_refused(tmp_path: Path, header: str, rule: str) -> None:
    """pandas would silently rename the second ``alliance`` to ``alliance.1``."""
    path = write(tmp_path / "m.csv", f"{header}\na,b,c\n")
    with pytest.raises(ValidationError) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("m.csv", 1, "alliance")
    assert problem.rule == rule
    assert "rename or delete the repeat" in (caught.value.hint or "")


def test_xlsx_duplicate_header_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "m.xlsx", [["alliance", "alliance", "ref"], ["a", "b", "c"]],
                     sheet="members")
    with pytest.raises(ValidationError) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("m.xlsx[members]", 1, "alliance")


def test_json_key_twice_in_an_object_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('[{"alliance": "a", "alliance": "b", "ref": "c"}]', "utf-8")
    with pytest.raises(ValidationError) as caught:
        read_table(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.column) == ("m.json", "alliance")
    assert "twice" in problem.rule


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An initialised SQLite store that the tests here only fail to write to."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bounds') / 'store.db'}"
    assert run("init", "--db", url)[0] == 0
    yield url


def test_cli_duplicate_header(db: str, tmp_path: Path) -> None:
    path = write(tmp_path / "orgs.csv", "credit_code,credit_code,name_zh\nx,y,z\n")
    code, out, err = run("import", "organizations", str(path), "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "orgs.csv:1: column 'credit_code': column appears twice" in err


def test_cli_bound_refusal(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOALLIANCE_MAX_ROWS", "2")
    path = write(tmp_path / "orgs.csv", "credit_code,name_zh\nx,a\ny,b\nz,c\n")
    code, out, err = run("import", "organizations", str(path), "--db", db)
    assert code == 1 and "Traceback" not in out + err
    assert "orgs.csv" in err and "INNOALLIANCE_MAX_ROWS" in err
    code, out, _ = run("list", "organizations", "--db", db, "--json")
    assert code == 0 and json.loads(out) == []


# --------------------------------------------------------------------------- returns: options


@pytest.mark.parametrize("options", [["--wide", "years"], ["--unit", "万元"],
                                     ["--wide", "years", "--unit", "万元"], ["--year", "2016"],
                                     ["--indicator", "gdp"], ["--industry", "C27"],
                                     ["--source", "x"], ["--china"], ["--sheet", "members"]])
def test_returns_refuse_options_that_do_not_apply(db: str, tmp_path: Path,
                                                  options: list[str]) -> None:
    """``import returns`` used to ignore --wide, --unit and the other table options silently."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"alliance": "A", "year": 2016, "events": []}), "utf-8")
    code, out, err = run("import", "returns", str(path), *options, "--db", db)
    assert code == 1 and "Traceback" not in out + err
    flags = [o for o in options if o.startswith("--")]
    assert "not apply to annual returns" in err
    for flag in flags:
        assert flag in err
    assert "innoalliance import returns FILE" in err


def test_returns_report_is_written(db: str, tmp_path: Path) -> None:
    """``--report`` applies to returns too: every problem goes to the file."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"year": 2016, "events": []}), "utf-8")
    report = tmp_path / "problems.json"
    code, _, err = run("import", "returns", str(path), "--report", str(report), "--db", db)
    assert code == 1 and "alliance" in err
    problems = json.loads(report.read_text("utf-8"))["problems"]
    assert problems[0]["column"] == "alliance"


# --------------------------------------------------------------------------- returns: escaping

FORMULAS = ("=1+1", "+x", "-x", "@SUM(A1)", "'=quoted", "-5", "'-5")


def test_return_export_import_round_trip(demo_store: Engine, tmp_path: Path) -> None:
    """Events whose descriptions look like formulas, exported (escaped) as CSV and XLSX and
    imported back as annual returns, keep their values: the import changes nothing."""
    events = [{"ref": f"F-{i}", "type": "report", "date": "2016-06-01", "organization": M1,
               "description": text} for i, text in enumerate(FORMULAS)]
    first = tmp_path / "r.json"
    first.write_text(json.dumps({"alliance": ALLIANCE, "year": 2016, "events": events},
                                ensure_ascii=False), "utf-8")
    assert import_return(demo_store, first)["parts"][0]["inserted"] == len(FORMULAS)
    exported = export_frame(demo_store, "events")
    exported = exported[exported["ref"].str.startswith("F-")].reset_index(drop=True)
    header = pd.DataFrame([{"alliance": ALLIANCE, "year": 2016}], dtype=object)
    folder = tmp_path / "csv_return"
    folder.mkdir()
    (folder / "return.csv").write_text(frame_to_text(header, "csv"), "utf-8")
    (folder / "events.csv").write_text(frame_to_text(exported, "csv"), "utf-8")
    assert "'=1+1" in (folder / "events.csv").read_text("utf-8")  # escaped by the export
    book = tmp_path / "xlsx_return.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        header.to_excel(writer, sheet_name="return", index=False)
        escape_frame(exported).to_excel(writer, sheet_name="events", index=False)
    for path in (folder, book):
        read = read_return(path).parts["events"].frame
        assert dict(zip(read["ref"], read["description"], strict=True)) == {
            e["ref"]: e["description"] for e in events}
        [part] = import_return(demo_store, path)["parts"]
        assert (part["inserted"], part["updated"], part["unchanged"]) == (0, 0, len(FORMULAS))
    again = export_frame(demo_store, "events")
    again = again[again["ref"].str.startswith("F-")]
    assert sorted(again["description"]) == sorted(FORMULAS)
