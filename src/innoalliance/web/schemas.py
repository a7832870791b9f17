"""Response models of the read-only API (``/api/v1``); ``/openapi.json`` documents them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class AllianceSummary(BaseModel):
    """One alliance of the registry."""

    name_zh: str
    name_en: str | None
    kind: str
    industry: str
    host_region: str
    lead: str | None
    stage: str | None
    batch: int | None
    approval_year: int | None
    status: str


class AlliancePage(BaseModel):
    """A page of the registry: ``total`` matches, ``page`` (1-based) of ``page_size``."""

    total: int
    page: int
    page_size: int
    items: list[AllianceSummary]


class Member(BaseModel):
    """A member organization and its role."""

    name_zh: str
    name_en: str | None
    type: str
    role: str


class ProjectOut(BaseModel):
    """A project of the alliance."""

    name: str
    status: str
    start: dt.date | None
    end: dt.date | None


class OutputOut(BaseModel):
    """An output (patent, standard, product, ...) of the alliance."""

    name: str
    type: str
    date: dt.date | None


class Grade(BaseModel):
    """The alliance's latest activity grade (index system ``alliance_activity``)."""

    system: str
    year: int
    grade: str
    score: float


class AllianceDetail(AllianceSummary):
    """An alliance with its members, projects, outputs and grade (``null``: not evaluated)."""

    members: list[Member]
    projects: list[ProjectOut]
    outputs: list[OutputOut]
    grade: Grade | None


class RegionOut(BaseModel):
    """A GB/T 2260 region."""

    code: str
    level: str
    parent: str | None
    name_zh: str
    name_en: str | None
    has_boundary: bool


class KnowledgeOut(BaseModel):
    """A technology offer or need on the board."""

    title: str
    organization: str
    organization_name: str
    industry: str | None
    keywords: str | None
    published: dt.date | None


class ErrorOut(BaseModel):
    """A user error: its type, message and hint (e.g. the closest known name)."""

    error: str
    message: str
    hint: str | None = None
