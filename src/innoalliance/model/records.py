"""Regional statistics, analysis runs and the append-only audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Base, Entity


class Statistic(Entity):
    """One value: region × indicator × industry (``""`` for all industries) × year.

    ``industry`` is the empty string, not NULL, for region totals so that the natural key is a
    plain unique constraint on both SQLite and PostgreSQL; imports check it against industries.
    """

    __tablename__ = "statistics"
    __table_args__ = (UniqueConstraint("region", "indicator", "industry", "year"),)
    natural_key = ("region", "indicator", "industry", "year")

    region: Mapped[str] = mapped_column(ForeignKey("regions.code", **CASCADE))
    indicator: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(32), default="")
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))


class Run(Base):
    """An analysis run: its inputs, parameters, software version and results (JSON text)."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    software_version: Mapped[str] = mapped_column(String(32))
    parameters: Mapped[str] = mapped_column(Text)
    inputs: Mapped[str] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))


class AuditEntry(Base):
    """Who did what to which records, when; rows are never updated nor deleted (triggers)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)



