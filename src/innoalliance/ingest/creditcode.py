"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters from the 31-character alphabet ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V):
registration authority (1), organisation category (1), the GB/T 2260 division code of the
registering authority (6), the GB 11714 organisation code (9) and one check character. The check
character is ``31 - (sum of value_i * 3^i mod 31) mod 31`` over the first 17 characters (the
weights are ``3^i mod 31``), written in the same alphabet.

References
----------
GB 32100-2015, 法人和其他组织统一社会信用代码编码规则 (2015), clause 4 and Annex B.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_SHAPE = re.compile(rf"^[{ALPHABET}]{{18}}$")


def check_character(first17: str) -> str:
    """The check character that completes the 17 leading characters of a credit code."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or ``None`` when it is."""
    if len(code) != 18:
        return f"a unified social credit code has 18 characters, this one has {len(code)}"
    if not _SHAPE.match(code):
        bad = sorted({c for c in code if c not in _VALUE})
        return (
            f"character(s) {''.join(bad)!r} are not allowed "
            "(digits and capital letters except I, O, Z, S, V)"
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r} but GB 32100-2015 gives {expected!r}"
    return None


def complete(first17: str) -> str:
    """``first17`` followed by its check character (used to make illustrative codes)."""
    return first17 + check_character(first17)
