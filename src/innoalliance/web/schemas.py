"""Request and response models of the API (``/api/v1``); ``/openapi.json`` documents them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

MAX_ROWS = 10_000
Cell = str | int | float | bool | None
Item = TypeVar("Item", bound=BaseModel)


class Page(BaseModel, Generic[Item]):
    """A page of a list (issue 16 item 9): ``total`` rows match, ``items`` are ``limit`` of them
    (at most 200) from ``offset`` (0-based) on."""

    total: int
    limit: int
    offset: int
    items: list[Item]


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


class AlliancePage(Page[AllianceSummary]):
    """A page of the registry: ``total`` matches, ``items`` are ``limit`` (default 20, at most
    200) from ``offset`` on; ``page`` (1-based) and ``page_size`` (= ``limit``) say the same
    for clients that page by number."""

    page: int
    page_size: int


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
    """An alliance with its members, projects, outputs and grade (``null``: not evaluated):
    of each list ``limit`` (at most 200) from ``offset`` on, and how many there are in all
    (``members_total``, ``projects_total``, ``outputs_total``)."""

    limit: int
    offset: int
    members_total: int
    members: list[Member]
    projects_total: int
    projects: list[ProjectOut]
    outputs_total: int
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


RegionPage = Page[RegionOut]


class KnowledgeOut(BaseModel):
    """A technology offer or need on the board."""

    title: str
    organization: str
    organization_name: str
    industry: str | None
    keywords: str | None
    published: dt.date | None


KnowledgePage = Page[KnowledgeOut]


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
    """A page of the records of one kind in one scope, in the import layout, each with its
    ``version``: ``total`` of them, ``records`` are ``limit`` (at most 200) from ``offset``."""

    kind: str
    scope: dict[str, str]
    total: int
    limit: int
    offset: int
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
