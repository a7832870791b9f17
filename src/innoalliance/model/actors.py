"""Organizations, their industries, and their knowledge offers and needs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Base, Entity


class Organization(Entity):
    """A firm, university, institute, government body, intermediary or financial institution."""

    __tablename__ = "organizations"
    natural_key = ("credit_code",)

    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(32))
    size: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(ForeignKey("regions.code", **CASCADE), index=True)
    capability: Mapped[str | None] = mapped_column(Text)
    need: Mapped[str | None] = mapped_column(Text)


class OrganizationIndustry(Base):
    """Which industries an organization works in (the ``industries`` list column)."""

    __tablename__ = "organization_industries"

    organization: Mapped[str] = mapped_column(
        ForeignKey("organizations.credit_code", ondelete="CASCADE", **CASCADE), primary_key=True
    )
    industry: Mapped[str] = mapped_column(
        ForeignKey("industries.code", **CASCADE), primary_key=True
    )


class _Knowledge(Entity):
    __abstract__ = True
    natural_key = ("organization", "title")

    organization: Mapped[str] = mapped_column(ForeignKey("organizations.credit_code", **CASCADE))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(ForeignKey("industries.code", **CASCADE))
    keywords: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.date | None] = mapped_column(Date)


class Offer(_Knowledge):
    """Knowledge a supplier (university, institute, firm) offers."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("organization", "title"),)


class Need(_Knowledge):
    """Knowledge a receiver (usually a firm) needs."""

    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("organization", "title"),)
