"""``innoalliance share …``: allocate a game file, or an alliance's profit, cost and risk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    OutputOption,
    console,
    engine_for,
    group_with_default,
    handles_errors,
    parse_date,
    print_done,
    print_json,
)
from innoalliance.workflows.share.allocations import (
    MIN_PREFIX,
    Expected,
    list_allocations,
    verify_chain,
)
from innoalliance.workflows.share.files import METHODS, share_file
from innoalliance.workflows.share.runs import ShareKind, ShareRequest, compare, report_and_record

app = typer.Typer(cls=group_with_default("solve"), no_args_is_help=True,
                  help="Share profit, cost and risk: FILE.json --method M, or run/verify/list "
                       "on the store.")


def _show_allocation(result: dict[str, Any]) -> None:
    se = result.get("standard_error")
    columns = ["player", result["values_are"].rstrip("s")] + (["standard error"] if se else [])
    table = Table(*columns, title=f"{result['method']} ({result['form']} game)")
    for player, value in result["allocation"].items():
        row = [player, f"{value:.6g}"] + ([f"{se[player]:.3g}"] if se else [])
        table.add_row(*row)
    console.print(table)
    if "in_core" in result:
        console.print(f"in the core: {'yes' if result['in_core'] else 'no'}")
    if "note" in result:
        console.print(f"[yellow]note:[/] {result['note']}")


@app.command("solve", hidden=True)
@handles_errors
def solve_command(
    file: Annotated[Path, typer.Argument(show_default=False, help="game file (JSON)")],
    method: Annotated[str, typer.Option(help=" | ".join(METHODS))] = "shapley",
    samples: Annotated[int | None, typer.Option(
        help="sample N permutations (Shapley) or coalitions (Banzhaf) instead of exact")] = None,
    seed: Annotated[int, typer.Option(help="random seed of the sampling")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Allocate the game in FILE.json by METHOD."""
    result = share_file(file, method, samples=samples, seed=seed)
    if as_json:
        print_json(result)
    else:
        _show_allocation(result)


@app.command("verify")
@handles_errors
def verify_command(
    expect: Annotated[str | None, typer.Option(
        metavar="[COUNT:]HEAD",
        help="the COUNT:HEAD an earlier `share verify` printed, kept elsewhere (or HEAD "
             f"alone, at least its first {MIN_PREFIX} hex digits): exit 3 if that head is no "
             "longer in the chain (entries removed from its end); entries appended since pass. "
             "A changed entry exits 2")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the chain of recorded allocations: its count and head, and any changed entry."""
    # exit code 2: an entry was changed; 3: the expected head is not in the chain
    result = verify_chain(engine_for(db), None if expect is None else Expected.parse(expect))
    check = result.expectation
    if as_json:
        print_json(result.as_dict())
    else:
        if result.ok:
            console.print(f"[green]ok:[/] {result.entries} recorded allocations, none changed")
        else:
            console.print(f"[bold red]broken:[/] entry {result.first_broken}: {result.reason}")
        console.print(f"entries: {result.count}\nhead: {result.head}", soft_wrap=True)
        if check is not None:
            verdict = "[green]as expected:[/]" if check.ok else "[bold red]not as expected:[/]"
            console.print(f"{verdict} {check.message}", soft_wrap=True)
        elif result.ok:
            console.print(f"keep {result.count}:{result.head} elsewhere; later, "
                          f"`share verify --expect {result.count}:{result.head}` also finds "
                          "entries deleted from the end", soft_wrap=True)
    if not result.ok:
        raise typer.Exit(code=2)
    if check is not None and not check.ok:
        raise typer.Exit(code=3)


@app.command("list")
@handles_errors
def list_command(
    alliance: Annotated[str | None, typer.Option(help="only this alliance")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The recorded allocations, oldest first."""
    entries = list_allocations(engine_for(db), alliance)
    if as_json:
        print_json(entries)
        return
    table = Table("id", "recorded", "alliance", "subject", "kind", "method", "hash")
    for e in entries:
        table.add_row(str(e["id"]), e["recorded_at"], e["alliance"] or "", e["subject"],
                      e["kind"], e["method"], e["hash"][:12])
    console.print(table)


def _print_comparison(summary: dict[str, Any]) -> None:
    rules = list(summary["allocations"])
    table = Table("member", *rules, title=f"{summary['subject']} ({summary['alliance']})")
    names = {p["id"]: p["name"] for p in summary["players"]}
    for p in summary["players"]:
        table.add_row(names[p["id"]][:24],
                      *(f"{summary['allocations'][r][p['id']]:,.0f}" for r in rules))
    core = summary["in_core"]
    table.add_row("in the core?", *("" if core[r] is None else "yes" if core[r] else "no"
                                    for r in rules))
    console.print(table)
    for note in summary["notes"]:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)


@app.command("run")
@handles_errors
def run_command(
    kind: Annotated[str, typer.Option(help="profit | cost | risk")] = "profit",
    alliance: Annotated[str | None, typer.Option(
        help="the alliance (Chinese name); for risk, leave out to cover all alliances")] = None,
    as_of: Annotated[str | None, typer.Option(help="date YYYY-MM-DD (default today)")] = None,
    gamma: Annotated[float, typer.Option(help="profit: synergy exponent γ ≥ 1")] = 1.0,
    factor_weights: Annotated[str | None, typer.Option(
        help="profit: weights of investment,risk,contribution,innovation (default: entropy)")]
        = None,
    samples: Annotated[int | None, typer.Option(help="profit: sample the Shapley value")] = None,
    needs: Annotated[Path | None, typer.Option(
        help="cost: CSV of member credit code, cost of the facility each one needs")] = None,
    fund: Annotated[float | None, typer.Option(help="risk: the fund, yuan")] = None,
    rule: Annotated[str, typer.Option(help="risk: proportional | cea | cel | talmud")] =
        "talmud",
    copay: Annotated[float, typer.Option(help="risk: members' share of a loss")] = 0.2,
    record: Annotated[str | None, typer.Option(
        help="record this rule's allocation as agreed (append-only, hash-chained)")] = None,
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare sharing rules on an alliance's profit, a facility's cost or a risk fund."""
    engine = engine_for(db)
    weights = None if factor_weights is None else [float(w) for w in factor_weights.split(",")]
    request = ShareRequest(kind=cast(ShareKind, kind), as_of=parse_date(as_of), alliance=alliance,
                           gamma=gamma, factor_weights=weights, samples=samples, needs=needs,
                           fund=fund, rule=rule, copay=copay)
    comparison = compare(engine, request)
    done = report_and_record(engine, comparison, output=output or Path(f"share-{kind}"),
                             record=record)
    if as_json:
        print_json(done.summary)
        return
    _print_comparison(done.summary)
    if "recorded" in done.summary:
        entry = done.summary["recorded"]
        console.print(f"recorded as entry {entry['id']} ({entry['rule']}), hash {entry['hash']}")
    print_done(done)
