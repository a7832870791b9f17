"""Agreed allocations of profit, cost and risk: an append-only, hash-chained record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import Base


class Allocation(Base):
    """One agreed allocation with its inputs, rule, parameters and result.

    ``hash`` is the SHA-256 of the previous entry's hash and this entry's canonical content, so
    changing any recorded entry breaks every hash after it; the rows are also protected from
    UPDATE and DELETE by database triggers. ``alliance`` is plain text, not a foreign key: a
    renamed alliance must not rewrite what was agreed under its old name.
    """

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    alliance: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # no forks in the chain
    hash: Mapped[str] = mapped_column(String(64), unique=True)
