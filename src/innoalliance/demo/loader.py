"""Build the demo store: catalogues, then every demo file in dependency order, then boundaries."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

from innoalliance.demo.charters import load_demo_charters
from innoalliance.demo.histories import load_demo_histories
from innoalliance.ingest.writer import ImportResult
from innoalliance.workflows.register.imports import import_table_file
from innoalliance.workflows.register.layers import import_boundary_file
from innoalliance.workflows.register.setup import init_store

DEMO_KINDS = (
    "organizations", "alliances", "memberships", "commitments", "projects", "contributions",
    "outputs", "events", "statistics", "offers", "needs",
)
WHO = "innoalliance demo"


def demo_dir() -> Path:
    """The folder of demo files shipped in the package."""
    return Path(str(resources.files("innoalliance.demo") / "data"))


def load_demo(engine: Engine, step: Callable[[str], None] | None = None) -> list[ImportResult]:
    """Initialise ``engine``'s store and load the demo dataset into it (idempotent)."""
    results = init_store(engine)
    folder = demo_dir()
    for kind in DEMO_KINDS:
        if step:
            step(kind)
        results.append(import_table_file(engine, kind, folder / f"{kind}.csv", who=WHO))
    if step:
        step("boundaries")
    results.append(import_boundary_file(engine, folder / "boundaries.geojson", who=WHO))
    if step:
        step("life-cycle histories")
    load_demo_histories(engine, WHO)
    if step:
        step("charters")
    load_demo_charters(engine)
    return results
