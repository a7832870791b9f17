"""Accounts, roles and authorization: the role matrix over every route against access.RULES
(with scoping), login and its rate limit, CSRF, cookie flags, Argon2 hashes, API tokens and the
``innoalliance user`` commands; on both backends."""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select
from starlette.routing import Mount
from typer.testing import CliRunner

from innoalliance.cli.app import app as cli
from innoalliance.model import (
    Alliance,
    ApiToken,
    Commitment,
    Membership,
    Offer,
    Organization,
    User,
)
from innoalliance.store.passwords import hash_token
from innoalliance.web.access import RULES, allowed
from innoalliance.web.app import create_app
from innoalliance.web.auth import Principal
from innoalliance.workflows.accounts.users import add_user, issue_token, revoke_tokens
from innoalliance.workflows.common import save_run

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from fastapi.testclient import TestClient as TestClient  # re-exported to the web tests

A = "电动汽车产学研技术创新联盟"
PASSWORD = "correct horse battery"
ROLES = ("anonymous", "public", "member", "secretariat", "committee", "admin")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(client: TestClient) -> str:
    found = CSRF.search(client.get("/login").text)
    assert found
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf": csrf_of(client)}, follow_redirects=False)


@pytest.fixture
def world(demo_engine: Engine) -> dict[str, Any]:
    """Users of every role (unique names: the demo store is shared), and alliances A and B."""
    with demo_engine.connect() as conn:
        other = conn.execute(select(Alliance.name_zh).where(Alliance.name_zh != A)
                             .order_by(Alliance.name_zh)).scalars().first()
        member_org, offer = conn.execute(  # a member of A with a technology offer of its own
            select(Membership.organization, Offer.title)
            .join(Offer, Offer.organization == Membership.organization)
            .where(Membership.alliance == A)
            .order_by(Membership.organization, Offer.title)).first() or (None, None)
        codes = list(conn.execute(select(Organization.credit_code)).scalars())
        refs = {n: conn.execute(select(Commitment.ref).where(Commitment.alliance == n)
                                .order_by(Commitment.ref)).scalars().first() for n in (A, other)}
    assert other and member_org and offer and all(refs.values())
    tag = uuid.uuid4().hex[:8]
    scope = {"public": {}, "member": {"organization": member_org},
             "secretariat": {"alliance": A}, "committee": {"alliance": A}, "admin": {}}
    users: dict[str, Principal] = {}
    for role, extra in scope.items():
        user = add_user(demo_engine, f"{role}-{tag}", role, PASSWORD, **extra)
        users[role] = Principal(user.id, user.username, role, user.organization, user.alliance)
    run = save_run(demo_engine, "evaluate", {"system": "alliance_activity", "tag": tag}, {},
                   {"scores": [{"alliance": A, "year": 2018, "score": 61.5, "grade": "high"}],
                    "weights": {"x": 0.5, "y": 0.5}})
    return {"users": users, "B": other, "org": member_org, "codes": codes, "tag": tag,
            "refs": refs, "offer": offer, "run": run}


@pytest.fixture
def app_client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(demo_url)) as c:
        yield c


def _requests(route: Any, world: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """Concrete (method, url, path params) to try for one route: alliances A and B, a public
    and a private kind of record (``{key}``: a commitment of the alliance in ``{name}``), the
    member's own offer."""
    if isinstance(route, Mount):
        asset = "swagger-ui.css" if "swagger" in route.path else "style.css"
        return [("GET", f"{route.path}/{asset}", {})]
    method = "POST" if "POST" in route.methods else "GET"
    path: str = (route.path.replace("{run_id}", str(world["run"]))
                 .replace("{username}", world["users"]["public"].username))
    if "{name}" not in path:
        if "{kind}" in path:
            path = path.replace("{kind}", "offers").replace("{key}", quote(world["offer"]))
            return [(method, path, {"kind": "offers"})]
        return [(method, path, {})]
    refs = world["refs"]
    kinds = ["commitments"] if "{key}" in path or "{kind}" not in path else ["commitments",
                                                                              "projects"]
    return [(method, path.replace("{name}", quote(n)).replace("{kind}", k)
             .replace("{key}", quote(refs[n])), {"name": n, "kind": k, "key": refs[n]})
            for n in (A, world["B"]) for k in kinds]


def _refused(response: Any, url: str, anonymous: bool) -> bool:
    if anonymous:
        if url.startswith("/api/"):
            return bool(response.status_code == 401)
        return bool(response.status_code == 303
                    and response.headers["location"].startswith("/login"))
    return bool(response.status_code == 403)


def test_every_route_has_a_rule(app_client: TestClient) -> None:
    names = {r.name for r in app_client.app.routes}  # type: ignore[attr-defined]
    assert names == set(RULES)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(demo_url: str, world: dict[str, Any], role: str) -> None:
    user = world["users"].get(role)
    with TestClient(create_app(demo_url)) as client:
        if user is not None:
            assert login(client, user.username).status_code == 303
        routes = sorted(client.app.routes,  # type: ignore[attr-defined]
                        key=lambda r: r.name == "logout")  # signing out last
        for route in routes:
            for method, url, params in _requests(route, world):
                data = {"csrf": csrf_of(client), "username": "nobody", "password": "x"}
                response = (client.post(url, data=data, follow_redirects=False)
                            if method == "POST" else client.get(url, follow_redirects=False))
                expect = allowed(route.name, user, params)
                assert response.status_code < 500, (role, url, response.text[:300])
                refused = _refused(response, url, user is None)
                assert refused is not expect, (role, route.name, url, response.status_code)
                if expect and method == "GET":
                    assert response.status_code == 200, (role, url, response.text[:300])


def test_secretariat_scoped_to_its_alliance(app_client: TestClient,
                                            world: dict[str, Any]) -> None:
    login(app_client, world["users"]["secretariat"].username)
    own = app_client.get(f"/alliances/{A}/secretariat")
    assert own.status_code == 200 and A in own.text
    assert app_client.get(f"/alliances/{world['B']}/secretariat").status_code == 403
    assert app_client.get("/me").status_code == 403
    assert app_client.get("/api/v1/me").status_code == 403


def test_member_sees_only_its_own_record(app_client: TestClient, world: dict[str, Any]) -> None:
    login(app_client, world["users"]["member"].username)
    r = app_client.get("/api/v1/me")
    assert r.status_code == 200, r.text
    data = r.json()
    own = world["org"]
    assert data["organization"]["credit_code"] == own
    assert {m["alliance"] for m in data["memberships"]} >= {A}
    for item in data["commitments"] + data["contributions"]:
        assert item["organization"] == own
    assert data["credit"] and all("grade" in c or "error" in c for c in data["credit"])
    rated = [c for c in data["credit"] if "grade" in c]
    assert rated and all(c["drivers"] for c in rated)
    text = r.text
    assert not [c for c in world["codes"] if c != own and c in text]
    past = app_client.get("/api/v1/me", params={"as_of": "2020-12-31"}).json()
    assert past["as_of"] == "2020-12-31" and past["credit"][0]["as_of"] == "2020-12-31"
    page = app_client.get("/me", params={"lang": "en"})
    assert page.status_code == 200 and "My organization" in page.text
    assert app_client.get("/admin/users").status_code == 403
    assert app_client.get(f"/alliances/{A}/secretariat").status_code == 403


def test_admin_lists_users_without_hashes(app_client: TestClient, world: dict[str, Any]) -> None:
    login(app_client, world["users"]["admin"].username)
    text, number = "", 0
    while True:  # every page of the list (issue 16 item 9: paged by 50)
        number += 1
        page = app_client.get("/admin/users", params={"page": number})
        assert page.status_code == 200
        text += page.text
        if f"page={number + 1}" not in page.text:
            break
    for user in world["users"].values():
        assert user.username in text
    assert "$argon2" not in text
    assert app_client.get(f"/alliances/{world['B']}/secretariat").status_code == 200


def test_wrong_password_and_rate_limit(app_client: TestClient, world: dict[str, Any]) -> None:
    name = world["users"]["public"].username
    for _ in range(5):
        r = login(app_client, name, "wrong password")
        assert r.status_code == 401 and "session" not in str(r.headers.get("location", ""))
    assert login(app_client, name, PASSWORD).status_code == 429
    assert app_client.get("/api/v1/me").status_code == 401
    other = world["users"]["admin"].username  # another user name is not blocked
    assert login(app_client, other).status_code == 303


def test_post_without_csrf_is_refused(app_client: TestClient, world: dict[str, Any]) -> None:
    name = world["users"]["admin"].username
    data = {"username": name, "password": PASSWORD}
    assert app_client.post("/login", data=data).status_code == 403
    assert app_client.post("/login", data={**data, "csrf": "forged"}).status_code == 403
    assert login(app_client, name).status_code == 303
    assert app_client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert app_client.get("/admin/users").status_code == 200  # still signed in
    out = app_client.post("/logout", data={"csrf": csrf_of(app_client)},
                          follow_redirects=False)
    assert out.status_code == 303
    assert app_client.get("/admin/users", follow_redirects=False).status_code == 303


def test_cookie_flags(demo_url: str, world: dict[str, Any],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(demo_url)) as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        r = login(client, world["users"]["member"].username)
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
    monkeypatch.setenv("INNOALLIANCE_SECURE_COOKIES", "1")
    with TestClient(create_app(demo_url)) as client:
        assert "secure" in client.get("/login").headers["set-cookie"].lower()


def test_forged_session_cookie_is_ignored(demo_url: str, world: dict[str, Any],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INNOALLIANCE_SECRET", "one secret of the test, long enough to be taken")
    with TestClient(create_app(demo_url)) as first:
        login(first, world["users"]["admin"].username)
        stolen = first.cookies.get("session")
    assert stolen
    monkeypatch.setenv("INNOALLIANCE_SECRET", "another secret of the test, long enough as well")
    with TestClient(create_app(demo_url)) as second:
        second.cookies.set("session", stolen)
        assert second.get("/api/v1/me").status_code == 401
    monkeypatch.setenv("INNOALLIANCE_SECRET", "one secret of the test, long enough to be taken")
    with TestClient(create_app(demo_url)) as third:
        third.cookies.set("session", stolen)
        assert third.get("/admin/users").status_code == 200


def test_passwords_and_tokens_are_hashed(demo_engine: Engine, world: dict[str, Any],
                                         app_client: TestClient) -> None:
    member = world["users"]["member"]
    token = issue_token(demo_engine, member.username)
    with demo_engine.connect() as conn:
        stored = conn.execute(select(User.password_hash)
                              .where(User.username == member.username)).scalar_one()
        hashes = list(conn.execute(select(ApiToken.token_hash)
                                   .where(ApiToken.user == member.id)).scalars())
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert hashes == [hash_token(token)] and token not in hashes
    bearer = {"Authorization": f"Bearer {token}"}
    r = app_client.get("/api/v1/me", headers=bearer)
    assert r.status_code == 200 and r.json()["organization"]["credit_code"] == world["org"]
    assert app_client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}
                          ).status_code == 401
    assert revoke_tokens(demo_engine, member.username) == 1
    assert app_client.get("/api/v1/me", headers=bearer).status_code == 401
    admin_token = issue_token(demo_engine, world["users"]["admin"].username)
    assert app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {admin_token}"}
                          ).status_code == 403


def test_user_commands(demo_url: str, world: dict[str, Any]) -> None:
    runner = CliRunner()
    tag = world["tag"]

    def user(*args: str, stdin: str = PASSWORD + "\n") -> tuple[int, str]:
        result = runner.invoke(cli, ["user", *args, "--db", demo_url], input=stdin)
        return result.exit_code, result.output

    code, out = user("add", f"cli-{tag}", "--role", "member", "--organization", world["org"],
                     "--password-stdin")
    assert code == 0, out
    code, out = user("add", f"cli-{tag}", "--role", "admin", "--password-stdin")
    assert code == 1 and "already exists" in out
    code, out = user("add", f"cli2-{tag}", "--role", "member", "--password-stdin")
    assert code == 1 and "--organization" in out
    code, out = user("add", f"cli3-{tag}", "--role", "secretariat", "--alliance", A[:-1],
                     "--password-stdin")
    assert code == 1 and "did you mean" in out and A in out
    code, out = user("add", f"cli4-{tag}", "--role", "boss", "--password-stdin")
    assert code == 1 and "must be one of" in out
    code, out = user("token", f"cli-{tag}")
    assert code == 0 and len(out.strip()) > 30
    with TestClient(create_app(demo_url)) as client:
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {out.strip()}"})
        assert r.status_code == 200
    code, out = user("revoke", f"cli-{tag}")
    assert code == 0 and "1 token" in out
    code, out = user("token", f"nobody-{tag}")
    assert code == 1 and "no user" in out
