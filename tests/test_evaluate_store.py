"""Index systems applied to the demo store: indicator values, scores, grades, ratings, reports.

Indicator values are checked against counts made here straight from the demo CSV files, not
through the measures code; scores against the weighted sum written out by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from innoalliance.errors import MethodError, UnknownReference
from innoalliance.ingest.indexsystem import load_system
from innoalliance.methods.mcda.grading import MOST_ACTIVITY_BANDS
from innoalliance.workflows.evaluate.credit import rate_members
from innoalliance.workflows.evaluate.store import evaluate, with_uncertainty

EV = "电动汽车产学研技术创新联盟"
VIOLATOR = "91440100MAUM7M5908"  # seed 000's member that stopped paying in (events.csv E-001)


def demo_rows(name: str) -> list[dict[str, str]]:
    path = resources.files("innoalliance.demo") / "data" / f"{name}.csv"
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_activity_indicators_match_the_ledger(demo_engine: Engine) -> None:
    system = load_system("alliance_activity")
    ev = evaluate(demo_engine, system, [2014, 2015, 2016])
    # violations and disputes dated 2012–2014 (window 3 years), counted from the CSV
    events = demo_rows("events")
    expected = sum(1 for e in events if e["alliance"] == EV and e["type"] in
                   ("violation", "dispute") and "2012" <= e["date"][:4] <= "2014")
    assert expected >= 1
    assert ev.raw.loc[(EV, 2014), "violations"] == expected
    outputs = demo_rows("outputs")
    for year in (2014, 2015, 2016):
        for alliance in {o["alliance"] for o in outputs}:
            if (alliance, year) not in ev.raw.index:
                continue
            standards = sum(1 for o in outputs if o["alliance"] == alliance and
                            o["type"] == "standard" and year - 2 <= int(o["date"][:4]) <= year)
            assert ev.raw.loc[(alliance, year), "standards"] == standards


def test_scores_are_the_weighted_goalpost_values(demo_engine: Engine) -> None:
    system = load_system("alliance_activity")
    ev = evaluate(demo_engine, system, [2015])
    indicators = system.indicators()
    assert ev.raw.isna().any(axis=1).sum() >= 3  # rows with a gap: weights shared by siblings
    for (unit, year), row in ev.raw.iterrows():
        by_dimension = []
        for dim in system.goal.children:
            parts = []
            for ind in dim.children:  # type: ignore[union-attr]
                if np.isnan(row[ind.code]):
                    continue  # left out; equal weights renormalise over the others
                low, high = ind.goalposts  # type: ignore[union-attr,misc]
                share = (row[ind.code] - low) / (high - low)
                if ind.direction < 0:  # type: ignore[union-attr]
                    share = 1 - share
                parts.append(100 * min(max(share, 0.0), 1.0))
            by_dimension.append(np.mean(parts))
        assert ev.scores.loc[(unit, year), "score"] == pytest.approx(np.mean(by_dimension))
    assert len(indicators) == 10


def test_grades_ranks_and_exclusions(demo_engine: Engine) -> None:
    ev = evaluate(demo_engine, load_system("alliance_activity"), [2014, 2015, 2016])
    s = ev.scores
    assert set(s["grade"]) <= set(MOST_ACTIVITY_BANDS.labels)
    assert s["score"].between(0, 100).all()
    for year, rows in s.groupby(level="year"):
        ranks = rows["rank"].to_numpy()
        assert ranks.min() == 1 and ranks.max() <= len(rows)
        order = rows.sort_values("score", ascending=False)["rank"].to_numpy()
        assert (np.diff(order) >= 0).all(), year
    # alliances approved in 2015 are not evaluated for 2014
    approved = {a["name_zh"]: a["approval_year"] for a in demo_rows("alliances")}
    late = [n for n, y in approved.items() if y == "2015"]
    assert late and all((n, 2014) not in s.index for n in late)
    assert all((n, 2015) in s.index for n in late)
    assert any("before the unit existed" in note for note in ev.notes)
    # change is the score minus the year before, where both exist
    unit = late[0]
    assert s.loc[(unit, 2016), "change"] == pytest.approx(
        s.loc[(unit, 2016), "score"] - s.loc[(unit, 2015), "score"])
    assert pd.isna(s.loc[(unit, 2015), "change"])


def test_missing_values_are_listed_never_zero(demo_engine: Engine) -> None:
    ev = evaluate(demo_engine, load_system("alliance_performance"), [2015])
    assert len(ev.missing) > 0  # alliances with no commitment due or no project budget
    missing = ev.missing.set_index(["unit", "year", "indicator"]).index
    for unit, year, indicator in missing:
        assert np.isnan(ev.raw.loc[(unit, year), indicator])
    assert any("missing indicator values" in note for note in ev.notes)
    assert ev.weights["goal"].detail["cr"] == pytest.approx(0.0, abs=1e-9)


def test_regions_with_entropy_weights(demo_engine: Engine) -> None:
    ev = evaluate(demo_engine, load_system("regional_innovation"), [2014, 2015])
    assert len(ev.scores) >= 10
    entropy = ev.weights["input"]
    assert entropy.method == "entropy" and sum(entropy.weights) == pytest.approx(1.0)
    # R&D intensity is R&D expenditure over GDP, in per cent, read from the statistics
    stats = {(r["region"], r["indicator"], r["year"]): float(r["value"])
             for r in demo_rows("statistics") if not r["industry"]}
    region = "330200"  # Ningbo
    ratio = stats[(region, "rd_expenditure", "2014")] / stats[(region, "gdp", "2014")] * 100
    assert ev.raw.loc[(region, 2014), "rd_intensity"] == pytest.approx(ratio)
    assert ev.names[region] == "宁波市"


def test_uncertainty_gives_rank_intervals_containing_the_median(demo_engine: Engine) -> None:
    ev = evaluate(demo_engine, load_system("alliance_activity"), [2015])
    ev = with_uncertainty(ev, draws=64, seed=3)
    u = ev.uncertainty[2015]
    units = pd.DataFrame(u["units"])
    assert (units["rank_low"] <= units["median_rank"]).all()
    assert (units["median_rank"] <= units["rank_high"]).all()
    assert set(u["first_order"]) == set(u["varied"])
    again = with_uncertainty(evaluate(demo_engine, load_system("alliance_activity"), [2015]),
                             draws=64, seed=3)
    assert again.uncertainty[2015] == u  # the seed reproduces the analysis


def test_member_credit_ratings(demo_engine: Engine) -> None:
    ratings = rate_members(demo_engine, EV, as_of=dt.date(2016, 12, 31),
                           system=load_system("member_contribution"))
    m = ratings.members.set_index("organization")
    assert set(m["grade"]) <= {"AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "NR"}
    # a member with no record at all is not rated, rather than rated badly
    no_record = m[m["confidence"] == 0]
    assert len(no_record) >= 1 and (no_record["grade"] == "NR").all()
    assert (m.loc[m["confidence"] >= 0.2, "grade"] != "NR").all()
    assert m["behaviour_score"].idxmin() == VIOLATOR
    drivers = m[[c for c in m.columns if c.startswith("driver: ")]]
    np.testing.assert_allclose(ratings.rating.baseline + ratings.rating.drivers.sum(axis=1),
                               ratings.rating.score)
    assert (drivers["driver: violation"] <= 0).all()
    assert drivers.loc[VIOLATOR, "driver: violation"] < 0


def test_store_evaluation_errors(demo_engine: Engine) -> None:
    with pytest.raises(MethodError, match="members of one alliance"):
        evaluate(demo_engine, load_system("member_contribution"), [2015])
    with pytest.raises(UnknownReference) as caught:
        rate_members(demo_engine, "电动汽车联盟", as_of=dt.date(2016, 1, 1),
                     system=load_system("member_contribution"))
    assert caught.value.closest == EV
    with pytest.raises(MethodError, match=r"no statistics .* in the store for 1990"):
        evaluate(demo_engine, load_system("regional_innovation"), [1990])
    with pytest.raises(MethodError, match="nothing to evaluate: no alliance"):
        evaluate(demo_engine, load_system("alliance_activity"), [1990])


def test_reports_are_self_contained(demo_engine: Engine, tmp_path: Path) -> None:
    from innoalliance.reports.credit import credit_report
    from innoalliance.reports.evaluation import evaluation_report

    ev = with_uncertainty(evaluate(demo_engine, load_system("alliance_activity"),
                                   [2014, 2015, 2016]), draws=32, seed=1)
    page = evaluation_report(ev, tmp_path / "e.html").read_text(encoding="utf-8")
    assert "Rank uncertainty, 2016" in page and "组织运行" in page
    assert "<script src=" not in page and '<link rel="stylesheet" href="http' not in page
    ratings = rate_members(demo_engine, EV, as_of=dt.date(2016, 12, 31),
                           system=load_system("member_contribution"))
    page = credit_report(ratings, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "What drives each rating" in page and "<script src=" not in page


def test_delivering_more_on_time_never_lowers_a_rating(engine: Engine, tmp_path: Path) -> None:
    """The trust mechanism's promise, end to end: ledger → evidence → reputation → grade."""
    from innoalliance.demo.loader import load_demo
    from innoalliance.methods.mcda.grading import CREDIT_BANDS
    from innoalliance.workflows.register.imports import import_table_file

    from .conftest import write

    load_demo(engine)
    system = load_system("member_contribution")
    as_of = dt.date(2016, 12, 31)

    def rated() -> tuple[float, int]:
        m = rate_members(engine, EV, as_of=as_of, system=system).members
        row = m.set_index("organization").loc[VIOLATOR]
        return float(row["score"]), CREDIT_BANDS.labels.index(str(row["grade"]))

    score, grade = rated()
    first = score
    header = "alliance,ref,commitment,organization,date,amount,unit\n"
    # C-005 (1,200 万元 due 2013-12-31) had 300 万元 delivered; top it up on time, step by step
    for k, amount in enumerate((100, 400, 400, 2000)):
        write(tmp_path / f"more{k}.csv",
              header + f"{EV},D-X{k},C-005,{VIOLATOR},2013-11-30,{amount},万元\n")
        import_table_file(engine, "contributions", tmp_path / f"more{k}.csv")
        new_score, new_grade = rated()
        assert new_score >= score - 1e-9 and new_grade <= grade  # lower index = better grade
        score, grade = new_score, new_grade
    assert score > first + 5  # fully delivered on time: clearly better than a 25 % delivery


def test_unknown_measure_names_the_node(demo_engine: Engine, tmp_path: Path) -> None:
    from innoalliance.errors import ValidationError

    path = tmp_path / "s.yaml"
    path.write_text("name: s\ntitle: S\nunit: alliance\ngoal:\n  children:\n"
                    "    - {code: a, measure: alliance.patent}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        evaluate(demo_engine, load_system(str(path)), [2015])
    problem = caught.value.problems[0]
    assert problem.file == "s.yaml" and problem.column == "goal.children[0].measure"
    assert problem.suggestion == "alliance.patents"
