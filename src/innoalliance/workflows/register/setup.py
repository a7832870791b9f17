"""Create or migrate a store and load the built-in catalogues into it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import Engine

from innoalliance.ingest.writer import ImportResult
from innoalliance.store.engine import create_store_file, upgrade
from innoalliance.workflows.register.imports import import_table_file

CATALOGUES = ("regions", "industries")


def catalogue_path(kind: str) -> Path:
    """Path of a built-in catalogue file shipped in the package."""
    return Path(str(resources.files("innoalliance.catalogues") / f"{kind}.csv"))


def init_store(engine: Engine) -> list[ImportResult]:
    """Migrate the schema to the newest revision and load (or refresh) the catalogues.

    Idempotent: on an initialised store it changes nothing unless the catalogues changed. A SQLite
    file that does not exist is created (this and the demo are the only ways to make a store).
    """
    create_store_file(engine)
    upgrade(engine)
    return [
        import_table_file(engine, kind, catalogue_path(kind), who="innoalliance init")
        for kind in CATALOGUES
    ]
