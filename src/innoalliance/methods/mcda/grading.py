"""Scores to grade bands: credit ratings (AAA … C) and alliance activity grades.

A :class:`GradeBands` is an ordered list of bands, best first, each with an inclusive lower
cut-off. A score belongs to the first band whose cut-off it reaches, compared as given (no
rounding). A missing score (NaN) is graded :data:`NOT_RATED`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from innoalliance.errors import MethodError

NOT_RATED = "NR"
"""Grade of a missing score (NaN), or of a rating withheld for too little evidence."""


@dataclass(frozen=True)
class GradeBands:
    """Grade bands, best first; ``lower[i]`` is the inclusive lower cut-off of ``labels[i]``.

    Cut-offs are strictly descending; the last may be ``-inf`` so that every score has a band.
    A score below the last cut-off is an error, not a grade.
    """

    labels: tuple[str, ...]
    lower: tuple[float, ...]
    source: str

    def describe(self) -> str:
        """The bands in words: ``high ≥ 86, …, inactive below 65``."""
        parts = [f"{label} ≥ {low:g}" for label, low in zip(self.labels, self.lower, strict=True)
                 if np.isfinite(low)]
        if not np.isfinite(self.lower[-1]):
            parts.append(f"{self.labels[-1]} below {self.lower[-2]:g}" if len(self.lower) > 1
                         else self.labels[-1])
        return ", ".join(parts)

    def as_dict(self) -> dict[str, float | None]:
        """Label → lower cut-off, JSON-ready (an open lowest band has ``None``)."""
        return {label: (low if np.isfinite(low) else None)
                for label, low in zip(self.labels, self.lower, strict=True)}

    def __post_init__(self) -> None:
        where = f" in {self.source}"
        if not self.labels:
            raise MethodError("no grade bands given" + where, hint="list the bands, best first")
        if len(self.labels) != len(self.lower):
            raise MethodError(
                f"{len(self.labels)} band label(s) but {len(self.lower)} cut-off(s){where}",
                hint="give exactly one lower cut-off per band",
            )
        for label in self.labels:
            if not isinstance(label, str) or not label.strip() or label == NOT_RATED:
                raise MethodError(
                    f"band label {label!r}{where} is empty, not a text, or the reserved "
                    f"{NOT_RATED!r} (not rated)",
                    hint="name every band with a text of its own, e.g. 'AAA'",
                )
        twice = sorted({x for x in self.labels if self.labels.count(x) > 1})
        if twice:
            raise MethodError(
                f"band label(s) {twice} appear more than once{where}",
                hint="give every band its own label",
            )
        cuts = tuple(
            _cut_off(label, cut, self.source)
            for label, cut in zip(self.labels, self.lower, strict=True)
        )
        object.__setattr__(self, "lower", cuts)
        for i in range(1, len(cuts)):
            if not cuts[i] < cuts[i - 1]:
                raise MethodError(
                    f"band {self.labels[i]!r} (cut-off {cuts[i]:g}) does not lie strictly "
                    f"below band {self.labels[i - 1]!r} (cut-off {cuts[i - 1]:g}){where}",
                    hint="list bands best first with strictly descending cut-offs",
                )


def _cut_off(label: str, value: object, source: str) -> float:
    """The cut-off of one band as a float; anything but a real number below +inf is an error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise MethodError(
            f"cut-off of band {label!r} in {source} is {value!r}, not a number",
            hint="give a number, or -.inf for the lowest band",
        )
    if value == math.inf:
        raise MethodError(
            f"cut-off of band {label!r} in {source} is +inf: no score reaches it",
            hint="give a finite cut-off",
        )
    return float(value)


CREDIT_BANDS = GradeBands(
    labels=("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"),
    lower=(90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 0.0),
    source=(
        "house convention: the nine-grade AAA-C scale used by Chinese enterprise credit "
        "evaluations (企业信用等级, 'three classes, nine grades'); the 10-point cut-offs on a "
        "0-100 score are this project's convention, not a published standard"
    ),
)
"""Credit grades of a 0-100 score: AAA ≥ 90, AA ≥ 80, … , CC ≥ 20, C ≥ 0 (house convention)."""

MOST_ACTIVITY_BANDS = GradeBands(
    labels=("high", "fairly high", "average", "inactive"),
    lower=(86.0, 75.0, 65.0, -math.inf),
    source=(
        "MOST pilot industrial technology innovation alliance liaison group, alliance activity "
        "evaluation reports for 2014 (published 2015) and 2015: high ≥ 86, fairly high 75-85, "
        "average 65-74, poor below 65 (an alliance scoring exactly 86 was rated high); the "
        "reports score in whole points, non-integer scores are compared as given"
    ),
)
"""MOST alliance activity grades: high ≥ 86, fairly high ≥ 75, average ≥ 65, else inactive."""

MOST_ACTIVITY_TERMS_ZH: Mapping[str, str] = MappingProxyType(
    {"high": "高", "fairly high": "较高", "average": "一般", "inactive": "较差/不活跃"}
)
"""The Chinese terms of :data:`MOST_ACTIVITY_BANDS` (活跃度高/较高/一般/较差, later 不活跃)."""


def grade(scores: ArrayLike, bands: GradeBands) -> NDArray[np.str_]:
    """Grade each score: the first band, best first, whose inclusive cut-off the score reaches.

    Scores are compared as given (85.99 is below a cut-off of 86); NaN is graded
    :data:`NOT_RATED`. A score below the lowest cut-off raises :class:`MethodError`.
    """
    values = np.asarray(scores, dtype=np.float64)
    ascending = np.asarray(bands.lower[::-1], dtype=np.float64)
    reached = np.searchsorted(ascending, np.nan_to_num(values, nan=np.inf), side="right")
    below = ~np.isnan(values) & (reached == 0)
    if below.any():
        bad = values[below].flat[0]
        raise MethodError(
            f"score {bad:g} is below the lowest cut-off {bands.lower[-1]:g} "
            f"(band {bands.labels[-1]!r})",
            hint="check the score, or give the lowest band a cut-off of -.inf",
        )
    choices = np.array((*bands.labels, NOT_RATED))
    position = np.where(np.isnan(values), len(bands.labels), len(bands.labels) - reached)
    result: NDArray[np.str_] = choices[position]
    return result


def grade_one(score: float, bands: GradeBands) -> str:
    """Grade a single score (see :func:`grade`); NaN gives :data:`NOT_RATED`."""
    return str(grade(np.array([score]), bands)[0])


def bands_from_mapping(mapping: Mapping[str, float], source: str) -> GradeBands:
    """Build bands from ``{label: inclusive lower cut-off}`` (e.g. read from YAML), any order.

    Bands are ordered best first by descending cut-off; equal cut-offs, non-numeric cut-offs
    and empty labels raise :class:`MethodError` naming the band.
    """
    cuts = {label: _cut_off(label, cut, source) for label, cut in mapping.items()}
    ordered = sorted(cuts.items(), key=lambda item: item[1], reverse=True)
    return GradeBands(
        labels=tuple(label for label, _ in ordered),
        lower=tuple(cut for _, cut in ordered),
        source=source,
    )
