"""The append-only log of an alliance's life cycle: state transitions and member entry and exit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from innoalliance.model.base import CASCADE, Base


class AllianceTransition(Base):
    """One recorded step of an alliance's life: who did what, when, why, and from which inputs.

    ``kind`` is ``state`` (``from_state`` → ``to_state``, see
    :data:`innoalliance.workflows.govern.lifecycle.TRANSITIONS`) or ``member`` (``organization``
    joined
    or left: ``to_state`` is ``joined`` or ``left``, ``from_state`` the alliance's state at the
    time). ``inputs`` is JSON text. The rows are protected from UPDATE and DELETE by database
    triggers; ``organization`` is plain text so that the log never follows an edit of the
    organization register.
    """

    __tablename__ = "alliance_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alliance: Mapped[str] = mapped_column(ForeignKey("alliances.name_zh", **CASCADE), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(String(18))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)
    inputs: Mapped[str] = mapped_column(Text)
