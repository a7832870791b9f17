from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from innoalliance.errors import MethodError
from innoalliance.methods.spatial.rsei import (
    GRADES,
    INDICATORS,
    WETNESS_COEFFICIENTS,
    RseiResult,
    check_meanings,
    ndbsi,
    ndvi,
    rsei,
    tasselled_wetness,
    water_mask,
)

# endmember surface reflectance: blue, green, red, nir, swir1, swir2
VEGETATION = np.array([0.03, 0.06, 0.04, 0.40, 0.20, 0.10])
SOIL = np.array([0.10, 0.14, 0.18, 0.25, 0.35, 0.30])
BUILT = np.array([0.12, 0.13, 0.14, 0.18, 0.22, 0.20])
BANDS = ("blue", "green", "red", "nir", "swir1", "swir2")


def scene(seed: int = 5, shape: tuple[int, int] = (60, 80)) -> dict[str, np.ndarray]:
    """A synthetic scene: linear mixtures of vegetation, soil and built-up surface plus noise;
    the thermal band (kelvin) falls with vegetation and rises with built-up cover."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    green_share = np.clip(0.5 + 0.4 * np.sin(rows / 9) * np.cos(cols / 13)
                          + rng.normal(0, 0.1, shape), 0, 1)
    built_share = (1 - green_share) * rng.uniform(0, 1, shape)
    soil_share = 1 - green_share - built_share
    mix = (green_share[..., None] * VEGETATION + soil_share[..., None] * SOIL
           + built_share[..., None] * BUILT + rng.normal(0, 0.004, (*shape, 6)))
    bands = {name: mix[..., i] for i, name in enumerate(BANDS)}
    bands["tir"] = 305 - 12 * green_share + 4 * built_share + rng.normal(0, 0.5, shape)
    return bands


def normalised(result: RseiResult) -> np.ndarray:
    columns = []
    for name in INDICATORS:
        x = getattr(result, name)[result.valid]
        columns.append((x - x.min()) / (x.max() - x.min()))
    return np.column_stack(columns)


def test_formulas_by_hand() -> None:
    assert ndvi(0.1, 0.5) == pytest.approx(2 / 3)
    # SI = ((0.3 + 0.1) − (0.5 + 0.05)) / ((0.3 + 0.1) + (0.5 + 0.05)) = −0.15 / 0.95
    # IBI = (2·0.3/0.8 − [0.5/0.6 + 0.08/0.38]) / (2·0.3/0.8 + [0.5/0.6 + 0.08/0.38])
    si = -0.15 / 0.95
    greenish = 0.5 / 0.6 + 0.08 / 0.38
    ibi = (0.75 - greenish) / (0.75 + greenish)
    assert ndbsi(0.05, 0.08, 0.1, 0.5, 0.3) == pytest.approx((si + ibi) / 2)
    pixel = dict(zip(BANDS, (0.05, 0.08, 0.1, 0.5, 0.3, 0.2), strict=True))
    assert tasselled_wetness(pixel, "tm") == pytest.approx(
        0.0315 * 0.05 + 0.2021 * 0.08 + 0.3102 * 0.1 + 0.1594 * 0.5 - 0.6806 * 0.3
        - 0.6109 * 0.2)
    assert np.isnan(ndvi(0.0, 0.0))


def test_published_wetness_coefficients() -> None:
    # Baig, Zhang, Shuai & Tong 2014, Remote Sensing Letters 5(5):423-431, Table 2 (wetness);
    # Crist 1985, Remote Sensing of Environment 17:301-306 (TM reflectance-factor wetness).
    assert WETNESS_COEFFICIENTS["oli"] == (0.1511, 0.1973, 0.3283, 0.3407, -0.7117, -0.4559)
    assert WETNESS_COEFFICIENTS["tm"] == (0.0315, 0.2021, 0.3102, 0.1594, -0.6806, -0.6109)


def test_rsei_of_a_synthetic_scene() -> None:
    result = rsei(scene(), wetness="oli")
    assert result.valid.all()
    assert np.nanmin(result.rsei) == 0.0
    assert np.nanmax(result.rsei) == 1.0
    # greener, wetter, cooler, less built-up pixels are better
    assert result.loadings["ndvi"] > 0
    assert result.loadings["wet"] > 0
    assert result.loadings["lst"] < 0
    assert result.loadings["ndbsi"] < 0
    assert sum(v * v for v in result.loadings.values()) == pytest.approx(1.0)
    assert 0.5 < result.explained <= 1.0
    assert list(result.eigenvalues) == sorted(result.eigenvalues, reverse=True)
    assert result.pca == "covariance"
    green = scene()["nir"] > 0.3
    assert np.mean(result.rsei[green]) > np.mean(result.rsei[~green])


@pytest.mark.parametrize("basis", ["covariance", "correlation"])
def test_pc1_agrees_with_scikit_learn(basis: str) -> None:
    decomposition = pytest.importorskip("sklearn.decomposition")
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    result = rsei(scene(6), wetness="oli", pca=basis)  # type: ignore[arg-type]
    data = normalised(result)
    if basis == "correlation":
        data = preprocessing.StandardScaler().fit_transform(data)
    pca = decomposition.PCA().fit(data)
    ours = np.array([result.loadings[name] for name in INDICATORS])
    assert abs(float(pca.components_[0] @ ours)) == pytest.approx(1.0, abs=1e-12)
    assert result.explained == pytest.approx(pca.explained_variance_ratio_[0], rel=1e-10)
    np.testing.assert_allclose(result.eigenvalues, pca.explained_variance_, rtol=1e-9)
    # Xu 2013: RSEI0 = 1 − PC1 where PC1 loads greenness and wetness negatively; normalised
    score = pca.transform(data)[:, 0]
    component = pca.components_[0]
    if component[0] + component[1] > 0:
        score = -score
    xu = 1 - score
    np.testing.assert_allclose(result.rsei[result.valid],
                               (xu - xu.min()) / (xu.max() - xu.min()), atol=1e-12)


def test_invariance_to_scale_and_units() -> None:
    bands = scene(7)
    base = rsei(bands, wetness="oli")
    scaled = {name: (v * 10_000 if name != "tir" else v - 273.15) for name, v in bands.items()}
    again = rsei(scaled, wetness="oli")
    np.testing.assert_allclose(again.rsei, base.rsei, atol=1e-12)
    precomputed = rsei({"ndvi": base.ndvi, "wet": base.wet * 3, "lst": base.lst * 1.8 + 32,
                        "ndbsi": base.ndbsi})
    np.testing.assert_allclose(precomputed.rsei, base.rsei, atol=1e-12)
    # an offset on reflectance is not a unit change: the ratio indices move
    shifted = {name: (v + 0.05 if name != "tir" else v) for name, v in bands.items()}
    assert not np.allclose(rsei(shifted, wetness="oli").rsei, base.rsei, atol=1e-6)


def test_invalid_pixels_and_mask() -> None:
    bands = scene(8)
    bands["red"][0, 0] = np.nan
    bands["tir"][1, 1] = np.inf
    water = np.zeros_like(bands["red"], dtype=bool)
    water[10:12, :] = True
    result = rsei(bands, wetness="tm", mask=water)
    assert not result.valid[0, 0]
    assert not result.valid[1, 1]
    assert not result.valid[10:12].any()
    assert np.isnan(result.rsei[~result.valid]).all()
    assert np.isnan(result.ndvi[10, 0])
    assert np.nanmin(result.rsei) == 0.0
    assert np.nanmax(result.rsei) == 1.0
    grades = result.grades()
    assert (grades[~result.valid] == 0).all()
    assert set(np.unique(grades[result.valid])) <= {1, 2, 3, 4, 5}
    shares = result.grade_shares()
    assert list(shares) == list(GRADES)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert result.mean == pytest.approx(float(np.nanmean(result.rsei)))


def test_water_mask() -> None:
    # MNDWI = (green − swir1) / (green + swir1): 0.2 for water, −0.5 for soil
    mask = water_mask(np.array([0.06, 0.1, 0.0]), np.array([0.04, 0.3, 0.0]))
    assert mask.tolist() == [True, False, False]


def test_grades() -> None:
    values = np.array([0.0, 0.19, 0.2, 0.5, 0.79, 0.8, 1.0, np.nan])
    valid = ~np.isnan(values)
    result = RseiResult(values, values, values, values, values, {}, (), 1.0, "covariance", valid)
    assert result.grades().tolist() == [1, 1, 2, 3, 4, 5, 5, 0]


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (50, 4), elements=st.floats(-100, 100)))
def test_pc1_orientation(data: np.ndarray) -> None:
    if (np.ptp(data, axis=0) < 1e-3).any():
        return
    result = rsei(dict(zip(INDICATORS, data.T, strict=True)))
    good = result.loadings["ndvi"] + result.loadings["wet"]
    assert good > 0 or (good == 0 and result.loadings["lst"] + result.loadings["ndbsi"] <= 0)
    assert np.nanmin(result.rsei) == 0.0
    assert np.nanmax(result.rsei) == 1.0


@pytest.mark.parametrize(
    ("names", "kwargs", "message"),
    [
        (("blue", "green", "red", "nir", "swir1", "tir"), {"wetness": "oli"},
         r"missing band meaning\(s\): swir2 \(for wet\)"),
        (("red", "nir", "tir"), {}, "blue .*for wet, ndbsi"),
        (("ndvi", "wet", "lst", "ndbsi", "nir2"), {}, "unknown band meaning.*'nir2'"),
        (("ndvi", "wet", "lst", "tir", "ndbsi"), {}, "both 'lst' and 'tir'"),
        ((*BANDS, "tir"), {}, "wetness needs tasselled-cap coefficients"),
        ((*BANDS, "tir"), {"wetness": "etm"}, "no wetness coefficients are known for 'etm'"),
        ((*BANDS, "tir"), {"wetness": (1, 2, 3)}, "six finite coefficients"),
        (("ndvi", "wet", "lst", "ndbsi"), {"pca": "kernel"}, "unknown pca basis"),
    ],
)
def test_wrong_band_mappings(names: tuple[str, ...], kwargs: dict[str, object],
                             message: str) -> None:
    bands = {name: np.random.default_rng(1).random((5, 5)) + 0.1 for name in names}
    with pytest.raises(MethodError, match=message) as exc:
        rsei(bands, **kwargs)  # type: ignore[arg-type]
    if "meaning" in message:
        assert "blue, green, red, nir, swir1, swir2, tir, ndvi, wet, lst, ndbsi" in str(
            exc.value.hint)


def test_other_method_errors() -> None:
    good = {name: np.random.default_rng(2).random((4, 4)) for name in INDICATORS}
    with pytest.raises(MethodError, match="differ in shape"):
        rsei({**good, "lst": np.ones((3, 3))})
    with pytest.raises(MethodError, match="constant"):
        rsei({**good, "lst": np.ones((4, 4))})
    with pytest.raises(MethodError, match="valid pixel"):
        rsei({**good, "ndvi": np.full((4, 4), np.nan)})
    with pytest.raises(MethodError, match="mask has shape"):
        rsei(good, mask=np.zeros((2, 2), dtype=bool))
    check_meanings(["ndvi", "wet", "lst", "ndbsi"], wetness_given=False)
