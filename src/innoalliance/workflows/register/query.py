"""Reads for ``list`` and ``show``: records of a kind, and one record with its relations."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from innoalliance.errors import UnknownReference
from innoalliance.ingest.cells import closest
from innoalliance.ingest.kinds import TABLE_KINDS
from innoalliance.model import Entity, Membership, Organization, RasterLayer, Region
from innoalliance.store.engine import require_current
from innoalliance.workflows.register.export import export_frame

LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "regions": ("code", "level", "name_zh", "name_en", "parent"),
    "industries": ("code", "taxonomy", "name_zh", "name_en", "maps_to"),
    "organizations": ("credit_code", "name_zh", "type", "size", "region"),
    "alliances": ("name_zh", "kind", "industry", "host_region", "stage", "status"),
    "memberships": ("alliance", "organization", "role", "joined", "left"),
    "commitments": ("alliance", "ref", "organization", "kind", "amount", "unit", "due"),
    "projects": ("alliance", "name", "status", "start", "end"),
    "contributions": ("alliance", "ref", "commitment", "date", "amount", "unit"),
    "outputs": ("alliance", "name", "type", "date", "owners"),
    "events": ("alliance", "ref", "type", "date", "organization"),
    "statistics": ("region", "indicator", "industry", "year", "value", "unit"),
    "offers": ("organization", "title", "industry", "published"),
    "needs": ("organization", "title", "industry", "published"),
    "rasters": ("name", "driver", "crs", "band_count", "bands", "date"),
    "boundaries": ("code", "name_zh", "level", "geometry_source"),
}


def list_records(engine: Engine, kind: str, limit: int | None = None) -> pd.DataFrame:
    """The records of ``kind`` (key columns and a few more), in key order."""
    if kind == "boundaries":
        require_current(engine)
        cols = [getattr(Region, c) for c in LIST_COLUMNS["boundaries"]]
        with engine.connect() as conn:
            rows = conn.execute(select(*cols).where(Region.geometry.is_not(None))
                                .order_by(Region.code)).all()
        frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS["boundaries"]))
    else:
        frame = export_frame(engine, kind)[list(LIST_COLUMNS[kind])]
    return frame.head(limit) if limit else frame


def count(engine: Engine, kind: str) -> int:
    """How many records of a table kind the store holds."""
    model = RasterLayer if kind == "rasters" else TABLE_KINDS[kind].model
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def show_record(engine: Engine, kind: str, ident: str) -> dict[str, Any]:
    """One record by numeric id or natural key (parts of a composite key joined by ``/``)."""
    require_current(engine)
    spatial: dict[str, type[Entity]] = {"rasters": RasterLayer, "boundaries": Region}
    model = spatial.get(kind) or TABLE_KINDS[kind].model
    key = model.natural_key
    parts = ident.split("/", len(key) - 1) if len(key) > 1 else [ident]
    with engine.connect() as conn:
        table = model.__table__
        if len(parts) == len(key):
            cond = [table.c[k] == v for k, v in zip(key, parts, strict=True)]
            row = conn.execute(select(table).where(*cond)).mappings().first()
        else:
            row = None
        if row is None and ident.isdigit():
            row = conn.execute(select(table).where(table.c.id == int(ident))).mappings().first()
        if row is None:
            keys = [" / ".join(map(str, r)) for r in conn.execute(
                select(*(table.c[k] for k in key))).all()]
            raise UnknownReference(kind, ident, closest(ident.replace("/", " / "), keys),
                                   listed_as=kind)
        record = {k: v for k, v in row.items() if k != "geometry"}
        if kind == "alliances":
            members = conn.execute(
                select(Membership.organization, Organization.name_zh, Membership.role)
                .join(Organization, Organization.credit_code == Membership.organization)
                .where(Membership.alliance == row["name_zh"])
                .order_by(Membership.role, Membership.organization)).all()
            record["members"] = [{"organization": o, "name": n, "role": r}
                                 for o, n, r in members]
    return record
