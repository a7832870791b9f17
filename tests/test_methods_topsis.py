"""TOPSIS: Hwang & Yoon's fighter-aircraft example, invariants, pymcdm and skcriteria."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm.methods import TOPSIS
from pymcdm.normalizations import vector_normalization
from skcriteria.agg.topsis import topsis as skc_topsis
from skcriteria.preprocessing.scalers import scale_by_vector

from innoalliance.errors import MethodError
from innoalliance.methods.mcda.topsis import topsis

# Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and Applications.
# Springer (Lecture Notes in Economics and Mathematical Systems 186), pp. 133-134: four fighter
# aircraft; maximum speed (Mach), ferry range (NM), maximum payload (lb), acquisition cost
# ($10⁶, the only cost criterion), reliability and manoeuvrability (rated 3/5/7/9); weights
# (0.2, 0.1, 0.1, 0.1, 0.2, 0.3). Printed: relative closeness C* = (0.643, 0.268, 0.613, 0.312),
# ranking A1 > A3 > A4 > A2, separations S* = (0.0545, 0.1197, 0.0580, 0.1009) and
# S⁻ = (0.0983, 0.0439, 0.0920, 0.0458). The book worked by hand with four-decimal
# intermediates (its normalised cost column, 0.5063/0.5983/0.4143/0.4603, is about 0.0005 below
# the exact 0.5069/0.5990/0.4147/0.4608), so we compare to within one unit of the last
# printed digit (A3's exact closeness is 0.61354).
AIRCRAFT = [
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
]
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
AIRCRAFT_TYPES = ["benefit", "benefit", "benefit", "cost", "benefit", "benefit"]


def test_hwang_yoon_fighter_aircraft() -> None:
    r = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_TYPES, alternatives=["A1", "A2", "A3", "A4"])
    assert np.allclose(r.closeness, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert r.rank.tolist() == [1, 4, 2, 3]
    assert np.allclose(r.d_plus, [0.0545, 0.1197, 0.0580, 0.1009], atol=2e-4)
    assert np.allclose(r.d_minus, [0.0983, 0.0439, 0.0920, 0.0458], atol=2e-4)
    assert np.allclose(r.normalized[:, 0], [0.4671, 0.5839, 0.4204, 0.5139], atol=1e-4)
    assert np.allclose(r.ideal[[0, 3]], [0.1168, 0.0415], atol=1e-4)  # max speed, min cost
    assert not r.weights_renormalised and r.normalization == "vector"


def test_vector_normalisation_agrees_with_pymcdm_and_skcriteria() -> None:
    X, w = np.array(AIRCRAFT), np.array(AIRCRAFT_WEIGHTS)
    types = np.array([1, 1, 1, -1, 1, 1])
    ours = topsis(X, w, types).closeness
    # pymcdm normalises a cost column to 1 − r and takes every ideal as the column maximum;
    # the distances, hence the closeness, are the same as Hwang & Yoon's.
    assert np.allclose(ours, TOPSIS(vector_normalization)(X, w, types))
    assert np.allclose(ours, skc_topsis(scale_by_vector(X, axis=0), types, w)[3])


def test_pymcdm_default_is_minmax() -> None:
    # pymcdm's TOPSIS() normalises min-max by default: it matches our "minmax", not "vector".
    X, w = np.array(AIRCRAFT), np.array(AIRCRAFT_WEIGHTS)
    types = np.array([1, 1, 1, -1, 1, 1])
    theirs = TOPSIS()(X, w, types)
    assert np.allclose(topsis(X, w, types, normalization="minmax").closeness, theirs)
    assert not np.allclose(topsis(X, w, types).closeness, theirs, atol=1e-2)


def test_minmax_convention() -> None:
    r = topsis([[1, 10], [2, 30], [3, 20]], [0.5, 0.5], ["benefit", "cost"], normalization="minmax")
    assert r.normalized.tolist() == [[0, 1], [0.5, 0], [1, 0.5]]
    assert r.ideal.tolist() == [0.5, 0.5] and r.anti_ideal.tolist() == [0, 0]


def test_weights_are_normalised_and_flagged() -> None:
    a = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_TYPES)
    b = topsis(AIRCRAFT, [2, 1, 1, 1, 2, 3], AIRCRAFT_TYPES)
    assert b.weights_renormalised and np.allclose(a.closeness, b.closeness)
    assert np.allclose(b.weights, AIRCRAFT_WEIGHTS)


def test_ties_share_the_smallest_rank() -> None:
    r = topsis([[1, 5], [3, 1], [3, 1], [2, 2]], [0.5, 0.5], [1, 1])
    assert r.closeness[1] == r.closeness[2]
    assert r.rank.tolist() == [1, 2, 2, 4]


matrices = st.tuples(st.integers(2, 8), st.integers(1, 6)).flatmap(
    lambda shape: st.tuples(
        arrays(np.float64, shape, elements=st.floats(0.1, 100.0)),
        arrays(np.float64, shape[1], elements=st.floats(0.0, 1.0)),
        arrays(np.int64, shape[1], elements=st.sampled_from([1, -1])),
    )
)


@given(matrices, st.floats(0.01, 100.0), st.sampled_from(["vector", "minmax"]))
def test_topsis_invariants(
    case: tuple[np.ndarray, np.ndarray, np.ndarray], scale: float, normalization: str
) -> None:
    X, w, types = case
    assume((np.ptp(X, axis=0) > 1e-3).all() and w.sum() > 1e-3)
    r = topsis(X, w, types, normalization=normalization)  # type: ignore[arg-type]
    assert ((r.closeness >= 0) & (r.closeness <= 1)).all()
    assert r.rank.min() == 1 and r.rank.max() <= X.shape[0]
    assert r.rank[np.argmax(r.closeness)] == 1
    scaled = X.copy()
    scaled[:, 0] *= scale  # a change of unit of one criterion changes nothing
    assert np.allclose(topsis(scaled, w, types, normalization=normalization).closeness, r.closeness)


def test_validation() -> None:
    names = ["speed", "cost"]
    with pytest.raises(MethodError, match="'cost' has the same value") as e:
        topsis([[1, 2], [3, 2]], [0.5, 0.5], [1, -1], names=names)
    assert e.value.hint and "drop the criterion" in e.value.hint
    with pytest.raises(MethodError, match="has the same value \\(0\\)"):
        topsis([[1, 0], [3, 0]], [0.5, 0.5], [1, -1])
    with pytest.raises(MethodError, match="weight of criterion 'cost' is negative"):
        topsis([[1, 2], [3, 1]], [1, -1], [1, -1], names=names)
    with pytest.raises(MethodError, match="all weights are zero"):
        topsis([[1, 2], [3, 1]], [0, 0], [1, -1])
    with pytest.raises(MethodError, match="alternative 'A2', criterion 'cost' is nan"):
        topsis([[1, 2], [3, np.nan]], [1, 1], [1, -1], names=names, alternatives=["A1", "A2"])
    with pytest.raises(MethodError, match="unknown normalisation"):
        topsis([[1, 2], [3, 1]], [1, 1], [1, -1], normalization="sum")  # type: ignore[arg-type]
    with pytest.raises(MethodError, match="3 criterion type"):
        topsis([[1, 2], [3, 1]], [1, 1], [1, -1, 1])
