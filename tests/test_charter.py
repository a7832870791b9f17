"""Charters as data: every problem listed with its path, nothing written on error, versions,
and export/import round trips."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from innoalliance.demo.charters import load_demo_charters
from innoalliance.demo.loader import load_demo
from innoalliance.errors import ValidationError
from innoalliance.ingest.charter import (
    CommitmentTerms,
    MemberInfo,
    StoreContext,
    check_charter,
    read_document,
)
from innoalliance.model import Charter, Commitment
from innoalliance.store.engine import make_engine
from innoalliance.workflows.govern.charter import (
    charter_versions,
    current_charter,
    export_charter,
    import_charter,
)
from innoalliance.workflows.share.files import METHODS

from .conftest import BACKENDS, _url
from .test_cli import run

EV = "电动汽车产学研技术创新联盟"
LEAD = "91440300MAUKUGJCD9"
PARTNER = "1244030004413007XF"


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _charter(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "alliance": EV, "adopted": dt.date(2012, 3, 10),
        "obligations": [
            {"member": LEAD, "commitment": "C-001"},
            {"member": PARTNER, "ref": "CH-1", "kind": "capital", "amount": 500, "unit": "万元",
             "due": dt.date(2017, 12, 31), "description": "电池回收中试资金"},
        ],
        "ip": {"ownership": {"explicit": {LEAD: 0.6, PARTNER: 0.4}}, "licence_back": True},
        "benefit_sharing": {"method": "shapley"},
        "penalties": {"late_fee_rate": 0.0005, "grace_days": 30},
        "disputes": {"procedure": "secretariat mediation, then arbitration"},
    }
    data.update(changes)
    return data


@pytest.fixture(scope="module", params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[str]:
    """A writable demo store, one per backend, for this module (tests count rows relatively)."""
    for url in _url(request.param, tmp_path_factory.mktemp("charter")):
        eng = make_engine(url)
        load_demo(eng)
        eng.dispose()
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    eng = make_engine(store_url)
    yield eng
    eng.dispose()


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(Charter)).scalar_one(),
                conn.execute(select(func.count()).select_from(Commitment)).scalar_one())


def test_bad_shares_and_a_non_member_are_listed_and_nothing_is_written(
        store: Engine, tmp_path: Path) -> None:
    data = _charter(ip={"ownership": {"explicit": {LEAD: 0.6, PARTNER: 0.3}}})
    data["obligations"].append({"member": "91440300MAUKUGJCD8", "commitment": "C-002"})
    before = _counts(store)
    with pytest.raises(ValidationError) as exc:
        import_charter(store, _write(tmp_path / "bad.yaml", data), who="tester")
    assert _counts(store) == before
    problems = {p.column: p for p in exc.value.problems}
    assert set(problems) == {"ip.ownership.explicit", "obligations[2].member"}
    assert "sum to 1" in problems["ip.ownership.explicit"].rule
    assert problems["ip.ownership.explicit"].value == "0.9"
    member = problems["obligations[2].member"]
    assert "not a member" in member.rule and member.suggestion == LEAD
    assert "nothing was written" in exc.value.message


def test_every_rule_is_checked_at_once(store: Engine, tmp_path: Path) -> None:
    data = _charter(benefit_sharing={"method": "shaply"},
                    penalties={"late_fee_rate": 0.05, "grace_days": -1,
                               "suspend_rights_after": 3, "exclude_after": 2,
                               "forfeit_share": 1.5},
                    adopted=dt.date(2018, 1, 1), extra=1)
    data["obligations"] += [
        {"member": LEAD, "commitment": "C-005"},  # the commitment of another member
        {"member": LEAD, "commitment": "C-099"},
        {"member": LEAD, "ref": "CH-2", "kind": "capital", "amount": -1, "unit": "人",
         "due": "2011-01-01"},
        {"member": LEAD, "commitment": "C-001"},
    ]
    with pytest.raises(ValidationError) as exc:
        import_charter(store, _write(tmp_path / "bad.yaml", data), who="tester")
    columns = [p.column for p in exc.value.problems]
    for where in ("extra", "benefit_sharing.method", "penalties.late_fee_rate",
                  "penalties.grace_days", "penalties.exclude_after", "penalties.forfeit_share",
                  "obligations[1].due", "obligations[2].commitment", "obligations[3].commitment",
                  "obligations[4].amount", "obligations[4].unit", "obligations[4].due",
                  "obligations[5]"):
        assert where in columns, where
    method = next(p for p in exc.value.problems if p.column == "benefit_sharing.method")
    assert method.suggestion == "shapley"


def test_unknown_alliance_is_one_problem_with_a_suggestion(store: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as exc:
        import_charter(store, _write(tmp_path / "c.yaml", _charter(alliance="电动汽车产学研联盟")),
                       who="tester")
    assert [(p.column, p.suggestion) for p in exc.value.problems] == [("alliance", EV)]


def test_unreadable_files_are_one_clear_problem(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("alliance: 电动汽车产学研技术创新联盟\n".encode("gbk"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("alliance: [unclosed\nadopted: 2012-01-01\n", encoding="utf-8")
    bad_json = tmp_path / "c.json"
    bad_json.write_text('{"alliance": }', encoding="utf-8")
    for path, words in ((gbk, "UTF-8"), (broken, "YAML"), (bad_json, "JSON"),
                        (tmp_path / "c.txt", ".yaml")):
        with pytest.raises(ValidationError) as exc:
            read_document(path)
        assert len(exc.value.problems) == 1 and words in exc.value.problems[0].rule


def test_import_declares_commitments_adds_versions_and_round_trips(
        store: Engine, tmp_path: Path) -> None:
    charters, commitments = _counts(store)
    first = import_charter(store, _write(tmp_path / "ev.yaml", _charter()), who="tester")
    assert first.new_commitments == ("CH-1",)
    assert _counts(store) == (charters + 1, commitments + 1)
    with store.connect() as conn:
        row = conn.execute(select(Commitment).where(Commitment.alliance == EV,
                                                    Commitment.ref == "CH-1")).one()
    assert (row.amount, row.unit, row.source) == (5_000_000, "元", "charter")
    exported = export_charter(store, EV)
    declared = exported["obligations"][1]
    assert (declared["unit"], declared["amount"]) == ("万元", 500)
    again = import_charter(store, _write(tmp_path / "again.yaml", exported), who="tester")
    assert again.version == first.version + 1 and again.new_commitments == ()
    assert export_charter(store, EV) == exported
    as_json = tmp_path / "again.json"
    as_json.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    third = import_charter(store, as_json, who="tester")
    assert export_charter(store, EV) == exported
    versions = charter_versions(store, EV)
    assert [v.version for v in versions][-3:] == [first.version, again.version, third.version]
    current = current_charter(store, EV)
    assert current is not None and current.version == third.version
    assert _counts(store) == (charters + 3, commitments + 1)


def test_demo_charters_load_once(store: Engine) -> None:
    load_demo_charters(store)
    count = _counts(store)
    assert all(r.unchanged for r in load_demo_charters(store))
    assert _counts(store) == count


def test_cli_import_export_show(store_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "ev.yaml", _charter())
    code, out, err = run("charter", "import", str(path), "--db", store_url)
    assert code == 0, err
    assert "version" in out
    target = tmp_path / "out.yaml"
    code, out, err = run("charter", "export", EV, "--output", str(target), "--db", store_url)
    assert code == 0, err
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["alliance"] == EV
    code, out, _ = run("charter", "show", EV, "--db", store_url, "--json")
    shown = json.loads(out)
    assert shown["document"]["ip"]["ownership"] == {"explicit": {LEAD: 0.6, PARTNER: 0.4}}
    code, out, _ = run("charter", "show", EV, "--db", store_url)
    assert code == 0 and "CH-1" in out
    bad = _write(tmp_path / "bad.yaml", _charter(penalties={"forfeit_share": 2}))
    code, out, err = run("charter", "import", str(bad), "--db", store_url)
    assert code == 1 and "penalties.forfeit_share" in err and "Traceback" not in out + err


# --- round trips without a store ---

CONTEXT = StoreContext(
    alliances=[EV], members={LEAD: MemberInfo(dt.date(2012, 3, 10), None, "lead"),
                             PARTNER: MemberInfo(dt.date(2012, 5, 14), None, "member")},
    commitments={"C-001": CommitmentTerms(LEAD, "capital", 1.5e8, "元", dt.date(2013, 12, 31))},
    methods=METHODS)


@settings(max_examples=50, deadline=None)
@given(rate=st.floats(0, 0.01), grace=st.integers(0, 365), suspend=st.integers(1, 5),
       extra=st.integers(0, 5), forfeit=st.floats(0, 1), method=st.sampled_from(METHODS),
       lead_share=st.sampled_from([0.0, 0.25, 0.5, 0.6, 1.0]),
       ownership=st.sampled_from(["contribution_share", "lead", "equal", "project_participants",
                                  "explicit"]),
       amount=st.floats(0.01, 1e6), unit=st.sampled_from(["元", "万元", "亿元"]),
       body=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20))
def test_document_round_trips(rate: float, grace: int, suspend: int, extra: int, forfeit: float,
                              method: str, lead_share: float, ownership: str, amount: float,
                              unit: str, body: str) -> None:
    owner: Any = ({"explicit": {LEAD: lead_share, PARTNER: 1 - lead_share}}
                  if ownership == "explicit" else ownership)
    data = _charter(ip={"ownership": owner, "licence_back": False},
                    benefit_sharing={"method": method},
                    penalties={"late_fee_rate": rate, "grace_days": grace,
                               "suspend_rights_after": suspend, "exclude_after": suspend + extra,
                               "forfeit_share": forfeit},
                    disputes={"body": body})
    data["obligations"][1].update(amount=amount, unit=unit)
    first = check_charter(data, "c.yaml", CONTEXT).document
    text = yaml.safe_dump(first, allow_unicode=True)
    assert check_charter(yaml.safe_load(text), "c.yaml", CONTEXT).document == first
    assert check_charter(json.loads(json.dumps(first)), "c.json", CONTEXT).document == first
