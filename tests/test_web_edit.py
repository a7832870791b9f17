"""Secretariat editing of records, shown on commitments (issue 9): the import rules' validation
with every problem on the form, no lost updates (409 naming who changed the record last), an
audit entry with before and after for every web write, the admin's audit log and its CSV export;
on both backends."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.model import AuditEntry, Commitment
from innoalliance.web.app import create_app

from .test_web_auth import CSRF, A, TestClient, login, world  # noqa: F401

VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def target(demo_engine: Engine) -> Iterator[str]:
    """A capital commitment of alliance A; its values are put back afterwards (shared store)."""
    with Session(demo_engine) as db:
        row = db.execute(select(Commitment).where(Commitment.alliance == A,
                                                  Commitment.kind == "capital")
                         .order_by(Commitment.ref)).scalars().first()
        assert row is not None
        ref = row.ref
        saved = (row.amount, row.unit, row.due, row.description)
    yield ref
    with Session(demo_engine) as db, db.begin():
        row = db.execute(select(Commitment).where(Commitment.alliance == A,
                                                  Commitment.ref == ref)).scalar_one()
        row.amount, row.unit, row.due, row.description = saved


def url_of(ref: str, alliance: str = A) -> str:
    return f"/alliances/{quote(alliance)}/records/commitments/{quote(ref)}/edit"


def stored(engine: Engine, ref: str) -> tuple[float, str, str | None, str | None, int]:
    with engine.connect() as conn:
        row = conn.execute(select(Commitment.amount, Commitment.unit, Commitment.due,
                                  Commitment.description, Commitment.version)
                           .where(Commitment.alliance == A, Commitment.ref == ref)).one()
    due = row.due.isoformat() if row.due else None
    return float(row.amount), row.unit, due, row.description, int(row.version)


def open_form(client: TestClient, ref: str) -> tuple[str, str]:
    """(csrf, version) of the edit form."""
    r = client.get(url_of(ref))
    assert r.status_code == 200, r.text[:300]
    token, version = CSRF.search(r.text), VERSION.search(r.text)
    assert token and version
    return token.group(1), version.group(1)


def edits(engine: Engine, ref: str) -> list[dict[str, Any]]:
    """The edit entries of ``ref`` in the audit log, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.actor, AuditEntry.detail)
                            .where(AuditEntry.kind == "commitments", AuditEntry.action == "edit")
                            .order_by(AuditEntry.id.desc())).all()
    found = [(a, json.loads(d)) for a, d in rows]
    return [{"actor": a, **u} for a, d in found for u in d["updated_records"]
            if u["key"] == f"{A} | {ref}"]


GOOD = {"amount": "12.5", "unit": "万元", "due": "2030-01-31"}


def test_secretariat_edits_a_commitment(client: TestClient, demo_engine: Engine,
                                        world: dict[str, Any], target: str) -> None:  # noqa: F811
    user = world["users"]["secretariat"].username
    assert login(client, user).status_code == 303
    page = client.get(f"/alliances/{quote(A)}/secretariat")
    assert url_of(target) in page.text  # the secretariat page links to the edit form
    before = stored(demo_engine, target)
    token, version = open_form(client, target)
    assert int(version) == before[4]
    note = f"edited by {user}"
    r = client.post(url_of(target), data={**GOOD, "description": note, "version": version,
                                          "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert client.get(r.headers["location"]).status_code == 200
    after = stored(demo_engine, target)
    assert after == (125000.0, "元", "2030-01-31", note, before[4] + 1)
    entry = edits(demo_engine, target)[0]
    assert entry["actor"] == user
    changed: dict[str, list[object]] = {"amount": [before[0], 125000.0], "unit": [before[1], "元"],
               "due": [before[2], "2030-01-31"], "description": [before[3], note]}
    assert entry["changes"] == {k: v for k, v in changed.items() if v[0] != v[1]}


def test_stale_version_is_a_conflict(demo_url: str, client: TestClient, demo_engine: Engine,
                                     world: dict[str, Any], target: str) -> None:  # noqa: F811
    secretariat, admin = (world["users"][r].username for r in ("secretariat", "admin"))
    login(client, secretariat)
    token, seen = open_form(client, target)
    with TestClient(create_app(demo_url)) as other:  # the admin edits it first
        login(other, admin)
        admin_token, version = open_form(other, target)
        assert version == seen
        r = other.post(url_of(target), data={**GOOD, "description": "admin's change",
                                             "version": version, "csrf": admin_token},
                       follow_redirects=False)
        assert r.status_code == 303
    now = stored(demo_engine, target)
    late = client.post(url_of(target), data={"amount": "99", "unit": "元", "due": "",
                                             "description": "secretariat's change",
                                             "version": seen, "csrf": token},
                       follow_redirects=False)
    assert late.status_code == 409, late.text[:500]
    assert admin in late.text and "changed by" not in late.text  # Chinese by default
    assert stored(demo_engine, target) == now  # nothing overwritten
    assert edits(demo_engine, target)[0]["actor"] == admin
    english = client.post(url_of(target) + "?lang=en",
                          data={**GOOD, "version": seen, "csrf": token}, follow_redirects=False)
    assert english.status_code == 409 and f"changed by {admin}" in english.text
    assert f'name="version" value="{now[4]}"' in english.text  # the form shows the current row
    assert stored(demo_engine, target) == now


@pytest.mark.parametrize(("form", "fields"), [
    ({"amount": "-3", "unit": "人", "due": "2030-13-45"}, {"amount", "unit", "due"}),
    ({"amount": "lots", "unit": "furlongs", "due": "soon"}, {"amount", "unit", "due"}),
    ({"amount": "", "unit": "万元", "due": ""}, {"amount"}),
    ({"amount": "5", "unit": "万元", "due": "2030-01-01", "version": "x"}, {"version"}),
])
def test_bad_values_are_all_listed_and_nothing_written(
        client: TestClient, demo_engine: Engine, world: dict[str, Any],  # noqa: F811
        target: str, form: dict[str, str], fields: set[str]) -> None:
    login(client, world["users"]["admin"].username)
    before = stored(demo_engine, target)
    count = len(edits(demo_engine, target))
    token, version = open_form(client, target)
    r = client.post(url_of(target) + "?lang=en",
                    data={"version": version, **form, "csrf": token}, follow_redirects=False)
    assert r.status_code == 422, r.text[:500]
    listed = set(re.findall(r'class="problem" data-field="(\w+)"', r.text))
    assert listed == fields
    assert "nothing was saved" in r.text
    assert stored(demo_engine, target) == before
    assert len(edits(demo_engine, target)) == count


def test_committee_and_other_alliances_may_not_edit(
        client: TestClient, demo_engine: Engine, world: dict[str, Any],  # noqa: F811
        target: str) -> None:
    login(client, world["users"]["committee"].username)
    assert client.get(f"/alliances/{quote(A)}/secretariat").status_code == 200  # may view
    assert url_of(target) not in client.get(f"/alliances/{quote(A)}/secretariat").text
    before = stored(demo_engine, target)
    token = CSRF.search(client.get("/login").text)
    assert token
    data = {**GOOD, "version": str(before[4]), "csrf": token.group(1)}
    assert client.get(url_of(target)).status_code == 403
    assert client.post(url_of(target), data=data).status_code == 403
    fresh = TestClient(client.app)
    with fresh:
        login(fresh, world["users"]["secretariat"].username)
        other = world["B"]
        assert fresh.get(url_of(world["refs"][other], other)).status_code == 403
    assert stored(demo_engine, target) == before


def test_missing_csrf_is_refused(client: TestClient, demo_engine: Engine,
                                 world: dict[str, Any], target: str) -> None:  # noqa: F811
    login(client, world["users"]["secretariat"].username)
    _token, version = open_form(client, target)
    before = stored(demo_engine, target)
    assert client.post(url_of(target), data={**GOOD, "version": version}).status_code == 403
    assert client.post(url_of(target), data={**GOOD, "version": version, "csrf": "forged"}
                       ).status_code == 403
    assert stored(demo_engine, target) == before


def test_unknown_commitment_is_404(client: TestClient, world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["admin"].username)
    assert client.get(url_of("NO-SUCH-REF")).status_code == 404


def test_admin_browses_and_exports_the_audit_log(
        client: TestClient, world: dict[str, Any], target: str) -> None:  # noqa: F811
    user = world["users"]["secretariat"].username
    login(client, user)
    token, version = open_form(client, target)
    note = f"audited {world['tag']}"
    assert client.post(url_of(target), data={**GOOD, "description": note, "version": version,
                                             "csrf": token}, follow_redirects=False
                       ).status_code == 303
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    with TestClient(client.app) as admin:
        login(admin, world["users"]["admin"].username)
        page = admin.get("/admin/audit", params={"kind": "commitments", "actor": user})
        assert page.status_code == 200 and note in page.text and user in page.text
        newest = admin.get("/admin/audit")
        assert newest.status_code == 200 and note in newest.text  # newest first, page 1
        assert admin.get("/admin/audit", params={"actor": "nobody-at-all"}
                         ).text.count('class="actor"') == 0
        assert admin.get("/admin/audit", params={"page": 2}).status_code == 200
        export = admin.get("/admin/audit.csv", params={"kind": "commitments", "actor": user})
        assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
        assert rows and {r["actor"] for r in rows} == {user}
        detail = json.loads(rows[0]["detail"])
        assert detail["updated_records"][0]["changes"]["description"][1] == note
        everything = admin.get("/admin/audit.csv").text
        assert note in everything and "import" in everything
