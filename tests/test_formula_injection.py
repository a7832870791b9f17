"""CSV/formula injection: text cells a spreadsheet would run as a formula are exported escaped
(a leading ``'``) and imported back to their original value; bad user names are refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from innoalliance.errors import ValidationError
from innoalliance.ingest.cells import escape_formula, unescape_formula
from innoalliance.model import AuditEntry
from innoalliance.store.engine import transaction
from innoalliance.web.audit import audit_csv
from innoalliance.workflows.accounts.users import add_user
from innoalliance.workflows.register.export import export_frame, frame_to_text, frame_to_xlsx
from innoalliance.workflows.register.imports import import_files

FORMULA = '=HYPERLINK("http://x","click")'
NASTY = {  # value as stored → the cell a spreadsheet sees
    FORMULA: "'" + FORMULA,
    "+1+2": "'+1+2",
    "-1+2": "'-1+2",
    "@SUM(A1)": "'@SUM(A1)",
    "'=quoted already": "''=quoted already",
}
HARMLESS = ("-5", "+3.5", "-1e3", "plain", "'plain quote", "a=b")  # numbers stay numbers
DEPENDENCIES = ("regions", "industries", "organizations", "alliances")


@pytest.mark.parametrize("value", [*NASTY, *HARMLESS, "\t=x", "\r=x", "''-5", "'-5", ""])
def test_escape_is_reversible(value: str) -> None:
    assert unescape_formula(escape_formula(value)) == value


def test_escape_rules() -> None:
    for value, cell in NASTY.items():
        assert escape_formula(value) == cell
    for value in HARMLESS:
        assert escape_formula(value) == value
    assert escape_formula("\tx") == "'\tx" and escape_formula("\rx") == "'\rx"
    assert unescape_formula("'-5") == "'-5"  # never produced by escaping: kept as typed
    assert unescape_formula("'plain") == "'plain"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789.eEa "), max_size=8))
def test_escape_round_trip_property(value: str) -> None:
    escaped = escape_formula(value)
    assert unescape_formula(escaped) == value
    assert escaped in (value, "'" + value)
    assert not escaped or escaped[0] not in "=+-@\t\r" or _is_number(escaped)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _doctored(demo_engine: Engine) -> dict[str, pd.DataFrame]:
    """Needs and events of the demo with formula-like titles and descriptions."""
    needs = export_frame(demo_engine, "needs")
    events = export_frame(demo_engine, "events")
    values = list(NASTY)
    for i in range(min(len(values), len(needs))):
        needs.loc[needs.index[i], "title"] = values[i]
    for i in range(min(len(values), len(events))):
        events.loc[events.index[i], "description"] = values[i]
    events.loc[events.index[-1], "description"] = "-5"
    return {"needs": needs, "events": events}


def _fresh_copy(demo_engine: Engine, engine: Engine, tmp_path: Path) -> None:
    for kind in DEPENDENCIES:
        path = tmp_path / f"{kind}.csv"
        path.write_text(frame_to_text(export_frame(demo_engine, kind), "csv"), encoding="utf-8")
        import_files(engine, kind, [path])


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "xlsx":
        frame_to_xlsx(frame, path)
    else:
        path.write_text(frame_to_text(frame, fmt), encoding="utf-8")


def _cells(path: Path, fmt: str, column: str) -> list[object]:
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        rows = list(sheet.iter_rows())
        at = [c.value for c in rows[0]].index(column)
        assert all(r[at].data_type != "f" for r in rows[1:])  # no formula cell at all
        return [r[at].value for r in rows[1:]]
    with path.open(encoding="utf-8") as f:
        return [r[column] for r in csv.DictReader(f)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_needs_and_events_exported_escaped_and_restored(demo_engine: Engine, engine: Engine,
                                                        tmp_path: Path, fmt: str) -> None:
    _fresh_copy(demo_engine, engine, tmp_path)
    for kind, frame in _doctored(demo_engine).items():
        column = "title" if kind == "needs" else "description"
        first = tmp_path / f"{kind}-1.{fmt}"
        _write(frame, first, fmt)
        cells = _cells(first, fmt, column)
        for value, cell in NASTY.items():
            if value in set(frame[column]):
                assert cell in cells, (kind, value)
                assert value not in cells, (kind, value)
        if kind == "events":
            assert "-5" in cells  # a number-like text is left as it is
        import_files(engine, kind, [first])
        stored = export_frame(engine, kind)
        assert sorted(stored[column].dropna()) == sorted(frame[column].dropna())  # restored
        second = tmp_path / f"{kind}-2.{fmt}"
        _write(stored, second, fmt)
        assert _cells(second, fmt, column) == cells  # export → import → export is identical
        if fmt == "csv":
            assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_json_export_is_not_escaped(demo_engine: Engine) -> None:
    needs = _doctored(demo_engine)["needs"]
    text = frame_to_text(needs, "json")
    assert '"=HYPERLINK(' in text and "'=HYPERLINK" not in text


def test_negative_numbers_stay_numbers(demo_engine: Engine) -> None:
    frame = pd.DataFrame({"value": [-5.0, -1200], "name": ["-5", "-x"]}, dtype=object)
    rows = list(csv.DictReader(io.StringIO(frame_to_text(frame, "csv"))))
    assert [r["value"] for r in rows] == ["-5.0", "-1200"]
    assert [r["name"] for r in rows] == ["-5", "'-x"]


def test_audit_csv_escapes_actor_and_detail(engine: Engine) -> None:
    with transaction(engine) as db:
        db.add(AuditEntry(at=dt.datetime.now(dt.UTC), actor=FORMULA, action="add",
                          kind="users", detail="@SUM(1+1)"))
        db.add(AuditEntry(at=dt.datetime.now(dt.UTC), actor="alice", action="-cmd",
                          kind="+users", detail='{"ok": -1}'))
    rows = list(csv.DictReader(io.StringIO(audit_csv(engine, None, None).lstrip("\ufeff"))))
    by_actor = {r["actor"]: r for r in rows}
    assert "'" + FORMULA in by_actor and FORMULA not in by_actor
    assert by_actor["'" + FORMULA]["detail"] == "'@SUM(1+1)"
    assert by_actor["alice"]["action"] == "'-cmd" and by_actor["alice"]["kind"] == "'+users"
    assert by_actor["alice"]["detail"] == '{"ok": -1}'


@pytest.mark.parametrize(("name", "rule"), [
    ("", "empty"),
    ("   ", "empty"),
    ("a/b", "/"),
    ("bad\x00name", "control"),
    ("tab\tname", "control"),
    ("new\nline", "control"),
    ("=HYPERLINK(1)", "start"),
    ("+alice", "start"),
    ("-alice", "start"),
    ("@alice", "start"),
])
def test_bad_usernames_refused(engine: Engine, name: str, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_user(engine, name, "admin", "long enough password", who="test")
    problem = caught.value.problems[0]
    assert problem.column == "username" and rule in problem.rule


def test_good_username_accepted(engine: Engine) -> None:
    user = add_user(engine, "alice-2.o'brien 王", "admin", "long enough password", who="test")
    assert user.username == "alice-2.o'brien 王"


def test_cli_exports_xlsx_that_imports_back(demo_url: str, tmp_path: Path) -> None:
    from .test_cli import run

    target = tmp_path / "needs.xlsx"
    code, _, err = run("export", "needs", "--format", "xlsx", "--output", str(target),
                       "--db", demo_url)
    assert code == 0, err
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None and sheet.title == "needs"
    code, out, _ = run("export", "needs", "--db", demo_url)
    assert sheet.max_row == len(list(csv.reader(io.StringIO(out))))
    code, _, err = run("export", "needs", "--format", "xlsx", "--db", demo_url)
    assert code == 1 and "--output" in err
