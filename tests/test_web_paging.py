"""Every list is paged with a documented maximum (issue 16 item 9): the runs, the admin's users
and audit log, an alliance's members, projects, outputs and records, the registry's API; each
cut with LIMIT in the database, answered as ``{total, limit, offset, items}`` (or the list's
own key), shown a page at a time with Previous/Next links; ``limit`` above
:data:`~innoalliance.web.queries.MAX_LIMIT` is refused (422) on both backends."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, event, insert

from innoalliance.model import User
from innoalliance.web import audit
from innoalliance.web.app import create_app
from innoalliance.web.queries import MAX_LIMIT
from innoalliance.workflows.accounts.users import add_user
from innoalliance.workflows.common import save_run
from innoalliance.workflows.register.records import count_records, read_records
from innoalliance.workflows.share.allocations import (
    count_allocations,
    list_allocations,
    record_allocation,
)
from tests.test_web_auth import PASSWORD, A, TestClient, login, world  # noqa: F401
from tests.test_web_public import EV

RUNS, PRIVATE_RUNS, USERS = 60, 3, 60
ADMIN = "paging-admin"


@pytest.fixture
def paged(engine: Engine, db_url: str) -> Iterator[tuple[TestClient, list[int]]]:
    """A signed-in admin's client of a fresh store holding :data:`RUNS` published runs (and
    their audit entries), :data:`PRIVATE_RUNS` sharing runs and :data:`USERS` more users;
    with the published runs' ids, oldest first."""
    ids = [save_run(engine, "evaluate", {"n": k}, {}, {"k": k}, who="tester")
           for k in range(RUNS)]
    for k in range(PRIVATE_RUNS):
        save_run(engine, "share", {"n": k}, {}, {}, who="tester")
    add_user(engine, ADMIN, "admin", PASSWORD, who="tester")
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(User), [{"username": f"user{k:03d}", "password_hash": "x",
                                     "role": "public", "created_at": now, "active": True}
                                    for k in range(USERS)])
    with TestClient(create_app(db_url)) as client:
        assert login(client, ADMIN).status_code == 303
        yield client, ids


def test_over_the_maximum_is_refused(paged: tuple[TestClient, list[int]]) -> None:
    """Issue 16 item 9: ``limit`` above the documented maximum, or a negative ``offset``, is
    a 422 on every newly paged API list; the maximum is in the OpenAPI."""
    client, _ids = paged
    for path in ("/api/v1/runs", "/api/v1/admin/runs", "/api/v1/alliances"):
        assert client.get(path, params={"limit": MAX_LIMIT + 1}).status_code == 422, path
        assert client.get(path, params={"offset": -1}).status_code == 422, path
        assert client.get(path, params={"limit": MAX_LIMIT}).status_code == 200, path
    spec = client.get("/openapi.json").json()
    [limit] = [p for p in spec["paths"]["/api/v1/runs"]["get"]["parameters"]
               if p["name"] == "limit"]
    assert limit["schema"]["maximum"] == MAX_LIMIT


def test_runs_slice_and_total(paged: tuple[TestClient, list[int]]) -> None:
    """Issue 16 item 9: ``limit``/``offset`` give that slice (newest first) and the total."""
    client, ids = paged
    newest = ids[::-1]
    page = client.get("/api/v1/runs", params={"limit": 5, "offset": 10}).json()
    assert (page["total"], page["limit"], page["offset"]) == (RUNS, 5, 10)
    assert [r["id"] for r in page["items"]] == newest[10:15]
    default = client.get("/api/v1/runs").json()
    assert default["total"] == RUNS and len(default["items"]) == 50
    everything = client.get("/api/v1/admin/runs", params={"limit": 2}).json()
    assert everything["total"] == RUNS + PRIVATE_RUNS and len(everything["items"]) == 2
    past = client.get("/api/v1/runs", params={"offset": RUNS}).json()
    assert past["total"] == RUNS and past["items"] == []


def test_html_lists_link_to_the_next_page(paged: tuple[TestClient, list[int]]) -> None:
    """Issue 16 item 9: the reports, users and audit pages show one page (50) and link to the
    next; the last page links back only."""
    client, ids = paged
    for path in ("/reports", "/admin/users", "/admin/audit"):
        first = client.get(path, params={"lang": "en"})
        assert first.status_code == 200, path
        assert "page=2" in first.text and ">Next<" in first.text, path
        assert ">Previous<" not in first.text, path
        last = client.get(path, params={"page": 2, "lang": "en"}).text
        assert ">Previous<" in last and ">Next<" not in last, path
        assert client.get(path, params={"page": 0}).status_code == 422, path
    reports = client.get("/reports").text
    assert f'href="/reports/{ids[-1]}"' in reports and f'href="/reports/{ids[0]}"' not in reports
    users = client.get("/admin/users").text + client.get("/admin/users?page=2").text
    assert all(f"user{k:03d}" in users for k in range(USERS))


def test_the_database_cuts_the_lists(paged: tuple[TestClient, list[int]]) -> None:
    """Issue 16 item 9: runs, users and audit entries are read with LIMIT in SQL (only counted
    whole)."""
    client, _ids = paged
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        for path in ("/api/v1/runs", "/api/v1/admin/runs", "/reports", "/admin/users",
                     "/admin/audit"):
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    # the lists' reads: of the runs, the users with their tokens, the audit entries
    for mark in ("runs.parameters", "AS tokens", "audit_log.detail"):
        reads = [s for s in statements if mark in s and not s.startswith("SELECT count(*)")]
        assert reads and all("LIMIT" in s.upper() for s in reads), (mark, reads)


def test_audit_csv_is_complete_and_streamed(paged: tuple[TestClient, list[int]], engine: Engine,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16 item 9: the audit CSV stays complete but is read and sent in chunks."""
    client, _ids = paged
    total = client.get("/admin/audit").text
    monkeypatch.setattr(audit, "CSV_CHUNK", 7)
    chunks = list(audit.audit_csv_chunks(engine, None, None))
    rows = list(csv.DictReader(io.StringIO("".join(chunks).lstrip("\ufeff"))))
    assert len(rows) >= RUNS + PRIVATE_RUNS and len(chunks) > len(rows) // 7
    assert f"({len(rows)})" in total  # the page's total counts them all too
    sent = client.get("/admin/audit.csv")
    assert sent.status_code == 200 and sent.headers["content-type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(sent.text.lstrip("\ufeff"))))) == len(rows) + 1


def test_alliance_lists_are_paged(client: TestClient, demo_engine: Engine) -> None:
    """Issue 16 item 9: an alliance's members, projects and outputs come ``limit`` from
    ``offset`` on, with their totals; its records too (read by its secretariat)."""
    url = f"/api/v1/alliances/{quote(EV)}"
    whole = client.get(url, params={"limit": MAX_LIMIT}).json()
    one = client.get(url, params={"limit": 1, "offset": 1}).json()
    for key in ("members", "projects", "outputs"):
        assert one[f"{key}_total"] == whole[f"{key}_total"] == len(whole[key]), key
        assert one[key] == whole[key][1:2], key
    assert client.get(url, params={"limit": MAX_LIMIT + 1}).status_code == 422
    page = client.get(f"/alliances/{quote(EV)}", params={"lang": "en"})
    assert page.status_code == 200 and f"({whole['members_total']})" in page.text
    secretariat = f"paging-secretariat-{uuid.uuid4().hex[:8]}"  # the demo store is shared
    add_user(demo_engine, secretariat, "secretariat", PASSWORD, alliance=EV, who="tester")
    assert login(client, secretariat).status_code == 303
    records = f"/api/v1/alliances/{quote(EV)}/records/memberships"
    assert client.get(records, params={"limit": MAX_LIMIT + 1}).status_code == 422
    every = client.get(records, params={"limit": MAX_LIMIT}).json()
    two = client.get(records, params={"limit": 2, "offset": 1}).json()
    assert every["total"] == two["total"] == len(every["records"]) == whole["members_total"]
    assert (two["limit"], two["offset"], two["records"]) == (2, 1, every["records"][1:3])
    registry = client.get("/api/v1/alliances", params={"limit": 3, "offset": 2}).json()
    full = client.get("/api/v1/alliances", params={"limit": MAX_LIMIT}).json()
    assert registry["total"] == full["total"] and registry["items"] == full["items"][2:5]
    assert client.get("/api/v1/alliances").json()["limit"] == 20  # its page size, as before


def _statements_of(client: TestClient, paths: list[str]) -> list[str]:
    """The SQL statements the requests of ``paths`` (each a 200) sent to the database."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        for path in paths:
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    return statements


def _reads(statements: list[str], mark: str) -> list[str]:
    """The statements reading ``mark`` (a table's column) that are not counts."""
    return [s for s in statements if mark in s and not s.lstrip().startswith("SELECT count(")]


def _record_allocations(engine: Engine, actor: str, n: int) -> None:
    """Record ``n`` allocations of alliance A by ``actor`` (appended to the shared demo
    store's chain, which stays valid)."""
    for k in range(n):
        record_allocation(engine, alliance=A, subject=f"paging {actor} {k}", kind="profit",
                          method="shapley", payload={"shares": {"x": float(k)}}, who=actor)


def test_records_and_allocations_are_read_with_limit(
        client: TestClient, demo_engine: Engine, world: dict[str, Any]) -> None:  # noqa: F811
    """Issue 16 item 9: an alliance's records (pages and API) and allocations (page and API)
    are counted and cut in SQL: the page's rows are chosen with LIMIT, each record of the page
    then read by its key; the allocation entries of the alliance only with LIMIT (the check of
    the whole chain still reads every entry, as it must)."""
    _record_allocations(demo_engine, f"paging-{world['tag']}", 3)
    login(client, world["users"]["secretariat"].username)
    records, api = f"/alliances/{quote(A)}/records", f"/api/v1/alliances/{quote(A)}/records"
    statements = _statements_of(client, [
        f"{records}/commitments", f"{records}/commitments?page=2",
        f"{api}/commitments?limit=2&offset=1", f"{api}/projects?limit=3",
        f"/alliances/{quote(A)}/allocations", f"{api[:-len('/records')]}/allocations?limit=2"])
    for table, key in (("commitments", "ref"), ("projects", "name")):
        reads = _reads(statements, f"{table}.{key}")
        assert any("LIMIT" in s.upper() for s in reads), (table, reads)
        # every other read of the table names one record by its key
        assert all("LIMIT" in s.upper() or f"{table}.{key} =" in s for s in reads), reads
        assert any(s.lstrip().startswith("SELECT count(") and f"FROM {table}" in s
                   for s in statements), table
    of_alliance = _reads(statements, "allocations.alliance =")
    assert of_alliance and all("LIMIT" in s.upper() for s in of_alliance), of_alliance
    assert any(s.lstrip().startswith("SELECT count(") and "FROM allocations" in s
               for s in statements)


def test_records_and_allocations_pages_are_unchanged(
        client: TestClient, demo_engine: Engine, world: dict[str, Any]) -> None:  # noqa: F811
    """Issue 16 item 9: cut in SQL, a page of records or allocations is the same slice of the
    whole list (same keys, same order) with the same total as when it was cut in Python."""
    actor = f"paging-{world['tag']}"
    _record_allocations(demo_engine, actor, 4)
    scope = {"alliance": A}
    for kind in ("commitments", "projects", "outputs", "memberships"):
        whole = read_records(demo_engine, kind, scope)
        assert count_records(demo_engine, kind, scope) == len(whole) > 2, kind
        assert read_records(demo_engine, kind, scope, limit=2, offset=1) == whole[1:3], kind
        assert read_records(demo_engine, kind, scope, offset=2) == whole[2:], kind
        assert read_records(demo_engine, kind, scope, limit=2, offset=len(whole)) == [], kind
    ledger = list_allocations(demo_engine, A)
    assert count_allocations(demo_engine, A) == len(ledger) >= 4
    assert count_allocations(demo_engine) == len(list_allocations(demo_engine))
    assert list_allocations(demo_engine, A, limit=2, offset=1) == ledger[1:3]
    assert list_allocations(demo_engine, A, offset=1) == ledger[1:]
    assert [e["actor"] for e in ledger[-4:]] == [actor] * 4

    login(client, world["users"]["committee"].username)
    api = f"/api/v1/alliances/{quote(A)}"
    for kind in ("commitments", "projects"):
        every = client.get(f"{api}/records/{kind}", params={"limit": MAX_LIMIT}).json()
        two = client.get(f"{api}/records/{kind}", params={"limit": 2, "offset": 1}).json()
        assert every["records"] == read_records(demo_engine, kind, scope), kind
        assert set(two) == {"kind", "scope", "total", "limit", "offset", "records"}
        assert (two["total"], two["limit"], two["offset"], two["records"]) == (
            len(every["records"]), 2, 1, every["records"][1:3]), kind
    entries = client.get(f"{api}/allocations", params={"limit": MAX_LIMIT}).json()
    page = client.get(f"{api}/allocations", params={"limit": 2, "offset": 1}).json()
    assert set(page) == {"total", "limit", "offset", "allocations", "verification"}
    assert entries["allocations"] == list_allocations(demo_engine, A)[:MAX_LIMIT]
    assert (page["total"], page["limit"], page["offset"], page["allocations"]) == (
        len(ledger), 2, 1, ledger[1:3])
    assert page["verification"] == entries["verification"]
    assert page["verification"]["ok"]
    assert page["verification"]["entries"] == count_allocations(demo_engine)
    html = client.get(f"/alliances/{quote(A)}/records/commitments", params={"lang": "en"})
    commitments = read_records(demo_engine, "commitments", scope)
    assert html.status_code == 200 and f"({len(commitments)})" in html.text
    assert all(str(r["ref"]) in html.text for r in commitments[:2])
