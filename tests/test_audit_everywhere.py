"""Every write to the store appends who, when, what, before and after to the audit log: violation
events, recorded allocations, runs, life-cycle steps, members joining and leaving, web accounts
and the demo's histories, each in the same transaction as the write."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from innoalliance.cli.app import app
from innoalliance.demo.loader import WHO as DEMO_ACTOR
from innoalliance.demo.loader import load_demo
from innoalliance.errors import ConflictError
from innoalliance.model import ApiToken, AuditEntry, Membership, Organization, User
from innoalliance.store.audit import audit_entry, key_text
from innoalliance.store.engine import make_engine, transaction
from innoalliance.workflows.accounts.users import add_user
from innoalliance.workflows.common import save_run
from innoalliance.workflows.govern.lifecycle import member_join, member_leave
from innoalliance.workflows.register.records import last_change
from innoalliance.workflows.share.allocations import record_allocation

from .conftest import BACKENDS, _url
from .test_cli import run

EV = "电动汽车产学研技术创新联盟"  # chartered; two commitments in default at 2016-12-31
DEFAULTER = "91440100MAUM7M5908"
HZB = "杭州湾新材料产业技术创新战略联盟"  # proposed in the demo
SHANLIAN = "闪联产业联盟"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[str, Engine]]:
    """A writable demo store (with its charters) of this module's own, one per backend."""
    for url in _url(request.param, tmp_path_factory.mktemp("audit")):
        eng = make_engine(url)
        load_demo(eng)
        yield url, eng
        eng.dispose()


def _entries(engine: Engine, kind: str, action: str | None = None
             ) -> list[tuple[str, dt.datetime, dict[str, Any]]]:
    """(actor, at, detail) of the audit entries of ``kind`` (and ``action``), newest first."""
    query = select(AuditEntry.actor, AuditEntry.at, AuditEntry.detail).where(
        AuditEntry.kind == kind)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with engine.connect() as conn:
        return [(a, at, json.loads(d)) for a, at, d in
                conn.execute(query.order_by(AuditEntry.id.desc()))]


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def _raw(engine: Engine, kind: str) -> list[str]:
    """The stored detail texts of ``kind``, for looking for secrets in them."""
    with engine.connect() as conn:
        return list(conn.execute(select(AuditEntry.detail).where(AuditEntry.kind == kind))
                    .scalars())


def test_the_helper_appends_json_detail(engine: Engine) -> None:
    before = _count(engine)
    with transaction(engine) as session:
        audit_entry(session, "tester", "edit", "things", key=key_text("A", 1),
                    day=dt.date(2020, 1, 2), note="中文")
    assert _count(engine) == before + 1
    actor, at, detail = _entries(engine, "things")[0]
    assert actor == "tester" and at is not None
    assert detail == {"key": "A | 1", "day": "2020-01-02", "note": "中文"}
    with pytest.raises(RuntimeError), transaction(engine) as session:  # rolled back together
        audit_entry(session, "tester", "edit", "things", key="B")
        raise RuntimeError("the write failed")
    assert _count(engine) == before + 1


def test_recorded_violation_events_are_audited(store: tuple[str, Engine],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    url, eng = store
    monkeypatch.setenv("INNOALLIANCE_ACTOR", "enforcement officer")
    code, out, err = run("govern", "check", "--as-of", "2016-12-31", "--alliance", EV,
                         "--record", "--db", url, "--json")
    assert code == 0, err
    recorded = json.loads(out)["alliances"][0]["recorded"]
    assert recorded == ["DEFAULT-C-005", "DEFAULT-C-008"]
    entries = _entries(eng, "events", "record")
    assert len(entries) == 1
    actor, _, detail = entries[0]
    keys = [key_text(EV, ref) for ref in recorded]
    assert actor == "enforcement officer" and detail["inserted_keys"] == keys
    first = detail["inserted_records"][0]
    assert first["key"] == keys[0]
    after = first["after"]
    assert (after["alliance"], after["ref"], after["type"], after["organization"]) == (
        EV, "DEFAULT-C-005", "violation", DEFAULTER)
    assert after["date"] and "in default" in after["description"]
    changed = last_change(eng, "events", keys[1])
    assert changed is not None and changed[0] == "enforcement officer"
    before = _count(eng)  # nothing new to record: no entry
    code, _, err = run("govern", "check", "--as-of", "2016-12-31", "--alliance", EV,
                       "--record", "--db", url, "--json")
    assert code == 0, err
    assert _count(eng) == before
    code, _, err = run("govern", "check", "--as-of", "2016-12-31", "--db", url, "--json")
    assert code == 0, err
    assert _count(eng) == before  # a check without --record writes nothing


def test_recorded_allocations_are_audited(store: tuple[str, Engine]) -> None:
    _, eng = store
    entry = record_allocation(eng, alliance=SHANLIAN, subject="audit test profit 2016",
                              kind="profit", method="shapley",
                              payload={"allocation": {"A": 1.5, "B": 2}}, who="committee")
    actor, _, detail = _entries(eng, "allocations", "record")[0]
    assert actor == "committee"
    assert detail == {"key": str(entry.id), "id": entry.id, "alliance": SHANLIAN,
                      "subject": "audit test profit 2016", "allocation_kind": "profit",
                      "method": "shapley", "hash": entry.hash, "prev_hash": entry.prev_hash,
                      "before": None}


def test_runs_are_audited_with_their_actor(store: tuple[str, Engine],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, eng = store
    params = {"alliance": SHANLIAN, "as_of": dt.date(2016, 12, 31)}
    run_id = save_run(eng, "audit-test", params, {"rows": 3}, {"ok": True}, who="analyst")
    actor, _, detail = _entries(eng, "runs", "run")[0]
    assert actor == "analyst"
    assert detail == {"key": str(run_id), "id": run_id, "workflow": "audit-test",
                      "parameters": {"alliance": SHANLIAN, "as_of": "2016-12-31"}}
    monkeypatch.setenv("INNOALLIANCE_ACTOR", "night batch")  # callers that pass no one
    other = save_run(eng, "audit-test", {}, {}, {})
    actor, _, detail = _entries(eng, "runs", "run")[0]
    assert (actor, detail["id"]) == ("night batch", other)
    assert last_change(eng, "runs", str(other)) is not None


def test_the_demo_runs_are_audited(store: tuple[str, Engine], tmp_path: Path) -> None:
    url, eng = store
    code, _, err = run("share", "run", "--alliance", EV, "--as-of", "2016-12-31",
                       "--output", str(tmp_path / "p"), "--db", url, "--json")
    assert code == 0, err
    workflows = {d["workflow"] for _, _, d in _entries(eng, "runs", "run")}
    assert "share" in workflows


def test_life_cycle_transitions_are_audited(store: tuple[str, Engine],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url, eng = store
    monkeypatch.setenv("INNOALLIANCE_ACTOR", "liaison office")
    code, out, err = run("alliance", "transition", HZB, "--to", "approved", "--reason",
                         "approved in batch 4", "--batch", "4", "--year", "2016",
                         "--department", "浙江省科学技术厅",  # the stored charter
                         "--as-of", "2016-09-01", "--db", url, "--json")
    assert code == 0, out + err
    actor, _, detail = _entries(eng, "alliances", "transition")[0]
    assert actor == "liaison office" and detail["key"] == HZB
    assert detail["before"]["state"] == "proposed" and detail["before"]["status"] == "proposed"
    assert detail["after"] == {"state": "approved", "status": "approved", "batch": 4,
                               "approval_year": 2016}
    assert detail["reason"] == "approved in batch 4"
    assert detail["when"].startswith("2016-09-01")
    assert last_change(eng, "alliances", HZB) is not None
    before = _count(eng)  # a refused step writes neither the step nor an audit entry
    code, _, _ = run("alliance", "transition", HZB, "--to", "dissolved", "--reason", "x",
                     "--db", url)
    assert code == 1 and _count(eng) == before


def test_members_joining_and_leaving_are_audited(store: tuple[str, Engine]) -> None:
    _, eng = store
    with transaction(eng) as session:
        members = set(session.execute(select(Membership.organization)
                                      .where(Membership.alliance == SHANLIAN)).scalars())
        outsider = next(c for c in session.execute(
            select(Organization.credit_code).order_by(Organization.credit_code)).scalars()
            if c not in members)
    key = key_text(SHANLIAN, outsider)
    member_join(eng, SHANLIAN, outsider, "member", dt.date(2017, 3, 1), who="secretariat",
                reason="brings a test lab")
    actor, _, detail = _entries(eng, "memberships", "join")[0]
    assert (actor, detail["key"], detail["before"]) == ("secretariat", key, None)
    assert detail["after"] == {"role": "member", "joined": "2017-03-01", "left": None}
    assert detail["reason"] == "brings a test lab"
    member_leave(eng, SHANLIAN, outsider, dt.date(2018, 6, 30), who="secretariat",
                 reason="moved away")
    actor, _, detail = _entries(eng, "memberships", "leave")[0]
    assert (actor, detail["key"]) == ("secretariat", key)
    assert detail["before"] == {"role": "member", "joined": "2017-03-01", "left": None}
    assert detail["after"] == {"role": "member", "joined": "2017-03-01", "left": "2018-06-30"}
    member_join(eng, SHANLIAN, outsider, "observer", dt.date(2019, 1, 1), who="secretariat",
                reason="came back")
    _, _, detail = _entries(eng, "memberships", "join")[0]
    assert detail["before"] == {"role": "member", "joined": "2017-03-01",
                                "left": "2018-06-30"}
    assert detail["after"] == {"role": "observer", "joined": "2019-01-01", "left": None}
    assert last_change(eng, "memberships", key) is not None


def test_user_accounts_and_tokens_are_audited_without_secrets(
        store: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    url, eng = store
    monkeypatch.setenv("INNOALLIANCE_ACTOR", "platform admin")
    runner = CliRunner()
    done = runner.invoke(app, ["user", "add", "audit-sec", "--role", "secretariat",
                               "--alliance", SHANLIAN, "--password-stdin", "--db", url],
                         input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    actor, _, detail = _entries(eng, "users", "add")[0]
    assert actor == "platform admin"
    assert detail == {"key": "audit-sec", "before": None,
                      "after": {"role": "secretariat", "organization": None,
                                "alliance": SHANLIAN, "active": True}}
    with transaction(eng) as session:
        hashed = session.execute(select(User.password_hash)
                                 .where(User.username == "audit-sec")).scalar_one()
    before = _count(eng)
    with pytest.raises(ConflictError):  # a refused account is not audited
        add_user(eng, "audit-sec", "admin", PASSWORD)
    assert _count(eng) == before

    done = runner.invoke(app, ["user", "token", "audit-sec", "--db", url])
    assert done.exit_code == 0, done.output
    token = done.stdout.strip()
    actor, _, detail = _entries(eng, "api_tokens", "token")[0]
    assert (actor, detail) == ("platform admin", {"key": "audit-sec"})
    with transaction(eng) as session:
        token_hash = session.execute(select(ApiToken.token_hash).order_by(
            ApiToken.id.desc())).scalars().first()
    assert token_hash

    done = runner.invoke(app, ["user", "revoke", "audit-sec", "--db", url])
    assert done.exit_code == 0, done.output
    actor, _, detail = _entries(eng, "api_tokens", "revoke")[0]
    assert (actor, detail) == ("platform admin", {"key": "audit-sec", "revoked": 1})

    texts = _raw(eng, "users") + _raw(eng, "api_tokens")
    for secret in (PASSWORD, hashed, token, token_hash):
        assert all(secret not in t for t in texts)
    assert all("password" not in t and "hash" not in t for t in texts)


def test_the_demo_histories_are_audited(store: tuple[str, Engine]) -> None:
    _, eng = store
    entries = _entries(eng, "alliance_transitions", "demo")
    assert len(entries) == 1  # written once, with the histories
    actor, _, detail = entries[0]
    assert actor == DEMO_ACTOR and detail["count"] > 0 and detail["alliances"] > 0
