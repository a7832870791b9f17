"""Keeping records on the web and through the API (issue 9): an alliance's secretariat adds,
edits and imports its records (every problem listed row by row, nothing half-written), a member
keeps its own offers and needs, the JSON API reads and writes with the same rules and version
checks, public kinds are readable by anyone and the others by nobody outside the alliance; on
both backends."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, func, select

from innoalliance.model import AuditEntry, Event, Offer
from innoalliance.workflows.accounts.users import issue_token

from .test_web_auth import CSRF, A, TestClient, login, world  # noqa: F401

BASE = f"/alliances/{quote(A)}/records"
API = f"/api/v1/alliances/{quote(A)}/records"


def csrf(client: TestClient, url: str) -> str:
    found = CSRF.search(client.get(url).text)
    assert found, url
    return found.group(1)


def events(engine: Engine, ref: str) -> list[tuple[str, str | None, int]]:
    with engine.connect() as conn:
        return [(r.type, r.description, r.version) for r in conn.execute(
            select(Event.type, Event.description, Event.version)
            .where(Event.alliance == A, Event.ref == ref))]


def audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_secretariat_adds_and_edits_an_event(client: TestClient, demo_engine: Engine,
                                             world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["secretariat"].username)
    listing = client.get(f"{BASE}/events")
    assert listing.status_code == 200 and f"{BASE}/events/add" in listing.text
    ref = f"E-{world['tag']}"
    token = csrf(client, f"{BASE}/events/add")
    r = client.post(f"{BASE}/events/add", data={"ref": ref, "type": "dispute",
                                                "date": "2026-11-01", "description": "a row",
                                                "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert events(demo_engine, ref) == [("dispute", "a row", 1)]
    again = client.post(f"{BASE}/events/add", data={"ref": ref, "type": "report",
                                                    "date": "2026-11-02", "csrf": token})
    assert again.status_code == 422 and "already exists" in again.text
    form = client.get(f"{BASE}/events/{quote(ref)}/edit")
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version and version.group(1) == "1"
    r = client.post(f"{BASE}/events/{quote(ref)}/edit",
                    data={"type": "report", "date": "2026-11-01", "description": "changed",
                          "version": "1", "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    assert events(demo_engine, ref) == [("report", "changed", 2)]
    stale = client.post(f"{BASE}/events/{quote(ref)}/edit?lang=en",
                        data={"type": "violation", "version": "1", "csrf": token})
    assert stale.status_code == 409
    assert f"changed by {world['users']['secretariat'].username}" in stale.text
    assert events(demo_engine, ref) == [("report", "changed", 2)]


def test_import_lists_every_problem_row_by_row_and_writes_nothing(
        client: TestClient, demo_engine: Engine, world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["secretariat"].username)
    token = csrf(client, f"{BASE}/events")
    tag = world["tag"]
    bad = ("ref,type,date,description\n"
           f"I1-{tag},report,2026-01-01,fine\n"
           f"I2-{tag},complaint,2026-01-02,unknown type\n"
           f"I3-{tag},report,2026-02-30,no such day\n")
    before = audit_count(demo_engine)
    r = client.post(f"{BASE}/events/import?lang=en", data={"csrf": token},
                    files={"file": ("events.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422, r.text[:500]
    rows = re.findall(r'<tr class="problem" data-field="(\w*)"><td>(\d*)</td>', r.text)
    assert sorted(rows) == [("date", "4"), ("type", "3")]
    assert "nothing was imported" in r.text
    assert events(demo_engine, f"I1-{tag}") == [] and audit_count(demo_engine) == before
    other = f"alliance,ref,type,date\n{world['B']},I4-{tag},report,2026-01-01\n"
    r = client.post(f"{BASE}/events/import", data={"csrf": token},
                    files={"file": ("other.csv", other.encode(), "text/csv")})
    assert r.status_code == 422 and "alliance" in r.text
    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\n"
    r = client.post(f"{BASE}/events/import?lang=en", data={"csrf": token},
                    files={"file": ("events.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "1 new" in r.text
    assert events(demo_engine, f"I1-{tag}") == [("report", "fine", 1)]
    wrong = client.post(f"{BASE}/events/import", data={"csrf": token},
                        files={"file": ("events.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 422 and "unknown file type" in wrong.text


def test_api_reads_and_writes_with_the_same_rules(client: TestClient, demo_engine: Engine,
                                                  world: dict[str, Any]) -> None:  # noqa: F811
    token = issue_token(demo_engine, world["users"]["secretariat"].username)
    auth = {"Authorization": f"Bearer {token}"}
    ref = f"API-{world['tag']}"
    row = {"ref": ref, "type": "report", "date": "2026-11-24", "description": "via api"}
    assert client.post(f"{API}/events", json={"rows": [row]}).status_code == 401
    r = client.post(f"{API}/events", json={"rows": [row]}, headers=auth)
    assert r.status_code == 200 and r.json()["inserted"] == 1, r.text
    listed = client.get(f"{API}/events", headers=auth).json()["records"]
    mine = [x for x in listed if x["ref"] == ref]
    assert mine == [{**row, "alliance": A, "organization": None, "source": None, "version": 1}]
    r = client.post(f"{API}/events", json={"rows": [{**row, "description": "v2", "version": 1}]},
                    headers=auth)
    assert r.status_code == 200 and r.json()["updated"] == 1
    stale = client.post(f"{API}/events", json={"rows": [{**row, "version": 1}]}, headers=auth)
    assert stale.status_code == 409
    assert stale.json()["version"] == 2 and stale.json()["actor"] == world["users"][
        "secretariat"].username
    bad = client.post(f"{API}/events", headers=auth, json={"rows": [
        {**row, "ref": f"{ref}-b", "alliance": world["B"]},
        {"ref": f"{ref}-c", "type": "rumour", "date": "2026-11-24"}]})
    assert bad.status_code == 422
    assert {(p["row"], p["column"]) for p in bad.json()["problems"]} == {(1, "alliance")}
    bad = client.post(f"{API}/events", headers=auth, json={"rows": [
        {"ref": f"{ref}-c", "type": "rumour", "date": "2026-11-24", "colour": "red"}]})
    assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "colour"
    assert events(demo_engine, f"{ref}-c") == [] and events(demo_engine, ref)[0][2] == 2
    other = f"/api/v1/alliances/{quote(world['B'])}/records/events"
    assert client.post(other, json={"rows": [row]}, headers=auth).status_code == 403


def test_public_kinds_are_public_private_kinds_are_not(client: TestClient,
                                                       world: dict[str, Any]) -> None:  # noqa: F811
    for kind in ("memberships", "projects", "outputs"):
        r = client.get(f"{API}/{kind}")
        assert r.status_code == 200 and r.json()["records"], kind
    for kind in ("commitments", "contributions", "events"):
        assert client.get(f"{API}/{kind}").status_code == 401, kind
    login(client, world["users"]["member"].username)
    for kind in ("commitments", "contributions", "events"):
        assert client.get(f"{API}/{kind}").status_code == 403, kind
    assert client.get(f"{API}/statistics").status_code in (403, 422)  # not a kind kept here
    assert client.get(f"/api/v1/alliances/{quote('no such alliance')}/records/projects"
                      ).status_code == 404


def test_member_keeps_its_own_offers(client: TestClient, demo_engine: Engine,
                                     world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["member"].username)
    assert "/me/records/offers" in client.get("/me").text
    listing = client.get("/me/records/offers")
    assert listing.status_code == 200 and world["offer"] in listing.text
    token = csrf(client, "/me/records/offers/add")
    title = f"offer {uuid.uuid4().hex[:6]}"
    r = client.post("/me/records/offers/add", data={
        "title": title, "text": "a sensor we can license", "csrf": token},
        follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    with demo_engine.connect() as conn:
        owner = conn.execute(select(Offer.organization).where(Offer.title == title)).scalar()
    assert owner == world["org"]
    other = next(c for c in world["codes"] if c != world["org"])
    client.post("/me/records/offers/add", data={  # the form has no organization: it is ignored
        "title": f"{title} 2", "text": "x", "organization": other, "csrf": token})
    with demo_engine.connect() as conn:
        owner = conn.execute(select(Offer.organization).where(Offer.title == f"{title} 2")
                             ).scalar()
    assert owner == world["org"]
    token = issue_token(demo_engine, world["users"]["member"].username)
    r = client.post("/api/v1/me/records/offers", headers={"Authorization": f"Bearer {token}"},
                    json={"rows": [{"title": f"{title} 3", "text": "x", "organization": other}]})
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "organization"
    api = client.get("/api/v1/me/records/offers").json()["records"]
    assert {o["organization"] for o in api} == {world["org"]}
    assert client.get(f"{BASE}/events").status_code == 403


def test_committee_compares_records_and_verifies(client: TestClient, demo_engine: Engine,
                                                 world: dict[str, Any]) -> None:  # noqa: F811
    url = f"/alliances/{quote(A)}/allocations"
    form = {"kind": "profit", "as_of": "2016-12-31", "gamma": "1", "rule": "talmud",
            "copay": "0.2"}
    login(client, world["users"]["secretariat"].username)
    seen = client.get(url + "?lang=en")
    assert seen.status_code == 200 and "Ledger verified" in seen.text
    assert "Record as agreed" not in seen.text  # the secretariat sees, the committee decides
    assert client.post(url, data={**form, "csrf": csrf(client, url)}).status_code == 403
    with TestClient(client.app) as committee:
        login(committee, world["users"]["committee"].username)
        token = csrf(committee, url)
        compared = committee.post(url + "?lang=en", data={**form, "csrf": token})
        assert compared.status_code == 200 and "Allocation by each rule" in compared.text
        assert 'value="shapley"' in compared.text and 'value="nucleolus"' in compared.text
        with demo_engine.connect() as conn:
            from innoalliance.model import Allocation

            before = conn.execute(select(func.count()).select_from(Allocation)).scalar_one()
        done = committee.post(url, data={**form, "record": "shapley", "csrf": token},
                              follow_redirects=False)
        assert done.status_code == 303 and "recorded=" in done.headers["location"]
        api = committee.get(f"/api/v1/alliances/{quote(A)}/allocations").json()
        mine = [e for e in api["allocations"]
                if e["actor"] == world["users"]["committee"].username]
        assert len(mine) == 1 and mine[0]["method"] == "shapley"
        assert api["verification"]["ok"] and api["verification"]["entries"] == before + 1
        bad = committee.post(url + "?lang=en", data={**form, "kind": "risk", "csrf": token})
        assert bad.status_code == 422 and "needs the fund" in bad.text
        report = committee.get(f"/alliances/{quote(A)}/supervision", params={"year": 2014})
        assert report.status_code == 200 and A in report.text
    other = f"/alliances/{quote(world['B'])}/allocations"
    assert client.get(other).status_code == 403


def test_member_sees_matches_suggested_to_it(client: TestClient,
                                             world: dict[str, Any]) -> None:  # noqa: F811
    login(client, world["users"]["member"].username)
    token = csrf(client, "/me/records/offers/add")  # an offer sharing no term with any need
    client.post("/me/records/offers/add", data={"title": f"zq {world['tag']}",
                                                "text": "qqqq zzzz", "csrf": token})
    data = client.get("/api/v1/me").json()["matches"]
    mine = {o["title"] for o in client.get("/api/v1/me").json()["offers"]}
    assert data["needs_for_offers"], "the member has offers: some needs are suggested"
    assert {x["mine"] for x in data["needs_for_offers"]} <= mine
    assert all(x["organization"] and x["organization"] not in world["codes"]  # names only
               for x in data["needs_for_offers"])
    assert all(0 <= x["score"] <= 1 for x in data["needs_for_offers"])
    page = client.get("/me", params={"lang": "en"})
    assert "Matches suggested to you" in page.text
