"""Robustness of the web platform: request bodies over the limit (413, refused before they are
read, authorization before the form is parsed), weak session secrets, dates out of range, an
unreachable store (503), long upload names and record keys holding "/"; on both backends."""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send
from typer.testing import CliRunner

from innoalliance.cli.app import app as cli
from innoalliance.errors import InnoallianceError
from innoalliance.model import Offer
from innoalliance.web import app as web_app
from innoalliance.web.app import create_app
from innoalliance.web.auth import check_secret
from innoalliance.web.uploads import MAX_UPLOAD

from .test_web_auth import CSRF, A, TestClient, login, world  # noqa: F401
from .test_web_records import csrf

IMPORTS = (f"/alliances/{quote(A)}/records/events/import", "/admin/import",
           "/me/records/offers/import")


# -- 1. request bodies -----------------------------------------------------------------------

@pytest.mark.parametrize("url", IMPORTS)
def test_declared_body_over_the_limit_is_refused_unread(client: TestClient, url: str) -> None:
    body = b"x" * 100
    headers = {"Content-Type": "multipart/form-data; boundary=zz",
               "Content-Length": str(MAX_UPLOAD * 25)}
    r = client.post(url, content=body, headers=headers, follow_redirects=False)
    assert r.status_code == 413, (r.status_code, r.text[:300])
    api = client.post(f"/api/v1{url}", content=body, headers=headers)
    assert api.status_code == 413 and api.json()["error"]


def test_streamed_body_stops_at_the_limit(demo_url: str, world: dict[str, Any],  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_app, "MAX_BODY", 10_000)
    with TestClient(create_app(demo_url)) as client:
        login(client, world["users"]["admin"].username)

        def chunks() -> Iterator[bytes]:
            for _ in range(50):
                yield b"y" * 1000

        r = client.post("/admin/import", content=chunks(),
                        headers={"Content-Type": "multipart/form-data; boundary=zz"})
        assert r.status_code == 413, r.text[:300]


def test_limit_stops_reading_a_chunked_body() -> None:
    pulled: list[int] = []

    async def receive() -> Message:
        pulled.append(1)
        return {"type": "http.request", "body": b"z" * 1000, "more_body": len(pulled) < 1000}

    async def reader(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass

    async def send(message: Message) -> None:
        raise AssertionError("the inner app answers nothing")

    scope: Scope = {"type": "http", "method": "POST", "path": "/admin/import", "headers": []}
    with pytest.raises(HTTPException) as info:
        asyncio.run(web_app.LimitBody(reader, 10_000)(scope, receive, send))
    assert info.value.status_code == 413 and len(pulled) == 11


@pytest.mark.parametrize("url", IMPORTS)
def test_anonymous_upload_is_refused_before_the_form_is_parsed(
        client: TestClient, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    original = Request._get_form

    async def spy(self: Request, **kwargs: Any) -> Any:
        parsed.append(self.url.path)
        return await original(self, **kwargs)

    monkeypatch.setattr(Request, "_get_form", spy)
    r = client.post(url, data={"csrf": "x", "kind": "organizations"},
                    files={"file": ("a.csv", b"a,b\n1,2\n", "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert parsed == []


def test_import_without_a_file_is_still_a_422(client: TestClient,
                                              world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["admin"].username)
    token = csrf(client, "/admin/import")
    r = client.post("/admin/import", data={"kind": "organizations", "csrf": token})
    assert r.status_code == 422


# -- 2. weak secrets -------------------------------------------------------------------------

@pytest.mark.parametrize("secret", ["changeme", "secret", "password", "x" * 31,
                                    "changeme" * 4, "Password" * 5])
def test_weak_secrets_are_refused(secret: str) -> None:
    with pytest.raises(InnoallianceError) as info:
        check_secret(secret)
    assert "secrets.token_urlsafe(32)" in (info.value.hint or "")


def test_strong_secret_is_taken() -> None:
    check_secret("kJ3v9-QpX2mZr8Lw4TbN1cYd7HsFa0Ue6GiRoPq5")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_refuses_a_weak_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
                                     workers: str) -> None:
    monkeypatch.setenv("INNOALLIANCE_SECRET", "changeme")
    called: list[Any] = []
    import uvicorn
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: called.append(a))
    result = CliRunner().invoke(cli, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                                      "--workers", workers])
    assert result.exit_code == 1, result.output
    assert "INNOALLIANCE_SECRET" in result.output and "token_urlsafe" in result.output
    assert called == []


def test_app_refuses_a_well_known_secret(monkeypatch: pytest.MonkeyPatch,
                                         demo_url: str) -> None:
    monkeypatch.setenv("INNOALLIANCE_SECRET", "changeme")
    with pytest.raises(InnoallianceError, match="well-known"):
        create_app(demo_url)


def test_worker_factory_refuses_a_weak_secret(monkeypatch: pytest.MonkeyPatch,
                                              demo_url: str) -> None:
    from innoalliance.cli.serve import app_from_env

    monkeypatch.setenv("INNOALLIANCE_DB", demo_url)
    monkeypatch.setenv("INNOALLIANCE_SECRET", "password")
    with pytest.raises(InnoallianceError):
        app_from_env()


# -- 3. dates out of range -------------------------------------------------------------------

@pytest.mark.parametrize("as_of", ["0056-06-23", "1900-01-01", "2101-01-01", "9999-12-31"])
def test_as_of_out_of_range_is_422(client: TestClient, world: dict[str, Any],  # noqa: F811
                                   as_of: str) -> None:
    login(client, world["users"]["member"].username)
    api = client.get("/api/v1/me", params={"as_of": as_of})
    assert api.status_code == 422, api.text[:300]
    assert "as_of" in api.json()["message"] and "1949" in api.json()["message"]
    assert client.get("/me", params={"as_of": as_of}).status_code == 422
    assert client.get("/api/v1/me", params={"as_of": "2020-12-31"}).status_code == 200


# -- 4. store unreachable --------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_store_is_503() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test?connect_timeout=2"
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        api = client.get("/api/v1/alliances")
        assert api.status_code == 503, api.text[:300]
        assert api.json()["error"] == "StoreError"
        assert client.get("/").status_code == 503
        assert client.get("/login").status_code in (200, 503)
        assert client.get("/api/v1/me",
                          headers={"Authorization": "Bearer x"}).status_code == 503


# -- 5. long upload names, keys with "/" -----------------------------------------------------

def test_long_upload_name_is_refused_cleanly(client: TestClient,
                                             world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["admin"].username)
    token = csrf(client, "/admin/import")
    for name in ("a" * 296 + ".csv", "名" * 150 + ".csv"):
        r = client.post("/admin/import?lang=en", data={"kind": "organizations", "csrf": token},
                        files={"file": (name, b"credit_code,name_zh\n", "text/csv")})
        assert r.status_code == 422, r.text[:300]
        assert "200" in r.text


def test_key_with_a_slash_adds_edits_and_saves(client: TestClient, demo_engine: Engine,
                                               world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["member"].username)
    token = csrf(client, "/me/records/offers/add")
    title = f"TCP/IP 协议栈 {uuid.uuid4().hex[:6]}"
    r = client.post("/me/records/offers/add", data={"title": title, "text": "a stack",
                                                    "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    edit = client.get(r.headers["location"])
    assert edit.status_code == 200, edit.text[:300]
    assert title in edit.text
    url = f"/me/records/offers/{quote(title, safe='')}/edit"
    assert client.get(url).status_code == 200
    form = client.get(url).text
    found = re.search(r'name="version" value="([^"]*)"', form)
    assert found
    saved = client.post(url, data={"text": "a better stack", "version": found.group(1),
                                   "csrf": token}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    with demo_engine.connect() as conn:
        text = conn.execute(select(Offer.text).where(Offer.title == title)).scalar()
    assert text == "a better stack"
    listing = client.get("/me/records/offers")
    assert quote(title, safe="") in listing.text or title in listing.text
