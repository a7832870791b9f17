"""Nash bargaining over a transferable total, and proportional allocation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from innoalliance.errors import MethodError
from innoalliance.methods.games.bargaining import nash_bargaining, proportional_allocation

# Stand-alone values 10 and 20, together 60: a surplus of 30 to bargain over.
TWO = np.array([0.0, 10.0, 20.0, 60.0])


def test_symmetric_split_of_the_surplus() -> None:
    r = nash_bargaining(TWO)
    np.testing.assert_allclose(r.values, [25, 35])
    assert r.surplus == 30
    np.testing.assert_allclose(r.disagreement, [10, 20])
    np.testing.assert_allclose(r.weights, [0.5, 0.5])


def test_asymmetric_powers_and_given_disagreement() -> None:
    # Kalai (1977): the surplus is split in proportion to the bargaining powers (1 : 3).
    r = nash_bargaining(TWO, weights=[1, 3])
    np.testing.assert_allclose(r.values, [17.5, 42.5])
    np.testing.assert_allclose(r.weights, [0.25, 0.75])
    r = nash_bargaining(60, [0, 0])
    np.testing.assert_allclose(r.values, [30, 30])
    np.testing.assert_allclose(nash_bargaining(TWO, [0, 30]).values, [15, 45])


def test_caps() -> None:
    np.testing.assert_allclose(
        nash_bargaining(100, [0, 0, 0], bounds=[10, np.inf, np.inf]).values, [10, 45, 45]
    )
    # Powers 1 : 1 : 2, caps 10 and 30: shares min(10, t), min(30, t), 2t with t = 30.
    r = nash_bargaining(100, [0, 0, 0], weights=[1, 1, 2], bounds=[10, 30, np.inf])
    np.testing.assert_allclose(r.values, [10, 30, 60])
    # A member without power stays at its disagreement payoff even below its cap.
    r = nash_bargaining(100, [5, 0, 0], weights=[0, 1, 1], bounds=[50, 60, 60])
    np.testing.assert_allclose(r.values, [5, 47.5, 47.5])


def test_cost_problem_by_sign() -> None:
    # Stand-alone costs 40 and 50, joint cost 70: bargain over −cost, then negate.
    r = nash_bargaining(-70, [-40, -50])
    np.testing.assert_allclose(-r.values, [30, 40])
    assert r.surplus == 20


def test_errors() -> None:
    with pytest.raises(MethodError, match="no agreement is better"):
        nash_bargaining(np.array([0.0, 40.0, 30.0, 60.0]))
    with pytest.raises(MethodError, match="without a disagreement point"):
        nash_bargaining(60)
    with pytest.raises(MethodError, match="expected 2"):
        nash_bargaining(TWO, [1, 2, 3])
    with pytest.raises(MethodError, match="member 'B'"):
        nash_bargaining(60, [0, np.nan], names=["A", "B"])
    with pytest.raises(MethodError, match="below its disagreement"):
        nash_bargaining(60, [10, 0], bounds=[5, 100])
    with pytest.raises(MethodError, match="unallocated"):
        nash_bargaining(100, [0, 0], bounds=[10, 20])
    with pytest.raises(MethodError, match="negative"):
        nash_bargaining(60, [0, 0], weights=[1, -1])
    with pytest.raises(MethodError, match="not a number"):
        nash_bargaining("a lot", [0, 0])


@given(
    st.lists(st.floats(0, 100), min_size=2, max_size=6).flatmap(
        lambda d: st.tuples(
            st.just(d),
            st.floats(0, 100),
            st.lists(st.floats(0.1, 5), min_size=len(d), max_size=len(d)),
            st.integers(0, 2**32 - 1),
        )
    )
)
def test_maximises_the_nash_product(case: tuple[list[float], float, list[float], int]) -> None:
    d, surplus, w, seed = case
    total = sum(d) + surplus + 1.0
    r = nash_bargaining(total, d, weights=w)
    assert r.values.sum() == pytest.approx(total)

    def log_product(x: np.ndarray) -> float:
        return float(r.weights @ np.log(x - np.asarray(d)))

    best = log_product(r.values)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        step = rng.normal(size=len(d))
        y = r.values + 0.01 * (step - step.mean())
        if (y > np.asarray(d)).all():
            assert log_product(y) <= best + 1e-12


def test_proportional_allocation() -> None:
    np.testing.assert_allclose(proportional_allocation(100, [1, 3]), [25, 75])
    np.testing.assert_allclose(proportional_allocation(-40, [0, 2, 2]), [0, -20, -20])
    with pytest.raises(MethodError, match="member 'B'"):
        proportional_allocation(10, [1, -1], names=["A", "B"])
    with pytest.raises(MethodError, match="every member's basis is zero"):
        proportional_allocation(10, [0, 0])
    with pytest.raises(MethodError, match="total"):
        proportional_allocation(np.inf, [1, 1])
