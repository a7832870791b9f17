"""Domain rules across the columns of a row, per kind, as small named checks.

Each rule takes the typed rows and returns ``(position, column, value, rule)`` for each breach.
List columns (participants, owners) are checked against membership where they are parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
from sqlalchemy import func, select

from innoalliance.ingest.cells import is_blank
from innoalliance.ingest.known import Known
from innoalliance.ingest.limits import Limit
from innoalliance.ingest.schema import MAX_KEYWORDS, MAX_PER_ORGANIZATION, MAX_TEXT
from innoalliance.ingest.units import parse_unit
from innoalliance.model import Need, Offer

Breach = tuple[int, str, object, str]
Rule = Callable[[pd.DataFrame, Known], Iterator[Breach]]

_DIMENSION_OF_KIND = {
    "capital": ("money",),
    "equipment": ("money",),
    "ip": ("money",),
    "personnel": ("persons", "person_time"),
}


def _dimension(unit: object) -> str | None:
    parsed = None if is_blank(unit) else parse_unit(str(unit))
    return parsed.dimension if parsed else None


def check_period(start: str, end: str) -> Rule:
    """``end`` is not before ``start``."""

    def rule(rows: pd.DataFrame, _known: Known) -> Iterator[Breach]:
        for pos, (a, b) in enumerate(zip(rows[start], rows[end], strict=True)):
            if not is_blank(a) and not is_blank(b) and b < a:
                yield pos, end, b, f"{end} {b} is before {start} {a}"

    return rule


def check_member(column: str = "organization") -> Rule:
    """The organization in ``column`` is a member of the row's alliance."""

    def rule(rows: pd.DataFrame, known: Known) -> Iterator[Breach]:
        members = known.members()
        for pos, (alliance, org) in enumerate(zip(rows["alliance"], rows[column], strict=True)):
            if not is_blank(org) and (alliance, org) not in members:
                yield pos, column, org, "is not a member of this alliance; import memberships first"

    return rule


def check_commitment_units(rows: pd.DataFrame, _known: Known) -> Iterator[Breach]:
    """Capital, equipment and IP are valued in money; personnel in persons or person-time."""
    for pos, (kind, unit) in enumerate(zip(rows["kind"], rows["unit"], strict=True)):
        allowed = _DIMENSION_OF_KIND.get(str(kind))
        dim = _dimension(unit)
        if allowed and dim and dim not in allowed:
            yield pos, "unit", unit, f"a {kind} commitment is measured in {' or '.join(allowed)}"


def check_contribution_matches(rows: pd.DataFrame, known: Known) -> Iterator[Breach]:
    """A contribution is delivered by the committing member, in the commitment's dimension."""
    commitments = known.commitments()
    for pos, row in enumerate(rows[["alliance", "commitment", "organization", "unit"]].itertuples(
        index=False
    )):
        target = commitments.get((str(row.alliance), str(row.commitment)))
        if target is None:
            continue
        org, dim = target
        if not is_blank(row.organization) and row.organization != org:
            yield pos, "organization", row.organization, (
                f"commitment {row.commitment} was made by {org}, not this organization"
            )
        got = _dimension(row.unit)
        if got and dim and got != dim:
            yield pos, "unit", row.unit, f"commitment {row.commitment} is measured in {dim}"


def check_revenue_value(rows: pd.DataFrame, _known: Known) -> Iterator[Breach]:
    """Revenue outputs carry a money value."""
    for pos, (kind, value, unit) in enumerate(
        zip(rows["type"], rows["value"], rows["unit"], strict=True)
    ):
        if kind == "revenue" and (is_blank(value) or _dimension(unit) != "money"):
            yield pos, "value", value, "a revenue output needs a value in money (元, 万元, …)"


def check_parent_prefix(rows: pd.DataFrame, _known: Known) -> Iterator[Breach]:
    """A region's parent shares its province digits and sits at a higher level."""
    for pos, (code, parent) in enumerate(zip(rows["code"], rows["parent"], strict=True)):
        if is_blank(code) or is_blank(parent):
            continue
        if parent[:2] != code[:2] or parent == code:
            yield pos, "parent", parent, f"cannot be the parent of {code} (GB/T 2260 prefix)"


#: how much of an over-long cell a problem shows
PREVIEW = 20


def _preview(value: object) -> str:
    text = str(value)
    return text if len(text) <= PREVIEW else text[:PREVIEW] + "…"


def check_lengths(limits: dict[str, Limit]) -> Rule:
    """No cell of a column in ``limits`` is longer than its limit (issue 16 item 8); the
    problem gives the length and the maximum, and shows only the cell's beginning."""

    def rule(rows: pd.DataFrame, _known: Known) -> Iterator[Breach]:
        for column, bound in limits.items():
            limit = bound()
            for pos, value in enumerate(rows[column]):
                if isinstance(value, str) and len(value) > limit:
                    yield pos, column, _preview(value), (
                        f"is {len(value):,} characters long; at most {limit:,} are allowed")

    return rule


def check_per_organization(model: type[Offer] | type[Need],
                           bound: Limit = MAX_PER_ORGANIZATION) -> Rule:
    """No organization would hold more than ``bound()`` records of ``model`` once the rows are
    written (issue 16 item 8): stored ones count, a row whose (organization, title) is stored
    already updates it and adds none. One breach per organization, at its first new row."""
    kind = str(model.__tablename__)

    def rule(rows: pd.DataFrame, known: Known) -> Iterator[Breach]:
        limit = bound()
        orgs, titles = rows["organization"].tolist(), rows["title"].tolist()
        in_file: dict[str, set[str]] = {}
        for org, title in zip(orgs, titles, strict=True):
            if not is_blank(org) and not is_blank(title):
                in_file.setdefault(str(org), set()).add(str(title))
        stored: dict[str, int] = {}
        if in_file:
            stored = {str(o): int(n) for o, n in known.session.execute(
                select(model.organization, func.count()).group_by(model.organization))}
        at_risk = sorted(o for o, t in in_file.items() if stored.get(o, 0) + len(t) > limit)
        for org in at_risk:
            have = set(known.session.scalars(select(model.title)
                                             .where(model.organization == org)))
            new = in_file[org] - have
            total = len(have) + len(new)
            if total <= limit:
                continue
            first = next(pos for pos, (o, t) in enumerate(zip(orgs, titles, strict=True))
                         if o == org and t in new)
            yield first, "organization", org, (
                f"this import would give the organization {total:,} {kind} "
                f"({len(have):,} stored, {len(new):,} new); at most {limit:,} are allowed "
                "per organization")

    return rule


KIND_RULES: dict[str, tuple[Rule, ...]] = {
    "regions": (check_parent_prefix,),
    "memberships": (check_period("joined", "left"),),
    "commitments": (check_member(), check_commitment_units),
    "contributions": (check_member(), check_contribution_matches),
    "projects": (check_period("start", "end"),),
    "outputs": (check_revenue_value,),
    "events": (),
    "offers": (check_lengths({"text": MAX_TEXT, "keywords": MAX_KEYWORDS}),
               check_per_organization(Offer)),
    "needs": (check_lengths({"text": MAX_TEXT, "keywords": MAX_KEYWORDS}),
              check_per_organization(Need)),
}
