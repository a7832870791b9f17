"""The regional overview across alliances: counts by field, batch, kind, stage and status, the
alliances on a map of their host cities, and the alerts the registered checks raise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import Engine

from innoalliance.errors import MethodError
from innoalliance.model import Industry, Region
from innoalliance.reports.html import figure_html, render
from innoalliance.reports.maps import Region as MapRegion
from innoalliance.reports.maps import choropleth
from innoalliance.reports.tables import Chart, table
from innoalliance.workflows.common import write_outputs
from innoalliance.workflows.govern.enforcement import check
from innoalliance.workflows.register.ledger import read_ledger, select_frame

SEVERITY = {"critical": 0, "warning": 1, "info": 2}


def _alerts(engine: Engine, names: set[str], as_of: dt.date) -> pd.DataFrame:
    rows = [{"alliance": a["alliance"], "severity": x["severity"], "alert": x["message"]}
            for a in check(engine, as_of)["alliances"] if a["alliance"] in names
            for x in a["alerts"]]
    frame = pd.DataFrame(rows, columns=["alliance", "severity", "alert"])
    return frame.sort_values("severity", key=lambda s: s.map(SEVERITY), kind="stable")


def _counts(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    out = frame[column].fillna("unknown").astype(str).value_counts().rename_axis(label)
    return out.rename("alliances").reset_index()


def overview(engine: Engine, region: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """Alliances hosted in ``region`` (a code prefix: 440000 is all of Guangdong), counted, with
    the charter check's alerts as of ``as_of`` (today by default)."""
    alliances = read_ledger(engine).alliances
    prefix = region.rstrip("0") or region
    mine = alliances[alliances["host_region"].str.startswith(prefix)]
    if mine.empty:
        raise MethodError(f"no alliance is hosted in region {region}",
                          hint="give a province or city code of a host region, e.g. 440000")
    fields = select_frame(engine, Industry.code, Industry.name_en).set_index("code")["name_en"]
    mine = mine.assign(field=mine["industry"].map(lambda c: f"{c} {fields.get(c, '')}".strip()))
    by = {"field": _counts(mine, "field", "field"), "batch": _counts(mine, "batch", "batch"),
          "kind": _counts(mine, "kind", "kind"), "stage": _counts(mine, "stage", "stage"),
          "status": _counts(mine, "status", "status"),
          "host city": _counts(mine, "host_region", "host city")}
    alerts = _alerts(engine, set(mine["name_zh"]), as_of or dt.date.today())
    return {"region": region, "as_of": str(as_of or dt.date.today()), "alliances": len(mine),
            "counts": {k: v.to_dict(orient="records") for k, v in by.items()},
            "alerts": alerts.to_dict(orient="records"),
            "list": mine[["name_zh", "field", "kind", "stage", "batch", "approval_year",
                          "status", "host_region"]].to_dict(orient="records")}


def _map(engine: Engine, found: dict[str, Any]) -> Chart | None:
    hosts = {r["host city"]: r["alliances"] for r in found["counts"]["host city"]}
    prefix = found["region"].rstrip("0") or found["region"]
    rows = select_frame(engine, Region.code, Region.name_zh, Region.geometry,
                        where=Region.code.startswith(prefix[:2]) & Region.geometry.isnot(None))
    regions = [MapRegion(c, n, shapely.from_geojson(g)) for c, n, g in
               zip(rows["code"], rows["name_zh"], rows["geometry"], strict=True)
               if c != found["region"]]
    if not regions:
        return None
    figure = choropleth(regions, {r.code: float(hosts.get(r.code, 0)) for r in regions},
                        label="alliances", colorscale="Blues")
    return Chart("Alliances by host city", figure_html(figure),
                 "cities with a boundary in the store; grey: no boundary value")


def write_overview(engine: Engine, region: str, output: Path, as_of: dt.date | None = None,
                   ) -> tuple[dict[str, Any], Path, Path]:
    """Write the overview as ``output``.html and ``output``.json."""
    found = overview(engine, region, as_of)
    chart = _map(engine, found)
    tables = [table(f"Alliances by {k}", pd.DataFrame(v)) for k, v in found["counts"].items()]
    tables.insert(0, table("Alerts", pd.DataFrame(found["alerts"]),
                           note=f"the charter check as of {found['as_of']}"))
    tables.append(table("The alliances", pd.DataFrame(found["list"])))
    html, json_path = write_outputs(found, output, lambda path: render(
        "report.html.j2", path, title=f"Regional overview of alliances, {region}",
        title_zh="区域联盟总览", subtitle=f"{found['alliances']} alliances hosted in {region}",
        method="Counts of the alliances whose host region lies in the region, from the store.",
        notes=[], charts=[chart] if chart else [], tables=tables))
    return found, html, json_path
