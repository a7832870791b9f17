"""Alliances and their memberships."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Entity


class Alliance(Entity):
    """An industrial technology innovation strategic alliance (产业技术创新战略联盟)."""

    __tablename__ = "alliances"
    natural_key = ("name_zh",)

    name_zh: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    industry: Mapped[str] = mapped_column(ForeignKey("industries.code", **CASCADE))
    host_region: Mapped[str] = mapped_column(ForeignKey("regions.code", **CASCADE))
    lead: Mapped[str | None] = mapped_column(ForeignKey("organizations.credit_code", **CASCADE))
    stage: Mapped[str | None] = mapped_column(String(16))
    batch: Mapped[int | None] = mapped_column(Integer)
    approval_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))


class Membership(Entity):
    """An organization's membership of an alliance."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("alliance", "organization"),)
    natural_key = ("alliance", "organization")

    alliance: Mapped[str] = mapped_column(ForeignKey("alliances.name_zh", **CASCADE))
    organization: Mapped[str] = mapped_column(
        ForeignKey("organizations.credit_code", **CASCADE), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    joined: Mapped[dt.date | None] = mapped_column(Date)
    left: Mapped[dt.date | None] = mapped_column(Date)
