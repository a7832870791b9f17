"""Regional industrial structure: shares, similarity, specialisation, RCA, proximity, complexity.

Input is a non-negative table ``values`` of output (or employment) with one row per region and
one column per industry, or a panel with a leading year axis (years × regions × industries).
Every function below that takes ``values``, ``rca`` or ``presence`` accepts both shapes and
works year by year along the leading axis; :func:`complexity` and :func:`analyse` take one year,
:func:`analyse_panel` a panel. Indices in results are 0-based; messages name regions, industries
and years 1-based and also give the 0-based array index.

* :func:`shares` — s_ik = x_ik / Σ_k x_ik, each region's industry mix.
* :func:`similarity` — the UNIDO structural similarity coefficient S_ij = Σ_k s_ik s_jk /
  √(Σ_k s_ik² Σ_k s_jk²), the cosine of two regions' share vectors (regions × regions).
* :func:`krugman` — the Krugman dissimilarity (specialisation) index K_ij = Σ_k |s_ik − s_jk|,
  0 for identical mixes, 2 for regions with no industry in common (Krugman 1991, *Geography and
  Trade*, p. 76).
* :func:`rca` — the Balassa location quotient RCA_ik = (x_ik / Σ_k x_ik) / (Σ_i x_ik / Σ_ik x_ik).
* :func:`presence` — M_ik = 1 where RCA_ik ≥ threshold, else 0.
* :func:`proximity` — φ_kl = Σ_i M_ik M_il / max(u_k, u_l), u the ubiquity: the smaller of the two
  conditional probabilities of presence (Hidalgo, Klinger, Barabási & Hausmann 2007, *Science*
  317:482).
* :func:`density` — d_ik = Σ_l M_il φ_kl / Σ_l φ_kl.
* :func:`complexity` — ECI per region and PCI per industry by the eigenvector method (Hidalgo &
  Hausmann 2009, *PNAS* 106:10570), with complexity outlook COI and gain COG.
* :func:`analyse` / :func:`analyse_panel` — all of the above in one :class:`Structure` per year.
* :func:`trend` — per pair of regions, the least-squares slope of similarity over the years
  (the isomorphism trend), and the mean similarity between distinct regions per year.

Conventions for regions and industries with nothing in them (never NaN anywhere):

* A region whose output is all zero has a zero share row and zero RCA row. Its similarity with
  every region, itself included, is 0 (its diagonal is 0, not 1: it has no structure to be
  similar in). Its Krugman index is that of a zero share vector: 1 against every region with
  output (Σ_k s_jk) and 0 against itself and other empty regions.
* An industry with zero total output has a zero RCA column.
* ``empty_regions`` are the regions with no industry present (diversity 0), ``empty_industries``
  the industries present nowhere (ubiquity 0). A region with output always has some RCA ≥ 1
  (Σ_k (X_k/X) RCA_ik = 1), so with ``threshold ≤ 1`` the empty regions are exactly those with
  zero output (up to rounding); with a higher threshold a region can have output and be empty.
* Proximity rows and columns of empty industries are 0 (diagonal too); every other industry has
  φ_kk = 1. Density is 0 where the proximity row sum is 0.
* ECI, COI and COG of empty regions, and PCI of empty industries, are 0 and those regions and
  industries are listed; they take no part in the eigenvector, the sign or the normalisation,
  so the other values are those computed without them.
* The complexity indices are undefined — every ECI, PCI, COI and COG is 0 and ``defined`` is
  False — when fewer than two regions or two industries are non-empty, when λ₂ is not a simple
  eigenvalue (within 1e-9 of λ₁ = 1, i.e. the region–industry network falls apart into separate
  groups, or of λ₃: its eigenvector, hence the ECI, is then not unique), or when the eigenvector
  gives every region the same ECI. ``ecomplexity`` gives NaN or an arbitrary eigenvector there.

The complexity conventions are those of the Growth Lab's ``ecomplexity`` package (0.5.3), which
the tests check to 1e-9 (RCA, presence, proximity, density, diversity, ubiquity, ECI, PCI, COI,
COG): PCI is the eigenvector of M̃ = U⁻¹Mᵀ D⁻¹M for its second largest eigenvalue (D, U the
diagonal matrices of diversity and ubiquity), ECI = D⁻¹M·PCI (the mean over present industries),
the sign makes ECI correlate positively with diversity, and both are standardised with the mean
and population standard deviation (ddof 0) of ECI — so ECI has mean 0 and standard deviation 1
over the non-empty regions, and each region's ECI is still the mean PCI of its industries. COI
and COG use the sign-corrected eigenvector before standardisation, as ``ecomplexity`` (and its
Stata original) does: COI_i = Σ_k d_ik (1 − M_ik) PCI_k standardised over regions, and COG_ik =
(1 − M_ik) Σ_l (1 − M_il) φ_lk PCI_l / Σ_j φ_lj divided by the standard deviation of ECI.
``ecomplexity`` drops regions and industries with zero output and reports NaN for them; it
reports NaN for every region when any remaining region has no industry present (possible with a
threshold above 1), and when the diversity does not vary; here the sign is then taken from PCI
correlating negatively with ubiquity, else the largest PCI entry is made positive. M̃ is
symmetrised as U^½M̃U^-½ and solved with ``eigh`` for all years at once (industries × industries,
never regions × regions; ``ecomplexity`` solves the same industries × industries problem).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial.distance import cdist

from innoalliance.errors import MethodError
from innoalliance.methods._checks import FloatArray, as_floats

IntArray = npt.NDArray[np.int64]

_TINY = 1e-12
"""A standard deviation at most this times the largest value it is measured on counts as 0."""
_BLOCK = 512
"""Rows of one Krugman task: that many rows against all later ones."""
_GAP = 1e-9
"""Eigenvalues closer than this count as repeated (λ₂ not simple: the ECI is not unique)."""


@dataclass(frozen=True)
class Complexity:
    """Economic complexity of one region × industry presence matrix.

    ``eci`` (regions), ``pci`` (industries), ``coi`` (regions) and ``cog`` (regions × industries)
    follow the ``ecomplexity`` conventions of the module docstring. ``diversity`` is the number
    of industries present per region, ``ubiquity`` the number of regions per industry.
    ``eigenvalue`` is the second largest eigenvalue λ₂ of M̃ over the non-empty regions and
    industries, in [0, 1] (1: the region–industry network falls apart into separate groups; 0
    with fewer than two non-empty industries). ``empty_regions`` / ``empty_industries`` are the
    0-based indices with diversity / ubiquity 0; their ECI, COI, COG rows and PCI are 0.
    ``defined`` is False when the indices are undefined (fewer than two non-empty regions or
    industries, λ₂ repeated, or no variation in ECI); all of them are then 0. A COI that does
    not vary across the non-empty regions is 0 for all of them.
    """

    eci: FloatArray
    pci: FloatArray
    coi: FloatArray
    cog: FloatArray
    diversity: IntArray
    ubiquity: IntArray
    eigenvalue: float
    empty_regions: IntArray
    empty_industries: IntArray
    defined: bool


@dataclass(frozen=True)
class Structure:
    """Industrial structure of one year: pairwise comparisons, RCA, product space, complexity.

    Regions × regions: ``similarity`` (UNIDO coefficient, symmetric, in [0, 1]) and ``krugman``
    (symmetric, in [0, 2], zero diagonal). Regions × industries: ``shares``, ``rca``,
    ``presence`` (0/1 with RCA ≥ ``threshold``), ``density`` and ``cog``. Industries ×
    industries: ``proximity``. Regions: ``eci``, ``coi``, ``diversity``. Industries: ``pci``,
    ``ubiquity``. ``eigenvalue``, ``empty_regions``, ``empty_industries`` and
    ``complexity_defined`` as in :class:`Complexity`. Conventions in the module docstring.
    """

    shares: FloatArray
    similarity: FloatArray
    krugman: FloatArray
    rca: FloatArray
    presence: IntArray
    proximity: FloatArray
    density: FloatArray
    eci: FloatArray
    pci: FloatArray
    coi: FloatArray
    cog: FloatArray
    diversity: IntArray
    ubiquity: IntArray
    eigenvalue: float
    empty_regions: IntArray
    empty_industries: IntArray
    complexity_defined: bool
    threshold: float


@dataclass(frozen=True)
class SimilarityTrend:
    """How structural similarity moved over the years (see :func:`trend`).

    ``years`` as given (default 0, 1, …). ``slope`` (regions × regions) is the least-squares
    slope of each pair's similarity against the year, in similarity per year unit; ``change``
    the similarity in the latest year minus that in the earliest. ``mean`` is, per year in the
    order given, the mean similarity over pairs of distinct non-empty regions (a region is empty
    in a year when its diagonal is 0), and ``pairs`` how many pairs that mean is over (``mean``
    is 0 when there are none). ``mean_slope`` is the least-squares slope of ``mean``.
    """

    years: FloatArray
    slope: FloatArray
    change: FloatArray
    mean: FloatArray
    pairs: IntArray
    mean_slope: float


# --------------------------------------------------------------------------- checks


def _where(index: tuple[int, ...], kinds: tuple[str, ...]) -> str:
    names = ", ".join(f"{kind} {i + 1}" for kind, i in zip(kinds, index, strict=True))
    return f"{names} (index [{', '.join(str(i) for i in index)}])"


def _kinds(ndim: int, rows: str = "region") -> tuple[str, ...]:
    return ("year", rows, "industry") if ndim == 3 else (rows, "industry")


def _as_array(values: object, what: str, shape_hint: str) -> FloatArray:
    A = as_floats(values, what, shape_hint)
    if A.ndim not in (2, 3):
        raise MethodError(
            f"expected {what} as regions × industries (or years × regions × industries), "
            f"got an array of shape {A.shape}",
            hint=shape_hint,
        )
    if 0 in A.shape:
        raise MethodError(f"{what} is empty (shape {A.shape})", hint=shape_hint)
    return A


def check_values(
    values: npt.ArrayLike, what: str = "values", *, rows: str = "region"
) -> FloatArray:
    """Return ``values`` as a new float64 array, refusing what no structure measure can use.

    Accepts regions × industries or years × regions × industries; every cell must be a finite
    number ≥ 0. A negative or non-finite cell raises :class:`MethodError` naming its year (for
    a panel), region and industry (1-based, with the 0-based index) and its value; ``rows``
    names the rows in messages (``"industry"`` for a proximity matrix).
    """
    hint = f"give one row per {rows} and one non-negative number per industry"
    A = _as_array(values, what, hint)
    bad = ~np.isfinite(A)
    if bad.any():
        index = tuple(int(k) for k in np.argwhere(bad)[0])
        raise MethodError(
            f"{what}: {_where(index, _kinds(A.ndim, rows))} is {A[index]}",
            hint="every cell must be a finite number; fill the missing value (0 if none)",
        )
    negative = A < 0
    if negative.any():
        index = tuple(int(k) for k in np.argwhere(negative)[0])
        raise MethodError(
            f"{what}: {_where(index, _kinds(A.ndim, rows))} is negative ({A[index]})",
            hint="output and employment cannot be negative; correct or drop the value",
        )
    return A


def _check_presence(presence: npt.ArrayLike) -> FloatArray:
    hint = "give the 0/1 presence matrix from presence(rca(values))"
    M = _as_array(presence, "the presence matrix", hint)
    bad = (M != 0) & (M != 1)
    if bad.any():
        index = tuple(int(k) for k in np.argwhere(bad)[0])
        raise MethodError(
            f"the presence matrix has {M[index]} at {_where(index, _kinds(M.ndim))}",
            hint="presence is 1 (industry present) or 0; threshold RCA with presence()",
        )
    return M


def _check_threshold(threshold: float) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        t = float("nan")
    if not np.isfinite(t) or t <= 0:
        raise MethodError(
            f"the RCA threshold must be a positive number, got {threshold!r}",
            hint="use 1 (the usual Balassa threshold) or another positive value",
        )
    return t


# --------------------------------------------------------------------------- shares and pairs


def _shares(X: FloatArray) -> FloatArray:
    total = X.sum(axis=-1, keepdims=True)
    out: FloatArray = np.divide(X, total, out=np.zeros_like(X), where=total > 0)
    return out


def shares(values: npt.ArrayLike) -> FloatArray:
    """Each region's industry shares s_ik = x_ik / Σ_k x_ik (rows sum to 1).

    ``values`` is regions × industries or years × regions × industries, non-negative; the
    result has its shape. A region with no output has a zero row.
    """
    return _shares(check_values(values))


def _similarity_into(s: FloatArray, out: FloatArray) -> None:
    norm = np.sqrt(np.einsum("ij,ij->i", s, s))
    present = norm > 0
    unit: FloatArray = np.divide(s, norm[:, None], out=np.zeros_like(s), where=present[:, None])
    # u @ u.T is exactly symmetric in NumPy: BLAS syrk fills one triangle and NumPy copies it to
    # the other; without BLAS both cells sum the same products in the same order.
    np.matmul(unit, unit.T, out=out)
    np.clip(out, 0.0, 1.0, out=out)
    np.fill_diagonal(out, present.astype(np.float64))


def _similarity(s: FloatArray) -> FloatArray:
    out = np.empty((*s.shape[:-1], s.shape[-2]))
    for year, into in zip(
        s.reshape(-1, *s.shape[-2:]), out.reshape(-1, *out.shape[-2:]), strict=True
    ):
        _similarity_into(year, into)
    return out


def similarity(values: npt.ArrayLike) -> FloatArray:
    """UNIDO structural similarity coefficient of every pair of regions (regions × regions).

    S_ij = Σ_k s_ik s_jk / √(Σ_k s_ik² · Σ_k s_jk²), the cosine of the two regions' share
    vectors (so also of their raw rows): 1 for the same industry mix, 0 for no industry in
    common. Symmetric, in [0, 1], diagonal 1 — except that a region with no output has 0 in its
    whole row and column, diagonal included. A panel (years × regions × industries) gives
    years × regions × regions.
    """
    return _similarity(_shares(check_values(values)))


def _krugman(s: FloatArray, workers: int | None) -> FloatArray:
    out = np.empty((*s.shape[:-1], s.shape[-2]))
    years = s.reshape(-1, *s.shape[-2:])
    into = out.reshape(-1, *out.shape[-2:])
    n = years.shape[1]
    tasks = [(t, i0) for t in range(len(years)) for i0 in range(0, n, _BLOCK)]

    def one(task: tuple[int, int]) -> None:
        # rows i0:i1 against rows i0: — the upper triangle — mirrored into the lower one; exactly
        # symmetric, as |a − b| = |b − a| is summed in the same order
        t, i0 = task
        i1 = min(n, i0 + _BLOCK)
        block: FloatArray = cdist(years[t, i0:i1], years[t, i0:], "cityblock")
        np.minimum(block, 2.0, out=block)
        into[t, i0:i1, i0:] = block
        into[t, i1:, i0:i1] = block[:, i1 - i0 :].T

    threads = min(len(tasks), workers or os.cpu_count() or 1)
    if threads <= 1:
        for task in tasks:
            one(task)
    else:
        # cdist releases the GIL; the tasks write disjoint parts of ``out``
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, tasks))
    return out


def krugman(values: npt.ArrayLike, *, workers: int | None = None) -> FloatArray:
    """Krugman dissimilarity index of every pair of regions (regions × regions).

    K_ij = Σ_k |s_ik − s_jk| on the industry shares: 0 for the same mix, 2 for no industry in
    common; symmetric, zero diagonal. A region with no output has a zero share vector, so K = 1
    against every region with output and 0 against other regions without. A panel gives years ×
    regions × regions. Computed on ``workers`` threads (default: one per CPU).
    """
    return _krugman(_shares(check_values(values)), workers)


def mean_similarity(similarity: npt.ArrayLike) -> FloatArray:
    """Each region's mean structural similarity to the other regions (regions × regions in,
    one value per region out; 0 for a single region)."""
    S = np.asarray(similarity, dtype=np.float64)
    n = S.shape[-1]
    out: FloatArray = (S.sum(axis=-1) - np.diagonal(S, axis1=-2, axis2=-1)) / max(n - 1, 1)
    return out


def krugman_total(values: npt.ArrayLike) -> FloatArray:
    """Krugman index of each region against the whole set (EconGeo's ``Krugman.index``).

    K_r = Σ_k |s_rk − S_k| with S_k the industry's share in the output of all regions together,
    the region included; range 0–2 (the Hoover specialisation coefficient is K_r / 2). The
    pairwise :func:`krugman` is the variant used in Chinese isomorphism studies; this one says how
    far each region's mix is from the set's. A region with no output gets 1; per year for a panel.
    """
    X = check_values(values)
    col = X.sum(axis=-2, keepdims=True)
    total = col.sum(axis=-1, keepdims=True)
    whole = np.divide(col, total, out=np.zeros_like(col), where=total > 0)
    out: FloatArray = np.abs(_shares(X) - whole).sum(axis=-1)
    return out


# --------------------------------------------------------------------------- RCA and presence


def _rca(X: FloatArray) -> FloatArray:
    # The operations of ecomplexity's calculate_rca, so that presence flips at the same cells
    row = X.sum(axis=-1, keepdims=True)
    col = X.sum(axis=-2, keepdims=True)
    total = col.sum(axis=-1, keepdims=True)
    num = np.divide(X, row, out=np.zeros_like(X), where=row > 0)
    den = np.divide(col, total, out=np.zeros_like(col), where=total > 0)
    out: FloatArray = np.divide(num, den, out=np.zeros_like(X), where=den > 0)
    return out


def rca(values: npt.ArrayLike) -> FloatArray:
    """Balassa revealed comparative advantage (location quotient), the shape of ``values``.

    RCA_ik = (x_ik / Σ_k x_ik) / (Σ_i x_ik / Σ_ik x_ik): the industry's share in the region over
    its share in all regions together (per year for a panel). 1 means as specialised as the
    whole; Σ_i (X_i/X) RCA_ik = 1 for every industry with output. Rows of regions and columns of
    industries with no output are 0.
    """
    return _rca(check_values(values))


def _presence(ratio: FloatArray, threshold: float) -> IntArray:
    return np.where(ratio >= threshold, 1, 0).astype(np.int64)


def presence(rca: npt.ArrayLike, threshold: float = 1.0) -> IntArray:
    """Presence matrix M_ik = 1 where RCA_ik ≥ ``threshold``, else 0 (int64, shape of ``rca``).

    As ``ecomplexity``'s ``mcp`` with ``presence_test="rca"``. ``threshold`` must be positive
    (at 0 every industry would be present everywhere, output or not).
    """
    return _presence(check_values(rca, "rca"), _check_threshold(threshold))


# --------------------------------------------------------------------------- product space


def _swap(A: FloatArray) -> FloatArray:
    return np.swapaxes(A, -1, -2)


def _proximity(M: FloatArray) -> FloatArray:
    u = M.sum(axis=-2)
    C = _swap(M) @ M
    top = np.maximum(u[..., :, None], u[..., None, :])
    out: FloatArray = np.divide(C, top, out=np.zeros_like(C), where=top > 0)
    return out


def proximity(presence: npt.ArrayLike) -> FloatArray:
    """Proximity of every pair of industries (industries × industries, or years × … for a panel).

    φ_kl = Σ_i M_ik M_il / max(u_k, u_l), u_k = Σ_i M_ik the ubiquity: the smaller of the
    probabilities that a region has one industry given that it has the other. Symmetric, in
    [0, 1], φ_kk = 1 for industries present somewhere; rows and columns of industries present
    nowhere are 0 (``ecomplexity`` drops an industry without output, and gives NaN for one with
    output but no presence).
    """
    return _proximity(_check_presence(presence))


def _density(M: FloatArray, phi: FloatArray) -> FloatArray:
    total = phi.sum(axis=-1)
    rows = total[..., :, None]
    weights: FloatArray = np.divide(phi, rows, out=np.zeros_like(phi), where=rows > 0)
    return M @ _swap(weights)


def density(presence: npt.ArrayLike, proximity: npt.ArrayLike) -> FloatArray:
    """Density of each region around each industry (the shape of ``presence``).

    d_ik = Σ_l M_il φ_kl / Σ_l φ_kl (``ecomplexity``'s ``calc_density``: row sums of φ in the
    denominator), in [0, 1] for a proximity in [0, 1]; 0 where Σ_l φ_kl = 0. ``proximity`` is
    industries × industries, or years × industries × industries for a panel ``presence``.
    """
    M = _check_presence(presence)
    phi = check_values(proximity, "proximity", rows="industry")
    p = M.shape[-1]
    same_years = phi.ndim == 2 or (M.ndim == 3 and phi.shape[0] == M.shape[0])
    if phi.shape[-2:] != (p, p) or not same_years:
        raise MethodError(
            f"proximity of shape {phi.shape} does not fit presence of shape {M.shape}",
            hint="give the industries × industries proximity of the same industries (and years)",
        )
    return _density(M, phi)


# --------------------------------------------------------------------------- complexity


@dataclass(frozen=True)
class _Batch:
    eci: FloatArray
    pci: FloatArray
    coi: FloatArray
    cog: FloatArray
    eigenvalue: FloatArray
    defined: npt.NDArray[np.bool_]


def _masked_mean(x: FloatArray, mask: npt.NDArray[np.bool_], n: FloatArray) -> FloatArray:
    total: FloatArray = np.where(mask, x, 0.0).sum(axis=-1)
    return total / n


def _standardise(
    x: FloatArray, mask: npt.NDArray[np.bool_], n: FloatArray
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Mean and population sd over ``mask`` per year, and whether the sd is not (nearly) 0."""
    mean = _masked_mean(x, mask, n)
    sd = np.sqrt(_masked_mean((x - mean[:, None]) ** 2, mask, n))
    scale = np.where(mask, np.abs(x), 0.0).max(axis=-1)
    return mean, sd, sd > _TINY * scale


def _complexity(M: FloatArray, phi: FloatArray, dens: FloatArray) -> _Batch:
    """ECI, PCI, COI and COG for years × regions × industries presence, all years at once."""
    years, _, p = M.shape
    d = M.sum(axis=2)
    u = M.sum(axis=1)
    rows, cols = d > 0, u > 0
    nr = np.maximum(rows.sum(axis=1), 1).astype(np.float64)
    nc = np.maximum(cols.sum(axis=1), 1).astype(np.float64)
    defined = (rows.sum(axis=1) >= 2) & (cols.sum(axis=1) >= 2)
    d_inv = np.divide(1.0, d, out=np.zeros_like(d), where=rows)
    u_root = np.divide(1.0, np.sqrt(u), out=np.zeros_like(u), where=cols)

    # M̃ = U⁻¹ Mᵀ D⁻¹ M is similar to the symmetric S = U^-½ Mᵀ D⁻¹ M U^-½ (eigenvalues in
    # [0, 1]); empty industries get eigenvalue −1 so they never come second.
    S = _swap(M) @ (M * d_inv[:, :, None])
    S *= u_root[:, :, None] * u_root[:, None, :]
    diagonal = np.arange(p)
    S[:, diagonal, diagonal] = np.where(cols, S[:, diagonal, diagonal], -1.0)
    if p >= 2:
        values, vectors = np.linalg.eigh(S)
        eigenvalue = np.where(cols.sum(axis=1) >= 2, values[:, -2], 0.0)
        kp = vectors[:, :, -2] * u_root
        # λ₂ must be simple for its eigenvector to be unique (padding sits at −1)
        defined &= values[:, -1] - values[:, -2] > _GAP
        if p >= 3:
            defined &= values[:, -2] - values[:, -3] > _GAP
    else:
        eigenvalue = np.zeros(years)
        kp = np.zeros((years, p))
    kc = (M @ kp[:, :, None])[:, :, 0] * d_inv

    # Sign: ECI rises with diversity; failing that PCI falls with ubiquity; failing that the
    # largest |PCI| is positive.
    d_mean = _masked_mean(d, rows, nr)
    kc_mean = _masked_mean(kc, rows, nr)
    sign = np.sign(np.where(rows, (d - d_mean[:, None]) * (kc - kc_mean[:, None]), 0.0).sum(1))
    sign[np.ptp(np.where(rows, d, d_mean[:, None]), axis=1) == 0] = 0.0
    u_mean = _masked_mean(u, cols, nc)
    kp_mean = _masked_mean(kp, cols, nc)
    by_ubiquity = -np.sign(
        np.where(cols, (u - u_mean[:, None]) * (kp - kp_mean[:, None]), 0.0).sum(axis=1)
    )
    largest = np.sign(kp[np.arange(years), np.abs(kp).argmax(axis=1)])
    sign = np.where(sign != 0, sign, np.where(by_ubiquity != 0, by_ubiquity, largest))
    sign[sign == 0] = 1.0
    kp *= sign[:, None]
    kc *= sign[:, None]

    mean, sd, varies = _standardise(kc, rows, nr)
    defined &= varies
    sd = np.where(defined, sd, 1.0)
    eci = np.where(rows & defined[:, None], (kc - mean[:, None]) / sd[:, None], 0.0)
    pci = np.where(cols & defined[:, None], (kp - mean[:, None]) / sd[:, None], 0.0)

    absent = 1.0 - M
    coi_raw = ((dens * absent) @ kp[:, :, None])[:, :, 0]
    coi_mean, coi_sd, coi_varies = _standardise(coi_raw, rows, nr)
    coi_sd = np.where(coi_varies, coi_sd, 1.0)
    keep = rows & (defined & coi_varies)[:, None]
    coi = np.where(keep, (coi_raw - coi_mean[:, None]) / coi_sd[:, None], 0.0)

    total = phi.sum(axis=2)
    gain = np.divide(kp, total, out=np.zeros_like(kp), where=total > 0)
    cog = absent * (absent @ (phi * gain[:, :, None])) / sd[:, None, None]
    cog = np.where(rows[:, :, None] & defined[:, None, None], cog, 0.0)
    return _Batch(eci, pci, coi, cog, eigenvalue, defined)


def complexity(presence: npt.ArrayLike) -> Complexity:
    """ECI, PCI, COI and COG of one regions × industries 0/1 presence matrix.

    The eigenvector method with the conventions of ``ecomplexity`` 0.5.3 (module docstring):
    ECI has mean 0 and population standard deviation 1 over the regions with an industry present,
    PCI is on the same scale, and ECI_i is the mean PCI of region i's industries. Regions with no
    industry and industries in no region get 0 and are listed in ``empty_regions`` /
    ``empty_industries`` (``ecomplexity`` gives NaN). For a panel use :func:`analyse_panel`.
    """
    M = _check_presence(presence)
    if M.ndim != 2:
        raise MethodError(
            f"complexity takes one year (regions × industries), got shape {M.shape}",
            hint="call it per year, or use analyse_panel for a panel",
        )
    phi = _proximity(M)
    batch = _complexity(M[None], phi[None], _density(M, phi)[None])
    d = M.sum(axis=1).astype(np.int64)
    u = M.sum(axis=0).astype(np.int64)
    return Complexity(
        eci=batch.eci[0],
        pci=batch.pci[0],
        coi=batch.coi[0],
        cog=batch.cog[0],
        diversity=d,
        ubiquity=u,
        eigenvalue=float(batch.eigenvalue[0]),
        empty_regions=np.flatnonzero(d == 0).astype(np.int64),
        empty_industries=np.flatnonzero(u == 0).astype(np.int64),
        defined=bool(batch.defined[0]),
    )


# --------------------------------------------------------------------------- all at once


def _analyse(X: FloatArray, threshold: float, workers: int | None) -> list[Structure]:
    """Everything for years × regions × industries ``X`` (already checked)."""
    s = _shares(X)
    R = _rca(X)
    P = _presence(R, threshold)
    M = P.astype(np.float64)
    phi = _proximity(M)
    dens = _density(M, phi)
    batch = _complexity(M, phi, dens)
    S = _similarity(s)
    K = _krugman(s, workers)
    diversity = P.sum(axis=2)
    ubiquity = P.sum(axis=1)
    return [
        Structure(
            shares=s[t],
            similarity=S[t],
            krugman=K[t],
            rca=R[t],
            presence=P[t],
            proximity=phi[t],
            density=dens[t],
            eci=batch.eci[t],
            pci=batch.pci[t],
            coi=batch.coi[t],
            cog=batch.cog[t],
            diversity=diversity[t],
            ubiquity=ubiquity[t],
            eigenvalue=float(batch.eigenvalue[t]),
            empty_regions=np.flatnonzero(diversity[t] == 0).astype(np.int64),
            empty_industries=np.flatnonzero(ubiquity[t] == 0).astype(np.int64),
            complexity_defined=bool(batch.defined[t]),
            threshold=threshold,
        )
        for t in range(X.shape[0])
    ]


def analyse(values: npt.ArrayLike, threshold: float = 1.0) -> Structure:
    """The whole :class:`Structure` of one year's regions × industries ``values`` (≥ 0).

    Presence is RCA ≥ ``threshold``. Conventions for empty regions and industries in the module
    docstring; no result is ever NaN.
    """
    X = check_values(values)
    if X.ndim != 2:
        raise MethodError(
            f"analyse takes one year (regions × industries), got shape {X.shape}",
            hint="use analyse_panel for years × regions × industries",
        )
    return _analyse(X[None], _check_threshold(threshold), None)[0]


def analyse_panel(
    panel: npt.ArrayLike, threshold: float = 1.0, *, workers: int | None = None
) -> list[Structure]:
    """One :class:`Structure` per year of a years × regions × industries panel (≥ 0).

    The same as :func:`analyse` year by year, computed for all years together (one batched
    eigen-decomposition of the industries × industries matrices); the Krugman matrices run on
    ``workers`` threads (default: one per CPU). Every year has the same regions and industries,
    each with its own RCA, presence and complexity. Memory is dominated by the two regions ×
    regions float64 matrices per year: 16·r² bytes, 130 MB a year for 2,850 regions.
    """
    X = check_values(panel, "panel")
    if X.ndim != 3:
        raise MethodError(
            f"analyse_panel takes years × regions × industries, got shape {X.shape}",
            hint="use analyse for one year, or stack the years along a first axis",
        )
    return _analyse(X, _check_threshold(threshold), workers)


# --------------------------------------------------------------------------- trend


def trend(
    similarities: Sequence[npt.ArrayLike] | npt.ArrayLike,
    years: Sequence[float] | npt.ArrayLike | None = None,
) -> SimilarityTrend:
    """Isomorphism trend: how each pair's structural similarity changed over the years.

    ``similarities`` is one regions × regions matrix per year (e.g. ``[s.similarity for s in
    analyse_panel(panel)]``), ``years`` their years (default 0, 1, …; any order, all distinct).
    The slope of pair (i, j) is Σ_t (y_t − ȳ)(S_t,ij − S̄_ij) / Σ_t (y_t − ȳ)², positive when
    the two regions' structures converge. The mean per year is over pairs of distinct regions
    that both have a positive diagonal (non-empty). At least two years are needed.
    """
    hint = "give one regions × regions similarity matrix per year, at least two years"
    if isinstance(similarities, np.ndarray):
        stack: list[Any] = list(similarities) if similarities.ndim == 3 else [similarities]
    else:
        stack = list(similarities)  # type: ignore[arg-type]
    if len(stack) < 2:
        raise MethodError(f"{len(stack)} similarity matrix given; a trend needs two", hint=hint)
    mats: list[FloatArray] = []
    for t, item in enumerate(stack):
        try:
            S = np.asarray(item, dtype=np.float64)
        except (TypeError, ValueError):
            raise MethodError(f"year {t + 1} is not a matrix of numbers", hint=hint) from None
        if S.ndim != 2 or S.shape[0] != S.shape[1] or (mats and S.shape != mats[0].shape):
            first = mats[0].shape if mats else S.shape
            raise MethodError(
                f"year {t + 1} has shape {S.shape}; every year must be the same square "
                f"regions × regions matrix ({first})",
                hint=hint,
            )
        if not np.isfinite(S).all():
            i, j = (int(k) for k in np.argwhere(~np.isfinite(S))[0])
            raise MethodError(
                f"year {t + 1}: {_where((i, j), ('region', 'region'))} is {S[i, j]}", hint=hint
            )
        mats.append(S)
    if years is None:
        y = np.arange(len(mats), dtype=np.float64)
    else:
        try:
            y = np.asarray(years, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise MethodError("years are not numbers", hint="give one number per year") from None
        if y.size != len(mats) or not np.isfinite(y).all() or np.unique(y).size != y.size:
            raise MethodError(
                f"{y.size} year(s) given for {len(mats)} matrices, or years repeated or missing",
                hint="give one distinct, finite year per matrix",
            )
    dy = y - y.mean()
    sxx = float(dy @ dy)
    slope = np.zeros_like(mats[0])
    mean = np.zeros(len(mats))
    pairs = np.zeros(len(mats), dtype=np.int64)
    for t, S in enumerate(mats):
        slope += dy[t] * S  # Σ (y − ȳ) S̄ = 0, so S̄ need not be subtracted
        w = (np.diagonal(S) > 0).astype(np.float64)
        n = int(w.sum())
        pairs[t] = n * (n - 1)
        if n >= 2:
            mean[t] = (float(w @ S @ w) - float(w @ np.diagonal(S))) / pairs[t]
    slope /= sxx
    change = mats[int(y.argmax())] - mats[int(y.argmin())]
    return SimilarityTrend(
        years=y,
        slope=slope,
        change=change,
        mean=mean,
        pairs=pairs // 2,
        mean_slope=float(dy @ mean) / sxx,
    )
