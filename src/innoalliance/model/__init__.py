"""SQLAlchemy 2 entities and the vocabularies of the domain model."""

from .accounts import ApiToken, User
from .actors import Need, Offer, Organization, OrganizationIndustry
from .alliance import Alliance, Membership
from .base import Base, Entity
from .charter import Charter as Charter
from .geography import Industry, RasterLayer, Region
from .ledger import (
    Commitment,
    Contribution,
    Event,
    Output,
    OutputOwner,
    Project,
    ProjectParticipant,
)
from .lifecycle import AllianceTransition
from .records import AuditEntry, Run, Statistic
from .sharing import Allocation

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
]
