"""Funding mix: leverage and Herfindahl by hand, and their invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from innoalliance.errors import MethodError
from innoalliance.methods.governance.funding import funding_mix


def test_by_hand() -> None:
    """Government 150, bank 50, members 120 (the first TD-SCDMA demo project, 百万元): shares
    0.469/0.156/0.375, leverage 170/150 = 1.133, Herfindahl 0.2197+0.0244+0.1406 = 0.385."""
    mix = funding_mix([[150.0, 50.0, 0.0, 120.0, 0.0], [0, 0, 0, 0, 0], [80, 0, 0, 20, 0]], 0)
    np.testing.assert_allclose(mix.shares[0], [150 / 320, 50 / 320, 0, 120 / 320, 0])
    assert mix.leverage[0] == pytest.approx(170 / 150)
    assert mix.herfindahl[0] == pytest.approx((150**2 + 50**2 + 120**2) / 320**2)
    assert np.isnan(mix.leverage[1]) and np.isnan(mix.herfindahl[1])
    assert mix.over_dependent.tolist() == [False, False, True]  # 80 % government
    with pytest.raises(MethodError, match="unit 1, channel 2"):
        funding_mix([[1.0, -1.0]], 0)


@given(arrays(np.float64, (4, 5), elements=st.one_of(st.just(0.0), st.floats(1e-3, 1e9))),
       st.floats(0.01, 1e3))
def test_invariants(amounts: np.ndarray, scale: float) -> None:
    mix = funding_mix(amounts, 0)
    money = mix.total > 0
    assert np.all((mix.herfindahl[money] >= 0.2 - 1e-12) & (mix.herfindahl[money] <= 1 + 1e-12))
    scaled = funding_mix(amounts * scale, 0)
    np.testing.assert_allclose(scaled.herfindahl[money], mix.herfindahl[money], rtol=1e-9)
    np.testing.assert_array_equal(scaled.over_dependent, mix.over_dependent)
