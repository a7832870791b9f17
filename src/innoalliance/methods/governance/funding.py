"""The funding mix of alliances by capital channel: shares, leverage and concentration.

Rows are units (alliances, regions, years), columns capital channels, values amounts ≥ 0 in one
currency. ``leverage`` is non-government money per yuan of government money (None-like NaN when a
unit has no government money: leverage is then unbounded, not zero); ``herfindahl`` is Σ s_k² of
the channel shares (1/K for an even mix over K channels, 1 for a single channel); a unit is
``over_dependent`` when the government share exceeds the threshold. A unit with no money at all
has zero shares, NaN leverage and Herfindahl, and is never flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FundingMix:
    """Per unit: total, channel shares, government share, leverage, Herfindahl, the flag."""

    total: FloatArray
    shares: FloatArray
    government_share: FloatArray
    leverage: FloatArray
    herfindahl: FloatArray
    over_dependent: npt.NDArray[np.bool_]


def funding_mix(amounts: npt.ArrayLike, government: int, *,
                max_government_share: float = 0.5) -> FundingMix:
    """Shares, leverage and Herfindahl of each row of ``amounts``; ``government`` is the column
    index of the government channel."""
    X = np.asarray(amounts, dtype=np.float64)
    if X.ndim != 2 or not 0 <= government < X.shape[1]:
        raise MethodError("amounts must be units × channels with the government channel among "
                          "the columns")
    if not np.isfinite(X).all() or (X < 0).any():
        i, j = (int(a) for a in np.argwhere(~np.isfinite(X) | (X < 0))[0])
        raise MethodError(f"amount of unit {i + 1}, channel {j + 1} is {X[i, j]}",
                          hint="amounts are finite and zero or positive")
    if not 0 < max_government_share <= 1:
        raise MethodError(f"max_government_share must be in (0, 1], got {max_government_share}")
    total = X.sum(axis=1)
    shares = np.divide(X, total[:, None], out=np.zeros_like(X), where=total[:, None] > 0)
    gov = X[:, government]
    other = total - gov
    leverage = np.divide(other, gov, out=np.full_like(gov, np.nan), where=gov > 0)
    herfindahl = np.where(total > 0, (shares ** 2).sum(axis=1), np.nan)
    gov_share = shares[:, government]
    return FundingMix(total, shares, gov_share, leverage, herfindahl,
                      (total > 0) & (gov_share > max_government_share))
