"""``innoalliance alliance …``: move an alliance through its life cycle, its members in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    console,
    engine_for,
    handles_errors,
    parse_date,
    print_json,
)
from innoalliance.workflows.govern.lifecycle import (
    STATES,
    LifecycleRules,
    TransitionRecord,
    history,
    member_join,
    member_leave,
    rules_from_yaml,
    transition,
)

app = typer.Typer(no_args_is_help=True,
                  help="The life cycle of an alliance: transition, history, join, leave.")

AllianceArg = Annotated[str, typer.Argument(show_default=False, help="the alliance's name_zh")]
OrgArg = Annotated[str, typer.Argument(show_default=False,
                                       help="the organization's credit code")]
ReasonOption = Annotated[str, typer.Option("--reason", help="why (recorded)",
                                           show_default=False)]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="the date it takes effect, YYYY-MM-DD (default: now)", show_default=False)]


def _show(record: TransitionRecord) -> None:
    console.print(f"[green]recorded:[/] {_line(record)}", highlight=False)


def _line(record: TransitionRecord) -> str:
    what = (f"{record.from_state} → {record.to_state}" if record.kind == "state"
            else f"{record.organization} {record.to_state}")
    return f"#{record.id} {record.alliance}: {what} ({record.actor}, {record.at:%Y-%m-%d})"


@app.command("transition")
@handles_errors
def transition_command(
    alliance: AllianceArg,
    to: Annotated[str, typer.Option("--to", help=" | ".join(STATES), show_default=False)],
    reason: ReasonOption,
    batch: Annotated[int | None, typer.Option(help="approval batch number")] = None,
    year: Annotated[int | None, typer.Option(help="approval year")] = None,
    department: Annotated[str | None, typer.Option(help="approving department")] = None,
    charter: Annotated[Path | None, typer.Option(
        help="approval: the charter file (.yaml/.json), checked and stored with the approval; "
             "default: the alliance's stored charter")] = None,
    grade_year: Annotated[int | None, typer.Option(
        help="the evaluated year whose activity grade decides a review outcome")] = None,
    as_of: AsOfOption = None,
    rules: Annotated[Path | None, typer.Option(
        help="life-cycle rules (YAML); default: the MOST pilot-alliance rules")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move ALLIANCE to the state --to, if the life cycle and the rules allow it."""
    record = transition(
        engine_for(db), alliance, to, reason=reason,
        when=None if as_of is None else parse_date(as_of), batch=batch, year=year,
        department=department, charter=charter, grade_year=grade_year,
        rules=LifecycleRules() if rules is None else rules_from_yaml(rules))
    if as_json:
        print_json(record.as_dict())
    else:
        _show(record)


@app.command("history")
@handles_errors
def history_command(alliance: AllianceArg, db: DbOption = None,
                    as_json: JsonOption = False) -> None:
    """Every recorded step of ALLIANCE: who, when, why, from, to."""
    records = history(engine_for(db), alliance)
    if as_json:
        print_json([r.as_dict() for r in records])
        return
    table = Table("#", "at", "kind", "from", "to", "organization", "who", "why",
                  title=f"{alliance}: life cycle")
    for r in records:
        table.add_row(str(r.id), f"{r.at:%Y-%m-%d %H:%M}", r.kind, r.from_state or "",
                      r.to_state, r.organization or "", r.actor, r.reason)
    console.print(table)


@app.command("join")
@handles_errors
def join_command(
    alliance: AllianceArg,
    organization: OrgArg,
    reason: ReasonOption,
    role: Annotated[str, typer.Option(help="lead | vice_lead | secretariat | member | observer"
                                      )] = "member",
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """ORGANIZATION joins ALLIANCE (recorded in the alliance's history)."""
    record = member_join(engine_for(db), alliance, organization, role,
                         None if as_of is None else parse_date(as_of), reason=reason)
    if as_json:
        print_json(record.as_dict())
    else:
        _show(record)


@app.command("leave")
@handles_errors
def leave_command(
    alliance: AllianceArg,
    organization: OrgArg,
    reason: ReasonOption,
    as_of: AsOfOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """ORGANIZATION leaves ALLIANCE (recorded in the alliance's history)."""
    record = member_leave(engine_for(db), alliance, organization,
                          None if as_of is None else parse_date(as_of), reason=reason)
    if as_json:
        print_json(record.as_dict())
    else:
        _show(record)
