"""Declarative base: surrogate ``id``, optimistic-concurrency ``version``, constraint names."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Natural-key foreign keys follow a rename of the key they point at.
CASCADE: dict[str, Any] = {"onupdate": "CASCADE"}


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)


class Entity(Base):
    """A record people edit: surrogate key, natural key, version counter and provenance.

    ``version`` is SQLAlchemy's version counter: an ORM update of a row whose version moved on
    since it was read raises ``StaleDataError`` instead of silently overwriting the other edit.
    """

    __abstract__ = True
    natural_key: ClassVar[tuple[str, ...]]

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    source: Mapped[str | None] = mapped_column(String(500))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}
