"""Sessions revocable on the server, proxy headers trusted only when configured, the login limit
per user name, and the password rule (issue 16 items 14/15); on both backends.

Item 14: a copied session cookie stops working at logout; disabling a user revokes its sessions
and API tokens, so enabling it again revives none of them; an expired session is refused.
Item 15: ``serve`` trusts ``X-Forwarded-For`` only when told which proxies to trust; a login
name gets a bounded number of guesses however many client addresses guess it; common and
trivial passwords are refused wherever a password is set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from innoalliance.cli.app import app as cli
from innoalliance.errors import ValidationError
from innoalliance.model import User, WebSession
from innoalliance.store.passwords import hash_token, password_problem
from innoalliance.web.app import create_app
from innoalliance.web.auth import LOGIN_LIMIT, LOGIN_NAME_LIMIT
from innoalliance.workflows.accounts.users import (
    add_user,
    issue_token,
    set_active,
    set_password,
)

from .test_web_auth import CSRF, PASSWORD, A, TestClient, csrf_of, login, world  # noqa: F401

SECRET = "a secret of the session tests, long enough to be taken"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fixed session secret, so that a second application takes the first one's cookies."""
    monkeypatch.setenv("INNOALLIANCE_SECRET", SECRET)
    return SECRET


def _fresh_user(engine: Engine, role: str = "admin") -> str:
    name = f"sess-{uuid.uuid4().hex[:8]}"
    add_user(engine, name, role, PASSWORD, who="test")
    return name


def _client(url: str) -> TestClient:
    """A client of a new application (use it in ``with``: leaving disposes of its engine)."""
    return TestClient(create_app(url))


def _sign_in(client: TestClient, username: str) -> str:
    """Sign ``client`` in as ``username``; its session cookie."""
    assert login(client, username).status_code == 303
    cookie = client.cookies.get("session")
    assert cookie
    return cookie


def _with_cookie(url: str, cookie: str) -> TestClient:
    other = _client(url)
    other.cookies.set("session", cookie)
    return other


# -- item 14: sessions ---------------------------------------------------------------------------

def test_copied_cookie_stops_working_after_logout(demo_url: str, demo_engine: Engine,
                                                  secret: str) -> None:
    """Issue 16 item 14: logout revokes the session on the server, not only in the browser."""
    name = _fresh_user(demo_engine)
    with _client(demo_url) as owner, _client(demo_url) as thief:
        thief.cookies.set("session", _sign_in(owner, name))
        assert thief.get("/admin/users").status_code == 200  # a copy works while signed in
        out = owner.post("/logout", data={"csrf": csrf_of(owner)}, follow_redirects=False)
        assert out.status_code == 303
        assert thief.get("/admin/users", follow_redirects=False).status_code == 303
        assert thief.get("/api/v1/me").status_code == 401
        assert owner.get("/api/v1/me").status_code == 401
        assert login(owner, name).status_code == 303  # signing in again works
        assert owner.get("/admin/users").status_code == 200
        assert thief.get("/api/v1/me").status_code == 401  # the old copy stays dead


def test_cookie_carries_a_random_session_id_stored_hashed(demo_url: str, demo_engine: Engine,
                                                           secret: str) -> None:
    """Issue 16 item 14: the cookie holds a random session id and the CSRF token, not the user
    id; the store keeps only the id's SHA-256 hash, with its expiry."""
    name = _fresh_user(demo_engine)
    with _client(demo_url) as client:
        cookie = _sign_in(client, name)
    data = URLSafeTimedSerializer(secret, salt="innoalliance-session").loads(cookie)
    assert set(data) == {"sid", "csrf"}
    with demo_engine.connect() as conn:
        rows = conn.execute(select(WebSession.session_hash, WebSession.revoked,
                                   WebSession.created_at, WebSession.expires_at)
                            .join(User, User.id == WebSession.user)
                            .where(User.username == name)).all()
    assert len(rows) == 1
    digest, revoked, created, expires = rows[0]
    assert digest == hash_token(data["sid"]) and data["sid"] not in digest and not revoked
    assert dt.timedelta(hours=7) < expires - created <= dt.timedelta(hours=8, seconds=1)


def test_old_style_cookie_with_a_user_id_is_refused(demo_url: str, demo_engine: Engine,
                                                    secret: str) -> None:
    """Issue 16 item 14: a signed cookie naming a user id (the old format) signs no one in."""
    name = _fresh_user(demo_engine)
    with demo_engine.connect() as conn:
        uid = conn.execute(select(User.id).where(User.username == name)).scalar_one()
    forged = URLSafeTimedSerializer(secret, salt="innoalliance-session").dumps(
        {"uid": uid, "csrf": "x"})
    with _with_cookie(demo_url, forged) as client:
        assert client.get("/api/v1/me").status_code == 401


def test_disable_then_enable_revives_no_session_or_token(demo_url: str, demo_engine: Engine,
                                                        world: dict[str, Any],  # noqa: F811
                                                        secret: str) -> None:
    """Issue 16 item 14: disabling revokes every session and API token of the user; enabling
    it again does not bring them back: the user signs in again and gets a new token."""
    name = world["users"]["member"].username
    token = issue_token(demo_engine, name)
    bearer = {"Authorization": f"Bearer {token}"}
    with _client(demo_url) as client:
        cookie = _sign_in(client, name)
        assert client.get("/api/v1/me").status_code == 200
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        assert set_active(demo_engine, name, False) is True
        assert client.get("/api/v1/me").status_code == 401
        assert set_active(demo_engine, name, True) is False
        assert client.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me", headers=bearer).status_code == 401
    with _with_cookie(demo_url, cookie) as copy:
        assert copy.get("/api/v1/me").status_code == 401
        assert login(copy, name).status_code == 303
        assert copy.get("/api/v1/me").status_code == 200
        fresh = {"Authorization": f"Bearer {issue_token(demo_engine, name)}"}
        assert copy.get("/api/v1/me", headers=fresh).status_code == 200


def test_expired_session_is_refused(demo_url: str, demo_engine: Engine, secret: str) -> None:
    """Issue 16 item 14: the server refuses a session past its expiry, whatever the cookie."""
    name = _fresh_user(demo_engine)
    with _client(demo_url) as client:
        _sign_in(client, name)
        assert client.get("/api/v1/me").status_code == 403  # signed in (an admin has no /me)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        with demo_engine.begin() as conn:
            uid = conn.execute(select(User.id).where(User.username == name)).scalar_one()
            conn.execute(update(WebSession).where(WebSession.user == uid)
                         .values(expires_at=past))
        assert client.get("/api/v1/me").status_code == 401
        assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_new_password_ends_sessions(demo_url: str, demo_engine: Engine, secret: str) -> None:
    """Issue 16 item 14: setting a new password revokes the user's sessions and checks the
    password rule; only the new password signs in afterwards."""
    name = _fresh_user(demo_engine)
    new = "another good passphrase 7"
    with _client(demo_url) as client:
        _sign_in(client, name)
        with pytest.raises(ValidationError, match="common"):
            set_password(demo_engine, name, "password123")
        assert client.get("/admin/users").status_code == 200  # a refused change ends nothing
        set_password(demo_engine, name, new, who="test")
        assert client.get("/admin/users", follow_redirects=False).status_code == 303
        assert login(client, name).status_code == 401
        assert login(client, name, new).status_code == 303


def test_anonymous_visitor_keeps_csrf_without_a_session_row(demo_url: str, demo_engine: Engine,
                                                            secret: str) -> None:
    """Issue 16 item 14: the login form's CSRF token works for a visitor with no session, and
    visiting stores nothing on the server."""
    with demo_engine.connect() as conn:
        before = len(conn.execute(select(WebSession.id)).all())
    with TestClient(create_app(demo_url)) as client:
        token = csrf_of(client)
        assert token == csrf_of(client)  # stable across requests
        r = client.post("/login", data={"username": "nobody-at-all", "password": "x",
                                        "csrf": token}, follow_redirects=False)
        assert r.status_code == 401
    with demo_engine.connect() as conn:
        assert len(conn.execute(select(WebSession.id)).all()) == before


# -- item 15: the login limit --------------------------------------------------------------------

def test_rotating_client_addresses_hits_the_per_name_limit(demo_url: str, demo_engine: Engine,
                                                           secret: str) -> None:
    """Issue 16 item 15: failures count per user name and client (LOGIN_LIMIT) and per user
    name alone (LOGIN_NAME_LIMIT), so new client addresses do not give unlimited guesses."""
    name = _fresh_user(demo_engine)
    app = create_app(demo_url)
    failures = 0
    for n in range(LOGIN_NAME_LIMIT // LOGIN_LIMIT + 1):
        with TestClient(app, client=(f"10.0.0.{n + 1}", 4000)) as guesser:
            for _ in range(LOGIN_LIMIT):
                r = login(guesser, name, "wrong password")
                if failures < LOGIN_NAME_LIMIT:
                    assert r.status_code == 401, (n, failures)
                    failures += 1
                else:
                    assert r.status_code == 429
            assert login(guesser, name, "wrong password").status_code == 429
    with TestClient(app, client=("10.9.9.9", 4000)) as owner:
        assert login(owner, name).status_code == 429  # the name is held for the window
        other = _fresh_user(demo_engine)
        assert login(owner, other).status_code == 303  # other names are not


# -- item 15: proxy headers ----------------------------------------------------------------------

def _serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, *args: str) -> dict[str, Any]:
    monkeypatch.setenv("INNOALLIANCE_SECRET", SECRET)
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(k))
    result = CliRunner().invoke(cli, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                                      *args])
    assert result.exit_code == 0, result.output
    (kwargs,) = started
    return kwargs


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_trusts_no_proxy_headers_by_default(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Any, workers: str) -> None:
    """Issue 16 item 15: without --forwarded-allow-ips or $FORWARDED_ALLOW_IPS, uvicorn runs
    with proxy_headers=False: a local client's X-Forwarded-For is not taken."""
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    kwargs = _serve(monkeypatch, tmp_path, "--workers", workers)
    assert kwargs["proxy_headers"] is False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_trusts_the_configured_proxy(monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
                                           workers: str) -> None:
    """Issue 16 item 15: --forwarded-allow-ips (or $FORWARDED_ALLOW_IPS) turns proxy headers on
    for those addresses only."""
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    kwargs = _serve(monkeypatch, tmp_path, "--workers", workers,
                    "--forwarded-allow-ips", "10.0.0.1")
    assert kwargs["proxy_headers"] is True and kwargs["forwarded_allow_ips"] == "10.0.0.1"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "192.168.1.2")
    kwargs = _serve(monkeypatch, tmp_path, "--workers", workers)
    assert kwargs["proxy_headers"] is True and kwargs["forwarded_allow_ips"] == "192.168.1.2"


def test_serve_help_says_proxy_headers_are_off_by_default() -> None:
    """Issue 16 item 15: the option's help no longer promises 127.0.0.1 by default."""
    result = CliRunner().invoke(cli, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "127.0.0.1;" not in result.output and "default $FORWARDED_ALLOW_IPS or" not in (
        result.output)


# -- item 15: the password rule ------------------------------------------------------------------

WEAK = [
    ("password", "alice", "common"),
    ("        ", "alice", "only spaces"),
    ("alice", "alice", "user name"),
    ("Alice-The-Great", "alice", "user name"),
    ("aaaaaaaaaaaa", "alice", "one character"),
    ("1234567890", "alice", "sequence"),
    ("0987654321", "alice", "sequence"),
    ("qwertyuiop", "alice", "sequence"),
    ("abcabcabcabc", "alice", "repeats"),
    ("short1!", "alice", "at least 10"),
    ("password2024!", "alice", "common"),
    ("iloveyou12", "alice", "common"),
    ("Password123", "alice", "common"),
]


@pytest.mark.parametrize(("password", "username", "why"), WEAK)
def test_weak_passwords_have_a_reason(password: str, username: str, why: str) -> None:
    """Issue 16 item 15: each trivial or common password is refused with its reason."""
    problem = password_problem(password, username)
    assert problem is not None and why in problem, problem


@pytest.mark.parametrize("password", [PASSWORD, "long enough password", "Tr0ub4dor&3-kiwi",
                                      "铁路桥梁监测联盟二〇二四年", "innoalliance-demo"])
def test_good_passwords_pass(password: str) -> None:
    """Issue 16 item 15: long, unrelated passphrases pass (the demo password too)."""
    assert password_problem(password, "alice") is None


def test_common_password_list_ships_with_the_package() -> None:
    """Issue 16 item 15: the list of common passwords is package data, a few hundred long."""
    from importlib.resources import files

    text = (files("innoalliance.store") / "common_passwords.txt").read_text(encoding="utf-8")
    words = [w for w in text.splitlines() if w and not w.startswith("#")]
    assert len(words) >= 200 and "password" in words and "123456" in words


@pytest.mark.parametrize(("password", "why"), [
    ("password", "common"), ("        ", "only spaces"), ("alice", "user name"),
    ("aaaaaaaaaaaa", "one character"), ("1234567890", "sequence")])
def test_add_user_refuses_weak_passwords(engine: Engine, password: str, why: str) -> None:
    """Issue 16 item 15: add_user refuses a weak password, says why and how to fix it, never
    echoes it, and stores nothing."""
    with pytest.raises(ValidationError) as info:
        add_user(engine, "alice", "admin", password, who="test")
    text = str(info.value) + (info.value.hint or "")
    assert why in text and "password" in text
    assert "words" in text  # how to make a good one
    if password.strip():
        assert repr(password) not in text
    with engine.connect() as conn:
        assert conn.execute(select(User.id).where(User.username == "alice")).first() is None


def test_add_user_takes_a_good_password(engine: Engine) -> None:
    """Issue 16 item 15: a long passphrase is taken."""
    user = add_user(engine, "alice", "admin", "rain falls on quiet harbours", who="test")
    assert user.id is not None


def test_cli_refuses_a_weak_password_without_traceback(engine: Engine, db_url: str) -> None:
    """Issue 16 item 15: ``user add`` and ``user password`` exit 1 with the reason, no
    traceback."""
    runner = CliRunner()
    result = runner.invoke(cli, ["user", "add", "alice", "--role", "admin", "--password-stdin",
                                 "--db", db_url], input="password\n")
    assert result.exit_code == 1 and "common" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["user", "add", "alice", "--role", "admin", "--password-stdin",
                                 "--db", db_url], input="rain falls on quiet harbours\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["user", "password", "alice", "--password-stdin",
                                 "--db", db_url], input="alice12345678\n")
    assert result.exit_code == 1 and "user name" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["user", "password", "alice", "--password-stdin",
                                 "--db", db_url], input="snow melts on loud mountains\n")
    assert result.exit_code == 0 and "session" in result.output, result.output


def test_admin_form_refuses_a_weak_password(demo_url: str, demo_engine: Engine,
                                            world: dict[str, Any]) -> None:  # noqa: F811
    """Issue 16 item 15: the admin's add-user form answers 422 with the reason."""
    name = f"weak-{uuid.uuid4().hex[:6]}"
    with TestClient(create_app(demo_url)) as admin:
        assert login(admin, world["users"]["admin"].username).status_code == 303
        found = CSRF.search(admin.get("/admin/users").text)
        assert found
        r = admin.post("/admin/users?lang=en", data={
            "username": name, "role": "public", "password": "password", "csrf": found.group(1)})
        assert r.status_code == 422 and "common" in r.text
    with demo_engine.connect() as conn:
        assert conn.execute(select(User.id).where(User.username == name)).first() is None
