"""``share verify`` reports the head of the allocation chain and checks a head kept elsewhere
(issue 16 item 16: deleting the last ledger entry was not detected).

The chain shows any change inside it, but what is left after its newest entries are deleted still
links. ``share verify`` prints the count and the head (the last entry's hash); ``--expect
[COUNT:]HEAD`` with a copy kept elsewhere fails when that head is no longer in the chain and
passes, saying how many, when entries were only appended since. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import Engine

from innoalliance.errors import InnoallianceError
from innoalliance.workflows.share.allocations import (
    GENESIS,
    MIN_PREFIX,
    Expected,
    check_head,
    list_allocations,
    verify_chain,
)

from .test_allocation_ledger import _record, _tamper
from .test_cli import run


def _verify(db_url: str, *args: str) -> tuple[int, str]:
    """``innoalliance share verify`` on the store; exit code and standard output."""
    code, out, _err = run("share", "verify", "--db", db_url, *args)
    return code, out


def _head(out: str) -> tuple[int, str]:
    """The count and head that the human output of ``share verify`` prints."""
    count = re.search(r"^entries: (\d+)$", out, re.MULTILINE)
    head = re.search(r"^head: ([0-9a-f]{64})$", out, re.MULTILINE)
    assert count and head, out
    return int(count[1]), head[1]


def test_verify_prints_count_and_head(engine: Engine, db_url: str) -> None:
    """Issue 16 item 16: the human and the JSON output carry the count and the head; an empty
    chain's head is the genesis value."""
    assert verify_chain(engine).head == GENESIS and verify_chain(engine).count == 0
    code, out = _verify(db_url)
    assert code == 0 and _head(out) == (0, GENESIS)
    for k in range(3):
        _record(engine, k)
    last = list_allocations(engine)[-1]["hash"]
    result = verify_chain(engine)
    assert result.ok and result.passed and (result.count, result.head) == (3, last)
    code, out = _verify(db_url)
    assert code == 0 and _head(out) == (3, last)
    assert f"--expect 3:{last}" in out  # how to use it
    code, out = _verify(db_url, "--json")
    assert code == 0 and json.loads(out) == {"entries": 3, "head": last, "ok": True,
                                             "first_broken": None, "reason": None}


def test_deleted_last_entry_fails_only_with_expect(engine: Engine, db_url: str) -> None:
    """Issue 16 item 16: with the last entry deleted (triggers around), the chain still verifies,
    but ``--expect`` the old head exits 3 saying entries were removed, with the expected and the
    found head and count; appending after the deletion does not hide it."""
    for k in range(3):
        _record(engine, k)
    old = verify_chain(engine)
    second = list_allocations(engine)[1]["hash"]
    _tamper(engine, "DELETE FROM allocations WHERE id = 3")
    code, out = _verify(db_url)
    assert code == 0 and _head(out) == (2, second)  # consistent: the chain alone cannot tell
    for expect in (old.head, f"3:{old.head}", old.head[:MIN_PREFIX].upper()):
        code, out = _verify(db_url, "--expect", expect)
        assert code == 3, out
        flat = " ".join(out.split())
        assert "not as expected" in flat and "is not in the chain" in flat
        assert "entries were removed" in flat and old.head[:MIN_PREFIX] in flat
        assert "now has 2 entries" in flat and second[:16] in flat
    assert "(of 3 entries)" in " ".join(_verify(db_url, "--expect", f"3:{old.head}")[1].split())
    code, out = _verify(db_url, "--expect", f"3:{old.head}", "--json")
    data = json.loads(out)
    assert code == 3 and data["ok"] and not data["passed"]
    assert data["expected"]["ok"] is False and data["expected"]["found_at"] is None
    assert data["entries"] == 2 and data["head"] == second
    _record(engine, 3)  # a new entry links to the second: consistent again, the old head gone
    assert verify_chain(engine).ok
    check = verify_chain(engine, old.head).expectation
    assert check is not None and not check.ok
    assert _verify(db_url, "--expect", old.head)[0] == 3


def test_appended_entries_pass_expect(engine: Engine, db_url: str) -> None:
    """Issue 16 item 16: a head found earlier in the chain means entries were appended since
    (normal): it passes and says how many; the current head passes with none appended."""
    code, out = _verify(db_url, "--expect", f"0:{GENESIS[:MIN_PREFIX]}")
    assert code == 0 and "no entry was added or removed" in " ".join(out.split())
    for k in range(3):
        _record(engine, k)
    kept = verify_chain(engine).head
    for k in range(3, 5):
        _record(engine, k)
    for expect in (kept, f"3:{kept}", kept[:MIN_PREFIX], f" 3 : {kept.upper()} "):
        code, out = _verify(db_url, "--expect", expect)
        flat = " ".join(out.split())
        assert code == 0, out
        assert "as expected" in flat and "2 entries appended since" in flat
    result = verify_chain(engine, f"3:{kept}")
    assert result.passed and result.expectation is not None
    assert (result.expectation.found_at, result.expectation.appended) == (3, 2)
    code, out = _verify(db_url, "--expect", verify_chain(engine).head, "--json")
    assert code == 0 and json.loads(out)["expected"] == {
        "head": verify_chain(engine).head, "count": None, "found_at": 5, "appended": 0,
        "ok": True, "message": json.loads(out)["expected"]["message"]}
    code, out = _verify(db_url, "--expect", f"0:{GENESIS}")
    assert code == 0 and "5 entries appended since" in " ".join(out.split())
    # the head is in the chain, but not after the count given with it: history rewritten
    code, out = _verify(db_url, "--expect", f"4:{kept}")
    assert code == 3 and "taken with 4 entries but is the head after 3" in " ".join(out.split())


def test_a_changed_entry_still_exits_2_with_expect(engine: Engine, db_url: str) -> None:
    """Issue 16 item 16: a broken chain is reported as before (exit 2), expectation or not."""
    for k in range(3):
        _record(engine, k)
    head = verify_chain(engine).head
    _tamper(engine, "UPDATE allocations SET payload = replace(payload, '11.5', '21.5') "
                    "WHERE id = 2")
    code, out = _verify(db_url, "--expect", head)
    assert code == 2 and "broken:" in out and "entry 2" in out
    assert "the head is the one expected" in " ".join(out.split())


@pytest.mark.parametrize("text", ["abc", "0" * 11, "g" * 12, "0" * 65, "x:" + "0" * 12,
                                  "-1:" + "0" * 12, "3:", "３:" + "0" * 12])
def test_malformed_expect_is_refused(text: str) -> None:
    """Issue 16 item 16: a head that is not 12–64 hex digits, or a count that is not a whole
    number, is refused saying what is accepted (exit 1 on the command line)."""
    with pytest.raises(InnoallianceError, match="--expect"):
        Expected.parse(text)


def test_malformed_expect_exits_1(db_url: str, engine: Engine) -> None:
    """Issue 16 item 16: the command line refuses a malformed ``--expect`` with exit code 1."""
    code, _out, err = run("share", "verify", "--db", db_url, "--expect", "abc")
    assert code == 1 and "hex digits" in err and "share verify" in err


def test_expected_accepts_hash_or_count_and_hash() -> None:
    """Issue 16 item 16: ``HASH`` or ``COUNT:HASH``, case and surrounding spaces ignored."""
    assert Expected.parse("ABCDEF012345") == Expected("abcdef012345")
    assert Expected.parse(" 7 : abcdef012345 ") == Expected("abcdef012345", 7)
    assert str(Expected("abcdef012345", 7)) == "7:abcdef012345"


def test_ambiguous_prefix_fails_asking_for_more_digits() -> None:
    """Issue 16 item 16: a prefix that two heads share is not taken for either (it cannot happen
    by chance with 12 digits, but the answer must not be a guess)."""
    heads = [GENESIS, "ab" * 32, "abab" + "0" * 60]
    check = check_head(heads, Expected("abab00000000"))
    assert check.ok and (check.found_at, check.appended) == (2, 0)
    check = check_head(heads, Expected("abab" * 3))
    assert check.ok and (check.found_at, check.appended) == (1, 1)
    check = check_head([*heads, "abab" * 3 + "f" * 52], Expected("abab" * 3))
    assert not check.ok and "after 1, 3 entries" in check.message and "more" in check.message
