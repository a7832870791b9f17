"""Secrets at rest: Argon2id password hashes and SHA-256 hashes of API tokens.

Argon2 comes with the ``web`` extra; hashing without it raises
:class:`~innoalliance.errors.MissingExtra` naming the extra to install.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
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
