"""Goalpost normalisation: an absolute scale between a fixed worst and best value per indicator."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from innoalliance.errors import MethodError

FloatArray = npt.NDArray[np.float64]


def goalposts(
    X: npt.ArrayLike,
    low: npt.ArrayLike,
    high: npt.ArrayLike,
    directions: npt.ArrayLike,
    *,
    lower: float = 0.0,
    upper: float = 100.0,
) -> FloatArray:
    """Scale each column between its goalposts and clip: ``lower`` at the worst, ``upper`` at best.

    Convention of the OECD/JRC *Handbook on Constructing Composite Indicators* (2008), §5.2
    ("distance to a reference"/goalposts) and COINr's ``n_goalposts``: for a benefit indicator
    (direction +1) the value is ``(x − low)/(high − low)``, for a cost indicator (−1)
    ``(high − x)/(high − low)``, clipped to [0, 1] and mapped to [``lower``, ``upper``]. Unlike
    min-max, the scale does not depend on the other units, so scores are comparable across years
    and a constant indicator is no problem. Missing values (NaN) stay missing.
    """
    x = np.asarray(X, dtype=np.float64)
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    d = np.asarray(directions, dtype=np.float64)
    if x.ndim != 2 or not (lo.shape == hi.shape == d.shape == (x.shape[1],)):
        raise MethodError(
            f"goalposts need one low, high and direction per column of a 2-D "
            f"matrix; got matrix {x.shape}, low {lo.shape}, high {hi.shape}, "
            f"directions {d.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(lo) | ~np.isfinite(hi) | (lo == hi))
    if bad.size:
        raise MethodError(
            f"goalposts of column {int(bad[0])} are not two different numbers "
            f"({lo[bad[0]]}, {hi[bad[0]]})",
            hint="give [worst, best] values",
        )
    if not np.isin(d, (-1.0, 1.0)).all():
        raise MethodError("directions must be +1 (benefit) or -1 (cost)")
    share = (x - lo) / (hi - lo)
    share = np.where(d > 0, share, 1.0 - share)
    return lower + (upper - lower) * np.clip(share, 0.0, 1.0)
