"""``innoalliance charter …``: alliance charters as data (import, export, show)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    console,
    engine_for,
    handles_errors,
    print_json,
)
from innoalliance.workflows.common import actor
from innoalliance.workflows.govern.charter import export_charter, import_charter, require_charter

app = typer.Typer(no_args_is_help=True,
                  help="Charters: members' obligations, IP, benefit sharing, penalties, disputes.")


def to_yaml(document: dict[str, Any]) -> str:
    """A charter document as YAML text (keys in charter order, Chinese kept readable)."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


@app.command("import")
@handles_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="charter file (.yaml, .yml or .json)")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a charter file and store it as the next version of its alliance's charter."""
    done = import_charter(engine_for(db), file, who=actor())
    if as_json:
        print_json(done.as_dict())
        return
    console.print(f"charter of {done.alliance}: version {done.version} stored, "
                  f"{done.obligations} obligation(s), "
                  f"{len(done.new_commitments)} new commitment(s)"
                  + (f": {', '.join(done.new_commitments)}" if done.new_commitments else ""),
                  highlight=False)


@app.command("export")
@handles_errors
def export_command(
    alliance: Annotated[str, typer.Argument(help="the alliance's Chinese name")],
    output: Annotated[Path | None, typer.Option(
        "--output", help="write to this file (.yaml or .json) instead of standard output")] = None,
    db: DbOption = None,
) -> None:
    """The current charter of an alliance as YAML (or JSON by the output's suffix)."""
    document = export_charter(engine_for(db), alliance)
    if output is None:
        typer.echo(to_yaml(document), nl=False)
        return
    if output.suffix.lower() == ".json":
        output.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    else:
        output.write_text(to_yaml(document), encoding="utf-8")
    console.print(f"charter written to {output}", highlight=False)


@app.command("show")
@handles_errors
def show_command(
    alliance: Annotated[str, typer.Argument(help="the alliance's Chinese name")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The current charter of an alliance: version, obligations and clauses."""
    charter = require_charter(engine_for(db), alliance)
    if as_json:
        print_json(charter.as_dict())
        return
    doc = charter.document
    console.print(f"[bold]{charter.alliance}[/] charter version {charter.version}, adopted "
                  f"{charter.adopted}, recorded {charter.recorded_at:%Y-%m-%d} by {charter.actor}",
                  highlight=False)
    table = Table("member", "commitment", "kind", "amount", "due", title="obligations")
    for o in doc["obligations"]:
        if "commitment" in o:
            table.add_row(o["member"], o["commitment"], "(stored)", "", "")
        else:
            table.add_row(o["member"], o["ref"], o["kind"], f"{o['amount']:g} {o['unit']}",
                          o["due"])
    console.print(table)
    ownership = doc["ip"]["ownership"]
    console.print(f"IP ownership: {ownership}; licence back: {doc['ip']['licence_back']}",
                  highlight=False)
    console.print(f"benefit sharing: {doc['benefit_sharing']['method']}", highlight=False)
    console.print("penalties: " + ", ".join(f"{k} {v}" for k, v in doc["penalties"].items()),
                  highlight=False)
    for key, text in doc["disputes"].items():
        console.print(f"disputes, {key}: {text}", highlight=False)
