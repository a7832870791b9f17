"""The public, read-only web platform: pages in both languages, the registry's search, filters,
sort and pages against the store, errors (404 with a suggestion, 422 never 500), no external
URL anywhere, and the /api/v1 JSON matching the pages."""

from __future__ import annotations

import html
import re
import sys
import warnings
from collections.abc import Iterator
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from innoalliance.cli.app import app as cli
from innoalliance.model import Industry
from innoalliance.web.i18n import LABELS, LANGS, translator
from innoalliance.workflows.common import save_run
from innoalliance.workflows.register.ledger import read_ledger, select_frame

with warnings.catch_warnings():  # starlette's TestClient announces a move to httpx2
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from fastapi.testclient import TestClient

EV = "电动汽车产学研技术创新联盟"
PAGES = ("/", "/alliances", f"/alliances/{EV}", "/map", "/board", "/reports")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
PRIVATE = ("commitment", "contribution", "rating", "audit")


@pytest.fixture
def alliances(demo_engine: Engine) -> pd.DataFrame:
    return read_ledger(demo_engine).alliances


def names_on_page(html: str) -> list[str]:
    return re.findall(r'<a class="alliance" href="[^"]*">([^<]*)</a>', html)


def api_names(client: TestClient, **params: Any) -> tuple[int, list[str]]:
    r = client.get("/api/v1/alliances", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    return body["total"], [a["name_zh"] for a in body["items"]]


def parse_link(href: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(html.unescape(href))
    assert not parts.scheme and not parts.netloc
    return parts.path, parse_qs(parts.query)


def all_names(client: TestClient, **params: Any) -> list[str]:
    names: list[str] = []
    page = 1
    while True:
        total, some = api_names(client, page=page, **params)
        names += some
        if len(names) >= total or not some:
            return names
        page += 1


def test_every_code_shown_has_both_languages() -> None:
    from innoalliance.model import vocab
    from innoalliance.web.i18n import CODES

    shown = (vocab.AllianceKind, vocab.AllianceStatus, vocab.Stage, vocab.MemberRole,
             vocab.OrgType, vocab.ProjectStatus, vocab.OutputType, vocab.EventType,
             vocab.CommitmentKind)
    for enum in shown:
        for member in enum:
            assert set(CODES[member.value]) == set(LANGS), member
    assert all(texts["zh"] != texts["en"] for texts in CODES.values())


def test_every_label_has_both_languages() -> None:
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
    used = set()
    for template in files("innoalliance.web").joinpath("templates").iterdir():
        used |= set(re.findall(r"t\('([a-z_]+)'\)", template.read_text(encoding="utf-8")))
    assert used <= set(LABELS), used - set(LABELS)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_in_each_language(client: TestClient, lang: str) -> None:
    t = translator(lang)  # type: ignore[arg-type]
    expected = {"/": ["site_title", "count_alliances", "count_offers"],
                "/alliances": ["nav_alliances", "search_name", "filter_industry", "col_year"],
                f"/alliances/{EV}": ["members", "projects", "outputs", "grade"],
                "/map": ["map_title", "col_count"],
                "/board": ["board_title", "offers", "needs", "col_organization"]}
    other = "en" if lang == "zh" else "zh"
    for page, keys in expected.items():
        r = client.get(page, params={"lang": lang})
        assert r.status_code == 200, (page, r.text[:300])
        for key in keys:
            assert t(key) in r.text, (page, key)
        assert LABELS["nav_alliances"][other] not in r.text
        assert r.cookies.get("lang") == lang


def test_language_kept_in_cookie_default_chinese(client: TestClient) -> None:
    assert "联盟名录" in client.get("/").text
    client.get("/", params={"lang": "en"})
    assert "Alliance registry" in client.get("/alliances").text
    assert client.get("/", params={"lang": "xx"}).status_code == 422


def test_registry_search(client: TestClient, alliances: pd.DataFrame) -> None:
    expected = sorted(alliances.loc[alliances["name_zh"].str.contains("汽车"), "name_zh"])
    assert expected and all_names(client, q="汽车") == expected
    en = alliances["name_en"].fillna("").str.lower().str.contains("zhongguancun")
    expected = sorted(alliances.loc[en, "name_zh"])
    assert expected and all_names(client, q="ZhongGuanCun") == expected
    assert all_names(client, q="no such alliance at all") == []


def test_registry_filters(client: TestClient, demo_engine: Engine,
                          alliances: pd.DataFrame) -> None:
    inds = select_frame(demo_engine, Industry.code, Industry.parent, Industry.maps_to)
    under = set(inds.loc[(inds["code"] == "GD01") | (inds["parent"] == "GD01")
                         | (inds["maps_to"] == "GD01"), "code"])
    cases: list[tuple[dict[str, Any], pd.Series]] = [
        ({"industry": "GD01"}, alliances["industry"].isin(under)),
        ({"region": "4401"}, alliances["host_region"].str.startswith("4401")),
        ({"kind": "technical_standard"}, alliances["kind"] == "technical_standard"),
        ({"batch": 2}, alliances["batch"] == 2),
        ({"stage": "maturity"}, alliances["stage"] == "maturity"),
        ({"region": "44", "batch": 1, "stage": "growth"},
         alliances["host_region"].str.startswith("44") & (alliances["batch"] == 1)
         & (alliances["stage"] == "growth")),
    ]
    for params, mask in cases:
        expected = sorted(alliances.loc[mask, "name_zh"])
        assert expected, params
        assert all_names(client, **params) == expected, params
        page = client.get("/alliances", params={**params, "lang": "en"})
        assert names_on_page(page.text) == expected[:20], params


def test_registry_sort_and_pages(client: TestClient, alliances: pd.DataFrame) -> None:
    frame = alliances[["name_zh", "approval_year", "batch"]].copy()
    by_name = sorted(frame["name_zh"])
    total, first = api_names(client)
    assert total == len(frame) > 20
    assert first == by_name[:20]
    assert api_names(client, page=2)[1] == by_name[20:40]
    assert api_names(client, page=99) == (total, [])
    assert all_names(client, sort="-name") == by_name[::-1]
    for column, sort in (("approval_year", "year"), ("batch", "batch")):
        known = frame[frame[column].notna()]
        for descending in (False, True):
            rows = sorted(zip(known[column], known["name_zh"], strict=True),
                          key=lambda r: (-r[0] if descending else r[0], r[1]))
            expected = [n for _, n in rows] + sorted(frame.loc[frame[column].isna(), "name_zh"])
            assert all_names(client, sort=("-" if descending else "") + sort) == expected
    page2 = client.get("/alliances", params={"page": 2, "sort": "-year"}).text
    assert names_on_page(page2) == api_names(client, page=2, sort="-year")[1]
    links = [parse_link(link) for link in re.findall(r'<a href="(/alliances\?[^"]*)">', page2)]
    assert ("/alliances", {"sort": ["-year"], "page": ["1"]}) in links
    switch = re.search(r'<a class="lang" href="([^"]*)">', page2)
    assert switch
    assert parse_link(switch.group(1)) == ("/alliances", {"sort": ["-year"], "page": ["2"],
                                                          "lang": ["en"]})


def test_blank_form_fields_mean_no_filter(client: TestClient) -> None:
    r = client.get("/alliances?q=&industry=&region=&kind=&batch=&stage=&sort=name")
    assert r.status_code == 200
    assert len(names_on_page(r.text)) == 20


def test_unknown_alliance_suggests_the_closest(client: TestClient) -> None:
    near = EV[:-1]
    for lang, word in (("zh", LABELS["did_you_mean"]["zh"]), ("en", "Did you mean")):
        r = client.get(f"/alliances/{near}", params={"lang": lang})
        assert r.status_code == 404
        assert word in r.text and f'href="/alliances/{quote(EV)}"' in r.text
    r = client.get(f"/api/v1/alliances/{near}")
    assert r.status_code == 404
    assert r.json()["suggestion"] == EV and EV in r.json()["hint"]
    assert client.get("/no/such/page").status_code == 404


BAD = [({"page": 0}, "page"), ({"page": "two"}, "page"), ({"batch": -1}, "batch"),
       ({"batch": "first"}, "batch"), ({"kind": "club"}, "kind"), ({"stage": "old"}, "stage"),
       ({"sort": "size"}, "sort"), ({"region": "44x"}, "region"), ({"q": "x" * 300}, "q"),
       ({"industry": "GD0"}, "GD0")]


@pytest.mark.parametrize(("params", "word"), BAD)
def test_bad_values_are_422_with_a_message(client: TestClient, params: dict[str, Any],
                                           word: str) -> None:
    page = client.get("/alliances", params={**params, "lang": "en"})
    assert page.status_code == 422
    assert "Invalid request" in page.text and word in page.text
    api = client.get("/api/v1/alliances", params=params)
    assert api.status_code == 422
    assert word in api.json()["message"]


def test_other_bad_values(client: TestClient) -> None:
    assert client.get("/api/v1/regions", params={"level": "city"}).status_code == 422
    assert client.get("/board", params={"q": "x" * 300}).status_code == 422
    assert client.get(f"/alliances/{'x' * 300}").status_code == 422


def test_no_external_urls_on_any_page(client: TestClient, alliances: pd.DataFrame) -> None:
    pages = [*PAGES, f"/alliances/{EV[:-1]}", "/alliances?page=0", "/alliances?page=2",
             "/board?q=芯片", "/nothing"]
    pages += [f"/alliances/{n}" for n in alliances["name_zh"]]
    for page in pages:
        for lang in LANGS:
            text = client.get(page, params={"lang": lang}).text
            assert not EXTERNAL.findall(text), page
    map_page = client.get("/map").text
    assert '<script src="/static/plotly.min.js"></script>' in map_page
    assert "Plotly.newPlot" in map_page
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and "plotly.js" in js.text[:2000]
    assert client.get("/static/style.css").status_code == 200
    docs = client.get("/docs").text  # Swagger UI from the installed package, no CDN
    assert not EXTERNAL.findall(docs) and "/static/swagger/swagger-ui-bundle.js" in docs
    bundle = client.get("/static/swagger/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


def test_api_matches_pages(client: TestClient, demo_engine: Engine) -> None:
    detail = client.get(f"/api/v1/alliances/{EV}").json()
    page = client.get(f"/alliances/{EV}", params={"lang": "zh"}).text
    ledger = read_ledger(demo_engine, EV)
    assert sorted(m["name_zh"] for m in detail["members"]) == sorted(ledger.memberships["name_zh"])
    assert sorted(p["name"] for p in detail["projects"]) == sorted(ledger.projects["name"])
    assert sorted(o["name"] for o in detail["outputs"]) == sorted(ledger.outputs["name"])
    for m in detail["members"]:
        assert m["name_zh"] in page
    for item in detail["projects"] + detail["outputs"]:
        assert item["name"] in page
    grade = detail["grade"]
    if grade is None:
        assert LABELS["not_evaluated"]["zh"] in page
    else:
        assert f"{grade['grade']} " in page and str(grade["year"]) in page
    board = client.get("/board").text
    for which in ("offers", "needs"):
        items = client.get(f"/api/v1/{which}").json()["items"]
        assert items
        for item in items:
            assert item["title"] in board and item["organization_name"] in board
    some = client.get("/api/v1/offers", params={"q": "芯片"}).json()["items"]
    assert some and all("芯片" in i["title"] or "芯片" in i["organization_name"] for i in some)
    filtered = client.get("/board", params={"q": "芯片"}).text
    assert all(i["title"] in filtered for i in some)
    total, _ = api_names(client)
    assert f"{total} " in client.get("/alliances").text
    assert f">{total}<" in client.get("/").text


def _every(client: TestClient, path: str, **params: str) -> list[dict[str, object]]:
    """Every item of a paged API list, page by page."""
    items: list[dict[str, object]] = []
    while True:
        page = client.get(path, params={**params, "limit": 200, "offset": len(items)}).json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def test_regions_api(client: TestClient) -> None:
    prefectures = _every(client, "/api/v1/regions", level="prefecture")
    assert prefectures and {r["level"] for r in prefectures} == {"prefecture"}
    assert any(r["has_boundary"] for r in prefectures)
    everything = client.get("/api/v1/regions").json()
    assert everything["total"] > len(prefectures)


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/alliances", "/api/v1/alliances/{name}", "/api/v1/regions",
                 "/api/v1/offers", "/api/v1/needs"):
        assert path in spec["paths"], path
        assert "200" in spec["paths"][path]["get"]["responses"]
    assert "AllianceDetail" in spec["components"]["schemas"]
    assert not [p for p in spec["paths"] if not p.startswith("/api/v1")]


def _keys(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _keys(value)
    elif isinstance(data, list):
        for value in data:
            yield from _keys(value)


def test_api_never_returns_private_fields(client: TestClient, alliances: pd.DataFrame) -> None:
    urls = ["/api/v1/alliances", "/api/v1/regions?level=prefecture", "/api/v1/offers",
            "/api/v1/needs"] + [f"/api/v1/alliances/{n}" for n in alliances["name_zh"]]
    for url in urls:
        keys = set(_keys(client.get(url).json()))
        assert not [k for k in keys if any(p in k.lower() for p in PRIVATE)], url
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    fields = set(_keys({k: v.get("properties", {}) for k, v in schemas.items()}))
    assert not [f for f in fields if any(p in f.lower() for p in PRIVATE)]


def test_serve_without_the_web_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(cli, ["serve", "--db", "sqlite:///unused.db"])
    assert result.exit_code == 1
    assert "serving the web platform needs the optional dependencies" in result.output
    assert "pip install 'innoalliance[web]'" in result.output  # brackets are not markup


def test_published_runs_are_public_others_are_not(client: TestClient, demo_engine: Engine,
                                                  ) -> None:
    published = save_run(demo_engine, "evaluate", {"system": "alliance_activity"}, {"n": 1},
                         {"scores": [{"alliance": EV, "year": 2018, "score": 0.5}],
                          "weights": {"a": 0.25, "b": 0.75}, "note": [1, 2]})
    private = save_run(demo_engine, "share", {"kind": "profit"}, {}, {"total": 1.0})
    listed = client.get("/api/v1/runs").json()["items"]  # a page (issue 16 item 9)
    assert published in {r["id"] for r in listed} and private not in {r["id"] for r in listed}
    run = client.get(f"/api/v1/runs/{published}").json()
    assert run["results"]["weights"] == {"a": 0.25, "b": 0.75}
    assert client.get(f"/api/v1/runs/{private}").status_code == 404
    assert client.get(f"/reports/{private}").status_code == 404
    assert client.get("/api/v1/admin/runs").status_code == 401
    page = client.get(f"/reports/{published}", params={"lang": "en"})
    assert page.status_code == 200 and "Evaluation" in page.text and EV in page.text
    assert "<th>b</th><td>0.75</td>" in page.text  # a mapping of numbers as a table
    listing = client.get("/reports", params={"workflow": "evaluate"})
    assert listing.status_code == 200 and f'href="/reports/{published}"' in listing.text
    shares = client.get("/reports", params={"workflow": "share"})
    assert shares.status_code == 200 and f'href="/reports/{private}"' not in shares.text
    assert client.get("/reports", params={"workflow": "nope"}).status_code == 422
