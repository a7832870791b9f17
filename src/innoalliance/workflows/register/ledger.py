"""The alliance ledger read from the store into typed frames, once per evaluation or rating.

Dates become ``datetime64``, amounts stay in their stored units (money in yuan), and list tables
(project participants, output owners) come as long frames beside their parents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from innoalliance.ingest.known import unknown
from innoalliance.model import (
    Alliance,
    Commitment,
    Contribution,
    Event,
    Membership,
    Organization,
    Output,
    OutputOwner,
    Project,
    ProjectParticipant,
    Region,
    Statistic,
)
from innoalliance.store.engine import require_current

_DATES = {
    "memberships": ("joined", "left"),
    "commitments": ("due",),
    "contributions": ("date",),
    "projects": ("start", "end"),
    "outputs": ("date",),
    "events": ("date",),
}


@dataclass(frozen=True)
class Ledger:
    """Every alliance's record, as frames (one per table)."""

    alliances: pd.DataFrame
    memberships: pd.DataFrame  # with the organization's ``type`` and ``name_zh``
    commitments: pd.DataFrame
    contributions: pd.DataFrame
    projects: pd.DataFrame  # with ``budget`` (all channels) and ``government`` columns
    participants: pd.DataFrame
    outputs: pd.DataFrame
    owners: pd.DataFrame
    events: pd.DataFrame


def select_frame(engine: Engine, *columns: object, where: object = None) -> pd.DataFrame:
    """The rows of a SELECT of ``columns`` (optionally filtered) as a frame of objects."""
    query = select(*columns)  # type: ignore[call-overload]
    if where is not None:
        query = query.where(where)
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()), dtype=object)


def _dates(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def read_ledger(engine: Engine, alliance: str | None = None) -> Ledger:
    """The ledger of every alliance, or of one (by its Chinese name)."""
    require_current(engine)

    def of(model: type) -> pd.DataFrame:
        table = model.__table__  # type: ignore[attr-defined]
        cond = None if alliance is None else table.c.alliance == alliance
        return select_frame(engine, *table.c, where=cond)

    alliances = select_frame(engine, *Alliance.__table__.c,
                       where=None if alliance is None else Alliance.name_zh == alliance)
    orgs = select_frame(engine, Organization.credit_code, Organization.name_zh, Organization.type)
    memberships = of(Membership).merge(
        orgs.rename(columns={"credit_code": "organization"}), on="organization", how="left")
    projects = of(Project)
    channels = ["budget_government", "budget_bank", "budget_venture", "budget_members",
                "budget_social"]
    projects[channels] = projects[channels].astype(float).fillna(0.0)
    projects["budget"] = projects[channels].sum(axis=1)
    frames = {
        "memberships": memberships,
        "commitments": of(Commitment),
        "contributions": of(Contribution),
        "projects": projects,
        "outputs": of(Output),
        "events": of(Event),
    }
    for name, columns in _DATES.items():
        _dates(frames[name], columns)
    for name, column in (("commitments", "amount"), ("contributions", "amount"),
                         ("outputs", "value")):
        frames[name][column] = frames[name][column].astype(float)
    owners = of(OutputOwner)
    owners["share"] = owners["share"].astype(float)
    return Ledger(alliances=alliances, participants=of(ProjectParticipant), owners=owners,
                  **frames)


def alliance_ledger(engine: Engine, alliance: str) -> Ledger:
    """The ledger of one alliance (by its Chinese name); an unknown name is refused with the
    closest known one."""
    led = read_ledger(engine, alliance)
    if led.alliances.empty:
        raise unknown(engine, "alliances", alliance)
    return led


def read_statistics(engine: Engine, indicators: list[str], years: list[int]) -> pd.DataFrame:
    """Statistics of all regions for the given indicators and years (industry '' = all)."""
    require_current(engine)
    frame = select_frame(engine, Statistic.region, Statistic.indicator, Statistic.industry,
                   Statistic.year, Statistic.value,
                   where=Statistic.indicator.in_(indicators) & Statistic.year.in_(years))
    frame["value"] = frame["value"].astype(float)
    frame["year"] = frame["year"].astype(int)
    return frame


def region_names(engine: Engine, codes: list[str]) -> dict[str, str]:
    """Chinese names of regions by code."""
    frame = select_frame(engine, Region.code, Region.name_zh, where=Region.code.in_(codes))
    return dict(zip(frame["code"], frame["name_zh"], strict=True))


def delivered(commitments: pd.DataFrame, contributions: pd.DataFrame,
              as_of: pd.Timestamp) -> pd.Series:
    """What was delivered against each commitment up to ``as_of`` (in its stored unit), aligned
    with ``commitments``' rows; 0 where nothing was."""
    done = contributions[contributions["date"] <= as_of]
    sums = done.groupby(["alliance", "commitment"])["amount"].sum()
    keys = pd.MultiIndex.from_arrays([commitments["alliance"], commitments["ref"]])
    return pd.Series(sums.reindex(keys).fillna(0.0).to_numpy(dtype=np.float64),
                     index=commitments.index)
