"""The alliance life cycle: transitions by the table and the rules, an append-only log, members."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from innoalliance.demo.loader import WHO as DEMO_ACTOR
from innoalliance.errors import MethodError, ValidationError
from innoalliance.model import Alliance, Membership, Organization
from innoalliance.store.engine import make_engine, transaction
from innoalliance.workflows.govern.lifecycle import (
    TRANSITIONS,
    LifecycleRules,
    TransitionRecord,
    a_level,
    current_state,
    history,
    member_join,
    member_leave,
    rules_from_yaml,
    transition,
)

from .test_cli import run

HZB = "杭州湾新材料产业技术创新战略联盟"  # proposed in the demo; graded 'inactive' in 2016
SHANLIAN = "闪联产业联盟"  # 'active' in the demo


@pytest.fixture
def demo(db_url: str) -> Iterator[Engine]:
    code, out, err = run("demo", "--db", db_url, "--no-reports")
    assert code == 0, out + err
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _status(engine: Engine, name: str) -> str:
    with transaction(engine) as session:
        return session.execute(select(Alliance.status).where(Alliance.name_zh == name)
                               ).scalar_one()


def _made_here(steps: list[TransitionRecord]) -> list[TransitionRecord]:
    """The log without the illustrative history the demo writes for every alliance."""
    return [s for s in steps if s.actor != DEMO_ACTOR]


def _history(db_url: str, name: str) -> list[dict[str, object]]:
    code, out, err = run("alliance", "history", name, "--db", db_url, "--json")
    assert code == 0, err
    return [s for s in json.loads(out) if s["actor"] != DEMO_ACTOR]


def test_full_path_with_its_history(demo: Engine, db_url: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOALLIANCE_ACTOR", "liaison office")

    def move(to: str, *args: str) -> tuple[int, str]:
        code, out, err = run("alliance", "transition", HZB, "--to", to, "--reason", f"to {to}",
                             "--db", db_url, "--json", *args)
        return code, out if code == 0 else " ".join(err.split())

    code, err = move("approved")  # every missing approval input at once
    assert code == 1 and "Traceback" not in err
    for option in ("--batch", "--year", "--department"):
        assert option in err
    assert "--charter" not in err  # the demo stores the alliance's founding charter
    assert _history(db_url, HZB) == [] and _status(demo, HZB) == "proposed"
    code, out = move("approved", "--batch", "4", "--year", "2016", "--department",
                     "浙江省科学技术厅", "--as-of", "2016-09-01")
    assert code == 0, out
    assert json.loads(out)["inputs"]["pilot_until"] == 2018
    for to in ("operating", "under_review"):
        code, out = move(to, "--as-of", "2017-01-15")
        assert code == 0, out

    # the demo grades it inactive in 2016: the default rules require dissolution
    code, err = move("renewed", "--grade-year", "2016")
    assert code == 1 and "'inactive'" in err and "dissolved" in err
    assert "dissolve_grades" in err
    code, err = move("rectification", "--grade-year", "2016")
    assert code == 1 and "dissolved" in err
    code, err = move("renewed")
    assert code == 1 and "--grade-year" in err
    assert _status(demo, HZB) == "under_review" and len(_history(db_url, HZB)) == 3

    lenient = tmp_path / "rules.yaml"
    lenient.write_text("pilot_years: 3\ndissolve_grades: []\nrectify_grades: [average]\n",
                       encoding="utf-8")
    code, out = move("renewed", "--grade-year", "2016", "--rules", str(lenient))
    assert code == 0, out
    steps = _history(db_url, HZB)
    assert [(s["from_state"], s["to_state"]) for s in steps] == [
        ("proposed", "approved"), ("approved", "operating"), ("operating", "under_review"),
        ("under_review", "renewed")]
    assert {s["actor"] for s in steps} == {"liaison office"}
    assert [s["reason"] for s in steps][-1] == "to renewed"
    assert steps[0]["at"].startswith("2016-09-01") and steps[1]["at"].startswith("2017-01-15")
    assert steps[0]["inputs"]["department"] == "浙江省科学技术厅"
    review = steps[-1]["inputs"]
    assert review["grade"] == "inactive" and review["grade_year"] == 2016
    assert 0 < review["score"] < 65 and review["renewed_until"] == 2019
    assert _status(demo, HZB) == "renewed"
    with transaction(demo) as session:
        row = session.execute(select(Alliance).where(Alliance.name_zh == HZB)).scalar_one()
        assert (row.batch, row.approval_year) == (4, 2016)

    # an illegal step names the state and where it may go, and writes nothing
    code, err = move("approved")
    assert code == 1 and "renewed" in err and "operating, under_review" in err
    assert len(_history(db_url, HZB)) == 4 and _status(demo, HZB) == "renewed"
    with pytest.raises(MethodError, match="is dissolved; it cannot go") as final:
        for to in ("under_review", "dissolved", "operating"):
            transition(demo, HZB, to, reason="x", grade_year=2016)
    assert "final" in (final.value.hint or "")
    assert current_state(demo, HZB) == "dissolved"
    assert not a_level(demo, HZB).a_level


def test_approval_needs_enterprise_and_university(demo: Engine) -> None:
    with transaction(demo) as session:
        by_type = {t: c for c, t in session.execute(
            select(Organization.credit_code, Organization.type))}
        template = session.execute(select(Alliance).where(Alliance.name_zh == HZB)).scalar_one()
        for name, kind in (("只有高校联盟", "university"), ("只有企业联盟", "enterprise")):
            session.add(Alliance(name_zh=name, kind=template.kind, industry=template.industry,
                                 host_region=template.host_region, status="proposed"))
            session.flush()
            session.add(Membership(alliance=name, organization=by_type[kind], role="lead"))
    with pytest.raises(ValidationError) as only_uni:
        transition(demo, "只有高校联盟", "approved", reason="apply", batch=1, year=2016,
                   department="科技厅", charter="c-1.yaml")
    rules = [p.rule for p in only_uni.value.problems if p.column == "members"]
    assert rules == ["approval needs at least one enterprise member"]
    assert any("no such charter file" in p.rule for p in only_uni.value.problems)
    with pytest.raises(ValidationError) as only_firm:
        transition(demo, "只有企业联盟", "approved", reason="apply", batch=0)
    found = {(p.column, p.rule) for p in only_firm.value.problems}
    assert {c for c, _ in found} == {"batch", "year", "department", "charter", "members"}
    assert any("university or research institute" in r for _, r in found)
    assert _made_here(history(demo, "只有企业联盟")) == []
    assert _status(demo, "只有企业联盟") == "proposed"


def test_members_join_and_leave_and_the_log_is_append_only(demo: Engine, db_url: str) -> None:
    assert current_state(demo, SHANLIAN) == "operating"  # the legacy 'active'
    with transaction(demo) as session:
        members = set(session.execute(select(Membership.organization)
                                      .where(Membership.alliance == SHANLIAN)).scalars())
        outsider = next(c for c in session.execute(select(Organization.credit_code)).scalars()
                        if c not in members)
    code, out, err = run("alliance", "join", SHANLIAN, outsider, "--role", "member",
                         "--reason", "brings a test lab", "--as-of", "2017-03-01",
                         "--db", db_url, "--json")
    assert code == 0, err
    assert json.loads(out)["to_state"] == "joined"
    code, _, err = run("alliance", "join", SHANLIAN, outsider, "--reason", "again",
                       "--db", db_url)
    assert code == 1 and "already a member" in err
    code, _, err = run("alliance", "leave", SHANLIAN, outsider, "--reason", "too early",
                       "--as-of", "2017-02-01", "--db", db_url)
    assert code == 1 and "before the member joined" in " ".join(err.split())
    left = member_leave(demo, SHANLIAN, outsider, dt.date(2018, 6, 30), who="secretariat",
                        reason="moved away")
    assert (left.kind, left.to_state, left.organization, left.actor) == (
        "member", "left", outsider, "secretariat")
    with transaction(demo) as session:
        row = session.execute(select(Membership).where(
            Membership.alliance == SHANLIAN, Membership.organization == outsider)).scalar_one()
        assert (row.joined, row.left) == (dt.date(2017, 3, 1), dt.date(2018, 6, 30))
    with pytest.raises(ValidationError, match="cannot join"):
        member_join(demo, SHANLIAN, outsider, "chair", dt.date(2019, 1, 1), reason="")
    steps = _made_here(history(demo, SHANLIAN))
    assert [(s.kind, s.from_state, s.to_state) for s in steps] == [
        ("member", "operating", "joined"), ("member", "operating", "left")]
    assert _status(demo, SHANLIAN) == "operating"  # member steps do not change the state

    for sql in ("UPDATE alliance_transitions SET reason = 'x'", "DELETE FROM alliance_transitions"):
        with pytest.raises(DBAPIError, match="append-only"), demo.begin() as conn:
            conn.execute(text(sql))
    assert len(_made_here(history(demo, SHANLIAN))) == 2


def test_rules_from_yaml_lists_every_problem(tmp_path: Path) -> None:
    assert LifecycleRules() == LifecycleRules(2, ("average",), ("inactive",), 3, "high")
    assert set(TRANSITIONS["under_review"]) == {"renewed", "rectification", "dissolved"}
    good = tmp_path / "good.yaml"
    good.write_text("a_level_runs: 2\nrectify_grades: average\n", encoding="utf-8")
    assert rules_from_yaml(good) == LifecycleRules(a_level_runs=2)
    bad = tmp_path / "bad.yaml"
    bad.write_text("pilot_year: 2\na_level_runs: 0\nrectify_grades: [weak, inactive]\n"
                   "a_level_grade: inactive\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        rules_from_yaml(bad)
    problems = {(p.column, p.value) for p in caught.value.problems}
    assert problems == {("pilot_year", None), ("a_level_runs", "0"), ("rectify_grades", "weak"),
                        ("a_level_grade", "inactive")}
    assert any(p.suggestion == "pilot_years" for p in caught.value.problems)
    code, _, err = run("alliance", "transition", HZB, "--to", "approved", "--reason", "x",
                       "--rules", str(bad), "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 1 and "bad.yaml" in err and "Traceback" not in err


NEW = "新材料试点联盟"  # made here: an enterprise and a university member, no charter


def _new_alliance(engine: Engine) -> tuple[str, str]:
    """A proposed alliance with an enterprise and a university member and no charter."""
    with transaction(engine) as session:
        by_type = {t: c for c, t in session.execute(
            select(Organization.credit_code, Organization.type))}
        template = session.execute(select(Alliance).where(Alliance.name_zh == HZB)).scalar_one()
        session.add(Alliance(name_zh=NEW, kind=template.kind, industry=template.industry,
                             host_region=template.host_region, status="proposed"))
        session.flush()
        firm, uni = by_type["enterprise"], by_type["university"]
        session.add(Membership(alliance=NEW, organization=uni, role="lead"))
        session.add(Membership(alliance=NEW, organization=firm, role="member"))
    return firm, uni


def test_approval_reads_checks_and_stores_the_charter_named(demo: Engine, db_url: str,
                                                            tmp_path: Path) -> None:
    import yaml

    from innoalliance.workflows.govern.charter import charter_versions
    firm, uni = _new_alliance(demo)

    def approve(*args: str) -> tuple[int, str]:
        code, out, err = run("alliance", "transition", NEW, "--to", "approved", "--batch", "4",
                             "--year", "2016", "--department", "浙江省科学技术厅",
                             "--reason", "r", "--db", db_url, "--json", *args)
        return code, out if code == 0 else " ".join(err.split())

    def nothing_written() -> None:
        assert _made_here(history(demo, NEW)) == [] and _status(demo, NEW) == "proposed"
        assert charter_versions(demo, NEW) == []

    missing = tmp_path / "charter.yaml"
    code, err = approve("--charter", str(missing))  # no such file, no stored charter
    assert code == 1 and "no such charter file" in err, err
    assert str(missing) in "".join(err.split())  # (the terminal may wrap the path)
    nothing_written()
    code, err = approve()  # no --charter and no stored charter
    assert code == 1 and "--charter" in err, err
    nothing_written()
    charter = {"alliance": NEW, "adopted": "2016-05-10",
               "obligations": [{"member": firm, "ref": "NEW-1", "kind": "capital",
                                "amount": 100, "unit": "万元", "due": "2017-12-31"}],
               "benefit_sharing": {"method": "shapley"}}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**charter, "benefit_sharing": {"method": "nope"}},
                                  allow_unicode=True), encoding="utf-8")
    code, err = approve("--charter", str(bad))  # an invalid charter: its problems, no approval
    assert code == 1 and "bad.yaml" in err and "benefit_sharing.method" in err, err
    nothing_written()
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({**charter, "alliance": HZB}, allow_unicode=True),
                     encoding="utf-8")
    code, err = approve("--charter", str(other))  # another alliance's charter
    assert code == 1 and "other.yaml" in err and HZB in err, err
    nothing_written()

    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(charter, allow_unicode=True), encoding="utf-8")
    code, out = approve("--charter", str(good))
    assert code == 0, out
    inputs = json.loads(out)["inputs"]
    assert inputs["charter"] == "good.yaml" and inputs["charter_version"] == 1
    assert _status(demo, NEW) == "approved"
    stored = charter_versions(demo, NEW)
    assert [(c.version, c.source) for c in stored] == [(1, "good.yaml")]
    assert uni  # the lead needs no obligation
