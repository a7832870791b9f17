"""``innoalliance user …``: accounts of the web platform (add a user, set a new password,
disable and enable, issue or revoke tokens). A password must pass the password rule (no common
or trivial one, none containing the user name); a refused one exits 1 with the reason."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from innoalliance.cli.common import DbOption, console, engine_for, handles_errors
from innoalliance.errors import MissingExtra
from innoalliance.model.accounts import ROLES
from innoalliance.workflows.accounts.users import (
    add_user,
    issue_token,
    revoke_tokens,
    set_active,
    set_password,
)

app = typer.Typer(no_args_is_help=True, help="Web platform accounts: users and API tokens.")


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
    """Add a user of the web platform (the password is asked for unless --password-stdin).

    The password must be 10 characters or more, not common, trivial or containing the user
    name: three or four unrelated words make a good one."""
    _need_web()
    add_user(engine_for(db), username, role, _password(password_stdin),
             organization=organization, alliance=alliance)
    console.print(f"user {username} added ({role})", highlight=False)


def _password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked for twice, hidden."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@app.command("password")
@handles_errors
def password_command(
    username: Annotated[str, typer.Argument(help="whose password")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="read the new password from standard input")] = False,
    db: DbOption = None,
) -> None:
    """Set a new password (asked for unless --password-stdin); signs the user out everywhere.

    It must be 10 characters or more, not common, trivial or containing the user name. API
    tokens stay: revoke them with 'innoalliance user revoke'."""
    _need_web()
    ended = set_password(engine_for(db), username, _password(password_stdin))
    console.print(f"password of {username} changed; {ended} session(s) ended", highlight=False)


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
    """Disable a user: no sign-in, and its sessions and API tokens are revoked."""
    set_active(engine_for(db), username, False)
    console.print(f"{username} disabled", highlight=False)


@app.command("enable")
@handles_errors
def enable_command(
    username: Annotated[str, typer.Argument(help="whose account")],
    db: DbOption = None,
) -> None:
    """Enable a disabled user again (old sessions and tokens stay revoked: sign in again and
    issue a new token)."""
    set_active(engine_for(db), username, True)
    console.print(f"{username} enabled", highlight=False)
