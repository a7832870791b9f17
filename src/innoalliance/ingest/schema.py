"""The shape of an import schema: one :class:`Column` per column, one :class:`KindSchema` a kind.

The schemas themselves are data, in :mod:`innoalliance.ingest.kinds`; validation, export, the
templates and the reference page in ``docs/`` are all driven by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from innoalliance.ingest.limits import Limit
from innoalliance.model import Entity

Vocabulary = type[StrEnum]


#: Most characters in an offer's or need's ``text`` (issue 16 item 8); a longer cell is refused
#: on import and the matching engine reads no more of a stored one.
#: Set ``INNOALLIANCE_MAX_TEXT`` to change it.
MAX_TEXT = Limit("INNOALLIANCE_MAX_TEXT", 5_000)
#: Most characters in an offer's or need's ``keywords`` (``INNOALLIANCE_MAX_KEYWORDS``).
MAX_KEYWORDS = Limit("INNOALLIANCE_MAX_KEYWORDS", 500)
#: Most offers, and most needs, one organization may hold in the store: an import that would
#: leave it with more is refused whole (``INNOALLIANCE_MAX_PER_ORGANIZATION``).
MAX_PER_ORGANIZATION = Limit("INNOALLIANCE_MAX_PER_ORGANIZATION", 500)

ColumnType = Literal[
    "text",  # free text
    "int",  # whole number
    "year",  # calendar year, 1949..2100
    "float",  # real number
    "date",  # ISO date (also 2014/07/01, 2014.07.01, Excel dates)
    "enum",  # one of a vocabulary
    "division",  # 6-digit GB/T 2260 code
    "credit_code",  # 18-character unified social credit code, check character verified
    "ref",  # the natural key of another kind
    "codes",  # ';'-separated natural keys of another kind
    "owners",  # ';'-separated 'credit_code:share' pairs
    "quantity",  # a number whose unit is given by ``unit_column`` or declared for the file
    "unit",  # the unit of a quantity column
]


@dataclass(frozen=True)
class Column:
    """One column of an import file and of its export."""

    name: str
    type: ColumnType
    description: str
    required: bool = False
    vocab: Vocabulary | None = None
    ref: str | None = None  # kind referred to by ref / codes / owners columns
    within_alliance: bool = False  # the ref is keyed within the row's alliance
    dimensions: tuple[str, ...] = ()  # allowed unit dimensions of a quantity column
    unit_column: str | None = None  # for quantity columns: the column holding the unit
    max_length: int | None = None
    minimum: float | None = None
    default: float | None = None  # value of an empty quantity cell (a budget channel: 0)


@dataclass(frozen=True)
class KindSchema:
    """An importable kind: its table, its natural key and its columns in export order."""

    kind: str
    model: type[Entity]
    columns: tuple[Column, ...]
    description: str

    @property
    def key(self) -> tuple[str, ...]:
        """The natural key: the columns that identify a record (upserts match on them)."""
        return self.model.natural_key

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Column names in export order."""
        return [c.name for c in self.columns]

    @property
    def stored_columns(self) -> list[str]:
        """Columns that are columns of the kind's own table (not list or file-only columns)."""
        table = self.model.__table__.c
        return [c.name for c in self.columns if c.name in table]
