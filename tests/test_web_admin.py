"""The admin on the web (issue 9): adds users (the same checks as ``innoalliance user add``),
disables and enables them (a disabled user's session and tokens stop working), revokes their
API tokens, and imports any kind of table with every problem listed; all audited; both
backends."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from innoalliance.ingest.creditcode import complete
from innoalliance.model import AuditEntry, Organization
from innoalliance.web.app import create_app
from innoalliance.workflows.accounts.users import issue_token

from .test_web_auth import CSRF, PASSWORD, A, TestClient, login, world  # noqa: F401


@pytest.fixture
def admin(demo_url: str, world: dict[str, Any]) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(demo_url)) as c:
        assert login(c, world["users"]["admin"].username).status_code == 303
        yield c


def csrf(client: TestClient) -> str:
    found = CSRF.search(client.get("/admin/users").text)
    assert found
    return found.group(1)


def audited(engine: Engine, kind: str, key: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
                            .where(AuditEntry.kind == kind).order_by(AuditEntry.id)).all()
    return [{"actor": a, "action": b, **json.loads(d)} for a, b, d in rows
            if json.loads(d).get("key") == key]


def test_admin_adds_disables_and_enables_a_user(admin: TestClient, demo_url: str,
                                                demo_engine: Engine,
                                                world: dict[str, Any]) -> None:  # noqa: F811
    name = f"web-user-{uuid.uuid4().hex[:6]}"
    token = csrf(admin)
    bad = admin.post("/admin/users?lang=en", data={
        "username": name, "role": "secretariat", "password": PASSWORD,
        "alliance": "no such alliance", "csrf": token})
    assert bad.status_code == 422 and "alliance" in bad.text
    r = admin.post("/admin/users", data={"username": name, "role": "secretariat",
                                         "password": PASSWORD, "alliance": A, "csrf": token},
                   follow_redirects=False)
    assert r.status_code == 303
    entry = audited(demo_engine, "users", name)[-1]
    assert entry["actor"] == world["users"]["admin"].username and entry["action"] == "add"
    assert PASSWORD not in json.dumps(entry)
    bearer = {"Authorization": f"Bearer {issue_token(demo_engine, name)}"}
    with TestClient(create_app(demo_url)) as user:
        assert login(user, name).status_code == 303
        assert user.get(f"/alliances/{A}/secretariat").status_code == 200
        assert admin.post(f"/admin/users/{name}/active", data={"active": "0", "csrf": token},
                          follow_redirects=False).status_code == 303
        assert user.get(f"/alliances/{A}/secretariat", follow_redirects=False
                        ).status_code == 303  # signed out: back to the login page
        assert user.get("/api/v1/alliances/x/records/events", headers=bearer
                        ).status_code == 401
        assert login(user, name).status_code == 401
        admin.post(f"/admin/users/{name}/active", data={"active": "1", "csrf": token})
        assert user.get("/api/v1/alliances/x/records/events", headers=bearer
                        ).status_code == 401  # enabling revives no token (issue 16 item 14)
        assert login(user, name).status_code == 303
    bearer = {"Authorization": f"Bearer {issue_token(demo_engine, name)}"}  # a new one
    assert [e["action"] for e in audited(demo_engine, "users", name)] == [
        "add", "disable", "enable"]
    page = admin.get("/admin/users")
    assert re.search(rf'{name}</td>.*?class="active">✓', page.text, re.S)
    assert admin.post(f"/admin/users/{name}/revoke", data={"csrf": token},
                      follow_redirects=False).status_code == 303
    with TestClient(create_app(demo_url)) as other:
        assert other.get(f"/api/v1/alliances/{A}/records/events", headers=bearer
                         ).status_code == 401
    assert audited(demo_engine, "api_tokens", name)[-1]["revoked"] == 1


def test_admin_imports_any_kind(admin: TestClient, demo_engine: Engine) -> None:
    token = csrf(admin)
    code = "91440300MA5FXXXX0X"  # not a valid credit code: its check digit is wrong
    bad = f"credit_code,name_zh,type,region\n{code},测试公司,enterprise,440300\n"
    r = admin.post("/admin/import?lang=en", data={"kind": "organizations", "csrf": token},
                   files={"file": ("orgs.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and 'data-field="credit_code"' in r.text
    with demo_engine.connect() as conn:
        assert conn.execute(select(Organization.id).where(Organization.credit_code == code)
                            ).first() is None
    r = admin.post("/admin/import", data={"kind": "nothing", "csrf": token},
                   files={"file": ("orgs.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    new = complete("91440300MA5" + uuid.uuid4().hex[:6].upper())
    same = f"credit_code,name_zh,type,region\n{new},测试公司{new[-4:]},enterprise,440300\n"
    r = admin.post("/admin/import?lang=en", data={"kind": "organizations", "csrf": token},
                   files={"file": ("orgs.csv", same.encode(), "text/csv")})
    assert r.status_code == 200 and "1 new" in r.text
    with demo_engine.connect() as conn:
        assert conn.execute(select(Organization.id).where(Organization.credit_code == new)
                            ).first() is not None


def test_demo_accounts_sign_in_as_each_role(engine: Engine) -> None:
    from innoalliance.demo.accounts import ACCOUNTS, PASSWORD, demo_accounts
    from innoalliance.demo.loader import load_demo
    from innoalliance.web.auth import Auth

    load_demo(engine)
    made = demo_accounts(engine)
    assert {role for _, role in made} == {"admin", "secretariat", "committee", "member",
                                          "public"}
    auth = Auth(engine, "secret")
    for username, role, organization, alliance in ACCOUNTS:
        user = auth.login(username, PASSWORD)
        assert user is not None and (user.role, user.organization, user.alliance) == (
            role, organization, alliance)
