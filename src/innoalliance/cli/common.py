"""What every command shares: the ``--db`` and ``--json`` options, output, error rendering."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from innoalliance.errors import InnoallianceError, StoreError, ValidationError
from innoalliance.store.engine import ENV_VAR, make_engine

console = Console()
errors = Console(stderr=True)
SHOWN_PROBLEMS = 50

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"database URL (sqlite:///FILE.db, postgresql://USER@HOST/DB); default ${ENV_VAR} "
        "or sqlite:///innoalliance.db",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]

F = TypeVar("F", bound=Callable[..., Any])


_open: list[Engine] = []


def engine_for(db: str | None, *, create: bool = False) -> Engine:
    """The engine for the ``--db`` option; disposed when the command ends.

    Only ``init`` and ``demo`` pass ``create``: every other command refuses a SQLite file that
    does not exist instead of creating it.
    """
    engine = make_engine(db, create=create)
    _open.append(engine)
    return engine


def print_json(data: object) -> None:
    """Write ``data`` as JSON on standard output."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def report_error(exc: InnoallianceError) -> None:
    """Render a user error on standard error: message, each problem, and the hint."""
    errors.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
    if isinstance(exc, ValidationError):
        for problem in exc.problems[:SHOWN_PROBLEMS]:
            errors.print(f"  {problem.describe()}", highlight=False, markup=False)
        hidden = len(exc.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            errors.print(f"  … and {hidden} more (use --report FILE to get them all as JSON)")
    if exc.hint:
        errors.print(f"[yellow]hint:[/] {escape(exc.hint)}", highlight=False)


def handles_errors(func: F) -> F:
    """Turn an :class:`InnoallianceError` raised by a command into a message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InnoallianceError as exc:
            report_error(exc)
            raise typer.Exit(code=1) from None
        except OperationalError as exc:  # the server is down, or the URL names a wrong one
            report_error(StoreError(f"cannot use the database: {exc.orig}",
                                    hint="check the --db URL and that the server runs"))
            raise typer.Exit(code=1) from None
        except OSError as exc:  # a path the user gave cannot be read or written
            report_error(InnoallianceError(f"{exc.strerror}: {exc.filename}"))
            raise typer.Exit(code=1) from None
        finally:
            while _open:
                _open.pop().dispose()

    return wrapper  # type: ignore[return-value]


def parse_date(text: str | None) -> dt.date:
    """A YYYY-MM-DD option, or today when not given."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InnoallianceError(f"{text!r} is not a date", hint="write it as YYYY-MM-DD") from None


OutputOption = Annotated[Path | None, typer.Option(
    help="report path without suffix (writes .html and .json)")]


def print_done(done: Any) -> None:
    """Where a recorded run's reports are, and its run id."""
    console.print(f"report: {done.html}\nresults: {done.json}\nrun: {done.run_id}")


def group_with_default(command: str) -> type[TyperGroup]:
    """A command group whose first argument, if it is not a sub-command, goes to ``command``
    (``share FILE.json`` runs ``share solve FILE.json``)."""

    class Group(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            if args and args[0] not in self.commands and not args[0].startswith("-"):
                args = [command, *args]
            return super().parse_args(ctx, args)

    return Group
