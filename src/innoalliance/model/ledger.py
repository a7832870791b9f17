"""The alliance ledger: commitments, contributions, projects, outputs and events.

Every record is keyed within its alliance (``ref`` or ``name``); amounts are stored in the stored
unit of their dimension (money in yuan), see :mod:`innoalliance.ingest.units`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Base, Entity

_ALLIANCE = "alliances.name_zh"
_ORG = "organizations.credit_code"


class Commitment(Entity):
    """What a member promised: capital, personnel, equipment or IP, by a due date."""

    __tablename__ = "commitments"
    __table_args__ = (UniqueConstraint("alliance", "ref"),)
    natural_key = ("alliance", "ref")

    alliance: Mapped[str] = mapped_column(ForeignKey(_ALLIANCE, **CASCADE))
    ref: Mapped[str] = mapped_column(String(64))
    organization: Mapped[str] = mapped_column(ForeignKey(_ORG, **CASCADE))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    due: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)


class Contribution(Entity):
    """What a member delivered against one of its commitments."""

    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("alliance", "ref"),
        ForeignKeyConstraint(
            ["alliance", "commitment"], ["commitments.alliance", "commitments.ref"], **CASCADE
        ),
    )
    natural_key = ("alliance", "ref")

    alliance: Mapped[str] = mapped_column(ForeignKey(_ALLIANCE, **CASCADE))
    ref: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    organization: Mapped[str] = mapped_column(ForeignKey(_ORG, **CASCADE))
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)


class Project(Entity):
    """A joint project on a key common technology, with its budget by capital channel (元)."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("alliance", "name"),)
    natural_key = ("alliance", "name")

    alliance: Mapped[str] = mapped_column(ForeignKey(_ALLIANCE, **CASCADE))
    name: Mapped[str] = mapped_column(String(300))
    key_technology: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    budget_government: Mapped[float] = mapped_column(Float, default=0.0)
    budget_bank: Mapped[float] = mapped_column(Float, default=0.0)
    budget_venture: Mapped[float] = mapped_column(Float, default=0.0)
    budget_members: Mapped[float] = mapped_column(Float, default=0.0)
    budget_social: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str | None] = mapped_column(Text)


class ProjectParticipant(Base):
    """An organization taking part in a project (the ``participants`` list column)."""

    __tablename__ = "project_participants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["alliance", "project"],
            ["projects.alliance", "projects.name"],
            ondelete="CASCADE",
            **CASCADE,
        ),
    )

    alliance: Mapped[str] = mapped_column(String(200), primary_key=True)
    project: Mapped[str] = mapped_column(String(300), primary_key=True)
    organization: Mapped[str] = mapped_column(ForeignKey(_ORG, **CASCADE), primary_key=True)


class Output(Entity):
    """A patent, standard, product or revenue stream, owned in shares by organizations."""

    __tablename__ = "outputs"
    __table_args__ = (
        UniqueConstraint("alliance", "name"),
        ForeignKeyConstraint(
            ["alliance", "project"], ["projects.alliance", "projects.name"], **CASCADE
        ),
    )
    natural_key = ("alliance", "name")

    alliance: Mapped[str] = mapped_column(ForeignKey(_ALLIANCE, **CASCADE))
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(16))
    project: Mapped[str | None] = mapped_column(String(300))
    date: Mapped[dt.date | None] = mapped_column(Date)
    identifier: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))


class OutputOwner(Base):
    """An owner's share of an output (the ``owners`` list column, ``code:share``)."""

    __tablename__ = "output_owners"
    __table_args__ = (
        ForeignKeyConstraint(
            ["alliance", "output"],
            ["outputs.alliance", "outputs.name"],
            ondelete="CASCADE",
            **CASCADE,
        ),
    )

    alliance: Mapped[str] = mapped_column(String(200), primary_key=True)
    output: Mapped[str] = mapped_column(String(300), primary_key=True)
    organization: Mapped[str] = mapped_column(ForeignKey(_ORG, **CASCADE), primary_key=True)
    share: Mapped[float] = mapped_column(Float)


class Event(Entity):
    """A dispute, violation or report recorded against an alliance (and maybe a member)."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("alliance", "ref"),)
    natural_key = ("alliance", "ref")

    alliance: Mapped[str] = mapped_column(ForeignKey(_ALLIANCE, **CASCADE))
    ref: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date] = mapped_column(Date)
    organization: Mapped[str | None] = mapped_column(ForeignKey(_ORG, **CASCADE))
    description: Mapped[str | None] = mapped_column(Text)
