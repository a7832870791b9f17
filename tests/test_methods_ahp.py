"""AHP: published examples, consistency, inconsistency diagnosis, checks, aggregation, pymcdm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymcdm.weights.subjective import AHP as PymcdmAHP

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.ahp import (
    RANDOM_INDEX,
    ahp,
    geometric_mean_judgments,
    parse_judgment,
)

# Saaty, T. L. (1990). How to make a decision: The Analytic Hierarchy Process. European Journal
# of Operational Research 48, 9-26 — the house-buying example, pairwise comparison matrix of the
# eight criteria (size of house, transportation, neighbourhood, age of house, yard space, modern
# facilities, general condition, financing), printed there with its priority vector
# (0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333), λmax = 9.669, C.I. = 0.238 and
# C.R. = 0.169 (RI = 1.41 for n = 8).
HOUSE = [
    [1, 5, 3, 7, 6, 6, "1/3", "1/4"],
    ["1/5", 1, "1/3", 5, 3, 3, "1/5", "1/7"],
    ["1/3", 3, 1, 6, 3, 4, 6, "1/5"],
    ["1/7", "1/5", "1/6", 1, "1/3", "1/4", "1/7", "1/8"],
    ["1/6", "1/3", "1/3", 3, 1, "1/2", "1/5", "1/6"],
    ["1/6", "1/3", "1/4", 4, 2, 1, "1/5", "1/6"],
    [3, 5, "1/6", 7, 5, 5, 1, "1/2"],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_WEIGHTS = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]


def test_saaty_1990_house_example() -> None:
    r = ahp(HOUSE)
    assert np.round(r.weights, 3).tolist() == HOUSE_WEIGHTS
    assert round(r.lambda_max, 3) == 9.669
    assert round(r.ci, 3) == 0.238
    assert r.ri == 1.41
    assert round(r.cr, 3) == 0.169
    assert not r.consistent  # Saaty accepts it for the example but notes CR > 0.10


def test_saaty_2008_drinks_example() -> None:
    # Saaty, T. L. (2008). Decision making with the analytic hierarchy process. Int. J. Services
    # Sciences 1(1), 83-98, Table 3 "Which drink is consumed more in the U.S.?": the derived
    # scale printed to three decimals. Order: coffee, wine, tea, beer, soda, milk, water.
    drinks = [
        [1, 9, 5, 2, 1, 1, "1/2"],
        [None, 1, "1/3", "1/9", "1/9", "1/9", "1/9"],
        [None, None, 1, "1/3", "1/4", "1/3", "1/9"],
        [None, None, None, 1, "1/2", 1, "1/3"],
        [None, None, None, None, 1, 2, "1/2"],
        [None, None, None, None, None, 1, "1/3"],
        [None, None, None, None, None, None, 1],
    ]
    r = ahp(drinks)
    assert np.round(r.weights, 3).tolist() == [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert r.consistent


def test_cyclic_judgments_are_flagged_not_refused() -> None:
    # A > B 9, B > C 9, C > A 9: the most inconsistent 3 × 3 matrix on Saaty's scale. By symmetry
    # all three judgments are equally to blame and the consistent value of each is 1.
    r = ahp([[1, 9, "1/9"], [None, 1, 9], [None, None, 1]], names=["A", "B", "C"])
    assert not r.consistent and r.cr > 1
    assert np.allclose(r.weights, 1 / 3)
    assert len(r.inconsistency) == 3
    assert all(math.isclose(c, math.log(9)) for _, _, c in r.inconsistency)
    assert np.allclose(r.suggested, 1.0)


def test_worst_judgment_is_named_first() -> None:
    # Consistent judgments from w = (0.4, 0.3, 0.2, 0.1), except a_14 entered upside down.
    w = np.array([0.4, 0.3, 0.2, 0.1])
    A = w[:, None] / w[None, :]
    A[0, 3], A[3, 0] = 1 / 4, 4
    r = ahp(A)
    i, j, contribution = r.inconsistency[0]
    assert (i, j) == (0, 3)
    assert contribution == max(c for _, _, c in r.inconsistency)
    assert r.suggested[0] == pytest.approx(r.weights[0] / r.weights[3])
    # The suggestion moves the judgment away from the typo and lowers the inconsistency
    # (Saaty's procedure repeats this until CR is acceptable).
    assert r.suggested[0] > 1 / 4
    A[0, 3], A[3, 0] = r.suggested[0], 1 / r.suggested[0]
    assert ahp(A).cr < r.cr


@given(st.lists(st.floats(0.05, 1.0), min_size=1, max_size=15))
def test_consistent_matrix_returns_its_weight_vector(raw: list[float]) -> None:
    w = np.array(raw) / sum(raw)
    r = ahp(w[:, None] / w[None, :])
    assert np.allclose(r.weights, w, atol=1e-9)
    assert r.cr == pytest.approx(0, abs=1e-9) and r.consistent
    assert all(c == pytest.approx(0, abs=1e-9) for _, _, c in r.inconsistency)


@given(
    st.integers(3, 9).flatmap(
        lambda n: st.lists(
            st.sampled_from([1 / 9, 1 / 5, 1 / 3, 1.0, 3.0, 5.0, 9.0]),
            min_size=n * (n - 1) // 2,
            max_size=n * (n - 1) // 2,
        )
    )
)
def test_any_reciprocal_matrix_gives_positive_weights(upper: list[float]) -> None:
    n = int((1 + math.isqrt(1 + 8 * len(upper))) // 2)
    A = np.ones((n, n))
    A[np.triu_indices(n, 1)] = upper
    A[np.tril_indices(n, -1)] = 1 / A.T[np.tril_indices(n, -1)]
    r = ahp(A)
    assert (r.weights > 0).all() and r.weights.sum() == pytest.approx(1)
    assert r.lambda_max >= n - 1e-9 and r.cr >= 0
    perm = np.roll(np.arange(n), 1)
    assert np.allclose(ahp(A[np.ix_(perm, perm)]).weights, r.weights[perm])


def test_blank_lower_triangle_is_filled_with_reciprocals() -> None:
    full = ahp([[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]])
    upper = ahp([[1, 3, 5], ["", 1, 2], [float("nan"), None, None]])
    assert np.allclose(full.weights, upper.weights)


def test_random_index_tables() -> None:
    for table in RANDOM_INDEX.values():
        assert len(table) == 15 and table[:2] == (0.0, 0.0)
    assert RANDOM_INDEX["saaty1980"][2:10] == (0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
    r = ahp(HOUSE, random_index="alonso-lamata2006")
    assert r.ri == 1.4056 and r.cr == pytest.approx(r.ci / 1.4056)
    assert ahp([[1, 2], [0.5, 1]]).cr == 0 and ahp([[1]]).weights.tolist() == [1.0]


def test_pymcdm_agrees_on_weights_but_uses_another_random_index() -> None:
    # pymcdm's AHP takes RI from Tummala & Ling (1998) (1.3952 for n = 8), not Saaty's 1.41:
    # same eigenvector and CI, so its CR is ours × 1.41 / 1.3952.
    numbers = np.array([[parse_judgment(c, "") for c in row] for row in HOUSE])
    theirs = PymcdmAHP(matrix=numbers)
    ours = ahp(numbers)
    assert np.allclose(theirs(), ours.weights)
    assert theirs.get_cr() == pytest.approx(ours.ci / PymcdmAHP.RI_M[7])
    assert theirs.get_cr() != pytest.approx(ours.cr, abs=1e-4)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("1/3", 1 / 3), (" 0.5 ", 0.5), (2, 2.0), (np.float64(0.25), 0.25), ("9/2", 4.5)],
)
def test_parse_judgment(value: object, expected: float) -> None:
    assert parse_judgment(value, "cell") == expected


@pytest.mark.parametrize("value", ["abc", "1/0", "-3", 0, True, None, "nan", "inf", "1/2/3", ""])
def test_parse_judgment_refuses(value: object) -> None:
    with pytest.raises(MethodError, match="row 2, column 3") as info:
        parse_judgment(value, "row 2, column 3")
    assert info.value.hint and "1/3" in info.value.hint


def test_validation_messages_name_the_cell() -> None:
    names = ["cost", "quality", "speed"]
    with pytest.raises(MethodError, match="square"):
        ahp([[1, 2, 3], [0.5, 1, 2]])
    with pytest.raises(MethodError, match="'cost' vs 'speed'"):
        ahp([[1, 2, 0], [0.5, 1, 2], [None, 0.5, 1]], names=names)
    with pytest.raises(MethodError, match="'quality' vs 'quality' is 2"):
        ahp([[1, 2, 3], [0.5, 2, 2], [1 / 3, 0.5, 1]], names=names)
    with pytest.raises(MethodError, match=r"row 1, column 2 is 3 but row 2, column 1 is 0\.5") as e:
        ahp([[1, 3], [0.5, 1]])
    assert e.value.hint == "enter only the upper triangle or make a_ji = 1/a_ij"
    with pytest.raises(MethodError, match="row 1, column 2"):
        ahp([[1, None], [2, 1]])  # only the lower triangle may be left blank
    with pytest.raises(MethodError, match="2 name"):
        ahp([[1, 2, 3], [0.5, 1, 2], [1 / 3, 0.5, 1]], names=["a", "b"])
    with pytest.raises(MethodError, match="unknown random index") as e:
        ahp([[1]], random_index="saaty")
    assert e.value.hint and "saaty1980" in e.value.hint
    with pytest.raises(MethodError, match="up to n = 15, not 16") as e:
        ahp(np.ones((16, 16)))
    assert e.value.hint and "another random_index" in e.value.hint
    with pytest.raises(MethodError, match="threshold"):
        ahp([[1]], threshold=0)


def test_reciprocal_within_relative_tolerance() -> None:
    assert ahp([[1, 3], [0.3333333, 1]]).weights[0] == pytest.approx(0.75, abs=1e-6)
    with pytest.raises(MethodError):
        ahp([[1, 3], [0.333, 1]])


def test_geometric_mean_of_consistent_matrices_is_consistent() -> None:
    # Aczél & Saaty (1983): the geometric mean keeps reciprocity; for consistent matrices the
    # aggregate is the consistent matrix of the (weighted) geometric mean of the weight vectors.
    w1, w2 = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    m1, m2 = w1[:, None] / w1, w2[:, None] / w2
    g = geometric_mean_judgments([m1, m2], weights=[3, 1])
    gw = w1**0.75 * w2**0.25
    assert np.allclose(g, gw[:, None] / gw)
    assert np.allclose(g * g.T, 1)
    assert np.allclose(ahp(g).weights, gw / gw.sum())
    assert np.allclose(
        geometric_mean_judgments([[[1, 2], [0.5, 1]], [[1, 8], [1 / 8, 1]]]), [[1, 4], [0.25, 1]]
    )


def test_geometric_mean_validation() -> None:
    with pytest.raises(MethodError, match="no judgment"):
        geometric_mean_judgments([])
    with pytest.raises(MethodError, match="different sizes"):
        geometric_mean_judgments([[[1]], [[1, 2], [0.5, 1]]])
    with pytest.raises(MethodError, match="matrix 2: row 1, column 2"):
        geometric_mean_judgments([[[1, 2], [0.5, 1]], [[1, 2], [2, 1]]])
    with pytest.raises(MethodError, match="expert 2"):
        geometric_mean_judgments([[[1]], [[1]]], weights=[1, -1])
    with pytest.raises(MethodError, match="1 weight"):
        geometric_mean_judgments([[[1]], [[1]]], weights=[1])
