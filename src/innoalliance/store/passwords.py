"""Secrets at rest: Argon2id password hashes and SHA-256 hashes of API tokens and session ids;
and the rule a new password must pass (:func:`password_problem`).

Argon2 comes with the ``web`` extra; hashing without it raises
:class:`~innoalliance.errors.MissingExtra` naming the extra to install. The rule needs no extra:
its list of common passwords, ``common_passwords.txt``, ships with this package.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from innoalliance.errors import MissingExtra

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@cache
def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:
        raise MissingExtra("web", "hashing passwords") from exc
    return PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (salted; starts with ``$argon2``)."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored Argon2 hash (a malformed hash never matches)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh random API token (shown to its user once, stored only hashed)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- the password rule (issue 16 item 15) -----------------------------------------------------

#: the fewest characters a password may have
MIN_PASSWORD = 10
#: the most (the sign-in form takes no more)
MAX_PASSWORD = 1024
#: how to make one that passes, for the refusals
GOOD_PASSWORD = ("use three or four unrelated words (10 characters or more), or a password "
                 "made by a password manager")
#: runs of characters people type as "sequences": digits, the alphabet, keyboard rows and
#: columns; a password that is a piece of one of them (or of it reversed, or wrapped round)
#: is refused
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
             "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]", "qazwsxedcrfvtgbyhnujmikolp",
             "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0")
#: a pattern repeated at least this many times is trivial ("abcabcabc…", "aaaa…")
MIN_REPEATS = 3


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords shipped with the package (``common_passwords.txt``), lower case."""
    text = (files("innoalliance.store") / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _repeat_unit(text: str) -> str | None:
    """The shortest piece that ``text`` repeats at least :data:`MIN_REPEATS` times (the last
    time possibly cut short), if any."""
    for size in range(1, len(text) // MIN_REPEATS + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[:len(text)] == text:
            return unit
    return None


def _is_sequence(text: str) -> bool:
    """Whether ``text`` is a run of one of :data:`SEQUENCES`, forwards or backwards."""
    if len(text) < 3:
        return False
    for run in SEQUENCES:
        wrapped = run * (len(text) // len(run) + 2)
        if text in wrapped or text[::-1] in wrapped:
            return True
    return False


def _strip_decoration(text: str) -> str:
    """``text`` without the digits, spaces and symbols around it ("!password2024" → "password")."""
    return text.strip("0123456789 !@#$%^&*()_+-=[]{};:'\",.<>/?`~|\\")


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why ``password`` is refused as a new password of ``username``, or ``None`` when it may
    be used (issue 16 item 15).

    Checked in this order (the first broken rule is the reason): only whitespace; equal to the
    user name or containing it (case-insensitive; a name of three or more characters); one
    character or a short pattern repeated; a run of digits, letters or keyboard keys; one of
    the shipped :func:`common_passwords`, also with digits or symbols around it; fewer than
    :data:`MIN_PASSWORD` or more than :data:`MAX_PASSWORD` characters. The reason never quotes
    the password; :data:`GOOD_PASSWORD` says how to pick one that passes.
    """
    folded = password.casefold()
    name = (username or "").strip().casefold()
    if not password.strip():
        return "is only spaces (or other blank characters)"
    if name and (folded.strip() == name or (len(name) >= 3 and name in folded)):
        return "is or contains the user name"
    compact = "".join(folded.split())
    unit = _repeat_unit(compact)
    if unit is not None:
        return ("is one character repeated" if len(unit) == 1
                else "repeats a short pattern over and over")
    if _is_sequence(compact):
        return "is a simple sequence of keys (like 123456, abcdef or qwerty)"
    common = common_passwords()
    if folded.strip() in common or compact in common:
        return "is one of the most common passwords, the first ones guessed"
    core = _strip_decoration(folded)
    if core and core in common:
        return "is a common password with digits or symbols added, guessed early too"
    if len(password) < MIN_PASSWORD:
        return f"has only {len(password)} characters: it needs at least {MIN_PASSWORD}"
    if len(password) > MAX_PASSWORD:
        return f"has more than {MAX_PASSWORD} characters, more than the sign-in form takes"
    return None
