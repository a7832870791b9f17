"""``innoalliance match …``: ranked offers for needs, and stable matchings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from innoalliance.errors import InnoallianceError
from innoalliance.workflows.match.files import stable_file
from innoalliance.workflows.match.partners import recommend_partners
from innoalliance.workflows.match.rank import rank_files
from innoalliance.workflows.match.runs import match_and_report

app = typer.Typer(cls=group_with_default("rank"), no_args_is_help=True,
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


@app.command("rank", hidden=True)
@handles_errors
def rank_command(
    offers: Annotated[Path, typer.Argument(show_default=False, help="OFFERS.csv (id,text,…)")],
    needs: Annotated[Path, typer.Argument(show_default=False, help="NEEDS.csv (id,text,…)")],
    top: Annotated[int, typer.Option(help="offers per need")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Rank the offers for each need by text relevance (and proximity when given)."""
    if top < 1:
        raise InnoallianceError("--top must be at least 1")
    matches = rank_files(offers, needs, top=top).matches()
    if as_json:
        print_json({"matches": matches})
        return
    for need, found in matches.items():
        table = Table("offer", "score", "shared terms", title=f"need {need}")
        for m in found:
            table.add_row(m["offer"], f"{m['score']:.3f}", " ".join(m["terms"]))
        console.print(table)


@app.command("run")
@handles_errors
def run_command(
    alliance: Annotated[str | None, typer.Option(help="match within this alliance")] = None,
    region: Annotated[str | None, typer.Option(
        help="or within these regions: GB/T 2260 codes, comma-separated (330000 = Zhejiang)")]
        = None,
    top: Annotated[int, typer.Option(help="suppliers listed per need")] = 5,
    capacity: Annotated[int, typer.Option(help="needs an offer can serve")] = 1,
    as_of: Annotated[str | None, typer.Option(help="date of the credit scores")] = None,
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rank and explain suppliers for every need in scope; stable and max-total matchings."""
    regions = [r.strip() for r in region.split(",")] if region else None
    done = match_and_report(engine_for(db), output=output or Path("match"), alliance=alliance,
                            regions=regions, top=top, capacity=capacity,
                            as_of=parse_date(as_of))
    if as_json:
        print_json(done.summary)
        return
    table = Table("need", "stable match", "max-total match", title=done.summary["scope"])
    stable = done.summary["stable_matching"]["matching"]
    best = done.summary["max_total_assignment"]["matching"]
    for need, offer in stable.items():
        table.add_row(need, offer or "—", best.get(need) or "—")
    console.print(table)
    print_done(done)


@app.command("partners")
@handles_errors
def partners_command(
    alliance: Annotated[str, typer.Option(help="the alliance to complete (its Chinese name)")],
    top: Annotated[int, typer.Option(help="partners to recommend at most")] = 5,
    as_of: Annotated[str | None, typer.Option(help="date of membership and credit")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recommend the organisations that best complete an alliance's chain and industry field."""
    found = recommend_partners(engine_for(db), alliance, top=top, as_of=parse_date(as_of))
    if as_json:
        print_json(found)
        return
    console.print(f"[bold]{alliance}[/]: {len(found['members'])} members; missing: "
                  + (", ".join(found["missing_before"]) or "nothing"))
    table = Table("organisation", "type", "region", "gain", "adds", "behaviour")
    for p in found["partners"]:
        trust = "—" if p["behaviour"] is None else f"{p['behaviour']:.1f}"
        table.add_row(p["name"], p["type"], p["region"], f"{p['gain']:.3f}",
                      "; ".join(p["adds"]), trust)
    console.print(table)
