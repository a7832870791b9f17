"""The enforcement check: hand-worked statuses, defaults and penalties, and the demo's defaulter."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from innoalliance.demo.charters import load_demo_charters
from innoalliance.demo.loader import load_demo
from innoalliance.methods.governance.enforcement import (
    Commitment,
    Delivery,
    Penalties,
    assess,
    commitment_status,
    correction_factors,
    late_fee,
)
from innoalliance.model import Event
from innoalliance.store.engine import make_engine
from innoalliance.workflows.govern.enforcement import check

from .conftest import BACKENDS, _url
from .test_cli import run

EV = "电动汽车产学研技术创新联盟"
DEFAULTER = "91440100MAUM7M5908"  # seed 000's member suspending capital investment
FUND = "91440305MA91YPPBT1"
D = dt.date


# --- the method, by hand ---

def test_partly_delivered_then_stopped() -> None:
    """1,000,000 元 due 2020-01-31, 400,000 delivered on 2020-01-10, checked on 2020-04-30.

    Overdue 29 (Feb, leap year) + 31 + 30 = 90 days, 60 beyond a 30-day grace; late fee
    0.001 × 600,000 × 60 = 36,000 元.
    """
    c = Commitment("C-1", "A", "capital", 1_000_000, "元", D(2020, 1, 31))
    s = commitment_status(c, [Delivery("C-1", D(2020, 1, 10), 400_000)], D(2020, 4, 30),
                          Penalties(late_fee_rate=0.001, grace_days=30))
    assert s.status == "partly delivered"
    assert s.delivered_share == pytest.approx(0.4) and s.outstanding == 600_000
    assert s.days_overdue == 90 and s.in_default and s.stopped_paying_in
    assert s.late_fee == pytest.approx(36_000)
    assert [(p.amount, p.days) for p in s.fee_parts] == [(600_000, 60)]


def test_late_instalment_accrues_a_fee_but_no_default() -> None:
    """100,000 元 due 2021-03-01, delivered in full on 2021-04-15: 45 days late, 35 beyond a
    10-day grace, fee 0.0005 × 100,000 × 35 = 1,750 元; delivered, so no default (an info alert)."""
    c = Commitment("C-2", "B", "capital", 100_000, "元", D(2021, 3, 1))
    a = assess([c], [Delivery("C-2", D(2021, 4, 15), 100_000)], D(2022, 1, 1),
               Penalties(late_fee_rate=0.0005, grace_days=10))
    s = a.statuses[0]
    assert s.status == "delivered" and s.delivered_late and not s.in_default
    assert s.late_fee == pytest.approx(1_750)
    assert [al.severity for al in a.alerts] == ["info"]
    assert a.members[0].defaults == () and not a.members[0].suspended


def test_not_yet_due_and_within_grace() -> None:
    c = Commitment("C-3", "C", "capital", 500, "元", D(2022, 6, 30))
    early = commitment_status(c, [Delivery("C-3", D(2022, 1, 1), 100)], D(2022, 6, 1),
                              Penalties())
    assert early.status == "not yet due" and early.days_overdue == 0 and early.late_fee == 0
    a = assess([c], [], D(2022, 7, 10), Penalties(grace_days=30))
    s = a.statuses[0]
    assert s.status == "overdue" and s.days_overdue == 10 and not s.in_default
    assert s.late_fee == 0 and [al.severity for al in a.alerts] == ["info"]


def test_personnel_defaults_without_a_fee() -> None:
    c = Commitment("C-4", "D", "personnel", 120, "人月", D(2020, 1, 1))
    s = commitment_status(c, [], D(2021, 1, 1), Penalties())
    assert s.in_default and s.status == "overdue" and s.late_fee == 0 and not s.stopped_paying_in


def test_exclusion_forfeits_and_corrects_the_factors() -> None:
    """Member E defaults on three commitments of 100 元 due 2020-01-01, nothing delivered; member
    F delivered its 300 元. With exclude_after 3 and forfeit_share 0.5, E is excluded (critical)
    and keeps half its factors: risk (300 − 300) × 0.5 = 0; F's investment and risk are 300."""
    clauses = Penalties(late_fee_rate=0.0, grace_days=0, suspend_rights_after=2,
                        exclude_after=3, forfeit_share=0.5)
    cs = [Commitment(f"E-{k}", "E", "capital", 100, "元", D(2020, 1, 1)) for k in range(3)]
    cs.append(Commitment("F-1", "F", "capital", 300, "元", D(2020, 1, 1)))
    a = assess(cs, [Delivery("F-1", D(2019, 12, 1), 300)], D(2020, 3, 1), clauses)
    e = a.standing("E")
    assert e is not None and e.excluded and e.suspended and e.forfeit_share == 0.5
    assert len(e.defaults) == 3 and e.late_fee == 0
    assert a.alerts[0].severity == "critical" and a.alerts[0].commitment is None
    f = correction_factors(a, ["E", "F"])
    assert f["E"] == {"committed": 300, "delivered": 0, "defaulted": 300, "kept_share": 0.5,
                      "investment": 0, "risk": 0}
    assert f["F"]["investment"] == 300 and f["F"]["risk"] == 300


@given(rate=st.floats(0, 0.01), amount=st.floats(0, 1e9), grace=st.integers(0, 400),
       d1=st.integers(-1000, 5000), d2=st.integers(-1000, 5000))
def test_late_fee_never_negative_and_monotone(rate: float, amount: float, grace: int, d1: int,
                                              d2: int) -> None:
    lo, hi = sorted((d1, d2))
    assert 0 <= late_fee(rate, amount, lo, grace) <= late_fee(rate, amount, hi, grace)


@settings(max_examples=60, deadline=None)
@given(amount=st.floats(1, 1e8), rate=st.floats(0, 0.01), grace=st.integers(0, 90),
       instalments=st.lists(st.tuples(st.integers(-200, 800), st.floats(0, 5e7)), max_size=4),
       t1=st.integers(-100, 1500), t2=st.integers(-100, 1500))
def test_penalties_never_negative_and_monotone_in_time(
        amount: float, rate: float, grace: int, instalments: list[tuple[int, float]], t1: int,
        t2: int) -> None:
    due = D(2020, 1, 1)
    c = Commitment("X", "M", "capital", amount, "元", due)
    made = [Delivery("X", due + dt.timedelta(days=k), a) for k, a in instalments]
    clauses = Penalties(late_fee_rate=rate, grace_days=grace)
    early, late = (commitment_status(c, made, due + dt.timedelta(days=t), clauses)
                   for t in sorted((t1, t2)))
    assert 0 <= early.late_fee <= late.late_fee * (1 + 1e-9) + 1e-6
    assert early.days_overdue >= 0 and early.outstanding >= 0


# --- the store: the demo's charters ---

@pytest.fixture(scope="module", params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[str]:
    """A writable demo store with the demo charters, one per backend, for this module."""
    for url in _url(request.param, tmp_path_factory.mktemp("enforcement")):
        eng = make_engine(url)
        load_demo(eng)
        load_demo_charters(eng)
        eng.dispose()
        yield url


def test_demo_check_finds_the_defaulter_and_its_penalty(store_url: str) -> None:
    """As of 2016-12-31 under the EV charter (0.0005 a day, 30 days' grace, suspension after 1):

    * C-005 of 91440100MAUM7M5908: 1200 万元 due 2013-12-31, 300 万元 delivered on 2013-07-14 and
      nothing since — it stopped paying in (critical). Outstanding 9,000,000 元, overdue
      365 + 365 + 366 = 1096 days, 1066 beyond grace: late fee 0.0005 × 9,000,000 × 1066 =
      4,797,000 元; one default, so its rights are suspended (not excluded: 3 needed).
    * C-008 of 91440305MA91YPPBT1: 3000 万元 due 2014-06-30, nothing delivered: 184 + 365 + 366 =
      915 days, 885 beyond grace, fee 0.0005 × 30,000,000 × 885 = 13,275,000 元.
    * C-006 of 91440600MA44NT99E2: its second 300 万元 came on 2014-04-10, 100 days after the due
      date, 70 beyond grace: fee 0.0005 × 3,000,000 × 70 = 105,000 元, no default.
    """
    code, out, err = run("govern", "check", "--as-of", "2016-12-31", "--alliance", EV,
                         "--db", store_url, "--json")
    assert code == 0, err
    found = json.loads(out)
    (ev,) = found["alliances"]
    assert {(d["member"], d["commitment"]) for d in ev["defaults"]} == {
        (DEFAULTER, "C-005"), (FUND, "C-008")}
    fees = {p["member"]: p["late_fee"] for p in ev["penalties"]}
    assert fees[DEFAULTER]["total"] == pytest.approx(4_797_000)
    part = fees[DEFAULTER]["parts"][0]
    assert (part["rate"], part["amount"], part["days"]) == (0.0005, 9_000_000, 1066)
    assert fees[FUND]["total"] == pytest.approx(13_275_000)
    assert fees["91440600MA44NT99E2"]["total"] == pytest.approx(105_000)
    first = ev["alerts"][0]
    assert first["severity"] == "critical" and first["member"] == DEFAULTER
    assert "stopped paying in" in first["message"]
    standing = next(p for p in ev["penalties"] if p["member"] == DEFAULTER)
    assert standing["suspended"] and not standing["excluded"]
    factors = ev["correction_factors"]["factors"][DEFAULTER]
    assert (factors["delivered"], factors["defaulted"], factors["risk"]) == (
        3_000_000, 9_000_000, 3_000_000)
    basis = ev["ownership"]["basis"]
    assert basis["total"] == pytest.approx(237_000_000)
    assert ev["ownership"]["shares"][DEFAULTER] == pytest.approx(3 / 237)
    assert ev["recorded"] == []


def _score(url: str, tmp_path: Path) -> float:
    code, out, err = run("evaluate", "members", "--alliance", EV, "--as-of", "2016-12-31",
                         "--output", str(tmp_path / "credit"), "--db", url, "--json")
    assert code == 0, err
    return float(next(m["score"] for m in json.loads(out)["members"]
                      if m["organization"] == DEFAULTER))


def _events(url: str) -> int:
    eng = make_engine(url)
    with eng.connect() as conn:
        n = conn.execute(select(func.count()).select_from(Event)).scalar_one()
    eng.dispose()
    return int(n)


def test_record_writes_violations_once_and_lowers_the_rating(store_url: str,
                                                             tmp_path: Path) -> None:
    before = _score(store_url, tmp_path)
    events = _events(store_url)
    code, out, err = run("govern", "check", "--as-of", "2016-12-31", "--alliance", EV,
                         "--record", "--db", store_url, "--json")
    assert code == 0, err
    recorded = json.loads(out)["alliances"][0]["recorded"]
    assert recorded == ["DEFAULT-C-005", "DEFAULT-C-008"]
    assert _events(store_url) == events + 2
    after = _score(store_url, tmp_path)
    assert after < before
    code, out, _ = run("govern", "check", "--as-of", "2016-12-31", "--alliance", EV,
                       "--record", "--db", store_url, "--json")
    again = json.loads(out)["alliances"][0]
    assert again["recorded"] == [] and again["already_recorded"] == recorded
    assert _events(store_url) == events + 2


def test_check_of_every_chartered_alliance(store_url: str) -> None:
    eng = make_engine(store_url)
    try:
        found = check(eng, D(2016, 12, 31))
    finally:
        eng.dispose()
    names = [a["alliance"] for a in found["alliances"]]
    assert EV in names and "广东省新药产业技术创新联盟" in names
    assert set(found["severity_rules"]) == {"critical", "warning", "info"}


def test_check_of_an_alliance_without_charter_is_refused(store_url: str) -> None:
    code, out, err = run("govern", "check", "--as-of", "2016-12-31", "--alliance",
                         "数字家庭产学研技术创新联盟", "--db", store_url)
    assert code == 1 and "has no charter" in err and "Traceback" not in out + err
