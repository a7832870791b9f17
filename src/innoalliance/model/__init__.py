"""SQLAlchemy 2 entities and the vocabularies of the domain model."""

from innoalliance.model.accounts import ApiToken, User, WebSession
from innoalliance.model.actors import Need, Offer, Organization, OrganizationIndustry
from innoalliance.model.alliance import Alliance, Membership
from innoalliance.model.base import Base, Entity
from innoalliance.model.charter import Charter as Charter
from innoalliance.model.geography import Industry, RasterLayer, Region
from innoalliance.model.ledger import (
    Commitment,
    Contribution,
    Event,
    Output,
    OutputOwner,
    Project,
    ProjectParticipant,
)
from innoalliance.model.lifecycle import AllianceTransition
from innoalliance.model.records import AuditEntry, Run, Statistic
from innoalliance.model.sharing import Allocation

__all__ = [
    "Alliance",
    "AllianceTransition",
    "Allocation",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Commitment",
    "Contribution",
    "Entity",
    "Event",
    "Industry",
    "Membership",
    "Need",
    "Offer",
    "Organization",
    "OrganizationIndustry",
    "Output",
    "OutputOwner",
    "Project",
    "ProjectParticipant",
    "RasterLayer",
    "Region",
    "Run",
    "Statistic",
    "User",
    "WebSession",
]
