"""``innoalliance list`` and ``innoalliance show``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    console,
    engine_for,
    handles_errors,
    print_json,
)
from innoalliance.cli.data import KINDS_HELP
from innoalliance.workflows.register.imports import check_kind
from innoalliance.workflows.register.query import list_records, show_record


@handles_errors
def list_command(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP, show_default=False)],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="show at most this many (0: all)")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the records of KIND."""
    check_kind(kind)
    frame = list_records(engine_for(db), kind)
    total = len(frame)
    shown = frame.head(limit) if limit else frame
    if as_json:
        records = shown.astype(object).where(shown.notna(), None).to_dict("records")
        print_json(records)
        return
    table = Table(*shown.columns, title=f"{kind}: {total}")
    for row in shown.itertuples(index=False):
        table.add_row(*("" if v is None or v != v else str(v) for v in row))
    console.print(table)
    if total > len(shown):
        console.print(f"… {total - len(shown)} more; use --limit 0 or export {kind}")


@handles_errors
def show_command(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP, show_default=False)],
    ident: Annotated[str, typer.Argument(
        metavar="ID", help="numeric id or natural key (alliance/ref for keys within alliances)")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one record of KIND with what hangs on it."""
    check_kind(kind)
    record = show_record(engine_for(db), kind, ident)
    if as_json:
        print_json(record)
        return
    table = Table("field", "value", title=f"{kind} {ident}", show_header=False)
    for key, value in record.items():
        if isinstance(value, list):
            value = "\n".join(" ".join(str(v) for v in item.values()) for item in value)
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
