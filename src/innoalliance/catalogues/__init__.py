"""Built-in catalogues: GB/T 2260 regions and industry taxonomies."""

from functools import cache
from importlib import resources

import pandas as pd


@cache
def industries_table() -> pd.DataFrame:
    """The built-in industry catalogue (code, taxonomy, names, parent, maps_to) as text."""
    with resources.files(__name__).joinpath("industries.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)
