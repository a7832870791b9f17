"""``innoalliance match …``: ranked offers for needs, and stable matchings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from ..workflows.match_file import stable_file
from .common import JsonOption, console, handles_errors, print_json


class _FilesOrCommand(TyperGroup):
    """``match OFFERS NEEDS …`` runs the hidden ``rank`` command; ``match stable …`` the others."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["rank", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_FilesOrCommand, no_args_is_help=True,
                  help="Match knowledge suppliers and receivers: OFFERS.csv NEEDS.csv, or "
                       "stable FILE.json, or run on the store.")


@app.command("stable")
@handles_errors
def stable_command(
    file: Annotated[Path, typer.Argument(show_default=False, help="preferences (JSON)")],
    optimal: Annotated[str, typer.Option(help="proposer or receiver: whose best stable "
                                              "matching")] = "proposer",
    as_json: JsonOption = False,
) -> None:
    """Stable matching (deferred acceptance with capacities), beside the max-total assignment."""
    result = stable_file(file, optimal)
    if as_json:
        print_json(result)
        return
    table = Table("proposer", "stable", "max total", title=f"optimal for {result['optimal_for']}")
    for proposer, receiver in result["matching"].items():
        table.add_row(proposer, receiver or "—", result["max_total"]["matching"][proposer] or "—")
    console.print(table)
    console.print(f"blocking pairs of the max-total assignment: "
                  f"{result['max_total']['blocking_pairs'] or 'none'}")
