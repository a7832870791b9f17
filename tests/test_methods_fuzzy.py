"""Fuzzy comprehensive evaluation: the textbook cadre-evaluation example, operators, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.fuzzy import OPERATORS, fuzzy_evaluate, membership_from_votes

# 司守奎 & 孙玺菁 (2011). 数学建模算法与应用. 国防工业出版社, §14.2 模糊综合评判法, p. 375 (as
# transcribed in RabbitWhite1/Mathematical-Modeling-In-Python, notebook "14.2 模糊综合评判法"):
# a cadre is rated on U = {政治表现, 工作能力, 工作态度, 工作成绩} with weights
# A = (0.25, 0.2, 0.25, 0.3) into V = {优秀, 良好, 一般, 较差, 差}; R is the share of raters
# choosing each grade (政治表现: 10 %, 50 %, 40 %, 0, 0, …); the weighted-average model gives
# B = (0.175, 0.53, 0.275, 0.02, 0), so the cadre is rated 良好 by maximum membership.
GRADES = ["优秀", "良好", "一般", "较差", "差"]
CRITERIA = ["政治表现", "工作能力", "工作态度", "工作成绩"]
A = [0.25, 0.2, 0.25, 0.3]
VOTES = [[10, 50, 40, 0, 0], [20, 50, 20, 10, 0], [20, 50, 30, 0, 0], [20, 60, 20, 0, 0]]

# The same A and R under the four operators, by hand (b_j over the four criteria i):
#   weighted-average M(·,⊕): Σ a_i r_ij        → (0.175, 0.53, 0.275, 0.02, 0)
#   max-min M(∧,∨):  max_i min(a_i, r_ij)      → (0.2, 0.3, 0.25, 0.1, 0)
#       e.g. b_1 = max(min(.25,.1), min(.2,.2), min(.25,.2), min(.3,.2)) = 0.2
#   product-max M(·,∨): max_i a_i r_ij         → (0.06, 0.18, 0.1, 0.02, 0)
#       e.g. b_2 = max(.125, .1, .125, .18) = 0.18
#   min-bounded-sum M(∧,⊕): min(1, Σ_i min(a_i, r_ij)) → (0.7, 1.0, 0.9, 0.1, 0)
#       e.g. b_2 = min(1, .25 + .2 + .25 + .3) = 1.0
BY_HAND = {
    "weighted-average": [0.175, 0.53, 0.275, 0.02, 0.0],
    "max-min": [0.2, 0.3, 0.25, 0.1, 0.0],
    "product-max": [0.06, 0.18, 0.1, 0.02, 0.0],
    "min-bounded-sum": [0.7, 1.0, 0.9, 0.1, 0.0],
}


def test_votes_become_row_shares() -> None:
    R = membership_from_votes(VOTES, names=CRITERIA)
    assert np.allclose(R[0], [0.1, 0.5, 0.4, 0, 0]) and np.allclose(R.sum(axis=1), 1)


def test_textbook_cadre_example() -> None:
    R = membership_from_votes(VOTES)
    r = fuzzy_evaluate(A, R, grades=GRADES, names=CRITERIA)
    assert np.allclose(r.membership, [0.175, 0.53, 0.275, 0.02, 0])
    assert r.grade == "良好" and r.grade_index == 1 and r.grade_ties == (1,)
    assert np.allclose(r.normalized, r.membership)  # rows and weights sum to 1
    assert r.operator == "weighted-average" and not r.weights_renormalised


@pytest.mark.parametrize("operator", OPERATORS)
def test_operators_by_hand(operator: str) -> None:
    r = fuzzy_evaluate(A, membership_from_votes(VOTES), operator=operator, grades=GRADES)
    assert np.allclose(r.membership, BY_HAND[operator])
    assert r.normalized.sum() == pytest.approx(1)
    assert r.grade == "良好"


def test_grade_score_and_weights() -> None:
    r = fuzzy_evaluate(
        [5, 4, 5, 6], membership_from_votes(VOTES), grade_scores=[95, 85, 75, 65, 55]
    )
    assert r.weights_renormalised and np.allclose(r.weights, A)
    # (0.175·95 + 0.53·85 + 0.275·75 + 0.02·65) / 1 = 83.6
    assert r.score == pytest.approx(83.6)
    assert r.grade is None


def test_ties_are_reported() -> None:
    r = fuzzy_evaluate([1], [[0.5, 0.5, 0.0]])
    assert r.grade_ties == (0, 1) and r.grade_index == 0


relations = st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(
    lambda shape: st.tuples(
        arrays(np.float64, shape[0], elements=st.floats(0.01, 1.0)),
        arrays(np.float64, shape, elements=st.floats(0.01, 1.0)),
    )
)


@given(relations, st.sampled_from(OPERATORS))
def test_evaluation_properties(case: tuple[np.ndarray, np.ndarray], operator: str) -> None:
    weights, R = case
    r = fuzzy_evaluate(weights, R, operator=operator)
    assert ((r.membership >= 0) & (r.membership <= 1 + 1e-12)).all()
    assert r.normalized.sum() == pytest.approx(1)
    if operator in ("max-min", "product-max"):
        assert (r.membership <= r.weights.max() + 1e-12).all()
    rows = R / R.sum(axis=1, keepdims=True)
    assert fuzzy_evaluate(weights, rows).membership.sum() == pytest.approx(1)
    higher = fuzzy_evaluate(weights, np.minimum(1.0, R * 1.5), operator=operator)
    assert (higher.membership >= r.membership - 1e-12).all()  # monotone in R


def test_validation() -> None:
    with pytest.raises(
        MethodError, match=r"criterion '工作能力', grade '良好' has membership 1\.5"
    ):
        fuzzy_evaluate(
            A, [[0.1] * 5, [0.1, 1.5, 0, 0, 0], [0.1] * 5, [0.1] * 5], grades=GRADES, names=CRITERIA
        )
    with pytest.raises(MethodError, match="outside"):
        fuzzy_evaluate([1], [[-0.1, 0.5]])
    with pytest.raises(MethodError, match="4 grade name"):
        fuzzy_evaluate([1], [[0.5, 0.5, 0, 0, 0]], grades=GRADES[:4])
    with pytest.raises(MethodError, match="2 grade score"):
        fuzzy_evaluate([1], [[0.5, 0.5, 0]], grade_scores=[1, 2])
    with pytest.raises(MethodError, match="unknown operator") as e:
        fuzzy_evaluate([1], [[0.5, 0.5]], operator="sum")
    assert e.value.hint and "max-min" in e.value.hint
    with pytest.raises(MethodError, match="2 weight"):
        fuzzy_evaluate([0.5, 0.5], [[0.5, 0.5]])
    with pytest.raises(MethodError, match="zero in every grade"):
        fuzzy_evaluate([1, 0], [[0, 0], [1, 0]])
    with pytest.raises(MethodError, match="criterion 2 received no votes"):
        membership_from_votes([[1, 2], [0, 0]])
    with pytest.raises(MethodError, match="negative vote"):
        membership_from_votes([[1, -2]])
