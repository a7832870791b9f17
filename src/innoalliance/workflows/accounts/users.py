"""Users of the web platform and their API tokens: add (the role's scope checked), enable and
disable, set a new password, issue and revoke tokens. Every change is audited; no password,
hash or token is.

Wherever a password is set it must pass :func:`~innoalliance.store.passwords.password_problem`
(no common or trivial password, none containing the user name: issue 16 item 15). Disabling a
user and setting a new password revoke every session and API token of the user, so enabling it
again revives none of them (issue 16 item 14).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from innoalliance.errors import ConflictError, Problem, UnknownReference, ValidationError
from innoalliance.ingest.cells import closest, looks_like_formula
from innoalliance.ingest.known import require_known
from innoalliance.model import ApiToken, User, WebSession
from innoalliance.model.accounts import ROLES
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import require_current, transaction
from innoalliance.store.passwords import (
    GOOD_PASSWORD,
    MIN_PASSWORD,
    hash_password,
    hash_token,
    new_token,
    password_problem,
)
from innoalliance.workflows.common import actor

__all__ = ["MIN_PASSWORD", "add_user", "issue_token", "password_rule", "revoke_tokens",
           "set_active", "set_password", "username_rule"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _problem(column: str, value: str | None, rule: str, suggestion: str | None = None
             ) -> ValidationError:
    return ValidationError([Problem("user add", None, column, value, rule, suggestion)],
                           hint="see: innoalliance user add --help")


def password_rule(password: str, username: str, command: str = "user add") -> None:
    """Refuse (:class:`~innoalliance.errors.ValidationError`, the password never quoted) a new
    password of ``username`` that :func:`~innoalliance.store.passwords.password_problem` finds
    weak; the message says what is wrong and how to choose a better one."""
    why = password_problem(password, username)
    if why is not None:
        raise ValidationError(
            [Problem(command, None, "password", None, f"{why}; {GOOD_PASSWORD}")],
            f"the password {why}; nothing was written",
            hint=f"{GOOD_PASSWORD}; see: innoalliance {command} --help")


def username_rule(username: str) -> str | None:
    """The rule ``username`` breaks, or ``None`` for a good name: it must not be empty or only
    spaces, contain ``/`` or a control character, or start with ``=``, ``+``, ``-`` or ``@``."""
    if not username.strip():
        return "must not be empty or only spaces"
    if "/" in username:
        return "must not contain '/'"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in username):
        return "must not contain control characters (tab, newline, …)"
    if looks_like_formula(username):
        return "must not start with =, +, - or @ (a spreadsheet runs it)"
    return None


def add_user(engine: Engine, username: str, role: str, password: str, *,
             organization: str | None = None, alliance: str | None = None,
             who: str | None = None) -> User:
    """Store a new user, checking the role's scope (member: organization; secretariat and
    committee: alliance) and that the name is free; audited as added by ``who`` (default:
    ``INNOALLIANCE_ACTOR`` or the login name), without the password or its hash. The name
    must pass :func:`username_rule` and the password :func:`password_rule`."""
    require_current(engine)
    broken = username_rule(username)
    if broken is not None:
        raise _problem("username", username, broken)
    if role not in ROLES:
        raise _problem("--role", role, f"must be one of {', '.join(ROLES)}",
                       closest(role, list(ROLES)))
    if role == "member" and not organization:
        raise _problem("--organization", None, "a member user needs --organization CODE")
    if role in ("secretariat", "committee") and not alliance:
        raise _problem("--alliance", None, f"a {role} user needs --alliance NAME")
    if role != "member" and organization:
        raise _problem("--organization", organization, "only a member user has an organization")
    if role not in ("secretariat", "committee") and alliance:
        raise _problem("--alliance", alliance,
                       "only a secretariat or committee user has an alliance")
    password_rule(password, username)
    with transaction(engine) as db:
        if organization is not None:
            require_known(db, "organizations", organization)
        if alliance is not None:
            require_known(db, "alliances", alliance)
        if db.scalars(select(User.id).where(User.username == username)).first() is not None:
            raise ConflictError(f"a user {username!r} already exists",
                                hint="choose another user name")
        user = User(username=username, password_hash=hash_password(password), role=role,
                    organization=organization, alliance=alliance, created_at=_now(),
                    active=True)
        db.add(user)
        audit_entry(db, who or actor(), "add", "users", key=username, before=None,
                    after={"role": role, "organization": organization, "alliance": alliance,
                           "active": True})
    return user


def _user_id(engine: Engine, username: str) -> int:
    require_current(engine)
    with transaction(engine) as db:
        names = list(db.scalars(select(User.username)))
        uid = db.scalars(select(User.id).where(User.username == username)).first()
    if uid is None:
        raise UnknownReference("users", username, closest(username, names))
    return uid


def issue_token(engine: Engine, username: str, who: str | None = None) -> str:
    """A new API token for ``username``; only its SHA-256 hash is stored, and the audit entry
    (by ``who``, default ``INNOALLIANCE_ACTOR`` or the login name) holds neither."""
    uid = _user_id(engine, username)
    token = new_token()
    with transaction(engine) as db:
        db.add(ApiToken(user=uid, token_hash=hash_token(token), created_at=_now(), revoked=False))
        audit_entry(db, who or actor(), "token", "api_tokens", key=username)
    return token


def revoke_tokens(engine: Engine, username: str, who: str | None = None) -> int:
    """Revoke every API token of ``username``; how many were live. Audited as done by ``who``
    (default ``INNOALLIANCE_ACTOR`` or the login name)."""
    uid = _user_id(engine, username)
    with transaction(engine) as db:
        done = db.execute(update(ApiToken).where(ApiToken.user == uid,
                                                 ApiToken.revoked.is_(False))
                          .values(revoked=True))
        revoked = int(getattr(done, "rowcount", 0) or 0)
        audit_entry(db, who or actor(), "revoke", "api_tokens", key=username, revoked=revoked)
        return revoked


def _revoke_all(db: Session, uid: int) -> tuple[int, int]:
    """Revoke every live session and API token of user ``uid``: how many of each."""
    sessions = db.execute(update(WebSession).where(WebSession.user == uid,
                                                   WebSession.revoked.is_(False))
                          .values(revoked=True))
    tokens = db.execute(update(ApiToken).where(ApiToken.user == uid,
                                               ApiToken.revoked.is_(False))
                        .values(revoked=True))
    return (int(getattr(sessions, "rowcount", 0) or 0),
            int(getattr(tokens, "rowcount", 0) or 0))


def set_active(engine: Engine, username: str, active: bool, who: str | None = None) -> bool:
    """Enable or disable ``username``; whether it was active before. Audited with before and
    after, and how many sessions and tokens were revoked.

    Disabling revokes every session and API token of the user (a disabled user cannot sign
    in); enabling does not bring them back: the user signs in again and gets a new token. Any
    left over from a user disabled before sessions were kept on the server are revoked on
    enabling too (issue 16 item 14)."""
    uid = _user_id(engine, username)
    with transaction(engine) as db:
        user = db.get(User, uid)
        assert user is not None
        was = bool(user.active)
        user.active = active
        sessions, tokens = _revoke_all(db, uid) if not (was and active) else (0, 0)
        audit_entry(db, who or actor(), "enable" if active else "disable", "users",
                    key=username, before={"active": was}, after={"active": active},
                    sessions_revoked=sessions, tokens_revoked=tokens)
        return was


def set_password(engine: Engine, username: str, password: str, who: str | None = None
                 ) -> int:
    """Give ``username`` a new password (it must pass :func:`password_rule`) and end every one
    of its sessions, so that whoever knew the old one is signed out; how many sessions were
    live. API tokens stay (revoke them with :func:`revoke_tokens`). Audited as done by ``who``
    (default ``INNOALLIANCE_ACTOR`` or the login name), without the password or its hash."""
    password_rule(password, username, "user password")
    uid = _user_id(engine, username)
    digest = hash_password(password)
    with transaction(engine) as db:
        user = db.get(User, uid)
        assert user is not None
        user.password_hash = digest
        done = db.execute(update(WebSession).where(WebSession.user == uid,
                                                   WebSession.revoked.is_(False))
                          .values(revoked=True))
        ended = int(getattr(done, "rowcount", 0) or 0)
        audit_entry(db, who or actor(), "password", "users", key=username,
                    sessions_revoked=ended)
        return ended
