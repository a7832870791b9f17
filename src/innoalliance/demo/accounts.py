"""Demo accounts, one per role, so that a newcomer can sign in to the demo database's web
platform and do each role's work. For the demo database only: their password is printed."""

from __future__ import annotations

from sqlalchemy import Engine

from innoalliance.demo.cases import EV_ALLIANCE
from innoalliance.workflows.accounts.users import add_user

PASSWORD = "innoalliance-demo"
#: a member of the demo alliance with technology offers of its own (a university)
MEMBER = "1244010666265809CB"
#: (user name, role, organization, alliance)
ACCOUNTS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("demo-admin", "admin", None, None),
    ("demo-secretariat", "secretariat", None, EV_ALLIANCE),
    ("demo-committee", "committee", None, EV_ALLIANCE),
    ("demo-member", "member", MEMBER, None),
    ("demo-public", "public", None, None),
)


def demo_accounts(engine: Engine) -> list[tuple[str, str]]:
    """Add the demo accounts (password :data:`PASSWORD`); (user name, role) of each. Needs the
    ``web`` extra (Argon2)."""
    for username, role, organization, alliance in ACCOUNTS:
        add_user(engine, username, role, PASSWORD, organization=organization, alliance=alliance,
                 who="demo")
    return [(username, role) for username, role, *_ in ACCOUNTS]
