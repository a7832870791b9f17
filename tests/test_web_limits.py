"""Nothing breaks under bulk (issue 16 items 8 and 9): limits on offer and need texts and on
how many one organization may hold, checked on import; the board and every list of the API
paged in the database with a documented maximum; a member's suggestions within a budget."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, select

from innoalliance.errors import ValidationError
from innoalliance.ingest.creditcode import complete
from innoalliance.ingest.schema import MAX_KEYWORDS, MAX_PER_ORGANIZATION, MAX_TEXT
from innoalliance.model import Need, Offer
from innoalliance.web.queries import MAX_LIMIT
from innoalliance.web.suggest import member_matches
from innoalliance.workflows.match import context
from innoalliance.workflows.match.context import MATCH_TEXT, read_context
from innoalliance.workflows.register.imports import import_files
from tests.conftest import write

ORG = complete("91330100MA2AAAAA0")
OTHER = complete("91330100MA2BBBBB0")
ORGS = f"""
credit_code,name_zh,type,size,region
{ORG},甲公司,enterprise,small,330100
{OTHER},乙大学,university,large,330100
"""


def _knowledge(rows: list[tuple[str, str, str]]) -> str:
    """An offers or needs CSV of (organization, title, text) rows."""
    return "organization,title,text\n" + "".join(f"{o},{t},{x}\n" for o, t, x in rows)


def _count(engine: Engine, model: type[Offer] | type[Need]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def orgs(engine: Engine, tmp_path: Path) -> Engine:
    """A store holding two organizations."""
    import_files(engine, "organizations", [write(tmp_path / "orgs.csv", ORGS)])
    return engine


def test_over_long_text_is_refused_with_its_length(orgs: Engine, tmp_path: Path) -> None:
    """Issue 16 item 8: an over-long offer text or keyword list is a Problem naming file, row,
    column, the length and the maximum; nothing is written."""
    long_text = "芯" * (MAX_TEXT() + 1)
    path = write(tmp_path / "offers.csv", "organization,title,text,keywords\n"
                 f"{ORG},短,正常文本,{'k' * (MAX_KEYWORDS() + 1)}\n{ORG},长,{long_text},\n")
    with pytest.raises(ValidationError) as err:
        import_files(orgs, "offers", [path])
    found = {(p.file, p.row, p.column): p for p in err.value.problems}
    text = found[("offers.csv", 3, "text")]
    assert f"{MAX_TEXT() + 1:,}" in text.rule and f"{MAX_TEXT():,}" in text.rule
    assert text.value is not None and len(text.value) < 100  # the cell is not echoed whole
    keywords = found[("offers.csv", 2, "keywords")]
    assert f"{MAX_KEYWORDS():,}" in keywords.rule
    assert _count(orgs, Offer) == 0


def test_more_than_the_maximum_per_organization_is_refused(orgs: Engine,
                                                           tmp_path: Path) -> None:
    """Issue 16 item 8: an import that would leave an organization with more offers than
    :data:`MAX_PER_ORGANIZATION` is refused, saying how many and the maximum, nothing written;
    updating stored offers does not count twice."""
    first = [(ORG, f"供给{k:04d}", "文本") for k in range(MAX_PER_ORGANIZATION() - 10)]
    import_files(orgs, "offers", [write(tmp_path / "a.csv", _knowledge(first))])
    # the same titles again (updates) plus 10 new ones: exactly the maximum
    again = first + [(ORG, f"新{k}", "文本") for k in range(10)]
    import_files(orgs, "offers", [write(tmp_path / "b.csv", _knowledge(again))])
    assert _count(orgs, Offer) == MAX_PER_ORGANIZATION()
    over = [(ORG, "再多一条", "文本"), (OTHER, "别人的", "文本")]
    with pytest.raises(ValidationError) as err:
        import_files(orgs, "offers", [write(tmp_path / "c.csv", _knowledge(over))])
    [problem] = err.value.problems
    assert problem.column == "organization" and problem.value == ORG and problem.row == 2
    assert f"{MAX_PER_ORGANIZATION() + 1:,} offers" in problem.rule
    assert f"at most {MAX_PER_ORGANIZATION():,}" in problem.rule
    assert _count(orgs, Offer) == MAX_PER_ORGANIZATION()  # nothing written, not even OTHER's
    many = [(OTHER, f"需求{k}", "文本") for k in range(MAX_PER_ORGANIZATION() + 1)]
    with pytest.raises(ValidationError):
        import_files(orgs, "needs", [write(tmp_path / "n.csv", _knowledge(many))])
    assert _count(orgs, Need) == 0


def test_suggestions_read_within_a_budget(orgs: Engine, monkeypatch: pytest.MonkeyPatch,
                                          ) -> None:
    """Issue 16 item 8: with offers written straight to the store, past the import limits, the
    matching engine reads only the newest ``MATCH_CANDIDATES`` of them, each text cut to
    ``MATCH_TEXT`` characters, and the member's suggestions still come."""
    monkeypatch.setenv(context.MATCH_CANDIDATES.variable, "50")
    with orgs.begin() as conn:
        conn.execute(insert(Offer), [
            {"organization": ORG, "title": f"批量{k:03d}",
             "text": "芯片封装" * MAX_TEXT() if k == 119 else "芯片 封装"} for k in range(120)])
        conn.execute(insert(Need), [{"organization": OTHER, "title": "需要芯片", "text": "芯片"}])
    ctx = read_context(orgs, as_of=dt.date.today())
    assert sorted(ctx.offers["title"]) == [f"批量{k:03d}" for k in range(70, 120)]
    assert max(len(t) for t in ctx.offers["text"]) == MATCH_TEXT()
    found = member_matches(orgs, OTHER)["offers_for_needs"]
    assert found and all(f["other"].startswith("批量") and f["mine"] == "需要芯片"
                         for f in found)
    assert member_matches(orgs, ORG)["needs_for_offers"]


SEEDED = 300


@pytest.fixture
def board(orgs: Engine, db_url: str, tmp_path: Path) -> Iterator[Any]:
    """A web client of a store holding :data:`SEEDED` offers and 3 needs."""
    offers = [(ORG, f"供给{k:03d}", "芯片 封装") for k in range(SEEDED)]
    import_files(orgs, "offers", [write(tmp_path / "o.csv", _knowledge(offers))])
    needs = [(OTHER, f"需求{k}", "芯片") for k in range(3)]
    import_files(orgs, "needs", [write(tmp_path / "n.csv", _knowledge(needs))])
    from innoalliance.web.app import create_app

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
        from fastapi.testclient import TestClient
    with TestClient(create_app(db_url)) as client:
        yield client


def test_api_lists_are_paged_with_a_maximum(board: Any) -> None:
    """Issue 16 item 9: ``limit`` above :data:`MAX_LIMIT` is refused; a page holds ``limit``
    items from ``offset`` on, with the total."""
    for path in ("/api/v1/offers", "/api/v1/needs", "/api/v1/regions"):
        assert board.get(path, params={"limit": MAX_LIMIT + 1}).status_code == 422, path
        assert board.get(path, params={"limit": 1000}).status_code == 422, path
        assert board.get(path, params={"offset": -1}).status_code == 422, path
    page = board.get("/api/v1/offers", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == SEEDED and page["limit"] == 2 and page["offset"] == 2
    assert [i["title"] for i in page["items"]] == ["供给002", "供给003"]
    default = board.get("/api/v1/offers").json()
    assert default["total"] == SEEDED and 0 < len(default["items"]) < SEEDED
    last = board.get("/api/v1/offers", params={"limit": MAX_LIMIT, "offset": SEEDED - 1}).json()
    assert [i["title"] for i in last["items"]] == [f"供给{SEEDED - 1:03d}"]
    needs = board.get("/api/v1/needs", params={"q": "需求1"}).json()
    assert needs["total"] == 1 and [i["title"] for i in needs["items"]] == ["需求1"]


def test_the_database_pages_the_offers(board: Any) -> None:
    """Issue 16 item 9: the offers are read with LIMIT in SQL (only counted whole)."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert len(board.get("/api/v1/offers", params={"limit": 5}).json()["items"]) == 5
        assert board.get("/board").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    reads = [s for s in statements if "offers.title" in s and "count(*)" not in s]
    assert reads and all("LIMIT" in s.upper() for s in reads), reads


def test_board_links_to_the_next_page(board: Any) -> None:
    """Issue 16 item 9: the board shows one page of each list and links to the next."""
    first = board.get("/board", params={"lang": "en"}).text
    assert "供给000" in first and f"供给{SEEDED - 1:03d}" not in first
    assert "page=2" in first and ">Next<" in first and ">Previous<" not in first
    last = board.get("/board", params={"page": 100}).text
    assert f"供给{SEEDED - 1:03d}" not in last  # past the end: nothing, but still a page
    end = board.get("/board", params={"page": SEEDED // 50, "lang": "en"}).text
    assert f"供给{SEEDED - 1:03d}" in end and ">Previous<" in end and ">Next<" not in end
    assert board.get("/board", params={"page": 0}).status_code == 422
