"""Numbers as a Chinese yearbook or an English report writes them: the one formatting module of
reports, pages and the terminal.

Conventions: money is stored in 元 (yuan) everywhere; a table shows it in one unit chosen for
the whole table (元, 万元 or 亿元, :func:`money_unit`) with the unit in the column header, and
prose shows a single amount with its unit (:func:`money`). Values within float noise of zero
(``-1.7e-17`` left by a sum that should be exactly zero) are shown as exact zeros
(:func:`clean`). Digit grouping and signs come from Babel's locale data (``zh_Hans_CN`` and
``en``), so that both languages group thousands the way their readers expect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median
from typing import Literal

from babel.numbers import format_decimal

Lang = Literal["zh", "en"]

LOCALES: dict[str, str] = {"zh": "zh_Hans_CN", "en": "en"}
#: relative size under which a value is float noise, not a quantity
NOISE = 1e-9


@dataclass(frozen=True)
class MoneyUnit:
    """A unit money is shown in: ``factor`` yuan make one, with its name in each language."""

    factor: float
    zh: str
    en: str

    def name(self, lang: Lang) -> str:
        """The unit's name in ``lang`` (元 / yuan, 万元 / 10k yuan, 亿元 / 100m yuan)."""
        return self.zh if lang == "zh" else self.en


YUAN = MoneyUnit(1.0, "元", "yuan")
WAN_YUAN = MoneyUnit(1e4, "万元", "10k yuan")
YI_YUAN = MoneyUnit(1e8, "亿元", "100m yuan")
MONEY_UNITS = (YUAN, WAN_YUAN, YI_YUAN)


def clean(value: float, scale: float = 1.0) -> float:
    """``value``, or exactly ``0.0`` when it is float noise: ``|value|`` at most
    :data:`NOISE` times ``max(1, |scale|)`` (``scale`` is the size of the quantities it was
    computed from, e.g. the grand coalition's value for a Shapley payout). ``-0.0`` is ``0.0``."""
    if math.isfinite(value) and abs(value) <= NOISE * max(1.0, abs(scale)):
        return 0.0
    return value


def number(value: float | None, lang: Lang, digits: int = 2, *, scale: float = 1.0,
           trim: bool = False) -> str:
    """``value`` with thousands grouped and ``digits`` decimals (at most ``digits``, trailing
    zeros dropped, when ``trim``; ``"—"`` when missing or not finite); float noise relative to
    ``scale`` is shown as zero."""
    if value is None or not math.isfinite(value):
        return "—"
    pattern = "#,##0" + ("." + ("#" if trim else "0") * digits if digits > 0 else "")
    return format_decimal(clean(value, scale), format=pattern, locale=LOCALES[lang])


def percent(share: float | None, lang: Lang, digits: int = 1) -> str:
    """A share (``0.123``) as a percentage (``"12.3%"``)."""
    if share is None or not math.isfinite(share):
        return "—"
    return number(share * 100.0, lang, digits) + "%"


def score(value: float | None, lang: Lang) -> str:
    """A score or index: two decimals, the precision the evaluation methods' inputs support."""
    return number(value, lang, 2)


def money_unit(amounts: Iterable[float | None]) -> MoneyUnit:
    """The unit a table of ``amounts`` (in yuan) reads best in: the largest unit the median
    non-zero amount is at least one of (亿元 from 1亿, 万元 from 1万, else 元)."""
    sizes = [abs(a) for a in amounts if a is not None and math.isfinite(a) and a != 0]
    if not sizes:
        return YUAN
    typical = median(sizes)
    return next(u for u in reversed(MONEY_UNITS) if typical >= u.factor or u is YUAN)


def in_unit(amount: float | None, unit: MoneyUnit, lang: Lang, digits: int = 2) -> str:
    """``amount`` (yuan) as a number of ``unit``, without the unit (it is in the header)."""
    if amount is None:
        return "—"
    return number(amount / unit.factor, lang, digits if unit is not YUAN else 0)


def money(amount: float | None, lang: Lang, digits: int = 2) -> str:
    """One amount (yuan) with its unit chosen for it: ``"41,456.43 亿元"``, ``"300 万元"``."""
    if amount is None or not math.isfinite(amount):
        return "—"
    unit = money_unit([amount])
    shown = number(amount / unit.factor, lang, digits if unit is not YUAN else 0, trim=True)
    return f"{shown} {unit.name(lang)}"


def money_header(label: str, unit: MoneyUnit, lang: Lang) -> str:
    """A column header with its unit: ``"经费（万元）"`` / ``"Funding (10k yuan)"``."""
    return f"{label}（{unit.zh}）" if lang == "zh" else f"{label} ({unit.en})"
