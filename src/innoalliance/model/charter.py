"""Alliance charters (联盟章程/协议) as data: every adopted version, never overwritten."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Base


class Charter(Base):
    """One version of an alliance's charter: obligations, IP, benefit sharing, penalties, disputes.

    ``document`` is the checked charter as canonical JSON text (see ``docs/charters.md``);
    importing a charter again adds the next ``version`` and leaves the earlier ones as they were.
    """

    __tablename__ = "charters"
    __table_args__ = (UniqueConstraint("alliance", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alliance: Mapped[str] = mapped_column(ForeignKey("alliances.name_zh", **CASCADE))
    version: Mapped[int] = mapped_column(Integer)
    adopted: Mapped[dt.date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
