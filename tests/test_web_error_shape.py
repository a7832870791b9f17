"""The one shape of the API's JSON errors: every error body has ``error`` (the class name),
``message`` and ``hint``, plus exactly the keys its kind documents (see
:mod:`innoalliance.web.errors`); on both backends.

The API takes no file uploads (files are imported through the pages' forms, where a refused
file is a problem on the page), so there is no 413 or 415 to pin here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine

from innoalliance.errors import StoreError
from innoalliance.web.errors import error_response
from innoalliance.workflows.accounts.users import issue_token

from .test_web_auth import A, TestClient, world  # noqa: F401

BASE = {"error", "message", "hint"}
#: the keys beyond BASE of each kind of error body
EXTRA: dict[str, set[str]] = {
    "LoginRequired": set(),
    "Forbidden": set(),
    "UnknownReference": {"suggestion"},
    "HTTPException": set(),
    "VersionConflict": {"problems", "version", "actor", "at"},
    "ValidationError": {"problems"},
    "ValidationError (request)": {"problems", "detail"},
    "InnoallianceError": set(),
    "StoreError": set(),
}
PROBLEM = {"file", "row", "column", "value", "rule", "suggestion"}
RECORDS = f"/api/v1/alliances/{quote(A)}/records"


def bearer(engine: Engine, users: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(engine, users[role].username)}"}


def shape(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The body of ``response``, checked to be ``kind``'s shape with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == BASE | EXTRA[kind], body
    assert body["error"] == kind.split(" ")[0]
    assert isinstance(body["message"], str) and body["message"]
    assert body["hint"] is None or isinstance(body["hint"], str)
    for problem in body.get("problems", []):
        assert set(problem) == PROBLEM
    return body


def test_401_without_a_token(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    body = shape(r, 401, "LoginRequired")
    assert r.headers["www-authenticate"] == "Bearer" and "Bearer" in body["message"]
    shape(client.post(f"{RECORDS}/events", json={"rows": [{"ref": "x"}]}), 401, "LoginRequired")


def test_403_for_the_wrong_role(client: TestClient, demo_engine: Engine,
                                world: dict[str, Any]) -> None:  # noqa: F811
    member = bearer(demo_engine, world["users"], "member")
    shape(client.get(f"{RECORDS}/commitments", headers=member), 403, "Forbidden")
    secretariat = bearer(demo_engine, world["users"], "secretariat")
    shape(client.get("/api/v1/me", headers=secretariat), 403, "Forbidden")


def test_404_for_an_unknown_alliance(client: TestClient) -> None:
    body = shape(client.get(f"/api/v1/alliances/{quote(A[:-1])}"), 404, "UnknownReference")
    assert body["suggestion"] == A and A in body["hint"]
    body = shape(client.get("/api/v1/runs/2147483647"), 404, "UnknownReference")
    assert body["suggestion"] is None
    shape(client.get(f"/api/v1/alliances/{quote(A[:-1])}/records/projects"), 404,
          "UnknownReference")


def test_404_and_405_of_the_framework(client: TestClient) -> None:
    shape(client.get("/api/v1/no/such/thing"), 404, "HTTPException")
    shape(client.post("/api/v1/regions"), 405, "HTTPException")


def test_409_for_a_version_conflict(client: TestClient, demo_engine: Engine,
                                    world: dict[str, Any]) -> None:  # noqa: F811
    auth = bearer(demo_engine, world["users"], "secretariat")
    row = {"ref": f"SHAPE-{world['tag']}", "type": "report", "date": "2026-11-24"}
    assert client.post(f"{RECORDS}/events", json={"rows": [row]}, headers=auth).status_code == 200
    changed = {**row, "description": "changed", "version": 1}
    assert client.post(f"{RECORDS}/events", json={"rows": [changed]},
                       headers=auth).json()["updated"] == 1
    stale = client.post(f"{RECORDS}/events", json={"rows": [{**row, "version": 1}]}, headers=auth)
    body = shape(stale, 409, "VersionConflict")
    assert body["problems"] == [] and body["version"] == 2
    assert body["actor"] == world["users"]["secretariat"].username
    assert isinstance(body["at"], str) and body["at"]


def test_422_for_invalid_rows_with_every_problem(client: TestClient, demo_engine: Engine,
                                                 world: dict[str, Any]) -> None:  # noqa: F811
    auth = bearer(demo_engine, world["users"], "secretariat")
    rows = [{"ref": f"SHAPE-{world['tag']}-b", "type": "rumour", "date": "2026-02-30"}]
    body = shape(client.post(f"{RECORDS}/events", json={"rows": rows}, headers=auth), 422,
                 "ValidationError")
    assert {p["column"] for p in body["problems"]} == {"type", "date"}


def test_422_for_an_invalid_request(client: TestClient, demo_engine: Engine,
                                    world: dict[str, Any]) -> None:  # noqa: F811
    body = shape(client.get("/api/v1/alliances", params={"page": 0}), 422,
                 "ValidationError (request)")
    assert [p["column"] for p in body["problems"]] == ["page"] and "page" in body["message"]
    assert body["detail"][0]["loc"] == ["query", "page"]
    shape(client.get("/api/v1/alliances", params={"q": "a\x00"}), 422,
          "ValidationError (request)")
    auth = bearer(demo_engine, world["users"], "secretariat")
    body = shape(client.post(f"{RECORDS}/events", json={"rows": []}, headers=auth), 422,
                 "ValidationError (request)")
    assert body["problems"][0]["column"] == "body.rows"


def test_422_for_another_user_error(client: TestClient, demo_engine: Engine,
                                    world: dict[str, Any]) -> None:  # noqa: F811
    auth = bearer(demo_engine, world["users"], "committee")
    r = client.post(f"/api/v1/alliances/{quote(A)}/allocations", json={"kind": "risk"},
                    headers=auth)
    body = shape(r, 422, "InnoallianceError")
    assert "fund" in body["message"]


def test_503_store_error_shape() -> None:
    # no route can be made to fail this way on demand: the one function every handler uses
    response = error_response(StoreError("down", hint="start the server"), 503)
    assert response.status_code == 503
    assert response.body == b'{"error":"StoreError","message":"down","hint":"start the server"}'


def test_write_errors_are_documented(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    documented = set(schemas["WriteErrorOut"]["properties"])
    assert documented == BASE | EXTRA["VersionConflict"] | EXTRA["ValidationError"]
    assert set(schemas["ErrorOut"]["properties"]) == BASE
