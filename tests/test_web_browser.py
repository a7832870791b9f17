"""End-to-end browser tests: each role does its main task in headless Chromium (Playwright),
against the web app served by a real uvicorn server over the demo store, on both backends.

* anonymous: home, registry search and kind filter, an alliance page, the language switch
  (English and back to Chinese), the Plotly map in both languages, the offers and needs board;
  signed-in pages (/me, /admin/audit, an alliance's secretariat page) send it to the login page;
* member: signs in through the form, lands on /me, sees its organization's commitments and its
  credit rating with drivers;
* secretariat: edits a commitment from its alliance's secretariat page and sees the new value;
  two browsers edit the same commitment: the second gets the conflict message naming the first,
  and the first one's value is what is stored (no lost update);
* committee: reads the secretariat page without edit links; the edit form is refused (403);
* admin: finds a secretariat's edit in the audit log, downloads the audit CSV, lists users.

Every task ends with a full-page screenshot, written to the folder named by
``INNOALLIANCE_SCREENSHOTS`` if set, else to the test's ``tmp_path``. Chromium is Debian's
(``apt-get install chromium fonts-noto-cjk``); nothing is downloaded at run time, and a missing
Chromium fails these tests rather than skipping them.

To add a role task: write ``test_<role>_...(page, base, accounts, shot)``, sign in with
:func:`login` and end with ``shot(page, "<name>")``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.model import Commitment, Event, Membership, Offer, Organization
from innoalliance.store.engine import make_engine
from innoalliance.web.app import create_app
from innoalliance.workflows.accounts.users import add_user

A = "电动汽车产学研技术创新联盟"
PASSWORD = "correct horse battery"
TIMEOUT_MS = 20_000
ROLES = ("member", "secretariat", "secretariat2", "committee", "admin")

Shot = Callable[[Page, str], Path]


def chromium_path() -> str:
    """Debian's Chromium; fails (never skips) the tests when it is not installed."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("chromium is not installed: apt-get install -y chromium fonts-noto-cjk")
    return found


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql``, from a store URL."""
    return url.split(":", 1)[0].split("+", 1)[0]


# -- fixtures: one server and one browser per module (per backend, per xdist worker) -----------

@pytest.fixture(scope="module")
def store(demo_url: str) -> Iterator[Engine]:
    """An engine on the shared demo store (for setting up accounts and checking values)."""
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def base(demo_url: str) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of the app served by uvicorn in a thread."""
    config = uvicorn.Config(create_app(demo_url), host="127.0.0.1", port=0, ws="none",
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(10)
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        assert not thread.is_alive(), "the uvicorn server did not stop"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API (run here in the test thread, never inside an asyncio loop)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium."""
    launched = playwright.chromium.launch(executable_path=chromium_path(),
                                          args=["--no-sandbox"])
    yield launched
    launched.close()


@contextmanager
def session(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (its own cookies: one signed-in user each)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context."""
    with session(browser) as p:
        yield p


@pytest.fixture(scope="module")
def accounts(store: Engine) -> dict[str, str]:
    """A user name per role (unique: the demo store is shared), all with :data:`PASSWORD`;
    ``org`` is the member's organization (a member of alliance A)."""
    with store.connect() as conn:
        org = conn.execute(select(Membership.organization).where(Membership.alliance == A)
                           .order_by(Membership.organization)).scalars().first()
    assert org is not None
    tag = uuid.uuid4().hex[:8]
    made: dict[str, tuple[str, dict[str, str]]] = {  # account: (role, its scope)
        "member": ("member", {"organization": org}),
        "secretariat": ("secretariat", {"alliance": A}),
        "secretariat2": ("secretariat", {"alliance": A}),  # a second editor of A
        "committee": ("committee", {"alliance": A}),
        "admin": ("admin", {})}
    names = {"org": org}
    for account in ROLES:
        role, scope = made[account]
        names[account] = f"browser-{account}-{tag}"
        add_user(store, names[account], role, PASSWORD, **scope)
    return names


@pytest.fixture
def target(store: Engine) -> Iterator[str]:
    """A capital commitment of alliance A, its values put back afterwards (shared store)."""
    with Session(store) as db:
        row = db.execute(select(Commitment).where(Commitment.alliance == A,
                                                  Commitment.kind == "capital")
                         .order_by(Commitment.ref.desc())).scalars().first()
        assert row is not None
        ref, saved = row.ref, (row.amount, row.unit, row.due, row.description)
    yield ref
    with Session(store) as db, db.begin():
        row = db.execute(select(Commitment).where(Commitment.alliance == A,
                                                  Commitment.ref == ref)).scalar_one()
        row.amount, row.unit, row.due, row.description = saved


@pytest.fixture
def shot(demo_url: str, tmp_path: Path) -> Shot:
    """``shot(page, name)``: a full-page PNG named after the backend and ``name``."""
    folder = Path(os.environ.get("INNOALLIANCE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = folder / f"{backend_of(demo_url)}-{name}.png"
        page.screenshot(path=path, full_page=True)
        assert path.is_file() and path.stat().st_size > 0, path
        return path

    return take


# -- helpers -------------------------------------------------------------------------------------

def path_of(page: Page) -> str:
    """The path of the page's URL (percent-decoded by the caller's comparison)."""
    return urlparse(page.url).path


def login(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; ends on the page the app lands the user on."""
    page.goto(f"{base}/login")
    form = page.locator("form[action='/login']")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert path_of(page) != "/login", page.locator(".message").all_inner_texts()


def secretariat_url(base: str, alliance: str = A) -> str:
    return f"{base}/alliances/{quote(alliance)}/secretariat"


def stored_amount(store: Engine, ref: str) -> float:
    with store.connect() as conn:
        amount = conn.execute(select(Commitment.amount).where(
            Commitment.alliance == A, Commitment.ref == ref)).scalar_one()
    return float(amount)


def commitment_row(page: Page, ref: str) -> Locator:
    """The row of commitment ``ref`` in the page's tables."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=ref, exact=True))


def open_edit_from_secretariat(page: Page, base: str, ref: str) -> str:
    """From the secretariat page of A, follow the edit link of commitment ``ref``; returns the
    edit form's URL (taken from the page, so the test does not hard-code the route)."""
    page.goto(secretariat_url(base))
    expect(page.get_by_role("heading", level=1)).to_contain_text(A)
    row = commitment_row(page, ref)
    expect(row).to_have_count(1)
    row.locator("a.edit").click()
    page.wait_for_url(re.compile(r"/edit$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ref)
    return page.url


def edit_form(page: Page) -> Locator:
    """The commitment edit form (the one with an ``amount`` field)."""
    return page.locator("form[method=post]", has=page.locator("input[name=amount]"))


def save_amount(page: Page, amount: str) -> None:
    """Type ``amount`` into the open edit form (unit unchanged) and submit it."""
    form = edit_form(page)
    form.locator("input[name=amount]").fill(amount)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


# -- anonymous -----------------------------------------------------------------------------------

def test_anonymous_browses_the_public_pages(page: Page, base: str, shot: Shot) -> None:
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("产业技术创新战略联盟公共信息平台")
    page.locator("header nav a[href='/alliances']").click()
    page.wait_for_url(re.compile(r"/alliances$"))
    everything = page.locator("table.registry a.alliance").count()
    assert everything > 0

    # search and filter
    filters = page.locator("form.filters")
    filters.locator("input[name=q]").fill("产学研")
    filters.locator("select[name=kind]").select_option("rd_cooperation")
    with page.expect_navigation():
        filters.get_by_role("button", name="查询").click()
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["产学研"] and query["kind"] == ["rd_cooperation"]
    names = page.locator("table.registry a.alliance").all_inner_texts()
    assert A in names and 0 < len(names) < everything
    assert all("产学研" in n for n in names), names
    expect(filters.locator("select[name=kind]")).to_have_value("rd_cooperation")
    shot(page, "anonymous-registry")

    # an alliance page, in English and back in Chinese
    page.get_by_role("link", name=A, exact=True).click()
    page.wait_for_url(re.compile(r"/alliances/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(A)
    summary = page.locator("table.summary")
    expect(summary).to_contain_text("产业领域")
    page.locator("header a.lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(summary).to_contain_text("Industry")
    expect(page.locator("header nav")).to_contain_text("Alliance registry")
    expect(page.get_by_role("heading", level=1)).to_have_text(A)
    page.locator("header a.lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(summary).to_contain_text("产业领域")
    assert "Industry" not in summary.inner_text()

    # the map, drawn by plotly.js from stored boundaries, in both languages
    page.locator("header nav a[href='/map']").click()
    page.wait_for_url(re.compile(r"/map$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("联盟所在城市分布")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    assert page.locator(".js-plotly-plot path").count() > 0
    expect(page.locator("table.hosts")).to_contain_text("440300")
    shot(page, "anonymous-map-zh")
    page.locator("header a.lang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alliances by host city")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    shot(page, "anonymous-map-en")

    # the board (still in English: the language is kept in a cookie)
    page.locator("header nav a[href='/board']").click()
    page.wait_for_url(re.compile(r"/board$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Offers and needs board")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Offers")
    page.locator("header a.lang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("技术供给与需求")
    shot(page, "anonymous-board")


@pytest.mark.parametrize("where", ["/me", "/admin/audit", f"/alliances/{A}/secretariat"])
def test_anonymous_is_sent_to_login(page: Page, base: str, where: str) -> None:
    page.goto(f"{base}{quote(where)}")
    assert path_of(page) == "/login", page.url
    assert parse_qs(urlparse(page.url).query)["next"] == [where]
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator("form[action='/login'] input[name=next]")).to_have_value(where)


# -- member --------------------------------------------------------------------------------------

def test_member_sees_its_own_record(page: Page, base: str, store: Engine,
                                    accounts: dict[str, str], shot: Shot) -> None:
    org = accounts["org"]
    with store.connect() as conn:
        name = conn.execute(select(Organization.name_zh)
                            .where(Organization.credit_code == org)).scalar_one()
        refs = set(conn.execute(select(Commitment.ref)
                                .where(Commitment.organization == org)).scalars())
    assert refs
    login(page, base, accounts["member"])
    assert path_of(page) == "/me"
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("form.account")).to_contain_text(accounts["member"])

    commitments = page.locator("h2", has_text="承诺").locator(
        "xpath=following-sibling::table[1]")
    rows = commitments.locator("tr").filter(has=page.locator("td"))
    expect(rows).to_have_count(len(refs))
    cells = [r.locator("td").all_inner_texts() for r in rows.all()]
    assert {c[1] for c in cells} == refs and {c[2] for c in cells} == {org}
    assert not commitments.locator("a.edit").count()  # a member does not edit

    expect(page.get_by_role("heading", level=2, name=re.compile("信用评级"))).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=A)).to_be_visible()
    grade = page.locator("strong.grade").first
    expect(grade).to_have_text(re.compile(r"\S"))
    drivers = page.locator("table", has=page.get_by_role("columnheader", name="评级依据"))
    expect(drivers.first.locator("tr").filter(has=page.locator("td"))).not_to_have_count(0)
    shot(page, "member-me")


# -- secretariat ---------------------------------------------------------------------------------

def test_secretariat_edits_a_commitment(page: Page, base: str, store: Engine,
                                        accounts: dict[str, str], target: str,
                                        shot: Shot) -> None:
    login(page, base, accounts["secretariat"])
    assert path_of(page) == f"/alliances/{quote(A)}/secretariat"
    open_edit_from_secretariat(page, base, target)
    save_amount(page, "7654321")
    expect(page.locator(".message.saved")).to_have_text("已保存。")
    expect(edit_form(page).locator("input[name=amount]")).to_have_value("7654321")
    assert stored_amount(store, target) == 7654321.0

    page.goto(secretariat_url(base))  # the secretariat page shows the new amount
    expect(commitment_row(page, target)).to_contain_text("7654321")
    shot(page, "secretariat-edited")


def test_second_editor_gets_a_conflict(browser: Browser, base: str, store: Engine,
                                       accounts: dict[str, str], target: str,
                                       shot: Shot) -> None:
    first, second = accounts["secretariat"], accounts["secretariat2"]
    with session(browser) as one, session(browser) as two:
        login(one, base, first)
        login(two, base, second)
        url = open_edit_from_secretariat(one, base, target)
        two.goto(url)
        seen = edit_form(two).locator("input[name=version]").input_value()
        assert edit_form(one).locator("input[name=version]").input_value() == seen

        save_amount(one, "1111111")
        expect(one.locator(".message.saved")).to_be_visible()
        with two.expect_response(lambda r: r.request.method == "POST") as answer:
            save_amount(two, "2222222")
        assert answer.value.status == 409
        conflict = two.locator(".message.conflict")
        expect(conflict).to_be_visible()
        expect(conflict.get_by_role("heading")).to_have_text("修改冲突")
        expect(conflict).to_contain_text(first)
        assert second not in conflict.inner_text()
        # the form now shows what is stored: the first editor's value, a newer version
        expect(edit_form(two).locator("input[name=amount]")).to_have_value("1111111")
        assert int(edit_form(two).locator("input[name=version]").input_value()) > int(seen)
        assert stored_amount(store, target) == 1111111.0
        shot(two, "secretariat-conflict")


# -- committee -----------------------------------------------------------------------------------

def test_committee_reads_but_cannot_edit(browser: Browser, page: Page, base: str,
                                         store: Engine, accounts: dict[str, str], target: str,
                                         shot: Shot) -> None:
    with session(browser) as secretariat:  # where the secretariat edits the commitment
        login(secretariat, base, accounts["secretariat"])
        url = open_edit_from_secretariat(secretariat, base, target)

    login(page, base, accounts["committee"])
    assert path_of(page) == f"/alliances/{quote(A)}/secretariat"
    expect(page.get_by_role("heading", level=1)).to_contain_text(A)
    expect(page.get_by_role("cell", name=target, exact=True)).to_be_visible()
    expect(page.locator("a.edit")).to_have_count(0)
    expect(page.get_by_role("link", name="修改")).to_have_count(0)
    before = stored_amount(store, target)

    response = page.goto(url)
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    expect(edit_form(page)).to_have_count(0)
    assert stored_amount(store, target) == before
    shot(page, "committee-refused")


# -- admin ---------------------------------------------------------------------------------------

def test_admin_reads_the_audit_log(browser: Browser, page: Page, base: str,
                                   accounts: dict[str, str], target: str,
                                   shot: Shot) -> None:
    editor = accounts["secretariat"]
    with session(browser) as secretariat:  # an edit to find in the log
        login(secretariat, base, editor)
        open_edit_from_secretariat(secretariat, base, target)
        save_amount(secretariat, "3333333")
        expect(secretariat.locator(".message.saved")).to_be_visible()

    login(page, base, accounts["admin"])
    page.goto(f"{base}/admin/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    filters = page.locator("form.filters")
    filters.locator("input[name=actor]").fill(editor)
    with page.expect_navigation():
        filters.get_by_role("button", name="搜索").click()
    entries = page.get_by_role("row").filter(has=page.locator("td.actor"))
    expect(entries).not_to_have_count(0)
    assert set(page.locator("td.actor").all_inner_texts()) == {editor}
    expect(entries.filter(has_text=target)).not_to_have_count(0)
    shot(page, "admin-audit")

    with page.expect_download() as download:
        page.locator("a.export").click()
    assert download.value.suggested_filename == "audit.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["actor"] for r in rows} == {editor}, rows[:2]
    assert any(target in r["detail"] and "3333333" in r["detail"] for r in rows)

    page.goto(f"{base}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("用户管理")
    users = page.locator("td.user").all_inner_texts()
    assert {accounts[r] for r in ROLES} <= set(users)
    expect(page.locator("body")).not_to_contain_text("$argon2")
    shot(page, "admin-users")


# -- more of each role's work: importing, keeping offers, sharing --------------------------------

def test_secretariat_imports_a_file_row_by_row(page: Page, base: str, store: Engine,
                                               accounts: dict[str, str], tmp_path: Path,
                                               shot: Shot) -> None:
    login(page, base, accounts["secretariat"])
    page.locator("p.kinds a[href$='/records/events']").click()
    page.wait_for_url(re.compile(r"/records/events$"))
    tag = uuid.uuid4().hex[:6]
    bad = tmp_path / "events.csv"
    bad.write_text("ref,type,date,description\n"
                   f"B1-{tag},report,2026-01-01,fine\n"
                   f"B2-{tag},complaint,2026-01-02,unknown type\n", encoding="utf-8")
    form = page.locator("form.import")
    form.locator("input[type=file]").set_input_files(str(bad))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    problems = page.locator("tr.problem")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("complaint")
    expect(problems.first.locator("td").first).to_have_text("3")  # the file's row number
    shot(page, "secretariat-import-problems")
    with store.connect() as conn:
        assert conn.execute(select(Event.ref).where(Event.ref == f"B1-{tag}")).first() is None
    bad.write_text(f"ref,type,date\nB1-{tag},report,2026-01-01\n", encoding="utf-8")
    page.locator("form.import input[type=file]").set_input_files(str(bad))
    with page.expect_navigation():
        page.locator("form.import button[type=submit]").click()
    expect(page.locator(".message.saved")).to_be_visible()
    expect(page.get_by_role("cell", name=f"B1-{tag}", exact=True)).to_be_visible()


def test_member_adds_an_offer(page: Page, base: str, store: Engine, accounts: dict[str, str],
                              shot: Shot) -> None:
    login(page, base, accounts["member"])
    page.locator("p.kinds a[href='/me/records/offers']").click()
    page.locator("a.add").click()
    title = f"browser offer {uuid.uuid4().hex[:6]}"
    form = page.locator("form.record")
    form.locator("input[name=title]").fill(title)
    form.locator("textarea[name=text]").fill("锂电池热管理技术许可")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".message.saved")).to_be_visible()
    with store.connect() as conn:
        owner = conn.execute(select(Offer.organization).where(Offer.title == title)).scalar()
    assert owner == accounts["org"]
    shot(page, "member-offer-added")


def test_committee_compares_and_records_an_allocation(page: Page, base: str,
                                                      accounts: dict[str, str],
                                                      shot: Shot) -> None:
    login(page, base, accounts["committee"])
    page.locator("a.allocations").click()
    page.wait_for_url(re.compile(r"/allocations$"))
    expect(page.locator(".ledger-ok")).to_be_visible()
    form = page.locator("form.share")
    form.locator("input[name=as_of]").fill("2016-12-31")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    table = page.locator("table.comparison")
    expect(table).to_be_visible()
    shot(page, "committee-comparison")
    with page.expect_navigation():
        table.locator("button[value=shapley]").click()
    expect(page.locator(".message.saved").first).to_be_visible()
    assert "recorded=" in page.url
    mine = page.get_by_role("row").filter(has_text=accounts["committee"])
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("shapley")
    expect(page.locator(".ledger-ok")).to_be_visible()
    shot(page, "committee-recorded")
