"""Accounts of the web platform: users with one role each, their API tokens and their
sign-in sessions.

A ``member`` user speaks for one organization; a ``secretariat`` or ``committee`` user for one
alliance; ``admin`` sees everything; ``public`` is a signed-in reader with no extra rights.
Passwords are stored as Argon2 hashes, tokens and session ids as SHA-256 hashes, never in clear.
A session or token works only while its row is not revoked (and, for a session, not expired);
disabling a user or setting a new password revokes them (issue 16 item 14).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Base

ROLES = ("public", "member", "secretariat", "committee", "admin")


class User(Base):
    """A person who signs in to the web platform."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.credit_code", **CASCADE))
    alliance: Mapped[str | None] = mapped_column(ForeignKey("alliances.name_zh", **CASCADE))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(Base):
    """A bearer token of one user for the JSON API (only its SHA-256 hash is stored)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A signed-in session of one user on the web platform (issue 16 item 14).

    The browser's (signed) cookie carries a random session id; only its SHA-256 hash is stored.
    A session counts until ``expires_at`` (UTC) unless ``revoked``: logout revokes it, and so do
    disabling the user and setting a new password, whatever copies of the cookie exist.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
