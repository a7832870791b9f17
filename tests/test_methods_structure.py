"""Industrial structure: hand-worked examples, agreement with ecomplexity, properties, errors."""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity
from ecomplexity import proximity as eco_proximity
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from innoalliance.errors import MethodError
from innoalliance.methods.spatial.structure import (
    Structure,
    analyse,
    analyse_panel,
    check_values,
    complexity,
    density,
    krugman,
    presence,
    proximity,
    rca,
    shares,
    similarity,
    trend,
)

# Regions (rows) × industries (columns), worked by hand in test_hand_example_*.
HAND = [[4.0, 4.0, 0.0], [2.0, 2.0, 4.0], [0.0, 0.0, 4.0]]

# A nested presence matrix in the style of Hidalgo & Hausmann (2009, PNAS 106:10570, Fig. 1):
# the most diverse region has every industry, the least diverse only the most ubiquitous one.
NESTED = [[1, 1, 1], [1, 1, 0], [1, 0, 0]]

COLUMNS = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
COMPARED = ("rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog")

cells = st.one_of(st.just(0.0), st.floats(1e-3, 1e6))
matrices = st.tuples(st.integers(1, 7), st.integers(1, 6)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=cells)
)


# --- hand-worked examples ----------------------------------------------------------------------


def test_hand_example_shares_similarity_krugman() -> None:
    """Shares (0.5, 0.5, 0), (0.25, 0.25, 0.5), (0, 0, 1).

    Similarity: s1·s2 = 0.25, |s1|² = 0.5, |s2|² = 0.375, so S12 = 0.25/√0.1875 = 1/√3;
    s1·s3 = 0, S13 = 0; s2·s3 = 0.5, S23 = 0.5/√0.375 = √(2/3).
    Krugman: K12 = 0.25 + 0.25 + 0.5 = 1, K13 = 0.5 + 0.5 + 1 = 2, K23 = 0.25 + 0.25 + 0.5 = 1.
    """
    assert shares(HAND).tolist() == [[0.5, 0.5, 0.0], [0.25, 0.25, 0.5], [0.0, 0.0, 1.0]]
    r3, r23 = 1 / math.sqrt(3), math.sqrt(2 / 3)
    np.testing.assert_allclose(
        similarity(HAND), [[1, r3, 0], [r3, 1, r23], [0, r23, 1]], rtol=1e-15, atol=1e-15
    )
    assert krugman(HAND).tolist() == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]


def test_hand_example_rca_and_presence() -> None:
    """Industry totals 6, 6, 8 of 20: whole-economy shares 0.3, 0.3, 0.4.

    RCA row 1: 0.5/0.3 = 5/3 twice, 0; row 2: 0.25/0.3 = 5/6 twice, 0.5/0.4 = 5/4; row 3: 0, 0,
    1/0.4 = 5/2. Presence (RCA ≥ 1): (1, 1, 0), (0, 0, 1), (0, 0, 1); at threshold 2 only the
    last cell.
    """
    R = rca(HAND)
    np.testing.assert_allclose(
        R, [[5 / 3, 5 / 3, 0], [5 / 6, 5 / 6, 5 / 4], [0, 0, 5 / 2]], rtol=1e-15
    )
    assert presence(R).tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 1]]
    assert presence(R).dtype == np.int64
    assert presence(R, threshold=2).tolist() == [[0, 0, 0], [0, 0, 0], [0, 0, 1]]


def test_hand_example_proximity_and_density() -> None:
    """NESTED: ubiquity (3, 2, 1), co-occurrence MᵀM = [[3, 2, 1], [2, 2, 1], [1, 1, 1]].

    φ = MᵀM / max(u_k, u_l): φ01 = 2/3, φ02 = 1/3, φ12 = 1/2, diagonal 1; row sums 2, 13/6, 11/6.
    Density d_ik = Σ_l M_il φ_kl / Σ_l φ_kl: region 1 has everything, so 1, 1, 1; region 2 (0, 1):
    (5/3)/2 = 5/6, (5/3)/(13/6) = 10/13, (5/6)/(11/6) = 5/11; region 3 (0): 1/2, 4/13, 2/11.
    """
    phi = proximity(NESTED)
    np.testing.assert_allclose(
        phi, [[1, 2 / 3, 1 / 3], [2 / 3, 1, 1 / 2], [1 / 3, 1 / 2, 1]], rtol=1e-15
    )
    np.testing.assert_allclose(
        density(NESTED, phi),
        [[1, 1, 1], [5 / 6, 10 / 13, 5 / 11], [1 / 2, 4 / 13, 2 / 11]],
        rtol=1e-15,
    )


def test_nested_toy_complexity() -> None:
    """NESTED, diversity (3, 2, 1), ubiquity (3, 2, 1), worked by hand.

    M̃ = U⁻¹MᵀD⁻¹M = [[11/18, 5/18, 2/18], [5/12, 5/12, 2/12], [1/3, 1/3, 1/3]]: trace 49/36,
    determinant 1/36, so besides 1 the eigenvalues solve 36λ² − 13λ + 1 = 0: 1/4 and 1/9.
    For λ₂ = 1/4 the eigenvector is kp = (−2, 1, 4); kc = D⁻¹M·kp = (1, −1/2, −2), which rises
    with diversity (sign kept). kc has mean −1/2 and population sd √1.5, so ECI = (1.5, 0,
    −1.5)/√1.5 and PCI = (kp + 1/2)/√1.5 = (−1.5, 1.5, 4.5)/√1.5: the industry only the most
    diverse region has is the most complex, and each ECI is the mean PCI of its industries.
    """
    c = complexity(NESTED)
    root = math.sqrt(1.5)
    assert c.defined and c.eigenvalue == pytest.approx(0.25, abs=1e-14)
    np.testing.assert_allclose(c.eci, [root, 0, -root], atol=1e-14)
    np.testing.assert_allclose(c.pci, [-root, root, 3 * root], atol=1e-14)
    assert c.diversity.tolist() == [3, 2, 1] and c.ubiquity.tolist() == [3, 2, 1]
    assert c.empty_regions.size == 0 and c.empty_industries.size == 0


def test_empty_region_and_industry_are_zero_listed_and_left_out() -> None:
    """A region with no industry and an industry nowhere leave the others' values unchanged."""
    M = np.zeros((5, 4), dtype=int)
    M[np.ix_([0, 2, 4], [0, 1, 3])] = NESTED
    c = complexity(M)
    nested = complexity(NESTED)
    assert c.empty_regions.tolist() == [1, 3] and c.empty_industries.tolist() == [2]
    np.testing.assert_allclose(c.eci[[0, 2, 4]], nested.eci, atol=1e-14)
    np.testing.assert_allclose(c.pci[[0, 1, 3]], nested.pci, atol=1e-14)
    np.testing.assert_allclose(c.coi[[0, 2, 4]], nested.coi, atol=1e-14)
    np.testing.assert_allclose(c.cog[np.ix_([0, 2, 4], [0, 1, 3])], nested.cog, atol=1e-14)
    assert c.eci[[1, 3]].tolist() == [0, 0] and c.pci[2] == 0 and c.coi[[1, 3]].tolist() == [0, 0]
    assert not c.cog[[1, 3]].any() and not c.cog[:, 2].any()
    phi = proximity(M)
    assert not phi[2].any() and not phi[:, 2].any() and np.diagonal(phi).tolist() == [1, 1, 0, 1]


def test_empty_region_in_values() -> None:
    """Zero output: zero shares and RCA, similarity 0 even with itself, Krugman 1 with others."""
    X = np.array([*HAND, [0.0, 0.0, 0.0]])
    X = np.hstack([X, np.zeros((4, 1))])
    s = analyse(X)
    assert not s.shares[3].any() and not s.rca[3].any() and not s.rca[:, 3].any()
    assert not s.similarity[3].any() and not s.similarity[:, 3].any()
    assert s.krugman[3].tolist() == [1, 1, 1, 0] and s.krugman[:, 3].tolist() == [1, 1, 1, 0]
    assert s.empty_regions.tolist() == [3] and s.empty_industries.tolist() == [3]
    assert not s.proximity[3].any() and not s.density[:, 3].any()


def test_undefined_complexity_is_zero() -> None:
    """Disconnected groups (λ₂ = 1), repeated λ₂ (circulant), one region: all 0, not defined."""
    disconnected = complexity(presence(rca(HAND)))
    assert not disconnected.defined and disconnected.eigenvalue == pytest.approx(1.0)
    circulant = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]]
    for M in (circulant, [[1, 1, 0]], [[1], [1]], [[0, 0], [0, 0]]):
        c = complexity(M)
        assert not c.defined
        for values in (c.eci, c.pci, c.coi, c.cog):
            assert not values.any()


# --- ecomplexity --------------------------------------------------------------------------------


def long_table(panel: np.ndarray) -> pd.DataFrame:
    t, r, k = np.meshgrid(*(np.arange(n) for n in panel.shape), indexing="ij")
    return pd.DataFrame(
        {"year": t.ravel(), "region": r.ravel(), "industry": k.ravel(), "value": panel.ravel()}
    )


def run_ecomplexity(
    panel: np.ndarray, threshold: float = 1.0, presence_test: str = "rca"
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """ecomplexity's columns as years × regions × industries, and its proximity (NaN: dropped)."""
    df = long_table(panel)
    years, _, industries = panel.shape
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        out = ecomplexity(
            df,
            COLUMNS,
            presence_test=presence_test,
            rca_mcp_threshold=threshold,
            check_logsupermodularity=False,
            verbose=False,
        )
        prox = eco_proximity(df, COLUMNS, presence_test=presence_test, rca_mcp_threshold=threshold)
    out = out.sort_values(["year", "region", "industry"])
    assert len(out) == panel.size
    columns = {c: out[c].to_numpy(float).reshape(panel.shape) for c in COMPARED}
    phi = np.full((years, industries, industries), np.nan)
    for t, k, k2, value in prox[["year", "industry_1", "industry_2", "proximity"]].itertuples(
        index=False
    ):
        phi[t, k, k2] = value
    return columns, phi


def ours(structures: list[Structure], name: str, shape: tuple[int, int, int]) -> np.ndarray:
    """Our field ``name`` broadcast to years × regions × industries, as ecomplexity's columns."""
    field = {"mcp": "presence"}.get(name, name)
    values = np.stack([getattr(s, field) for s in structures]).astype(float)
    if values.ndim == 3:
        return values
    if values.shape[1] == shape[1] and field in ("eci", "coi", "diversity"):
        return np.broadcast_to(values[:, :, None], shape)
    return np.broadcast_to(values[:, None, :], shape)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_agrees_with_ecomplexity(seed: int) -> None:
    """Random panels (lognormal, 30 % zeros) with a region and an industry without output.

    ecomplexity drops both and reports NaN for them; everything else agrees to 1e-9.
    """
    rng = np.random.default_rng(seed)
    years, regions, industries = 3, 40 + 5 * seed, 12 + seed
    panel = rng.lognormal(size=(years, regions, industries))
    panel *= rng.random(panel.shape) > 0.3
    panel[:, 5] = 0
    panel[:, :, 7] = 0
    eco, eco_phi = run_ecomplexity(panel)
    result = analyse_panel(panel)
    keep_r = np.arange(regions) != 5
    keep_k = np.arange(industries) != 7
    for name in COMPARED:
        expected, got = eco[name], ours(result, name, panel.shape)
        assert np.isnan(expected[:, 5]).all() and np.isnan(expected[:, :, 7]).all(), name
        np.testing.assert_allclose(
            got[:, keep_r][:, :, keep_k],
            expected[:, keep_r][:, :, keep_k],
            rtol=0,
            atol=1e-9,
            err_msg=name,
        )
    for t, s in enumerate(result):
        assert s.complexity_defined
        assert s.empty_regions.tolist() == [5] and s.empty_industries.tolist() == [7]
        assert s.eci[5] == 0 and s.coi[5] == 0 and s.pci[7] == 0 and s.diversity[5] == 0
        assert not s.density[:, 7].any() and not s.rca[5].any() and not s.cog[5].any()
        assert np.isnan(eco_phi[t, 7]).all() and np.isnan(eco_phi[t, :, 7]).all()
        assert not s.proximity[7].any() and not s.proximity[:, 7].any()
        np.testing.assert_allclose(
            s.proximity[np.ix_(keep_k, keep_k)], eco_phi[t][np.ix_(keep_k, keep_k)], atol=1e-9
        )


def test_region_with_output_but_no_presence() -> None:
    """At threshold 1.5 a region whose mix is the whole economy's has output but no presence.

    ecomplexity then reports NaN ECI for every region. Here it is listed as empty and the others
    equal ecomplexity's on the presence matrix given as is ("manual"), which drops that region.
    """
    rng = np.random.default_rng(7)
    X = rng.lognormal(size=(30, 10))
    X[4] = X.sum(axis=0) / 50
    eco, _ = run_ecomplexity(X[None], threshold=1.5)
    assert np.isnan(eco["eci"]).all()
    s = analyse(X, threshold=1.5)
    assert s.empty_regions.tolist() == [4] and s.complexity_defined
    manual, _ = run_ecomplexity(s.presence[None].astype(float), presence_test="manual")
    keep = np.arange(30) != 4
    np.testing.assert_allclose(s.eci[keep], manual["eci"][0, keep, 0], atol=1e-9)
    np.testing.assert_allclose(s.pci, manual["pci"][0, 0], atol=1e-9)
    np.testing.assert_allclose(s.density[keep], manual["density"][0, keep], atol=1e-9)
    assert s.eci[4] == 0 and np.isnan(manual["eci"][0, 4]).all()


def test_constant_diversity() -> None:
    """Every region has two industries: ecomplexity cannot sign the ECI (NaN); here λ₂ of this
    circulant pattern is repeated, so the indices are reported undefined (0)."""
    X = np.array([[3, 1, 0, 0], [0, 3, 1, 0], [0, 0, 3, 1], [1, 0, 0, 3]], dtype=float)
    eco, _ = run_ecomplexity(X[None])
    assert np.isnan(eco["eci"]).all()
    s = analyse(X)
    assert s.diversity.tolist() == [2, 2, 2, 2] and not s.complexity_defined
    assert not s.eci.any() and not s.pci.any()


# --- properties ---------------------------------------------------------------------------------


@given(matrices)
def test_similarity_and_krugman_properties(X: np.ndarray) -> None:
    S, K = similarity(X), krugman(X)
    assert np.array_equal(S, S.T) and np.array_equal(K, K.T)
    assert ((S >= 0) & (S <= 1)).all() and ((K >= 0) & (K <= 2)).all()
    assert not np.diagonal(K).any()
    assert np.diagonal(S).tolist() == (X.sum(axis=1) > 0).astype(float).tolist()


def test_large_pairwise_matrices() -> None:
    """More regions than one Krugman block (512 rows): the mirrored blocks equal brute force."""
    rng = np.random.default_rng(5)
    X = rng.lognormal(size=(1100, 6)) * (rng.random((1100, 6)) > 0.3)
    X[700] = 0
    s = shares(X)
    brute = np.abs(s[:, None, :] - s[None, :, :]).sum(axis=2)
    K = krugman(X, workers=3)
    np.testing.assert_allclose(K, brute, rtol=0, atol=1e-15)
    assert np.array_equal(K, K.T) and np.array_equal(K, krugman(X, workers=1))
    S = similarity(X)
    assert np.array_equal(S, S.T) and S[700].max() == 0 and S[699, 699] == 1


@given(matrices)
def test_rca_weighted_mean_is_one(X: np.ndarray) -> None:
    """Σ_i (X_i / X) RCA_ik = Σ_i x_ik / X_·k = 1 for every industry with output."""
    R = rca(X)
    weight = X.sum(axis=1) / X.sum() if X.sum() > 0 else np.zeros(len(X))
    with_output = X.sum(axis=0) > 0
    np.testing.assert_allclose((weight @ R)[with_output], 1.0, rtol=1e-12)
    assert not R[:, ~with_output].any()


@given(matrices, st.floats(1e-3, 1e3))
def test_scale_invariance(X: np.ndarray, c: float) -> None:
    for f in (similarity, krugman, rca, shares):
        np.testing.assert_allclose(f(c * X), f(X), rtol=1e-12, atol=1e-12)


@given(matrices, st.sampled_from([0.5, 1.0, 1.5]))
@settings(deadline=None)
def test_never_nan(X: np.ndarray, threshold: float) -> None:
    s = analyse(X, threshold)
    for name, value in vars(s).items():
        assert np.isfinite(np.asarray(value, dtype=float)).all(), name
    assert s.presence.dtype == np.int64
    assert np.array_equal(s.empty_regions, np.flatnonzero(s.diversity == 0))


@given(matrices)
@settings(deadline=None)
def test_eci_is_mean_pci_and_standardised(X: np.ndarray) -> None:
    s = analyse(X)
    rows = s.diversity > 0
    if not s.complexity_defined:
        assert not s.eci.any() and not s.pci.any()
        return
    mean_pci = (s.presence @ s.pci)[rows] / s.diversity[rows]
    np.testing.assert_allclose(s.eci[rows], mean_pci, atol=1e-9)
    assert abs(s.eci[rows].mean()) < 1e-9 and s.eci[rows].std() == pytest.approx(1.0)
    # ECI rises with diversity whenever diversity varies
    if np.ptp(s.diversity[rows]) > 0:
        assert np.cov(s.diversity[rows], s.eci[rows])[0, 1] > -1e-12


def test_panel_equals_year_by_year() -> None:
    rng = np.random.default_rng(11)
    panel = rng.lognormal(size=(4, 25, 9)) * (rng.random((4, 25, 9)) > 0.25)
    panel[2, 3] = 0
    together = analyse_panel(panel)
    threaded = krugman(panel, workers=2)
    for t, s in enumerate(together):
        alone = analyse(panel[t])
        for name, value in vars(alone).items():
            np.testing.assert_allclose(getattr(s, name), value, atol=1e-12, err_msg=name)
        assert np.array_equal(threaded[t], s.krugman)
    assert np.array_equal(similarity(panel)[1], together[1].similarity)
    assert np.array_equal(presence(rca(panel))[3], together[3].presence)
    assert np.array_equal(density(together[0].presence, together[0].proximity), together[0].density)


# --- trend --------------------------------------------------------------------------------------


def test_trend_of_linear_similarity() -> None:
    """S_t = A + 0.02·(y − 2010) for every pair: slope 0.02 a year, change 0.02·(2014 − 2010).

    Region 3 is empty in the last year (diagonal 0): the last mean is over the pair (1, 2) only.
    """
    A = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.4], [0.2, 0.4, 1.0]])
    off = 1 - np.eye(3)
    years = [2014, 2010, 2012]
    mats = [np.where(off > 0, A + 0.02 * (y - 2010), 1.0) for y in years]
    mats[0][2] = 0
    mats[0][:, 2] = 0
    r = trend(mats, years)
    pair = (0, 1)
    assert r.slope[pair] == pytest.approx(0.02) and r.change[pair] == pytest.approx(0.08)
    assert r.pairs.tolist() == [1, 3, 3]
    assert r.mean[0] == pytest.approx(0.58)
    assert r.mean[1] == pytest.approx((0.5 + 0.2 + 0.4) / 3)
    assert r.mean[2] == pytest.approx((0.5 + 0.2 + 0.4) / 3 + 0.04)
    assert r.years.tolist() == [2014.0, 2010.0, 2012.0]
    assert np.isfinite(r.mean_slope)


def test_trend_from_panel() -> None:
    rng = np.random.default_rng(3)
    panel = rng.lognormal(size=(3, 6, 4))
    r = trend(np.stack([s.similarity for s in analyse_panel(panel)]))
    assert r.slope.shape == (6, 6) and np.allclose(r.slope, r.slope.T)
    assert r.years.tolist() == [0.0, 1.0, 2.0] and r.pairs.tolist() == [15, 15, 15]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([np.eye(3)],), "needs two"),
        (([np.eye(3), np.eye(2)],), "same square"),
        (([np.ones((2, 3)), np.ones((2, 3))],), "same square"),
        (([np.eye(2), np.array([[1, np.nan], [0, 1]])],), r"year 2: region 1, region 2"),
        (([np.eye(2), np.eye(2)], [2000, 2000]), "repeated"),
        (([np.eye(2), np.eye(2)], [2000]), "1 year"),
    ],
)
def test_trend_errors(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(MethodError, match=match):
        trend(*args)  # type: ignore[arg-type]


# --- errors -------------------------------------------------------------------------------------


def test_negative_value_named() -> None:
    X = np.ones((3, 4))
    X[1, 2] = -1.5
    with pytest.raises(MethodError, match=r"region 2, industry 3 \(index \[1, 2\]\).*-1\.5") as e:
        analyse(X)
    assert e.value.hint


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_value_named(bad: float) -> None:
    panel = np.ones((2, 3, 4))
    panel[1, 0, 3] = bad
    with pytest.raises(MethodError, match=r"year 2, region 1, industry 4 \(index \[1, 0, 3\]\)"):
        analyse_panel(panel)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: shares([1.0, 2.0]), r"shape \(2,\)"),
        (lambda: similarity(np.ones((2, 2, 2, 2))), r"shape \(2, 2, 2, 2\)"),
        (lambda: rca(np.ones((0, 3))), "empty"),
        (lambda: krugman([["a", "b"]]), "not made of numbers"),
        (lambda: analyse(np.ones((2, 3, 4))), r"one year .* shape \(2, 3, 4\)"),
        (lambda: analyse_panel(np.ones((3, 4))), "years × regions × industries"),
        (lambda: presence(np.ones((2, 2)), threshold=0), "positive"),
        (lambda: presence(np.ones((2, 2)), threshold=float("nan")), "positive"),
        (lambda: proximity([[0, 2], [1, 0]]), "2.0 at region 1, industry 2"),
        (lambda: density([[1, 0], [0, 1]], np.eye(3)), "does not fit"),
        (lambda: density(np.ones((2, 3, 2)), np.ones((3, 2, 2))), "does not fit"),
        (lambda: complexity(np.ones((2, 3, 4))), "one year"),
        (lambda: check_values([[1.0, -2.0]], "output"), "output: region 1, industry 2"),
        (lambda: density([[1, 0]], [[1, 0], [np.nan, 1]]), "proximity: industry 2, industry 1"),
        (lambda: presence([[1.0]], threshold="x"), "positive"),  # type: ignore[arg-type]
    ],
)
def test_errors(call: object, match: str) -> None:
    with pytest.raises(MethodError, match=match):
        call()  # type: ignore[operator]


def test_krugman_to_the_whole_set_by_hand() -> None:
    """EconGeo's Krugman.index: K_r = Σ_k |s_rk − S_k|, S the set's shares (Hoover = K/2).

    Regions (10, 0) and (0, 10): the set's shares are (½, ½), so each region is |1 − ½| + |0 − ½|
    = 1 away; a region with no output gets Σ S_k = 1 too; (5, 5) is the set's own mix, 0.
    """
    from innoalliance.methods.spatial.structure import krugman_total

    np.testing.assert_allclose(krugman_total([[10.0, 0.0], [0.0, 10.0], [0.0, 0.0]]),
                               [1.0, 1.0, 1.0])
    np.testing.assert_allclose(krugman_total([[10.0, 0.0], [0.0, 10.0], [5.0, 5.0]]),
                               [1.0, 1.0, 0.0])
