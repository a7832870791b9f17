"""Matching with alliances whose names hold spaces or slashes (issue 16 item 19).

One alliance named with a space ("新能源 汽车联盟") made ``match run`` fail for every alliance, and
so emptied every member's suggestions: the alliance names are handed to the Chinese word
segmenter as terms to keep whole, and a term with a space is refused. Names are now split at
whitespace into terms. These tests run on SQLite and on PostgreSQL, on a demo store of the
module's own (they write).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from innoalliance.demo.loader import load_demo
from innoalliance.store.engine import make_engine
from innoalliance.workflows.match.store import domain_terms, run_match
from innoalliance.workflows.register.ledger import alliance_ledger
from innoalliance.workflows.register.records import write_rows

from .conftest import BACKENDS, _url
from .test_cli import run

EV = "电动汽车产学研技术创新联盟"
SPACED = "新能源 汽车联盟"
SLASHED = "新能源/汽车联盟"
PADDED = " 智能\u3000网联  联盟 "  # leading, trailing, a full-width and a double space
AS_OF = dt.date(2024, 6, 30)


def _add_alliance(engine: Engine, name: str, members: list[str]) -> None:
    """Register alliance ``name`` with ``members`` as a secretariat would (validated, audited)."""
    write_rows(engine, "alliances", [{"name_zh": name, "kind": "rd_cooperation",
                                      "industry": "1.1", "host_region": "110000",
                                      "status": "active"}],
               "tester", scope={}, kinds=("alliances",))
    if members:
        write_rows(engine, "memberships", [{"alliance": name, "organization": o,
                                            "role": "member", "joined": "2020-01-01"}
                                           for o in members],
                   "tester", scope={}, kinds=("memberships",))


def _results(engine: Engine, alliance: str | None) -> dict[str, Any]:
    """The run's summary without its scope (which names the alliance)."""
    summary = run_match(engine, alliance=alliance, as_of=AS_OF).summary()
    summary.pop("scope")
    return summary


@pytest.fixture(scope="module", params=BACKENDS)
def stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[tuple[str, Engine, dict[str | None, dict[str, Any]]]]:
    """A demo store of the module's own, the results of matching before any oddly named alliance
    was added (within EV, and over every organisation), then with those alliances added."""
    for url in _url(request.param, tmp_path_factory.mktemp("names")):
        engine = make_engine(url)
        load_demo(engine)
        before = {a: _results(engine, a) for a in (EV, None)}
        members = sorted(set(alliance_ledger(engine, EV).memberships["organization"]))
        _add_alliance(engine, SPACED, members)
        _add_alliance(engine, SLASHED, members)
        # an import strips the ends of a name; an older store may still hold such a name
        _add_alliance(engine, "待改名联盟", [])
        with engine.begin() as conn:
            conn.execute(text("UPDATE alliances SET name_zh = :new WHERE name_zh = :old"),
                         {"new": PADDED, "old": "待改名联盟"})
        yield url, engine, before
        engine.dispose()


def test_alliance_names_become_terms_without_spaces(
        stores: tuple[str, Engine, dict[str | None, dict[str, Any]]]) -> None:
    """Issue 16 item 19: each name is split at whitespace; names without any stay whole."""
    _, engine, _before = stores
    ctx = run_match(engine, alliance=EV, as_of=AS_OF).context
    terms = domain_terms(engine, ctx)
    assert not any(ch.isspace() for term in terms for ch in term)
    assert {"新能源", "汽车联盟", SLASHED, "智能", "网联", "联盟", EV} <= set(terms)
    assert SPACED not in terms and len(terms) == len(set(terms))


def test_match_runs_with_a_spaced_alliance_and_others_are_unchanged(
        stores: tuple[str, Engine, dict[str | None, dict[str, Any]]]) -> None:
    """Issue 16 item 19: with alliances named "新能源 汽车联盟", "新能源/汽车联盟" and
    " 智能　网联  联盟 " in the store, matching within another alliance and over every
    organisation gives exactly the results it gave before they were added; matching within the
    spaced alliance itself works and, as it has the same members as EV, gives EV's results."""
    _, engine, before = stores
    for alliance in (EV, None):
        assert _results(engine, alliance) == before[alliance], alliance
    assert _results(engine, SPACED) == before[EV]
    assert _results(engine, SLASHED) == before[EV]


def test_cli_match_run_with_spaced_alliance(
        stores: tuple[str, Engine, dict[str | None, dict[str, Any]]], tmp_path: Path) -> None:
    """Issue 16 item 19: ``innoalliance match run`` succeeds for the spaced alliance and for every
    organisation, and writes its reports."""
    url, _engine, before = stores
    for args in (["--alliance", SPACED], []):
        output = tmp_path / ("alliance" if args else "all")
        code, out, err = run("match", "run", *args, "--as-of", AS_OF.isoformat(),
                             "--db", url, "--json", "--output", str(output))
        assert code == 0, err
        summary = json.loads(out)
        assert summary["stable_matching"] == (before[EV] if args else before[None]
                                              )["stable_matching"]
        assert output.with_suffix(".html").is_file() and output.with_suffix(".json").is_file()


def test_member_suggestions_are_not_emptied(
        stores: tuple[str, Engine, dict[str | None, dict[str, Any]]]) -> None:
    """Issue 16 item 19: the member's suggestions (the web's ``member_matches``, which takes a
    failed match for "nothing to match yet") are there with a spaced alliance in the store."""
    from innoalliance.web.suggest import member_matches

    _, engine, before = stores
    receiver = next(c["need"] for c in before[None]["candidates"])
    ctx = run_match(engine, as_of=AS_OF).context
    organization = str(ctx.needs.set_index("id").loc[receiver, "organization"])
    found = member_matches(engine, organization)
    assert found["offers_for_needs"], found
