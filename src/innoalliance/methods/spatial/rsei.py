"""Remote Sensing Ecological Index (RSEI) of Xu Hanqiu (2013).

Source: 徐涵秋, 城市遥感生态指数的创建及其应用, 生态学报 33(24):7853–7862, 2013; with the
clarifications of 徐涵秋、邓文慧, MRSEI指数的合理性分析及其与RSEI指数的区别, 遥感技术与应用
37(1):1–7, 2022.

Conventions
-----------
* Input: arrays keyed by *meaning* (all the same shape): surface-reflectance bands ``blue``,
  ``green``, ``red``, ``nir``, ``swir1``, ``swir2`` and a thermal band ``tir``, and/or the
  precomputed indicators ``ndvi``, ``wet``, ``lst``, ``ndbsi``. A precomputed indicator is used
  as given; otherwise it is computed from the bands it needs (:data:`NEEDS`). Reflectances must
  be physical (scale factors *and offsets* applied, e.g. Landsat Collection 2 Level-2:
  ``DN·0.0000275 − 0.2``): the ratio indices are invariant to a common scale factor, not to an
  offset.
* The four indicators: greenness ``ndvi = (nir − red) / (nir + red)``; wetness ``wet`` = the
  tasselled-cap wetness ``Σ kᵢ·bandᵢ`` over blue, green, red, nir, swir1, swir2 with the
  coefficients of :data:`WETNESS_COEFFICIENTS` (Landsat 8/9 OLI: Baig et al. 2014, Remote
  Sensing Letters 5(5):423–431; Landsat 4/5 TM: Crist 1985, Remote Sensing of Environment
  17:301–306) or six of the user's; heat ``lst`` = the land surface temperature, or the ``tir``
  band (e.g. brightness temperature) as given; dryness ``ndbsi = (SI + IBI) / 2`` with the soil
  index ``SI = ((swir1 + red) − (nir + blue)) / ((swir1 + red) + (nir + blue))`` and the
  index-based built-up index ``IBI = (2·swir1/(swir1 + nir) − [nir/(nir + red) +
  green/(green + swir1)]) / (2·swir1/(swir1 + nir) + [nir/(nir + red) + green/(green + swir1)])``
  (Xu 2008), as in Xu 2013.
* Valid pixels: every indicator finite and not excluded by ``mask`` (Xu & Deng 2022: mask large
  water bodies, e.g. with :func:`water_mask`). Invalid pixels are NaN in every output array.
* Each indicator is min-max normalised to [0, 1] over the valid pixels; a principal component
  analysis of the four normalised indicators follows. Xu 2013 uses the *covariance* matrix of
  the normalised indicators (ENVI's default; the published eigenvalues, e.g. 0.017 with a 76 %
  share, are covariance eigenvalues of [0, 1] data), the default here; ``pca="correlation"``
  standardises them first.
* Sign of PC1: an eigenvector's sign is arbitrary. Xu 2013 writes ``RSEI0 = 1 − PC1`` because
  the PC1 of her software loaded greenness and wetness negatively; Xu & Deng 2022 state that the
  "1 − PC1" reversal is needed only when NDVI and Wet load negatively. Here PC1 is oriented so
  that ``loading(ndvi) + loading(wet) > 0`` (if that sum is 0: ``loading(lst) +
  loading(ndbsi) < 0``), and ``RSEI0`` is its (centred) score. The final
  ``RSEI = (RSEI0 − min) / (max − min)`` equals Xu's normalised ``1 − PC1`` exactly, since
  min-max normalisation of ``1 − s`` and of ``−s`` coincide. Higher RSEI = better ecology.
* Grades (:meth:`RseiResult.grades`): 1 poor [0, 0.2), 2 fair [0.2, 0.4), 3 moderate
  [0.4, 0.6), 4 good [0.6, 0.8), 5 excellent [0.8, 1]; 0 for invalid pixels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

BAND_MEANINGS = ("blue", "green", "red", "nir", "swir1", "swir2", "tir")
INDICATORS = ("ndvi", "wet", "lst", "ndbsi")
"""Greenness, wetness, heat, dryness: the order of loadings and of the PCA's columns."""
MEANINGS = BAND_MEANINGS + INDICATORS
NEEDS: dict[str, tuple[str, ...]] = {
    "ndvi": ("red", "nir"),
    "wet": ("blue", "green", "red", "nir", "swir1", "swir2"),
    "lst": ("tir",),
    "ndbsi": ("blue", "green", "red", "nir", "swir1"),
}
"""The bands each indicator is computed from when it is not given."""
WETNESS_COEFFICIENTS: dict[str, tuple[float, ...]] = {
    "oli": (0.1511, 0.1973, 0.3283, 0.3407, -0.7117, -0.4559),
    "tm": (0.0315, 0.2021, 0.3102, 0.1594, -0.6806, -0.6109),
}
"""Tasselled-cap wetness for blue, green, red, nir, swir1, swir2 reflectance: ``oli`` Landsat 8/9
(Baig et al. 2014), ``tm`` Landsat 4/5 reflectance factors (Crist 1985)."""
GRADES = ("poor", "fair", "moderate", "good", "excellent")
GRADE_EDGES = (0.2, 0.4, 0.6, 0.8)
PcaBasis = Literal["covariance", "correlation"]


@dataclass(frozen=True)
class RseiResult:
    """The RSEI of every pixel, its four indicators and the PCA behind it.

    ``ndvi``, ``wet``, ``lst``, ``ndbsi`` are the raw indicators and ``rsei`` the index in
    [0, 1], all of the input's shape, NaN where ``valid`` is False. ``loadings`` maps each
    indicator to its PC1 loading (a unit vector, oriented as the module says);
    ``eigenvalues`` are all four, descending; ``explained`` is PC1's share of their sum;
    ``pca`` is ``"covariance"`` or ``"correlation"``.
    """

    ndvi: FloatArray
    wet: FloatArray
    lst: FloatArray
    ndbsi: FloatArray
    rsei: FloatArray
    loadings: dict[str, float]
    eigenvalues: tuple[float, ...]
    explained: float
    pca: str
    valid: BoolArray

    @property
    def mean(self) -> float:
        """The mean RSEI over the valid pixels."""
        return float(self.rsei[self.valid].mean())

    def grades(self) -> npt.NDArray[np.int8]:
        """Grade of each pixel: 1 poor … 5 excellent (``GRADES[g - 1]``), 0 where invalid."""
        grade = np.digitize(np.where(self.valid, self.rsei, 0.0), GRADE_EDGES) + 1
        return np.where(self.valid, grade, 0).astype(np.int8)

    def grade_shares(self) -> dict[str, float]:
        """Share of the valid pixels in each grade, keyed by grade name."""
        counts = np.bincount(self.grades()[self.valid], minlength=len(GRADES) + 1)[1:]
        return {name: float(n) / float(counts.sum()) for name, n in zip(GRADES, counts,
                                                                        strict=True)}


def check_meanings(names: Sequence[str], *, wetness_given: bool = True) -> None:
    """Check that the declared band meanings suffice to compute the RSEI.

    Parameters
    ----------
    names
        The meanings declared (keys of the band mapping).
    wetness_given
        False when no wetness coefficients were given (then ``wet`` itself must be given).

    Raises
    ------
    MethodError
        Naming the unknown meanings, or the missing ones and what needs them, and the accepted
        meanings.
    """
    accepted = ", ".join(MEANINGS)
    unknown = [n for n in names if n not in MEANINGS]
    if unknown:
        raise MethodError(
            f"unknown band meaning(s): {', '.join(map(repr, unknown))}",
            hint=f"the accepted meanings are: {accepted}",
        )
    given = set(names)
    if "lst" in given and "tir" in given:
        raise MethodError(
            "both 'lst' and 'tir' are given for the heat indicator",
            hint="declare one of them",
        )
    missing: dict[str, list[str]] = {}
    for indicator, bands in NEEDS.items():
        if indicator in given:
            continue
        for band in bands:
            if band not in given:
                missing.setdefault(band, []).append(indicator)
    if missing:
        parts = [f"{band} (for {', '.join(users)})" for band, users in missing.items()]
        raise MethodError(
            f"missing band meaning(s): {'; '.join(parts)}",
            hint=f"declare them, or give the indicators directly; the accepted meanings are: "
            f"{accepted}",
        )
    if "wet" not in given and not wetness_given:
        raise MethodError(
            "wetness needs tasselled-cap coefficients",
            hint="give wetness='oli' (Landsat 8/9), 'tm' (Landsat 4/5) or six coefficients "
            "for blue, green, red, nir, swir1, swir2; or declare a 'wet' band",
        )


def wetness_coefficients(wetness: str | Sequence[float]) -> tuple[float, ...]:
    """The six tasselled-cap wetness coefficients named or given.

    Parameters
    ----------
    wetness
        ``"oli"``, ``"tm"`` (:data:`WETNESS_COEFFICIENTS`), or six numbers for blue, green, red,
        nir, swir1, swir2.

    Raises
    ------
    MethodError
        For another name, or not six finite numbers.
    """
    if isinstance(wetness, str):
        try:
            return WETNESS_COEFFICIENTS[wetness.lower()]
        except KeyError:
            raise MethodError(
                f"no wetness coefficients are known for {wetness!r}",
                hint=f"use one of {', '.join(WETNESS_COEFFICIENTS)} or give six numbers",
            ) from None
    values = tuple(float(k) for k in wetness)
    if len(values) != 6 or not all(np.isfinite(values)):
        raise MethodError(
            f"wetness needs six finite coefficients, got {values}",
            hint="one each for blue, green, red, nir, swir1, swir2",
        )
    return values


def ndvi(red: npt.ArrayLike, nir: npt.ArrayLike) -> FloatArray:
    """Normalised difference vegetation index ``(nir − red) / (nir + red)``; NaN where 0/0."""
    r, n = _float(red), _float(nir)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finite((n - r) / (n + r))


def tasselled_wetness(bands: Mapping[str, npt.ArrayLike],
                      coefficients: str | Sequence[float]) -> FloatArray:
    """Tasselled-cap wetness ``Σ kᵢ·bandᵢ`` over blue, green, red, nir, swir1, swir2.

    Parameters
    ----------
    bands
        Reflectance arrays keyed by meaning (at least the six above).
    coefficients
        As for :func:`wetness_coefficients`.
    """
    k = wetness_coefficients(coefficients)
    names = NEEDS["wet"]
    total = k[0] * _float(bands[names[0]])
    for weight, name in zip(k[1:], names[1:], strict=True):
        total = total + weight * _float(bands[name])
    return _finite(total)


def ndbsi(blue: npt.ArrayLike, green: npt.ArrayLike, red: npt.ArrayLike,
          nir: npt.ArrayLike, swir1: npt.ArrayLike) -> FloatArray:
    """Dryness ``NDBSI = (SI + IBI) / 2`` of Xu 2013 (formulas in the module docstring)."""
    b, g, r, n, s = (_float(x) for x in (blue, green, red, nir, swir1))
    with np.errstate(divide="ignore", invalid="ignore"):
        si = ((s + r) - (n + b)) / ((s + r) + (n + b))
        built = 2 * s / (s + n)
        green_parts = n / (n + r) + g / (g + s)
        ibi = (built - green_parts) / (built + green_parts)
        return _finite((si + ibi) / 2)


def water_mask(green: npt.ArrayLike, swir1: npt.ArrayLike, threshold: float = 0.0) -> BoolArray:
    """True where ``MNDWI = (green − swir1) / (green + swir1) > threshold`` (open water, Xu 2006).

    Pass it as ``rsei(..., mask=...)`` to leave water out of the PCA, as Xu & Deng 2022 advise
    for areas with large water bodies.
    """
    g, s = _float(green), _float(swir1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mndwi = (g - s) / (g + s)
    return np.asarray(np.nan_to_num(mndwi, nan=-np.inf) > threshold)


def rsei(
    bands: Mapping[str, npt.ArrayLike],
    *,
    wetness: str | Sequence[float] | None = None,
    mask: npt.ArrayLike | None = None,
    pca: PcaBasis = "covariance",
) -> RseiResult:
    """The Remote Sensing Ecological Index of every pixel (Xu 2013).

    Parameters
    ----------
    bands
        Arrays keyed by meaning (module conventions), all the same shape: bands from
        ``blue, green, red, nir, swir1, swir2, tir`` and/or indicators ``ndvi, wet, lst, ndbsi``.
    wetness
        Tasselled-cap coefficients when ``wet`` is computed from bands: ``"oli"``, ``"tm"`` or
        six numbers; ignored when ``wet`` is given.
    mask
        Boolean array, True where a pixel is left out (e.g. water); NaN pixels are always out.
    pca
        ``"covariance"`` (Xu 2013) or ``"correlation"``.

    Returns
    -------
    RseiResult
        Indicators, RSEI in [0, 1], PC1 loadings and explained share.

    Raises
    ------
    MethodError
        For unknown or missing meanings, arrays of different shapes, fewer than two valid
        pixels, an indicator constant over the valid pixels, or an unknown ``pca``.
    """
    if pca not in ("covariance", "correlation"):
        raise MethodError(f"unknown pca basis {pca!r}", hint="use 'covariance' or 'correlation'")
    names = list(bands)
    check_meanings(names, wetness_given=wetness is not None)
    arrays = {name: _float(bands[name]) for name in names}
    shapes = {name: a.shape for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        listed = ", ".join(f"{n} {s}" for n, s in shapes.items())
        raise MethodError(f"the bands differ in shape: {listed}",
                          hint="resample them to one grid first")
    shape = next(iter(shapes.values()))
    indicators = {
        "ndvi": arrays["ndvi"] if "ndvi" in arrays else ndvi(arrays["red"], arrays["nir"]),
        "wet": arrays["wet"] if "wet" in arrays else tasselled_wetness(
            arrays, wetness if wetness is not None else ()),
        "lst": arrays["lst"] if "lst" in arrays else arrays["tir"],
        "ndbsi": arrays["ndbsi"] if "ndbsi" in arrays else ndbsi(
            *(arrays[b] for b in NEEDS["ndbsi"])),
    }
    valid = np.ones(shape, dtype=bool)
    for values in indicators.values():
        valid &= np.isfinite(values)
    if mask is not None:
        excluded = np.asarray(mask, dtype=bool)
        if excluded.shape != shape:
            raise MethodError(f"the mask has shape {excluded.shape}, the bands {shape}",
                              hint="give one flag per pixel")
        valid &= ~excluded
    n = int(valid.sum())
    if n < 2:
        raise MethodError(f"{n} valid pixel(s); the PCA needs at least two",
                          hint="check nodata values, the mask and the band mapping")
    columns = []
    for name in INDICATORS:
        x = indicators[name][valid]
        low, high = float(x.min()), float(x.max())
        if high == low:
            raise MethodError(f"indicator {name} is constant ({low:g}) over the valid pixels",
                              hint="check that its band is the right one and not empty")
        columns.append((x - low) / (high - low))
    data = np.column_stack(columns)
    centred = data - data.mean(axis=0)
    if pca == "correlation":
        centred /= centred.std(axis=0)
    eigenvalues, vectors = np.linalg.eigh(centred.T @ centred / (n - 1))
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, vectors = eigenvalues[order], vectors[:, order]
    pc1 = vectors[:, 0]
    good, bad = pc1[0] + pc1[1], pc1[2] + pc1[3]
    if good < 0 or (good == 0 and bad > 0):
        pc1 = -pc1
    score = centred @ pc1
    low, high = float(score.min()), float(score.max())
    if high == low:
        raise MethodError("PC1 is constant over the valid pixels",
                          hint="the indicators carry no common variation; check the bands")
    index = np.full(shape, np.nan)
    index[valid] = (score - low) / (high - low)
    out = {name: np.where(valid, values, np.nan) for name, values in indicators.items()}
    total = float(np.clip(eigenvalues, 0, None).sum())
    return RseiResult(
        ndvi=out["ndvi"],
        wet=out["wet"],
        lst=out["lst"],
        ndbsi=out["ndbsi"],
        rsei=index,
        loadings={name: float(x) for name, x in zip(INDICATORS, pc1, strict=True)},
        eigenvalues=tuple(float(x) for x in eigenvalues),
        explained=float(eigenvalues[0]) / total,
        pca=pca,
        valid=valid,
    )


def _float(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _finite(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), values, np.nan)
