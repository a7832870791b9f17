"""Units of money and quantities, and their conversion to the one stored unit per dimension.

Convention: money is stored in yuan (元); persons in persons (人); person-time in person-months;
counts as plain counts; area in km²; mass in tonnes; energy in tonnes of standard coal equivalent;
shares as fractions (a percentage is divided by 100). A value's source unit is declared at import,
in a unit column or once for the whole file, and never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Unit:
    """A unit: its dimension, the stored unit of that dimension and the factor to reach it."""

    name: str
    dimension: str
    factor: float

    @property
    def stored(self) -> str:
        """The stored unit of this unit's dimension."""
        return STORED_UNIT[self.dimension]


STORED_UNIT: dict[str, str] = {
    "money": "元",
    "persons": "人",
    "person_time": "人月",
    "count": "件",
    "area": "km2",
    "mass": "t",
    "energy": "tce",
    "fraction": "1",
    "index": "index",
}

_ALIASES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    # stored-unit-relative factors and the spellings people use in yearbooks and ledgers
    "元": ("money", 1.0, ("yuan", "cny", "rmb", "rmb yuan", "人民币元")),
    "千元": ("money", 1e3, ("thousand yuan", "1000 yuan", "k yuan")),
    "万元": ("money", 1e4, ("10k yuan", "ten thousand yuan", "10,000 yuan", "10000 yuan")),
    "百万元": ("money", 1e6, ("million yuan", "mln yuan", "m yuan")),
    "千万元": ("money", 1e7, ("10 million yuan",)),
    "亿元": ("money", 1e8, ("100 million yuan", "hundred million yuan", "100m yuan")),
    "十亿元": ("money", 1e9, ("billion yuan", "bn yuan")),
    "万亿元": ("money", 1e12, ("trillion yuan",)),
    "人": ("persons", 1.0, ("person", "persons", "people", "名")),
    "万人": ("persons", 1e4, ("10k persons", "ten thousand persons")),
    "人月": ("person_time", 1.0, ("person-month", "person-months", "person month")),
    "人年": ("person_time", 12.0, ("person-year", "person-years", "person year", "fte")),
    "件": ("count", 1.0, ("个", "项", "家", "台", "套", "count", "item", "items", "unit", "units")),
    "万件": ("count", 1e4, ("万个", "万项", "万台", "万套")),
    "km2": ("area", 1.0, ("平方公里", "平方千米", "km²", "sq km")),
    "公顷": ("area", 0.01, ("hectare", "hectares", "ha")),
    "亩": ("area", 1.0 / 1500.0, ("mu",)),
    "万亩": ("area", 1e4 / 1500.0, ()),
    "t": ("mass", 1.0, ("吨", "tonne", "tonnes", "ton", "tons")),
    "万吨": ("mass", 1e4, ("10k t", "10k tonnes")),
    "tce": ("energy", 1.0, ("吨标准煤", "吨标煤")),
    "万吨标准煤": ("energy", 1e4, ("万吨标煤", "10k tce")),
    "1": ("fraction", 1.0, ("ratio", "fraction", "share")),
    "%": ("fraction", 0.01, ("percent", "pct", "百分比")),
    "‰": ("fraction", 0.001, ("permille", "per mille")),
    "index": ("index", 1.0, ("指数", "score", "分")),
}


def _build() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for name, (dimension, factor, aliases) in _ALIASES.items():
        for spelling in (name, *aliases):
            table[spelling.casefold()] = Unit(name, dimension, factor)
    return table


UNITS: dict[str, Unit] = _build()


def known_units(dimension: str | None = None) -> list[str]:
    """The canonical unit names, optionally only those of one dimension."""
    return [n for n, (d, _, _) in _ALIASES.items() if dimension is None or d == dimension]


def parse_unit(text: str) -> Unit | None:
    """The unit spelled ``text`` (case and surrounding blanks ignored), or ``None``."""
    return UNITS.get(text.strip().casefold())


def to_stored(values: pd.Series, units: pd.Series) -> pd.Series:
    """Convert ``values`` given in ``units`` (unit names, one per row) to the stored units.

    Units must all parse; the caller validates them first with :func:`parse_unit`.
    """
    factors = units.map(lambda u: UNITS[str(u).strip().casefold()].factor).astype("float64")
    return pd.Series(np.asarray(values, dtype="float64") * factors.to_numpy(), index=values.index)
