"""The ``innoalliance`` command: one sub-command per module of this package."""

from __future__ import annotations

import typer

from innoalliance.cli.alliance import app as alliance_app
from innoalliance.cli.browse import list_command, show_command
from innoalliance.cli.charter import app as charter_app
from innoalliance.cli.data import export_command, import_command
from innoalliance.cli.evaluate import app as evaluate_app
from innoalliance.cli.govern import app as govern_app
from innoalliance.cli.match import app as match_app
from innoalliance.cli.plan import app as plan_app
from innoalliance.cli.region import app as region_app
from innoalliance.cli.serve import serve_command
from innoalliance.cli.setup import demo_command, init_command
from innoalliance.cli.share import app as share_app
from innoalliance.cli.user import app as user_app

app = typer.Typer(
    name="innoalliance",
    help="Plan, evaluate and run regional industrial technology innovation alliances.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(init_command)
app.command("demo")(demo_command)
app.command("import")(import_command)
app.command("export")(export_command)
app.command("list")(list_command)
app.command("show")(show_command)
app.command("serve")(serve_command)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(share_app, name="share")
app.add_typer(match_app, name="match")
app.add_typer(region_app, name="region")
app.add_typer(plan_app, name="plan")
app.add_typer(govern_app, name="govern")
app.add_typer(charter_app, name="charter")
app.add_typer(alliance_app, name="alliance")
app.add_typer(user_app, name="user")


def main() -> None:
    """Entry point of the console script."""
    app()
