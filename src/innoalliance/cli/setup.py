"""``innoalliance init`` and ``innoalliance demo``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, inspect

from innoalliance.cli.common import DbOption, console, engine_for, handles_errors
from innoalliance.demo.accounts import PASSWORD as DEMO_PASSWORD
from innoalliance.demo.accounts import demo_accounts
from innoalliance.demo.loader import DEMO_KINDS, load_demo
from innoalliance.demo.runs import (
    demo_evaluations,
    demo_govern,
    demo_matching,
    demo_plan,
    demo_sharing,
)
from innoalliance.errors import StoreError
from innoalliance.store.engine import ENV_VAR, replace_store, sqlite_file
from innoalliance.workflows.register.query import count
from innoalliance.workflows.register.setup import init_store

DEMO_FILE = "innoalliance-demo.db"


@handles_errors
def init_command(db: DbOption = None) -> None:
    """Create the database (or migrate it) and load the built-in catalogues."""
    engine = engine_for(db, create=True)
    results = init_store(engine)
    loaded = ", ".join(f"{r.rows} {r.kind}" for r in results)
    console.print(f"initialised {engine.url.render_as_string(hide_password=True)}: {loaded}")


def _build_demo(engine: Engine, reports: Path | None) -> tuple[list[tuple[str, Path]],
                                                                 list[tuple[str, str]]]:
    """Fill the empty store of ``engine`` with the demo: data, runs (unless ``reports`` is
    ``None``) and accounts; the reports written and the accounts made."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("creating the schema and catalogues")
        load_demo(engine, lambda kind: bar.update(task, description=f"loading {kind}"))
        written = [] if reports is None else demo_evaluations(
            engine, reports, lambda done, total: bar.update(
                task, description=f"evaluating: uncertainty run {done} of {total}"))
        if reports is not None:
            bar.update(task, description="sharing profit, cost and risk")
            written += demo_sharing(engine, reports)
            bar.update(task, description="matching offers and needs")
            written += demo_matching(engine, reports)
            bar.update(task, description="diagnosing Hangzhou Bay and laying out its alliances")
            written += demo_plan(engine, reports)
            bar.update(task, description="writing the supervision reports")
            written += demo_govern(engine, reports)
    try:
        accounts = demo_accounts(engine)
    except ImportError:  # no Argon2: the web extra is not installed
        accounts = []
    return written, accounts


@handles_errors
def demo_command(
    db: DbOption = None,
    force: Annotated[bool, typer.Option(
        help="replace the contents of a non-empty database given with --db")] = False,
    reports: Annotated[Path, typer.Option(
        help="folder for the demo's evaluation reports")] = Path("demo-reports"),
    no_reports: Annotated[bool, typer.Option("--no-reports", help="load the data only")] = False,
) -> None:
    """Build a fresh database from the demo data of the seed papers and say what to try next."""
    url = db or os.environ.get(ENV_VAR)
    # the suggested commands run from this folder, so the default file is named relatively
    flag = f" --db {url}" if url else f" --db sqlite:///{DEMO_FILE}"
    if url is None:
        Path(DEMO_FILE).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(DEMO_FILE + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{Path(DEMO_FILE).resolve()}"
    engine = engine_for(url, create=True)
    file = sqlite_file(engine)
    exists = file is None or file.exists()  # looking into a missing file would create it
    if exists and inspect(engine).get_table_names() and not force:
        raise StoreError(
            f"{engine.url.render_as_string(hide_password=True)} already holds tables",
            hint="add --force to replace its contents with the demo, or choose another --db",
        )
    # built beside the store and swapped in at the end: a failure leaves the store as it was
    written, accounts = replace_store(
        engine, lambda new: _build_demo(new, None if no_reports else reports))
    shown = engine.url.render_as_string(hide_password=True)
    console.print(f"[bold green]demo database ready:[/] {shown}", soft_wrap=True)
    for kind in ("regions", "industries", *DEMO_KINDS):
        console.print(f"  {count(engine, kind):>6}  {kind}")
    console.print("  boundaries of the six Hangzhou Bay and nine Pearl River Delta cities")
    if written:
        console.print("\n[bold]reports[/] (open in a browser; they work offline):")
        for title, path in written:
            console.print(f"  {path}  {title}", highlight=False, markup=False, soft_wrap=True)
    console.print("\n[bold]try next:[/]")
    for line in (
        f"innoalliance list alliances{flag}",
        f"innoalliance show alliances TD-SCDMA产业联盟{flag}",
        f"innoalliance list statistics{flag} --limit 20",
        f"innoalliance export memberships{flag} --output memberships.csv",
        f"innoalliance export boundaries{flag} --format geojson --output cities.geojson",
        f"innoalliance export organizations{flag} --output orgs.csv",
        f"innoalliance import organizations orgs.csv{flag}   # again: nothing changes",
        f"innoalliance evaluate alliances --system alliance_performance --years 2016{flag}",
        f"innoalliance evaluate members --alliance 闪联产业联盟 --as-of 2009-12-31{flag}",
        "innoalliance evaluate systems   # copy one's YAML to build your own index system",
        f"innoalliance share list{flag}   # the recorded allocations",
        f"innoalliance share verify{flag}   # has any recorded allocation been changed?",
        f"innoalliance share run --kind risk --fund 8000000 --rule cea{flag}",
        f"innoalliance match run --region 440000 --top 3{flag}   # Guangdong's needs and offers",
        f"innoalliance match partners --alliance 闪联产业联盟{flag}   # who would complete it?",
        f"innoalliance plan diagnose --regions prd{flag}   # the nine Pearl River Delta cities",
        f"innoalliance govern funding --region 440000{flag}   # who leans on government money?",
        f"innoalliance govern report --alliance 闪联产业联盟 --year 2009 --pdf{flag}",
        "innoalliance govern check --as-of 2016-12-31 --alliance 电动汽车产学研技术创新联盟 "
        f"--record{flag}   # defaults, penalties; then rate the members again",
        f"innoalliance alliance history 电动汽车产学研技术创新联盟{flag}",
        f"innoalliance charter show 电动汽车产学研技术创新联盟{flag}",
        "innoalliance govern policies --alliance 广东省干细胞与再生医学产业技术创新联盟"
        f"{flag}",
        f"innoalliance plan layout --regions hangzhou-bay --raster hangzhou_bay_illustrative "
        f"--eco-limit 0.45 --max-leads-per-city 3{flag}",
    ):
        console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    if accounts:
        console.print("\n[bold]the web platform:[/]")
        console.print(f"  innoalliance serve{flag}   # then open http://127.0.0.1:8000/",
                      highlight=False, markup=False, soft_wrap=True)
        console.print(f"  demo accounts (password {DEMO_PASSWORD}, for this demo only): "
                      + ", ".join(f"{name} ({role})" for name, role in accounts),
                      highlight=False, markup=False, soft_wrap=True)
