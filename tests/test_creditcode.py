"""The unified social credit code check character (GB 32100-2015)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from innoalliance.ingest.creditcode import ALPHABET, complete, credit_code_problem

# Codes published on the National Enterprise Credit Information Publicity System and in the
# companies' own filings (Huawei Technologies, Alibaba (China), Tencent Computer Systems).
PUBLISHED = ["914403001922038216", "91330100716105852F", "9144030071526726XG"]


def test_published_codes_are_valid() -> None:
    for code in PUBLISHED:
        assert credit_code_problem(code) is None


def test_wrong_check_character_is_named() -> None:
    problem = credit_code_problem("914403001922038217")
    assert problem is not None
    assert "'7'" in problem and "'6'" in problem


def test_length_and_alphabet() -> None:
    assert "18 characters" in (credit_code_problem("91440300192203821") or "")
    assert "not allowed" in (credit_code_problem("9144030019220382IO") or "")


body = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@given(body)
def test_completed_codes_are_valid(first17: str) -> None:
    assert credit_code_problem(complete(first17)) is None


@given(body, st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_detected(first17: str, position: int, char: str) -> None:
    code = complete(first17)
    changed = code[:position] + char + code[position + 1 :]
    if changed != code:
        assert credit_code_problem(changed) is not None
