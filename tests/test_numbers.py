"""Numbers as readers write them (issue 17 item 3): the examples are the ones the issue quotes
from the demo's reports (4145643000000.0 元, 150000000.0 元, -1.73472e-17 as a payout)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoalliance.reports.numbers import (
    WAN_YUAN,
    YI_YUAN,
    YUAN,
    clean,
    in_unit,
    money,
    money_header,
    money_unit,
    number,
    percent,
    score,
)


@pytest.mark.parametrize(("amount", "zh", "en"), [
    (4145643000000.0, "41,456.43 亿元", "41,456.43 100m yuan"),  # Guangdong's GDP, 2023
    (150000000.0, "1.5 亿元", "1.5 100m yuan"),
    (3000000.0, "300 万元", "300 10k yuan"),
    (20860215.05, "2,086.02 万元", "2,086.02 10k yuan"),
    (8500.0, "8,500 元", "8,500 yuan"),
    (None, "—", "—"),
])
def test_one_amount_gets_the_unit_a_yearbook_uses(amount: float | None, zh: str, en: str) -> None:
    assert money(amount, "zh") == zh
    assert money(amount, "en") == en


def test_float_noise_is_an_exact_zero() -> None:
    assert number(-1.73472e-17, "zh", 2) == "0.00"
    assert number(-9.25186e-18, "en", 4) == "0.0000"
    assert clean(-1.0e-3, scale=2.0e8) == 0.0  # a thousandth of a yuan beside 2 亿元 of value
    assert clean(-1.0e-3) == -1.0e-3  # but not beside values of the order of one
    assert math.copysign(1.0, clean(-0.0)) == 1.0


def test_a_table_shares_one_unit_chosen_by_its_typical_amount() -> None:
    assert money_unit([3e6, 5e6, 1.2e9]) is WAN_YUAN
    assert money_unit([4.1e12, 3.2e12, 0.0]) is YI_YUAN
    assert money_unit([]) is YUAN
    assert in_unit(1.2e9, WAN_YUAN, "zh") == "120,000.00"
    assert money_header("经费", WAN_YUAN, "zh") == "经费（万元）"
    assert money_header("Funding", YI_YUAN, "en") == "Funding (100m yuan)"


def test_scores_and_shares() -> None:
    assert score(31.7419, "zh") == "31.74"
    assert percent(0.1234, "en") == "12.3%"
    assert percent(float("nan"), "zh") == "—"


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False), st.sampled_from(["zh", "en"]))
def test_a_shown_number_reads_back_to_its_value(value: float, lang: str) -> None:
    shown = number(value, lang, 2)  # type: ignore[arg-type]
    tolerance = 0.005 + 1e-12 * abs(value)
    assert float(shown.replace(",", "")) == pytest.approx(clean(value), abs=tolerance)
