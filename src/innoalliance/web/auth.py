"""Authentication of the web platform: Argon2 passwords, a signed session cookie with a CSRF
token, a login rate limit, and hashed bearer tokens for the API.

The session cookie holds only ``{"uid": user id, "csrf": token}``, signed with
``INNOALLIANCE_SECRET`` (a random per-process secret when unset: sessions then end with the
process). Cookies are HttpOnly and SameSite=Lax, and Secure when
``INNOALLIANCE_SECURE_COOKIES=1``. Who may do what is decided in :mod:`.access`, not here.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import InnoallianceError
from innoalliance.model import ApiToken, User
from innoalliance.store.passwords import hash_password, hash_token, verify_password

SECRET_ENV = "INNOALLIANCE_SECRET"
SECURE_ENV = "INNOALLIANCE_SECURE_COOKIES"
SESSION_COOKIE = "session"
SESSION_AGE = 8 * 3600
LOGIN_LIMIT = 5
LOGIN_WINDOW = 300.0

#: the shortest session secret taken (``secrets.token_urlsafe(32)`` gives 43 characters)
MIN_SECRET = 32
#: secrets found in examples and guessed first: refused whatever their length
WELL_KNOWN_SECRETS = frozenset({
    "changeme", "change-me", "change_me", "changeit", "secret", "secretkey", "secret-key",
    "secret_key", "mysecret", "password", "passw0rd", "p@ssw0rd", "letmein", "admin",
    "default", "test", "testing", "dev", "development", "example", "innoalliance", "qwerty",
    "123456", "12345678", "1234567890", "0123456789", "abcdef", "xxx", "todo", "fixme",
    "insecure", "notsecret", "not-secret", "supersecret", "super-secret", "your-secret-key",
    "your_secret_key", "yoursecret", "pleasechangeme", "please-change-me", "django-insecure"})
#: how to make a good one, for the refusal's hint
MAKE_SECRET = (f"export {SECRET_ENV}=\"$(python -c 'import secrets; "
               "print(secrets.token_urlsafe(32))')\"")


def weak_secret(secret: str, min_length: int = MIN_SECRET) -> str | None:
    """Why ``secret`` is too weak to sign sessions (shorter than ``min_length``, or a
    well-known value, also repeated), else ``None``."""
    plain = secret.strip().lower()
    for word in WELL_KNOWN_SECRETS:
        if plain and len(plain) % len(word) == 0 and plain == word * (len(plain) // len(word)):
            return "is a well-known value"
    if len(secret) < min_length:
        return f"is shorter than {min_length} characters"
    return None


def check_secret(secret: str, min_length: int = MIN_SECRET) -> None:
    """Refuse (:class:`~innoalliance.errors.InnoallianceError`) a session secret that
    :func:`weak_secret` finds too weak: anyone who guesses it can forge an admin's session."""
    why = weak_secret(secret, min_length)
    if why is not None:
        raise InnoallianceError(
            f"{SECRET_ENV} {why}: anyone who guesses it can sign in as any user, the admin "
            "included", hint=f"set it to a long random value, e.g. {MAKE_SECRET}")


def secret_from_env() -> str | None:
    """The session-signing secret from ``INNOALLIANCE_SECRET``, if set; a weak one is refused
    (:func:`check_secret`)."""
    secret = os.environ.get(SECRET_ENV) or None
    if secret is not None:
        check_secret(secret)
    return secret


def secure_cookies() -> bool:
    """Whether cookies get the Secure flag (``INNOALLIANCE_SECURE_COOKIES=1``)."""
    return os.environ.get(SECURE_ENV, "") == "1"


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as the access rules see them."""

    id: int
    username: str
    role: str
    organization: str | None
    alliance: str | None


@dataclass
class RateLimiter:
    """At most ``limit`` failures per key within ``window`` seconds (in memory, per process)."""

    limit: int = LOGIN_LIMIT
    window: float = LOGIN_WINDOW
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        now = self.clock()
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, key: str) -> bool:
        """Whether ``key`` used up its failures in the window."""
        return len(self._recent(key)) >= self.limit

    def failed(self, key: str) -> None:
        """Count one failure of ``key``."""
        self._recent(key).append(self.clock())

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful login)."""
        self._failures.pop(key, None)


class Auth:
    """Sessions, CSRF, tokens and the login limit of one application."""

    def __init__(self, engine: Engine, secret: str | None = None) -> None:
        self.engine = engine
        self.serializer = URLSafeTimedSerializer(secret or secrets.token_urlsafe(32),
                                                 salt="innoalliance-session")
        self.limiter = RateLimiter()

    # -- session -------------------------------------------------------------------------------

    def session(self, request: Request) -> dict[str, Any]:
        """The request's session data (empty when absent, forged or expired)."""
        cached = getattr(request.state, "session", None)
        if isinstance(cached, dict):
            return cached
        data: dict[str, Any] = {}
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            try:
                loaded = self.serializer.loads(raw, max_age=SESSION_AGE)
            except BadSignature:
                loaded = None
            if isinstance(loaded, dict):
                data = loaded
        request.state.session = data
        return data

    def csrf_token(self, request: Request) -> str:
        """The session's CSRF token, made (and marked for the cookie) when there is none."""
        data = self.session(request)
        token = data.get("csrf")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(24)
            data["csrf"] = token
            request.state.session_dirty = True
        return token

    def csrf_ok(self, request: Request, submitted: object) -> bool:
        """Whether a form's ``csrf`` field matches the session's token."""
        token = self.session(request).get("csrf")
        return (isinstance(token, str) and isinstance(submitted, str)
                and hmac.compare_digest(token, submitted))

    def start(self, request: Request, user_id: int) -> None:
        """Sign ``user_id`` in: a new session with a new CSRF token."""
        request.state.session = {"uid": user_id, "csrf": secrets.token_urlsafe(24)}
        request.state.session_dirty = True

    def end(self, request: Request) -> None:
        """Sign out: the session keeps only a new CSRF token."""
        request.state.session = {"csrf": secrets.token_urlsafe(24)}
        request.state.session_dirty = True

    def write_cookie(self, request: Request, response: Response) -> None:
        """Set the session cookie on ``response`` if the session changed."""
        if getattr(request.state, "session_dirty", False):
            response.set_cookie(SESSION_COOKIE, self.serializer.dumps(self.session(request)),
                                max_age=SESSION_AGE, httponly=True, samesite="lax",
                                secure=secure_cookies(), path="/")

    # -- who is asking -------------------------------------------------------------------------

    def current(self, request: Request) -> Principal | None:
        """The user behind a bearer token or the session cookie, if active."""
        if hasattr(request.state, "principal"):
            cached: Principal | None = request.state.principal
            return cached
        found: User | None = None
        header = request.headers.get("authorization", "")
        with Session(self.engine) as db:
            if header.lower().startswith("bearer "):
                digest = hash_token(header[7:].strip())
                found = db.scalars(
                    select(User).join(ApiToken, ApiToken.user == User.id)
                    .where(ApiToken.token_hash == digest, ApiToken.revoked.is_(False))).first()
            else:
                uid = self.session(request).get("uid")
                if isinstance(uid, int):
                    found = db.get(User, uid)
        principal = None
        if found is not None and found.active:
            principal = Principal(found.id, found.username, found.role, found.organization,
                                  found.alliance)
        request.state.principal = principal
        return principal

    def login(self, username: str, password: str) -> User | None:
        """The active user with these credentials, else ``None`` (always hashes once)."""
        with Session(self.engine) as db:
            user = db.scalars(select(User).where(User.username == username)).first()
        if user is None:
            verify_password(_DUMMY, password)  # same work whether or not the name exists
            return None
        if not user.active or not verify_password(user.password_hash, password):
            return None
        return user


_DUMMY = hash_password(secrets.token_urlsafe(16))


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)

