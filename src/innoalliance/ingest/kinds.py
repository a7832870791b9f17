"""The import schema of every kind, as data (column, type, required, unit, description)."""

from __future__ import annotations

from innoalliance.ingest.schema import Column, KindSchema
from innoalliance.model import (
    Alliance,
    Commitment,
    Contribution,
    Event,
    Industry,
    Membership,
    Need,
    Offer,
    Organization,
    Output,
    Project,
    Region,
    Statistic,
)
from innoalliance.model.vocab import (
    AllianceKind,
    AllianceStatus,
    CommitmentKind,
    EventType,
    MemberRole,
    OrgSize,
    OrgType,
    OutputType,
    ProjectStatus,
    RegionLevel,
    Stage,
)

_SOURCE = Column("source", "text", "where the figures come from; 'illustrative' if made up")
_ALLIANCE = Column("alliance", "ref", "Chinese name of the alliance", True, ref="alliances")
_MONEY = ("money",)


_REF = Column("ref", "text", "reference, unique within the alliance", True, max_length=64)


def _amount(description: str) -> Column:
    return Column(
        "amount",
        "quantity",
        description,
        True,
        dimensions=("money", "persons", "person_time"),
        unit_column="unit",
        minimum=0,
    )


def _org(name: str, description: str, required: bool = True) -> Column:
    return Column(name, "ref", description, required, ref="organizations")


REGIONS = KindSchema(
    "regions",
    Region,
    (
        Column("code", "division", "GB/T 2260 six-digit division code", True),
        Column("level", "enum", "province, prefecture or county", True, vocab=RegionLevel),
        Column("parent", "ref", "division code of the parent region", ref="regions"),
        Column("name_zh", "text", "Chinese name, e.g. 杭州市", True, max_length=100),
        Column("name_en", "text", "English name", max_length=200),
        _SOURCE,
    ),
    "administrative divisions (GB/T 2260); the built-in catalogue is loaded by init",
)

INDUSTRIES = KindSchema(
    "industries",
    Industry,
    (
        Column("code", "text", "industry code, unique across taxonomies", True, max_length=32),
        Column("taxonomy", "text", "taxonomy: nbs2018 or a regional one", True, max_length=32),
        Column("name_zh", "text", "Chinese name", True, max_length=200),
        Column("name_en", "text", "English name", max_length=200),
        Column("parent", "ref", "code of the parent industry", ref="industries"),
        Column("maps_to", "ref", "NBS 2018 code a regional industry maps onto", ref="industries"),
        _SOURCE,
    ),
    "industries of the NBS 2018 strategic emerging industry classification and regional ones",
)

ORGANIZATIONS = KindSchema(
    "organizations",
    Organization,
    (
        Column("credit_code", "credit_code", "unified social credit code (GB 32100-2015)", True),
        Column("name_zh", "text", "Chinese name", True, max_length=200),
        Column("name_en", "text", "English name", max_length=300),
        Column("type", "enum", "kind of organization", True, vocab=OrgType),
        Column("size", "enum", "enterprise size class", vocab=OrgSize),
        Column("region", "ref", "division code where it is registered", True, ref="regions"),
        Column("industries", "codes", "industry codes, separated by ';'", ref="industries"),
        Column("capability", "text", "what it can offer (free text)"),
        Column("need", "text", "what it needs (free text)"),
        _SOURCE,
    ),
    "firms, universities, institutes, government bodies, intermediaries, financiers",
)

ALLIANCES = KindSchema(
    "alliances",
    Alliance,
    (
        Column("name_zh", "text", "Chinese name (the alliance's key)", True, max_length=200),
        Column("name_en", "text", "English name", max_length=300),
        Column("kind", "enum", "one of the five Zhongguancun kinds", True, vocab=AllianceKind),
        Column("industry", "ref", "industry code", True, ref="industries"),
        Column("host_region", "ref", "division code of the host region", True, ref="regions"),
        _org("lead", "credit code of the lead organization", required=False),
        Column("stage", "enum", "life-cycle stage", vocab=Stage),
        Column("batch", "int", "approval batch", minimum=1),
        Column("approval_year", "year", "year of approval"),
        Column("status", "enum", "administrative status", True, vocab=AllianceStatus),
        _SOURCE,
    ),
    "industrial technology innovation strategic alliances",
)

MEMBERSHIPS = KindSchema(
    "memberships",
    Membership,
    (
        _ALLIANCE,
        _org("organization", "credit code of the member"),
        Column("role", "enum", "role in the alliance", True, vocab=MemberRole),
        Column("joined", "date", "date joined"),
        Column("left", "date", "date left, empty while a member"),
        _SOURCE,
    ),
    "who belongs to which alliance, in which role, from when to when",
)

COMMITMENTS = KindSchema(
    "commitments",
    Commitment,
    (
        _ALLIANCE,
        _REF,
        _org("organization", "credit code of the member who commits"),
        Column("kind", "enum", "capital, personnel, equipment or ip", True, vocab=CommitmentKind),
        _amount("amount committed (money for capital/equipment/ip, persons or person-time)"),
        Column("unit", "unit", "unit of amount: 元, 万元, 亿元, 人, 人年, …"),
        Column("due", "date", "due date"),
        Column("description", "text", "what exactly is promised"),
        _SOURCE,
    ),
    "what members promised the alliance",
)

CONTRIBUTIONS = KindSchema(
    "contributions",
    Contribution,
    (
        _ALLIANCE,
        _REF,
        Column(
            "commitment",
            "ref",
            "ref of the commitment delivered against",
            True,
            ref="commitments",
            within_alliance=True,
        ),
        _org("organization", "credit code of the member who delivered"),
        Column("date", "date", "date delivered", True),
        _amount("amount delivered, in a unit of the commitment's dimension"),
        Column("unit", "unit", "unit of amount"),
        Column("description", "text", "what was delivered"),
        _SOURCE,
    ),
    "what members delivered against their commitments",
)

_BUDGET = tuple(
    Column(
        f"budget_{channel}",
        "quantity",
        f"budget from {label}",
        dimensions=_MONEY,
        unit_column="budget_unit",
        minimum=0,
        default=0.0,
    )
    for channel, label in (
        ("government", "the government special fund"),
        ("bank", "bank credit"),
        ("venture", "the venture guidance fund"),
        ("members", "member contributions"),
        ("social", "social capital"),
    )
)

PROJECTS = KindSchema(
    "projects",
    Project,
    (
        _ALLIANCE,
        Column("name", "text", "project name, unique within the alliance", True, max_length=300),
        Column("key_technology", "text", "the key common technology worked on"),
        Column("status", "enum", "project status", True, vocab=ProjectStatus),
        Column("start", "date", "start date"),
        Column("end", "date", "end date"),
        Column(
            "participants", "codes", "credit codes of participating members, ';'",
            ref="organizations",
        ),
        *_BUDGET,
        Column("budget_unit", "unit", "unit of the budget columns: 元, 万元, 亿元, …"),
        Column("outcome", "text", "what came of it"),
        _SOURCE,
    ),
    "joint projects on key common technologies and their budgets by capital channel",
)

OUTPUTS = KindSchema(
    "outputs",
    Output,
    (
        _ALLIANCE,
        Column("name", "text", "output name, unique within the alliance", True, max_length=300),
        Column("type", "enum", "patent, standard, product or revenue", True, vocab=OutputType),
        Column(
            "project", "ref", "project it came from", ref="projects", within_alliance=True
        ),
        Column("date", "date", "date granted, published or earned"),
        Column("identifier", "text", "patent or standard number", max_length=100),
        Column(
            "value",
            "quantity",
            "value (money for revenue, or a count)",
            dimensions=("money", "count"),
            unit_column="unit",
            minimum=0,
        ),
        Column("unit", "unit", "unit of value"),
        Column(
            "owners",
            "owners",
            "owners and shares: 'credit_code:share;…', shares summing to 1",
            True,
            ref="organizations",
        ),
        _SOURCE,
    ),
    "patents, standards, products and revenue, with their owners' shares",
)

EVENTS = KindSchema(
    "events",
    Event,
    (
        _ALLIANCE,
        _REF,
        Column("type", "enum", "dispute, violation or report", True, vocab=EventType),
        Column("date", "date", "date of the event", True),
        _org("organization", "credit code of the member concerned", required=False),
        Column("description", "text", "what happened"),
        _SOURCE,
    ),
    "disputes, violations and reports",
)

STATISTICS = KindSchema(
    "statistics",
    Statistic,
    (
        Column("region", "ref", "division code", True, ref="regions"),
        Column("indicator", "text", "indicator name, e.g. GDP", True, max_length=200),
        Column("industry", "ref", "industry code; empty for all industries", ref="industries"),
        Column("year", "year", "year", True),
        Column(
            "value",
            "quantity",
            "the value",
            True,
            dimensions=(),
            unit_column="unit",
        ),
        Column("unit", "unit", "unit of value: 亿元, 万元, 人, 件, %, …"),
        _SOURCE,
    ),
    "regional statistics: region × indicator × industry × year",
)


def _knowledge(kind: str, model: type[Offer] | type[Need], what: str) -> KindSchema:
    return KindSchema(
        kind,
        model,
        (
            _org("organization", "credit code of the organization"),
            Column("title", "text", "title, unique for the organization", True, max_length=300),
            Column("text", "text", "full text", True),
            Column("industry", "ref", "industry code", ref="industries"),
            Column("keywords", "text", "keywords separated by ';'"),
            Column("published", "date", "date published"),
            _SOURCE,
        ),
        what,
    )


OFFERS = _knowledge("offers", Offer, "knowledge offered by suppliers")
NEEDS = _knowledge("needs", Need, "knowledge needed by receivers")

TABLE_KINDS: dict[str, KindSchema] = {
    s.kind: s
    for s in (
        REGIONS,
        INDUSTRIES,
        ORGANIZATIONS,
        ALLIANCES,
        MEMBERSHIPS,
        COMMITMENTS,
        PROJECTS,
        CONTRIBUTIONS,
        OUTPUTS,
        EVENTS,
        STATISTICS,
        OFFERS,
        NEEDS,
    )
}

#: Every KIND the CLI knows, in dependency order (a kind refers only to kinds before it).
ALL_KINDS: tuple[str, ...] = (
    "regions",
    "industries",
    "organizations",
    "alliances",
    "memberships",
    "commitments",
    "projects",
    "contributions",
    "outputs",
    "events",
    "statistics",
    "boundaries",
    "rasters",
    "offers",
    "needs",
)
