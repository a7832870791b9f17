"""``innoalliance evaluate …``: the methods on files, and index systems applied to the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from innoalliance.cli.common import (
    DbOption,
    JsonOption,
    OutputOption,
    console,
    engine_for,
    handles_errors,
    parse_date,
    print_done,
    print_json,
)
from innoalliance.errors import InnoallianceError
from innoalliance.ingest.indexsystem import built_in_systems, load_system
from innoalliance.methods.mcda.fuzzy import OPERATORS
from innoalliance.workflows.common import parse_years
from innoalliance.workflows.evaluate.credit import MIN_CONFIDENCE
from innoalliance.workflows.evaluate.files import (
    ahp_file,
    critic_file,
    entropy_file,
    fuzzy_file,
    topsis_file,
)
from innoalliance.workflows.evaluate.runs import evaluate_and_report, rate_and_report

app = typer.Typer(help="Weights, scores, grades and credit ratings.", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(show_default=False, help="input file")]
TypesOption = Annotated[str | None, typer.Option(
    "--types", help="benefit or cost per criterion, comma-separated (default: all benefit)")]


def _show(result: dict[str, Any], as_json: bool, *keys: str) -> None:
    if as_json:
        print_json(result)
        return
    for key in keys:
        value = result[key]
        if isinstance(value, dict):
            table = Table("", key, title=key)
            for name, v in value.items():
                table.add_row(str(name), f"{v:.6g}" if isinstance(v, float) else str(v))
            console.print(table)
        else:
            console.print(f"{key}: {value:.6g}" if isinstance(value, float) else f"{key}: {value}")
    if "note" in result:
        console.print(f"[yellow]note:[/] {result['note']}")


@app.command("ahp")
@handles_errors
def ahp_command(
    file: FileArg,
    random_index: Annotated[str, typer.Option(help="random-index table: saaty1980 or "
                                              "alonso-lamata2006")] = "saaty1980",
    as_json: JsonOption = False,
) -> None:
    """AHP weights of FILE.json {"criteria": [...], "matrix": [[...]]} ("1/3" allowed)."""
    result = ahp_file(file, random_index)
    _show(result, as_json, "weights", "lambda_max", "ci", "cr", "consistent")
    if not as_json and not result["consistent"]:
        for item in result["inconsistency"][:3]:
            console.print(f"  revise {item['judgment']}: given {item['given']:.4g}, the other "
                          f"judgments imply {item['consistent_value']:.4g}")


@app.command("entropy")
@handles_errors
def entropy_command(
    file: FileArg,
    normalize: Annotated[str, typer.Option(help="none (raw values) or minmax first")] = "none",
    types: TypesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Entropy weights of a decision matrix FILE.csv (first column: alternatives)."""
    _show(entropy_file(file, normalize, types), as_json, "weights", "entropy")


@app.command("critic")
@handles_errors
def critic_command(file: FileArg, types: TypesOption = None, as_json: JsonOption = False) -> None:
    """CRITIC weights of a decision matrix FILE.csv (first column: alternatives)."""
    _show(critic_file(file, types), as_json, "weights")


@app.command("topsis")
@handles_errors
def topsis_command(
    file: FileArg,
    weights: Annotated[Path, typer.Option(help='W.json: {"criterion": weight} or a list')],
    types: TypesOption = None,
    normalization: Annotated[str, typer.Option(help="vector or minmax")] = "vector",
    as_json: JsonOption = False,
) -> None:
    """TOPSIS closeness and rank of the alternatives of FILE.csv."""
    _show(topsis_file(file, weights, types, normalization), as_json, "closeness", "rank")


@app.command("fuzzy")
@handles_errors
def fuzzy_command(
    file: FileArg,
    operator: Annotated[str, typer.Option(help=" | ".join(OPERATORS))] = "weighted-average",
    as_json: JsonOption = False,
) -> None:
    """Fuzzy comprehensive evaluation B = A ∘ R of FILE.json {"weights", "relation", "grades"}."""
    _show(fuzzy_file(file, operator), as_json, "membership", "grade")


@app.command("systems")
@handles_errors
def systems_command(as_json: JsonOption = False) -> None:
    """The built-in index systems (copy one's YAML to make your own)."""
    rows: list[dict[str, Any]] = []
    for name in built_in_systems():
        s = load_system(name)
        rows.append({"name": name, "unit": s.unit, "title": s.title, "title_zh": s.title_zh,
                     "indicators": len(s.indicators())})
    if as_json:
        print_json(rows)
        return
    table = Table("name", "unit", "title", "indicators", title="index systems")
    for row in rows:
        table.add_row(row["name"], row["unit"], f"{row['title']} {row['title_zh']}",
                      str(row["indicators"]))
    console.print(table)


@contextmanager
def _bar(label: str) -> Iterator[Any]:
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _panel_command(kind: str, default_system: str):  # type: ignore[no-untyped-def]
    @handles_errors
    def command(
        years: Annotated[str, typer.Option(help="a year or a range Y1-Y2")],
        system: Annotated[str, typer.Option(help="built-in name or YAML file")] = default_system,
        draws: Annotated[int, typer.Option(help="Monte Carlo base samples (0: none)")] = 500,
        seed: Annotated[int, typer.Option(help="random seed of the uncertainty analysis")] = 0,
        output: OutputOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        chosen = load_system(system)
        if chosen.unit != kind:
            raise InnoallianceError(f"index system '{system}' rates {chosen.unit}s, not {kind}s",
                                    hint=f"use innoalliance evaluate {chosen.unit}s")
        prefix = output or Path(f"evaluation-{chosen.name}")
        with _bar("uncertainty analysis") as progress:
            done = evaluate_and_report(engine_for(db), chosen, parse_years(years), draws=draws,
                                       seed=seed, output=prefix, progress=progress)
        if as_json:
            print_json(done.summary)
            return
        _print_panel(done.summary)
        print_done(done)

    command.__doc__ = f"Score, rank and grade {kind}s with an index system over years."
    return command


def _print_panel(summary: dict[str, Any]) -> None:
    last = max(summary["years"])
    rows = sorted((r for r in summary["results"] if r["year"] == last), key=lambda r: r["rank"])
    table = Table("rank", "name", "score", "grade", "change", title=f"{summary['title']}, {last}")
    for r in rows:
        change = "" if r["change"] is None else f"{r['change']:+.1f}"
        table.add_row(str(r["rank"]), r["name"], f"{r['score']:.1f}", r["grade"], change)
    console.print(table)
    for note in summary["notes"]:
        console.print(f"[yellow]note:[/] {note}")


app.command("alliances")(_panel_command("alliance", "alliance_activity"))
app.command("regions")(_panel_command("region", "regional_innovation"))


@app.command("members")
@handles_errors
def members_command(
    alliance: Annotated[str, typer.Option(help="the alliance's Chinese name")],
    as_of: Annotated[str | None, typer.Option(
        help="rating date YYYY-MM-DD (default: today)")] = None,
    system: Annotated[str, typer.Option(help="index system of the index part")] =
        "member_contribution",
    forgetting: Annotated[float, typer.Option(help="weight of evidence one year old")] = 0.9,
    weight_behaviour: Annotated[float, typer.Option(help="share of the behaviour score")] = 0.6,
    min_confidence: Annotated[float, typer.Option(
        help="grade NR (not rated) below this confidence")] = MIN_CONFIDENCE,
    output: OutputOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Credit ratings (AAA … C) of an alliance's members from their record in the ledger."""
    date = parse_date(as_of)
    prefix = output or Path("credit-ratings")
    done = rate_and_report(engine_for(db), alliance, as_of=date, system=load_system(system),
                           forgetting=forgetting, weight_behaviour=weight_behaviour,
                           min_confidence=min_confidence, output=prefix)
    if as_json:
        print_json(done.summary)
        return
    table = Table("name", "role", "grade", "score", "behaviour", "index", "confidence",
                  title=f"credit ratings, {alliance}, as of {date.isoformat()}")
    for m in done.summary["members"]:
        index = "" if m["index_score"] is None else f"{m['index_score']:.1f}"
        table.add_row(m["name"], m["role"], m["grade"], f"{m['score']:.1f}",
                      f"{m['behaviour_score']:.1f}", index, f"{m['confidence']:.2f}")
    console.print(table)
    print_done(done)
