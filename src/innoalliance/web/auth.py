"""Authentication of the web platform: Argon2 passwords, sessions kept on the server behind a
signed cookie with a CSRF token, a login rate limit, and hashed bearer tokens for the API.

The session cookie holds only ``{"sid": random session id, "csrf": token}`` (a visitor who has
not signed in: only ``{"csrf": token}``), signed with ``INNOALLIANCE_SECRET`` (a random
per-process secret when unset: sessions then end with the process). The session itself is a
:class:`~innoalliance.model.WebSession` row holding the SHA-256 hash of the id, its expiry
(:data:`SESSION_AGE` after sign-in) and a revoked flag: a cookie counts only while its row is
neither revoked nor expired and its user is active, so logout, disabling the user and a new
password end every copy of the cookie (issue 16 item 14). Cookies are HttpOnly and
SameSite=Lax, and Secure when ``INNOALLIANCE_SECURE_COOKIES=1``. Who may do what is decided in
:mod:`.access`, not here.
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
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from innoalliance.errors import InnoallianceError
from innoalliance.model import ApiToken, User, WebSession
from innoalliance.store.passwords import hash_password, hash_token, verify_password

SECRET_ENV = "INNOALLIANCE_SECRET"
SECURE_ENV = "INNOALLIANCE_SECURE_COOKIES"
SESSION_COOKIE = "session"
#: seconds a session lasts after sign-in (the cookie's and the server row's lifetime)
SESSION_AGE = 8 * 3600
#: failed sign-ins allowed per user name and client address in :data:`LOGIN_WINDOW` seconds
LOGIN_LIMIT = 5
#: failed sign-ins allowed per user name, whatever the client, in :data:`LOGIN_WINDOW` seconds
LOGIN_NAME_LIMIT = 20
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
    """At most ``limit`` failures per key within ``window`` seconds (in memory, per process:
    with ``--workers N`` each worker counts its own)."""

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
        """Whether ``key`` used up its failures in the window (a key with none is not stored:
        asking about many names costs no memory)."""
        if key not in self._failures:
            return False
        times = self._recent(key)
        if not times:
            del self._failures[key]
            return False
        return len(times) >= self.limit

    def failed(self, key: str) -> None:
        """Count one failure of ``key``."""
        self._recent(key).append(self.clock())

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` (after a successful login)."""
        self._failures.pop(key, None)


@dataclass
class LoginLimiter:
    """The login limit (issue 16 item 15): failures are counted per user name and client
    address (:data:`LOGIN_LIMIT`) and per user name alone (:data:`LOGIN_NAME_LIMIT`, higher), in
    :data:`LOGIN_WINDOW` seconds. The first stops one client guessing a name's password; the
    second bounds the guesses at one name however many client addresses take turns. The price:
    while a name is held by the second, its owner waits out the window as well. A successful
    sign-in clears only its own client's count, so the owner signing in elsewhere does not give
    a guesser new tries. The client address is the connection's peer, or what a reverse proxy
    says in ``X-Forwarded-For`` only when ``serve`` is told to trust that proxy."""

    per_client: RateLimiter = field(default_factory=RateLimiter)
    per_name: RateLimiter = field(default_factory=lambda: RateLimiter(limit=LOGIN_NAME_LIMIT))

    @staticmethod
    def _key(username: str, client: str) -> str:
        return f"{username}|{client}"

    def blocked(self, username: str, client: str) -> bool:
        """Whether ``username`` may not try to sign in from ``client`` for now."""
        return (self.per_client.blocked(self._key(username, client))
                or self.per_name.blocked(username))

    def failed(self, username: str, client: str) -> None:
        """Count one failed sign-in as ``username`` from ``client``."""
        self.per_client.failed(self._key(username, client))
        self.per_name.failed(username)

    def succeeded(self, username: str, client: str) -> None:
        """Forget the failures of ``username`` from ``client`` (signed in)."""
        self.per_client.reset(self._key(username, client))


class Auth:
    """Sessions, CSRF, tokens and the login limit of one application."""

    def __init__(self, engine: Engine, secret: str | None = None) -> None:
        self.engine = engine
        self.serializer = URLSafeTimedSerializer(secret or secrets.token_urlsafe(32),
                                                 salt="innoalliance-session")
        self.limiter = LoginLimiter()

    # -- session -------------------------------------------------------------------------------

    def session(self, request: Request) -> dict[str, Any]:
        """The request's cookie data, ``{"sid": …, "csrf": …}`` or ``{"csrf": …}`` (empty when
        absent, forged or older than :data:`SESSION_AGE`); whether the session still counts is
        the server's to say (:meth:`current`)."""
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

    def _revoke(self, db: Session, request: Request) -> None:
        """Revoke the session named by the request's cookie, if any."""
        sid = self.session(request).get("sid")
        if isinstance(sid, str):
            db.execute(update(WebSession).where(WebSession.session_hash == hash_token(sid))
                       .values(revoked=True))

    def start(self, request: Request, user_id: int) -> None:
        """Sign ``user_id`` in: a new session (a random id, stored hashed, lasting
        :data:`SESSION_AGE`) with a new CSRF token. The browser's previous session, if any, is
        revoked, and sessions expired by now are deleted."""
        sid = secrets.token_urlsafe(32)
        started = now()
        with Session(self.engine) as db, db.begin():
            self._revoke(db, request)
            db.execute(delete(WebSession).where(WebSession.expires_at < started))
            db.add(WebSession(user=user_id, session_hash=hash_token(sid), created_at=started,
                              expires_at=started + dt.timedelta(seconds=SESSION_AGE),
                              revoked=False))
        request.state.session = {"sid": sid, "csrf": secrets.token_urlsafe(24)}
        request.state.session_dirty = True
        if hasattr(request.state, "principal"):
            del request.state.principal

    def end(self, request: Request) -> None:
        """Sign out: the session is revoked on the server (every copy of the cookie stops
        working), and the cookie keeps only a new CSRF token."""
        with Session(self.engine) as db, db.begin():
            self._revoke(db, request)
        request.state.session = {"csrf": secrets.token_urlsafe(24)}
        request.state.session_dirty = True
        request.state.principal = None

    def write_cookie(self, request: Request, response: Response) -> None:
        """Set the session cookie on ``response`` if the session changed."""
        if getattr(request.state, "session_dirty", False):
            response.set_cookie(SESSION_COOKIE, self.serializer.dumps(self.session(request)),
                                max_age=SESSION_AGE, httponly=True, samesite="lax",
                                secure=secure_cookies(), path="/")

    # -- who is asking -------------------------------------------------------------------------

    def current(self, request: Request) -> Principal | None:
        """The active user behind a bearer token (not revoked) or the session cookie (its
        session neither revoked nor expired); one query, cached for the request."""
        if hasattr(request.state, "principal"):
            cached: Principal | None = request.state.principal
            return cached
        found: User | None = None
        header = request.headers.get("authorization", "")
        query = None
        if header.lower().startswith("bearer "):
            query = (select(User).join(ApiToken, ApiToken.user == User.id)
                     .where(ApiToken.token_hash == hash_token(header[7:].strip()),
                            ApiToken.revoked.is_(False)))
        else:
            sid = self.session(request).get("sid")
            if isinstance(sid, str):
                query = (select(User).join(WebSession, WebSession.user == User.id)
                         .where(WebSession.session_hash == hash_token(sid),
                                WebSession.revoked.is_(False), WebSession.expires_at > now()))
        if query is not None:
            with Session(self.engine) as db:
                found = db.scalars(query.where(User.active.is_(True))).first()
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

