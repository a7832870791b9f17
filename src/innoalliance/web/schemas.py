"""Request and response models of the API (``/api/v1``); ``/openapi.json`` documents them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

MAX_ROWS = 10_000
Cell = str | int | float | bool | None


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


class RowsIn(BaseModel):
    """Rows to write, as an import file would hold them (column → cell); a row may carry the
    ``version`` its writer read, and may leave out the scope's column (it is filled in)."""

    rows: list[dict[str, Cell]] = Field(min_length=1, max_length=MAX_ROWS)


class RecordsOut(BaseModel):
    """The records of one kind in one scope, in the import layout, each with its ``version``."""

    kind: str
    scope: dict[str, str]
    records: list[dict[str, Any]]


class ProblemOut(BaseModel):
    """One broken rule: row (1 = the first row sent), column, value, rule, closest known."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    suggestion: str | None


class WriteErrorOut(BaseModel):
    """Why nothing was written: the error, its message and hint, and every problem (422) or
    the version now stored and who changed it when (409)."""

    error: str
    message: str
    hint: str | None = None
    problems: list[ProblemOut] = []
    version: int | None = None
    actor: str | None = None
    at: str | None = None
