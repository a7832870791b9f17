"""Weights: shared input checks, entropy and CRITIC against published cases, pymcdm, skcriteria."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm.weights import critic_weights as pymcdm_critic
from pymcdm.weights import entropy_weights as pymcdm_entropy
from skcriteria.preprocessing.weighters import critic_weights as skc_critic
from skcriteria.preprocessing.weighters import entropy_weights as skc_entropy

from innoalliance.errors import MethodError
from innoalliance.methods._checks import check_matrix, check_types, check_weights
from innoalliance.methods.mcda.weights import critic_weights, entropy_weights, equal_weights

ZERO_EXAMPLE = [[1, 2], [0, 3], [2, 5]]

# Xu, X. (2004). A note on the subjective and objective integrated approach to determine
# attribute weights. European Journal of Operational Research 156(2), 530-532: decision matrix
# and entropy weights printed to four decimals (the fourth criterion, 29/29/28.9/29, is all but
# constant and gets 0.0000). Matrix and weights as transcribed in the tests of pyrepo-mcda /
# crispyn (Bączkiewicz), which cite the paper.
XU_2004 = [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]]
XU_2004_WEIGHTS = [0.4630, 0.3992, 0.1378, 0.0000]

# Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of objective criteria weights
# in MCDM. Int. J. Information Technology & Decision Making 15(2), 267-283: entropy weights of
# the raw decision matrix (same transcription as above).
ZP_2016 = [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]]
ZP_2016_WEIGHTS = [0.1146, 0.1981, 0.4185, 0.2689]

# Tuş, A. & Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for the
# time and attendance software selection problem. Opsearch 56(2), 528-538: CRITIC weights to
# three decimals. They are reproduced with every criterion min-max normalised as a benefit
# criterion (as in the crispyn test that transcribes them); with the first criterion (price)
# treated as a cost the weights would be (0.184, 0.213, 0.142, 0.158, 0.168, 0.134).
TUS_2019 = [
    [5000, 3, 3, 4, 3, 2],
    [680, 5, 3, 2, 2, 1],
    [2000, 3, 2, 3, 4, 3],
    [600, 4, 3, 1, 2, 2],
    [800, 2, 4, 3, 3, 4],
]
TUS_2019_WEIGHTS = [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]

positive_matrices = st.tuples(st.integers(2, 8), st.integers(1, 6)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.floats(0.1, 100.0))
)


def informative(X: np.ndarray) -> bool:
    return bool((np.ptp(X, axis=0) > 1e-3).all())


# --- entropy -----------------------------------------------------------------------------------


def test_entropy_zero_share_counts_zero() -> None:
    # 0·ln 0 = 0: column 1 shares (1/3, 0, 2/3), column 2 (0.2, 0.3, 0.5).
    r = entropy_weights(ZERO_EXAMPLE)
    assert np.round(r.weights, 3).tolist() == [0.870, 0.130]
    assert r.shares[1, 0] == 0 and r.standardize == "none"


@pytest.mark.parametrize(
    ("X", "published"), [(XU_2004, XU_2004_WEIGHTS), (ZP_2016, ZP_2016_WEIGHTS)]
)
def test_entropy_published_examples(X: list[list[float]], published: list[float]) -> None:
    assert np.round(entropy_weights(X).weights, 4).tolist() == published


def test_entropy_agrees_with_pymcdm_and_skcriteria_without_zeros() -> None:
    for X in (XU_2004, ZP_2016, TUS_2019):
        ours = entropy_weights(X).weights
        assert np.allclose(ours, pymcdm_entropy(np.array(X, dtype=float)))
        assert np.allclose(ours, skc_entropy(np.array(X, dtype=float)))


def test_entropy_difference_from_pymcdm_on_zeros() -> None:
    X = np.array(ZERO_EXAMPLE, dtype=float)
    assert np.allclose(skc_entropy(X), entropy_weights(X).weights)  # scipy: 0·ln 0 = 0 too
    try:
        theirs = pymcdm_entropy(X)
    except ValueError:
        return  # pymcdm 1.4 refuses any value ≤ 0 (its sum normalisation needs positives)
    # older pymcdm set the entropy of a column containing a zero to 0 instead: (0.941, 0.059)
    assert np.round(theirs, 3).tolist() == [0.941, 0.059]


def test_entropy_minmax_orients_cost_criteria_and_shifts() -> None:
    X = np.array([[1.0, 10], [2, 30], [4, 20], [3, 50]])
    benefit = entropy_weights(X, standardize="minmax")
    flipped = np.column_stack([X[:, 0], -X[:, 1]])
    cost = entropy_weights(flipped, standardize="minmax", types=["benefit", "cost"])
    assert np.allclose(benefit.weights, cost.weights)
    assert np.allclose(benefit.standardized, cost.standardized)
    assert benefit.standardized.min() == 0 and benefit.standardized.max() == 1
    shifted = entropy_weights(X, standardize="minmax", shift=1)
    assert np.allclose(shifted.standardized, benefit.standardized + 1)
    assert (shifted.divergence < benefit.divergence).all()  # a shift flattens the shares


@given(positive_matrices, st.floats(0.1, 10.0))
def test_entropy_weights_properties(X: np.ndarray, scale: float) -> None:
    assume(informative(X))
    r = entropy_weights(X)
    assert (r.weights >= 0).all() and r.weights.sum() == pytest.approx(1)
    assert ((r.entropy >= 0) & (r.entropy <= 1 + 1e-12)).all()
    scaled = X.copy()
    scaled[:, 0] *= scale  # shares do not change when a column is rescaled
    assert np.allclose(entropy_weights(scaled).weights, r.weights)
    assert np.allclose(entropy_weights(X[::-1]).weights, r.weights)


def test_entropy_validation() -> None:
    names = ["output", "cost"]
    with pytest.raises(MethodError, match="'cost' is negative") as e:
        entropy_weights([[1, 2], [3, -1]], names=names)
    assert e.value.hint == 'use standardize="minmax"'
    with pytest.raises(MethodError, match="types were given"):
        entropy_weights([[1, 2], [3, 1]], types=["benefit", "cost"])
    with pytest.raises(MethodError, match="'cost' has the same value") as e:
        entropy_weights([[1, 2], [3, 2]], names=names)
    assert e.value.hint and "drop the criterion" in e.value.hint
    with pytest.raises(MethodError, match="at least 2 alternatives"):
        entropy_weights([[1, 2]])
    with pytest.raises(MethodError, match="unknown standardisation"):
        entropy_weights([[1, 2], [3, 1]], standardize="zscore")  # type: ignore[arg-type]
    with pytest.raises(MethodError, match="shift"):
        entropy_weights([[1, 2], [3, 1]], shift=-1)
    with pytest.raises(MethodError, match="maximal entropy"):
        entropy_weights([[1, 2], [3, 1]], standardize="minmax", shift=1e20)


# --- CRITIC ------------------------------------------------------------------------------------


def test_critic_published_example() -> None:
    assert np.round(critic_weights(TUS_2019).weights, 3).tolist() == TUS_2019_WEIGHTS
    as_cost = critic_weights(TUS_2019, types=["cost"] + ["benefit"] * 5).weights
    assert np.round(as_cost, 3).tolist() == [0.184, 0.213, 0.142, 0.158, 0.168, 0.134]


def test_critic_agrees_with_pymcdm_and_skcriteria() -> None:
    # pymcdm: σ with ddof = 1 (as ours); skcriteria: ddof = 0. The common factor cancels in
    # w = C / ΣC, so the weights agree; only ``std`` and ``information`` differ by √(m/(m−1)).
    for X in (TUS_2019, XU_2004, ZP_2016):
        A = np.array(X, dtype=float)
        r = critic_weights(A)
        assert np.allclose(r.weights, pymcdm_critic(A))
        assert np.allclose(r.weights, skc_critic(A, np.ones(A.shape[1])))
        assert np.allclose(r.std, r.normalized.std(axis=0, ddof=1))
    types = np.array([-1, 1, 1, 1, 1, 1])
    assert np.allclose(
        critic_weights(TUS_2019, types=types).weights,
        skc_critic(np.array(TUS_2019, dtype=float), types),
    )


@given(positive_matrices, st.floats(0.1, 10.0), st.floats(-5.0, 5.0))
def test_critic_weights_properties(X: np.ndarray, scale: float, offset: float) -> None:
    assume(informative(X) and X.shape[1] >= 2)
    try:
        r = critic_weights(X)
    except MethodError:
        assume(False)  # all criteria perfectly correlated
        raise
    assert (r.weights >= 0).all() and r.weights.sum() == pytest.approx(1)
    assert np.allclose(np.diag(r.correlation), 1)
    moved = X.copy()
    moved[:, 0] = moved[:, 0] * scale + offset  # min-max normalisation undoes affine maps
    assert np.allclose(critic_weights(moved).weights, r.weights)


def test_critic_validation() -> None:
    with pytest.raises(MethodError, match="criterion 2 has the same value"):
        critic_weights([[1, 2], [3, 2], [4, 2]])
    with pytest.raises(MethodError, match="at least 2 alternatives"):
        critic_weights([[1, 2]])
    with pytest.raises(MethodError, match="perfectly correlated"):
        critic_weights([[1, 10], [2, 20], [3, 30]])
    with pytest.raises(MethodError, match="criterion 'b' has type 'up'"):
        critic_weights([[1, 10], [2, 5], [3, 30]], types=["max", "up"], names=["a", "b"])


# --- shared checks -----------------------------------------------------------------------------


def test_check_weights() -> None:
    w, renormalised = check_weights([2, 1, 1], 3)
    assert w.tolist() == [0.5, 0.25, 0.25] and renormalised
    w, renormalised = check_weights([0.5, 0.25, 0.25], 3)
    assert not renormalised
    assert not check_weights([0.1] * 10, 10)[1]  # 1 within 1e-9
    with pytest.raises(MethodError, match="weight of criterion 'b' is negative"):
        check_weights([1, -1], 2, names=["a", "b"])
    with pytest.raises(MethodError, match="all weights are zero"):
        check_weights([0, 0], 2)
    with pytest.raises(MethodError, match="3 weight"):
        check_weights([1, 1, 1], 2)
    with pytest.raises(MethodError, match="criterion 2 is nan"):
        check_weights([1, float("nan")], 2)
    with pytest.raises(MethodError, match="not made of numbers"):
        check_weights(["a", 1], 2)


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=20))
def test_check_weights_normalises(raw: list[float]) -> None:
    assume(sum(raw) > 0)
    w, _ = check_weights(raw, len(raw))
    assert (w >= 0).all() and w.sum() == pytest.approx(1)


def test_check_types() -> None:
    got = check_types(["benefit", "Cost", "max", " min ", 1, -1, np.int64(-1), 1.0], 8)
    assert got.tolist() == [1, -1, 1, -1, 1, -1, -1, 1]
    for bad in (["benefit", 0], ["benefit", True], ["benefit", "good"]):
        with pytest.raises(MethodError, match="criterion 2 has type"):
            check_types(bad, 2)
    with pytest.raises(MethodError, match="3 criterion type"):
        check_types([1, 1, 1], 2)
    with pytest.raises(MethodError, match="one entry per criterion"):
        check_types("benefit", 1)


def test_check_matrix() -> None:
    with pytest.raises(MethodError, match="alternative 'B', criterion 'y' is nan"):
        check_matrix([[1, 2], [3, np.nan]], names=["x", "y"], alternatives=["A", "B"])
    assert np.isnan(check_matrix([[1, np.nan]], allow_nan=True)[0, 1])
    with pytest.raises(MethodError, match="alternative 1, criterion 2 is inf"):
        check_matrix([[1, np.inf]], allow_nan=True)
    with pytest.raises(MethodError, match="shape"):
        check_matrix([1, 2, 3])
    with pytest.raises(MethodError, match="not made of numbers"):
        check_matrix([["a", "b"]])
    with pytest.raises(MethodError, match="1 criterion name"):
        check_matrix([[1, 2]], names=["x"])
    X = [[1, 2]]
    assert check_matrix(X) is not X and check_matrix(X).dtype == np.float64


def test_equal_weights() -> None:
    assert equal_weights(4).tolist() == [0.25] * 4
    with pytest.raises(MethodError):
        equal_weights(0)
