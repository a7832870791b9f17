"""Units declared at import are converted to the stored unit of their dimension."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoalliance.ingest.units import known_units, parse_unit, to_stored


@pytest.mark.parametrize(
    ("unit", "value", "stored"),
    [
        ("元", 1.0, 1.0),
        ("万元", 1.5, 15_000.0),
        # seed 002: the six Hangzhou Bay cities' GDP of 2014, 2740.27 billion yuan = 27402.7 亿元
        ("亿元", 27402.7, 2_740_270_000_000.0),
        ("10k yuan", 2.0, 20_000.0),
        ("万人", 3.0, 30_000.0),
        ("人年", 2.0, 24.0),
        ("%", 27.6, 0.276),
        ("公顷", 100.0, 1.0),
    ],
)
def test_conversions(unit: str, value: float, stored: float) -> None:
    out = to_stored(pd.Series([value]), pd.Series([unit]))
    assert out.iloc[0] == pytest.approx(stored)


def test_unknown_unit() -> None:
    assert parse_unit("furlongs") is None
    assert parse_unit(" 万元 ") is not None


@given(st.sampled_from(known_units("money")), st.floats(0, 1e9, allow_nan=False))
def test_money_is_never_smaller_in_yuan(unit: str, value: float) -> None:
    out = to_stored(pd.Series([value]), pd.Series([unit])).iloc[0]
    assert out >= value * 0.999999
