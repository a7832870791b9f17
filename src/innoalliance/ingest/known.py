"""What the store already holds, for checking references: keys, names, memberships."""

from __future__ import annotations

from functools import cache
from typing import Literal

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import UnknownReference
from innoalliance.ingest.cells import closest
from innoalliance.ingest.units import parse_unit
from innoalliance.model import (
    Alliance,
    Commitment,
    Industry,
    Membership,
    Organization,
    Project,
    Region,
)

_SINGLE = {
    "regions": (Region.code, Region.name_zh),
    "industries": (Industry.code, Industry.name_zh),
    "organizations": (Organization.credit_code, Organization.name_zh),
    "alliances": (Alliance.name_zh, Alliance.name_en),
}


class Known:
    """Lazily loaded sets of the keys in the store, plus keys a file is adding itself."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.extra: dict[str, set[str]] = {}
        self.keys = cache(self._keys)
        self.names = cache(self._names)
        self.members = cache(self._members)
        self.commitments = cache(self._commitments)
        self.projects = cache(self._projects)

    def _keys(self, kind: str) -> frozenset[str]:
        key_col = _SINGLE[kind][0]
        return frozenset(self.session.scalars(select(key_col)))

    def has(self, kind: str, value: str) -> bool:
        """Whether ``value`` is a key of ``kind`` in the store or in the file being imported."""
        return value in self.keys(kind) or value in self.extra.get(kind, ())

    def candidates(self, kind: str) -> list[str]:
        """All keys of ``kind``, for suggestions."""
        return sorted(self.keys(kind) | self.extra.get(kind, set()))

    def _names(self, kind: str) -> dict[str, str]:
        key_col, name_col = _SINGLE[kind]
        rows = self.session.execute(select(name_col, key_col)).all()
        return {str(name): str(key) for name, key in rows if name}

    def _members(self) -> frozenset[tuple[str, str]]:
        rows = self.session.execute(select(Membership.alliance, Membership.organization))
        return frozenset((a, o) for a, o in rows)

    def _commitments(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(alliance, ref) → (organization, unit dimension) of every commitment."""
        rows = self.session.execute(
            select(Commitment.alliance, Commitment.ref, Commitment.organization, Commitment.unit)
        )
        out: dict[tuple[str, str], tuple[str, str]] = {}
        for alliance, ref, org, unit in rows:
            parsed = parse_unit(unit)
            out[(alliance, ref)] = (org, parsed.dimension if parsed else "")
        return out

    def _projects(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.session.execute(select(Project.alliance, Project.name)))


#: the records a name or code is looked up in, and the column that holds it
Referable = Literal["alliances", "organizations"]
_KEY = {"alliances": Alliance.name_zh, "organizations": Organization.credit_code}


def unknown(db: Engine | Connection | Session, kind: Referable, value: str) -> UnknownReference:
    """The error for an alliance (Chinese name) or organization (credit code) the store does
    not hold, naming the closest one it does."""
    if isinstance(db, Engine):
        with db.connect() as conn:
            return unknown(conn, kind, value)
    known = [str(v) for v in db.scalars(select(_KEY[kind]))]
    return UnknownReference(kind, value, closest(value, known) if known else None,
                            listed_as=kind)


def require_known(db: Engine | Connection | Session, kind: Referable, value: str) -> None:
    """Refuse, with the closest known value, an alliance name or credit code not in the store."""
    if isinstance(db, Engine):
        with db.connect() as conn:
            return require_known(conn, kind, value)
    key = _KEY[kind]
    if db.scalars(select(key).where(key == value).limit(1)).first() is None:
        raise unknown(db, kind, value)
    return None
