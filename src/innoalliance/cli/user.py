"""``innoalliance user …``: accounts of the web platform (add a user, issue or revoke tokens)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import Engine, select, update

from innoalliance.cli.common import DbOption, console, engine_for, handles_errors
from innoalliance.errors import (
    ConflictError,
    MissingExtra,
    Problem,
    UnknownReference,
    ValidationError,
)
from innoalliance.ingest.cells import closest
from innoalliance.model import Alliance, ApiToken, Organization, User
from innoalliance.model.accounts import ROLES
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.register.imports import actor

app = typer.Typer(no_args_is_help=True, help="Web platform accounts: users and API tokens.")
MIN_PASSWORD = 8


def _problem(column: str, value: str | None, rule: str, suggestion: str | None = None
             ) -> ValidationError:
    return ValidationError([Problem("user add", None, column, value, rule, suggestion)],
                           hint="see: innoalliance user add --help")


def add_user(engine: Engine, username: str, role: str, password: str, *,
             organization: str | None = None, alliance: str | None = None,
             who: str | None = None) -> User:
    """Store a new user, checking the role's scope (member: organization; secretariat and
    committee: alliance) and that the name is free; audited as added by ``who`` (default:
    ``INNOALLIANCE_ACTOR`` or the login name), without the password or its hash."""
    from innoalliance.web.auth import hash_password, now

    require_current(engine)
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
    if len(password) < MIN_PASSWORD:
        raise _problem("password", None, f"must have at least {MIN_PASSWORD} characters")
    with transaction(engine) as db:
        if organization is not None:
            codes = list(db.scalars(select(Organization.credit_code)))
            if organization not in codes:
                raise UnknownReference("organizations", organization,
                                       closest(organization, codes))
        if alliance is not None:
            names = list(db.scalars(select(Alliance.name_zh)))
            if alliance not in names:
                raise UnknownReference("alliances", alliance, closest(alliance, names))
        if db.scalars(select(User.id).where(User.username == username)).first() is not None:
            raise ConflictError(f"a user {username!r} already exists",
                                hint="choose another user name")
        user = User(username=username, password_hash=hash_password(password), role=role,
                    organization=organization, alliance=alliance, created_at=now(),
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
    from innoalliance.web.auth import hash_token, new_token, now

    uid = _user_id(engine, username)
    token = new_token()
    with transaction(engine) as db:
        db.add(ApiToken(user=uid, token_hash=hash_token(token), created_at=now(), revoked=False))
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


def set_active(engine: Engine, username: str, active: bool, who: str | None = None) -> bool:
    """Enable or disable ``username`` (a disabled user cannot sign in, and its sessions and
    tokens stop working); whether it was active before. Audited with before and after."""
    uid = _user_id(engine, username)
    with transaction(engine) as db:
        user = db.get(User, uid)
        assert user is not None
        was = bool(user.active)
        user.active = active
        audit_entry(db, who or actor(), "enable" if active else "disable", "users",
                    key=username, before={"active": was}, after={"active": active})
        return was


def _need_web() -> None:
    try:
        import argon2  # noqa: F401
        import itsdangerous  # noqa: F401
    except ImportError as exc:
        raise MissingExtra("web", "managing web accounts") from exc


@app.command("add")
@handles_errors
def add_command(
    username: Annotated[str, typer.Argument(help="the new user's name")],
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
    organization: Annotated[str | None, typer.Option(
        help="credit code of the member's organization (role member)")] = None,
    alliance: Annotated[str | None, typer.Option(
        help="Chinese name of the alliance (roles secretariat, committee)")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="read the password from standard input")] = False,
    db: DbOption = None,
) -> None:
    """Add a user of the web platform (the password is asked for unless --password-stdin)."""
    _need_web()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    add_user(engine_for(db), username, role, password, organization=organization,
             alliance=alliance)
    console.print(f"user {username} added ({role})", highlight=False)


@app.command("token")
@handles_errors
def token_command(
    username: Annotated[str, typer.Argument(help="whose token")],
    db: DbOption = None,
) -> None:
    """Issue a new API token and print it once (send it as Authorization: Bearer TOKEN)."""
    _need_web()
    typer.echo(issue_token(engine_for(db), username))


@app.command("revoke")
@handles_errors
def revoke_command(
    username: Annotated[str, typer.Argument(help="whose tokens")],
    db: DbOption = None,
) -> None:
    """Revoke every API token of a user."""
    _need_web()
    n = revoke_tokens(engine_for(db), username)
    console.print(f"{n} token(s) of {username} revoked", highlight=False)


@app.command("disable")
@handles_errors
def disable_command(
    username: Annotated[str, typer.Argument(help="whose account")],
    db: DbOption = None,
) -> None:
    """Disable a user: no sign-in, and its sessions and API tokens stop working."""
    set_active(engine_for(db), username, False)
    console.print(f"{username} disabled", highlight=False)


@app.command("enable")
@handles_errors
def enable_command(
    username: Annotated[str, typer.Argument(help="whose account")],
    db: DbOption = None,
) -> None:
    """Enable a disabled user again."""
    set_active(engine_for(db), username, True)
    console.print(f"{username} enabled", highlight=False)
