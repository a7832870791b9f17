"""Factor-corrected (modified) Shapley value: a published table and a hand-worked example."""

from __future__ import annotations

import numpy as np
import pytest

from innoalliance.errors import MethodError
from innoalliance.methods.games.forms import WeightedVotingGame
from innoalliance.methods.games.modified_shapley import modified_shapley
from innoalliance.methods.games.shapley import shapley_value

# "Optimization of Benefit Allocation in Contracted Water-Saving Projects Based on the Shapley
# Value Method", Mathematical Problems in Engineering 2022, article ID 8942299 (Hindawi),
# Table 11 "Modification of Shapley value based on risk sharing" (million yuan): initial Shapley
# values, risk adjustment coefficients R_i − 1/3, transfers v(N)(R_i − 1/3) and modified values
# for water-saving company Y, University A and securities company D:
PAPER_SHAPLEY = [4.890, 12.714, 1.956]  # sums to v(N) = 19.56
PAPER_RISK = [0.723, 0.005, 0.272]  # R_i, one factor (risk shares; sums to 1)
PAPER_TRANSFER = [7.628, -6.415, -1.213]
PAPER_MODIFIED = [12.518, 6.299, 0.743]
# The paper's coalition values were not available to us. Its Tables 5-7 give v(E) = v(F) =
# v(E,F) = 0; the game below (our construction, not the paper's) adds v(C) = 6,
# v(E,C) = 15.516, v(C,F) = 9.648, v(E,C,F) = 19.56, whose Shapley value is exactly the printed
# one. Player order E (company), C (university), F (financial institution).
PAPER_GAME = np.array([0, 0, 6, 15.516, 0, 0, 9.648, 19.56])


def test_published_risk_correction() -> None:
    np.testing.assert_allclose(shapley_value(PAPER_GAME).values, PAPER_SHAPLEY, atol=1e-12)
    for given_shapley in (None, PAPER_SHAPLEY):
        r = modified_shapley(PAPER_GAME, PAPER_RISK, [1], shapley=given_shapley)
        # The paper multiplies 19.56 by coefficients rounded to (0.390, −0.328, −0.062); exactly
        # they are (0.3897, −0.3283, −0.0613), so printed and exact transfers and modified
        # values differ by up to 0.014 (for D: −1.213 printed, −1.1997 exact).
        np.testing.assert_allclose(r.corrections, PAPER_TRANSFER, atol=0.015)
        np.testing.assert_allclose(r.values, PAPER_MODIFIED, atol=0.015)
        np.testing.assert_allclose(r.corrections, 19.56 * (np.array(PAPER_RISK) - 1 / 3))
        assert r.corrections.sum() == pytest.approx(0, abs=1e-12)
    # With the paper's rounded coefficients the printed transfers are recovered to 0.001
    # (19.56 × −0.328 = −6.41568 is printed −6.415, so that the transfers sum to 0).
    rounded = 19.56 * np.array([0.390, -0.328, -0.062])
    np.testing.assert_allclose(rounded, PAPER_TRANSFER, atol=1e-3)


# Hand-worked example. v({1}) = 10, v({2}) = 20, v({3}) = 30, v({1,2}) = 50, v({1,3}) = 60,
# v({2,3}) = 70, v(N) = 120. Shapley: player 1's marginal contributions 10, 30, 30, 50 with
# weights 1/3, 1/6, 1/6, 1/3 give 30; likewise 40 and 50.
# Factors: investment (2, 3, 5) → shares (0.2, 0.3, 0.5); risk (1, 1, 2) → (0.25, 0.25, 0.5).
# Weights (3, 2) → (0.6, 0.4). R = (0.22, 0.28, 0.5); Δ = 120 (R − 1/3) = (−13.6, −6.4, 20);
# φ' = (16.4, 33.6, 70). By factor: investment 72 (share − 1/3) = (−9.6, −2.4, 12), risk
# 48 (share − 1/3) = (−4, −4, 8).
HAND_GAME = np.array([0, 10, 20, 50, 30, 60, 70, 120], dtype=float)
HAND_FACTORS = [[2, 1], [3, 1], [5, 2]]


def test_hand_worked_two_factors() -> None:
    r = modified_shapley(HAND_GAME, HAND_FACTORS, [3, 2], factor_names=["investment", "risk"])
    np.testing.assert_allclose(r.shapley, [30, 40, 50])
    np.testing.assert_allclose(r.factor_shares, [[0.2, 0.25], [0.3, 0.25], [0.5, 0.5]])
    np.testing.assert_allclose(r.factor_weights, [0.6, 0.4])
    assert r.weights_renormalised
    np.testing.assert_allclose(r.combined_share, [0.22, 0.28, 0.5])
    np.testing.assert_allclose(r.corrections, [-13.6, -6.4, 20])
    np.testing.assert_allclose(r.corrections_by_factor, [[-9.6, -4], [-2.4, -4], [12, 8]])
    np.testing.assert_allclose(r.values, [16.4, 33.6, 70])
    assert r.values.sum() == pytest.approx(120)
    assert not modified_shapley(HAND_GAME, HAND_FACTORS, [0.6, 0.4]).weights_renormalised


def test_equal_shares_leave_shapley_unchanged() -> None:
    r = modified_shapley(HAND_GAME, [[1, 7], [1, 7], [1, 7]], [0.5, 0.5])
    np.testing.assert_allclose(r.values, r.shapley)


def test_negative_value_is_reported_not_clipped() -> None:
    # Member 1 has no share of the only factor: Δ1 = 120 (0 − 1/3) = −40, φ'1 = 30 − 40.
    r = modified_shapley(HAND_GAME, [0, 1, 1], [1])
    assert r.values[0] == pytest.approx(-10)


def test_structured_game_for_many_members() -> None:
    # 30 members: the Shapley value comes from the weighted-voting closed form, not 2³⁰ values.
    weights = np.arange(1, 31)
    game = WeightedVotingGame(quota=weights.sum() / 2, weights=weights)
    r = modified_shapley(game, weights, [1])
    assert r.values.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(r.corrections, weights / weights.sum() - 1 / 30)


def test_errors() -> None:
    with pytest.raises(MethodError, match="member 'B' has a negative factor 'risk'"):
        modified_shapley(
            HAND_GAME,
            [[1, 1], [1, -1], [1, 1]],
            [1, 1],
            names=["A", "B", "C"],
            factor_names=["cost", "risk"],
        )
    with pytest.raises(MethodError, match="factor 2 is zero for every member"):
        modified_shapley(HAND_GAME, [[1, 0], [1, 0], [1, 0]], [1, 1])
    with pytest.raises(MethodError, match="2 row"):
        modified_shapley(HAND_GAME, [[1], [1]], [1])
    with pytest.raises(MethodError, match="negative"):
        modified_shapley(HAND_GAME, HAND_FACTORS, [1, -1])
    with pytest.raises(MethodError, match="all weights are zero"):
        modified_shapley(HAND_GAME, HAND_FACTORS, [0, 0])
    with pytest.raises(MethodError, match="not to v"):
        modified_shapley(HAND_GAME, HAND_FACTORS, [1, 1], shapley=[30, 40, 51])
    with pytest.raises(MethodError, match="3 finite numbers"):
        modified_shapley(HAND_GAME, HAND_FACTORS, [1, 1], shapley=[60, 60])
    with pytest.raises(MethodError, match="not made of numbers"):
        modified_shapley(HAND_GAME, [["a"], ["b"], ["c"]], [1])
