"""The signed-in user's own part: login and logout, the member's own page (``/me`` and
``/api/v1/me``: memberships, commitments with delivery, contributions, outputs, credit rating,
offers and needs, suggested matches) and an alliance's secretariat page.

Every route here depends on :func:`~innoalliance.web.access.require` (or is public in
:data:`~innoalliance.web.access.RULES`); every POST form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from fastapi import Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, and_, select

from innoalliance.errors import InnoallianceError, UnknownReference
from innoalliance.ingest.indexsystem import load_system
from innoalliance.ingest.schema import MAX_PER_ORGANIZATION
from innoalliance.methods.governance.enforcement import delivery_status
from innoalliance.model import (
    Membership,
    Need,
    Offer,
    Organization,
    Output,
    OutputOwner,
    User,
)
from innoalliance.web.access import allowed, require
from innoalliance.web.auth import Principal
from innoalliance.web.context import (
    API,
    CSRF,
    FIRST_DATE,
    LAST_DATE,
    DateInRange,
    EngineDep,
    get_auth,
    page,
)
from innoalliance.web.routing import Routes
from innoalliance.web.schemas import ErrorOut
from innoalliance.web.suggest import member_matches
from innoalliance.workflows.evaluate.credit import rate_members
from innoalliance.workflows.register.export import json_value
from innoalliance.workflows.register.ledger import alliance_ledger, delivered, read_ledger
from innoalliance.workflows.register.records import ALLIANCE_KINDS

CREDIT_SYSTEM = "member_contribution"

AsOf = Annotated[DateInRange, Query(
    description=f"rating date (YYYY-MM-DD, {FIRST_DATE} to {LAST_DATE}); default today")]
Next = Annotated[str, Form(max_length=500)]

routes = Routes()


# -- data ----------------------------------------------------------------------------------------

def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: json_value(row[c]) for c in columns} for _, row in frame.iterrows()]


def _delivery(commitments: pd.DataFrame, contributions: pd.DataFrame,
              as_of: dt.date) -> list[dict[str, Any]]:
    """Commitments with what was delivered against them by ``as_of``, and their status."""
    when = pd.Timestamp(as_of)
    got = delivered(commitments, contributions, when).to_numpy()
    promised = commitments["amount"].fillna(0.0).to_numpy(dtype=float)
    share = np.minimum(1.0, np.divide(got, promised, out=np.ones_like(got), where=promised > 0))
    status = delivery_status(promised - got, got, (commitments["due"] < when).to_numpy())
    items = _records(commitments, ["alliance", "ref", "organization", "kind", "amount", "unit",
                                   "due", "description"])
    return [{**item, "delivered": float(g), "delivered_share": round(float(s), 4),
             "status": str(st)} for item, g, s, st in zip(items, got, share, status, strict=True)]


def _credit(engine: Engine, alliance: str, organization: str, as_of: dt.date,
            ) -> dict[str, Any]:
    try:
        ratings = rate_members(engine, alliance, as_of=as_of, system=load_system(CREDIT_SYSTEM))
    except InnoallianceError as exc:
        return {"alliance": alliance, "as_of": as_of.isoformat(), "error": exc.message}
    mine = ratings.members[ratings.members["organization"] == organization]
    if mine.empty:
        return {"alliance": alliance, "as_of": as_of.isoformat(), "error": "not rated"}
    row = mine.iloc[0]
    drivers = {c.removeprefix("driver: "): json_value(row[c]) for c in mine.columns
               if c.startswith("driver: ")}
    evidence = ratings.evidence[ratings.evidence["organization"] == organization]
    return {"alliance": alliance, "as_of": as_of.isoformat(),
            **{k: json_value(row[k]) for k in ("grade", "score", "behaviour_score",
                                               "index_score", "confidence")},
            "drivers": drivers,
            "evidence": _records(evidence, ["date", "category", "positive", "negative", "what"])}


def member_view(engine: Engine, organization: str, as_of: dt.date) -> dict[str, Any]:
    """One organization's own record: memberships, commitments with delivery, contributions,
    outputs, credit rating (with drivers) in each alliance, and its offers and needs."""
    with engine.connect() as conn:
        org = conn.execute(select(Organization.credit_code, Organization.name_zh,
                                  Organization.name_en, Organization.type)
                           .where(Organization.credit_code == organization)).mappings().first()
        if org is None:
            raise UnknownReference("organizations", organization)
        memberships = [dict(r) for r in conn.execute(
            select(Membership.alliance, Membership.role, Membership.joined, Membership.left)
            .where(Membership.organization == organization)
            .order_by(Membership.alliance)).mappings()]
        outputs = [dict(r) for r in conn.execute(
            select(Output.alliance, Output.name, Output.type, Output.date, OutputOwner.share)
            .join(OutputOwner, and_(OutputOwner.alliance == Output.alliance,
                                    OutputOwner.output == Output.name))
            .where(OutputOwner.organization == organization)
            .order_by(Output.alliance, Output.name)).mappings()]
        knowledge = {
            name: [dict(r) for r in conn.execute(
                select(model.title, model.industry, model.keywords, model.published)
                .where(model.organization == organization).order_by(model.title)
                .limit(MAX_PER_ORGANIZATION())).mappings()]
            for name, model in (("offers", Offer), ("needs", Need))}
    commitments: list[dict[str, Any]] = []
    contributions: list[dict[str, Any]] = []
    credit = []
    for membership in memberships:
        alliance = membership["alliance"]
        led = read_ledger(engine, alliance)
        own_c = led.commitments[led.commitments["organization"] == organization]
        own_d = led.contributions[led.contributions["organization"] == organization]
        commitments += _delivery(own_c, own_d, as_of)
        contributions += _records(own_d, ["alliance", "ref", "commitment", "organization", "date",
                                          "amount", "unit", "description"])
        credit.append(_credit(engine, alliance, organization, as_of))
    plain = {k: json_value(v) for k, v in org.items()}
    return {"organization": plain, "as_of": as_of.isoformat(),
            "memberships": [{k: json_value(v) for k, v in m.items()} for m in memberships],
            "commitments": commitments, "contributions": contributions,
            "outputs": [{k: json_value(v) for k, v in o.items()} for o in outputs],
            "credit": credit,
            "offers": [{k: json_value(v) for k, v in o.items()} for o in knowledge["offers"]],
            "needs": [{k: json_value(v) for k, v in o.items()} for o in knowledge["needs"]],
            "matches": member_matches(engine, organization)}


def secretariat_view(engine: Engine, alliance: str, as_of: dt.date) -> dict[str, Any]:
    """An alliance's members and its commitments with delivery, for its secretariat."""
    led = alliance_ledger(engine, alliance)
    members = _records(led.memberships, ["organization", "name_zh", "role", "joined", "left"])
    return {"alliance": alliance, "as_of": as_of.isoformat(), "members": members,
            "commitments": _delivery(led.commitments, led.contributions, as_of)}



# -- sign in and out -----------------------------------------------------------------------------

def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _landing(user: User) -> str:
    if user.role == "member":
        return "/me"
    if user.role in ("secretariat", "committee") and user.alliance:
        return f"/alliances/{quote(user.alliance)}/secretariat"
    if user.role == "admin":
        return "/admin/users"
    return "/"


@routes.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request,
               next: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    """The login form, going on to ``next`` (a path of this site) once signed in."""
    return page(request, "login.html", next=_safe_next(next) or "", error=None)


@routes.post("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=CSRF)
def login(request: Request,
          username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)],
          next: Next = "") -> Response:
    """Sign in, starting a session kept on the server. At most a few failures per user name
    and client, and a few more per user name from any client, in a while
    (:class:`~innoalliance.web.auth.LoginLimiter`, issue 16 item 15); the client is the
    connection's peer unless ``serve`` was told to trust a reverse proxy's headers."""
    auth = get_auth(request)
    client = request.client.host if request.client else "?"
    if auth.limiter.blocked(username, client):
        return page(request, "login.html", 429, next=_safe_next(next) or "",
                    error="login_throttled")
    user = auth.login(username, password)
    if user is None:
        auth.limiter.failed(username, client)
        return page(request, "login.html", 401, next=_safe_next(next) or "",
                    error="login_failed")
    auth.limiter.succeeded(username, client)
    auth.start(request, user.id)
    response = RedirectResponse(_safe_next(next) or _landing(user), status_code=303)
    auth.write_cookie(request, response)
    return response


@routes.post("/logout", include_in_schema=False, dependencies=CSRF)
def logout(request: Request, _user: Annotated[Principal, Depends(require("logout"))],
           ) -> Response:
    """Sign out, back to the home page: the session is revoked on the server, so a copy of
    the cookie stops working too (issue 16 item 14)."""
    auth = get_auth(request)
    auth.end(request)
    response = RedirectResponse("/", status_code=303)
    auth.write_cookie(request, response)
    return response


# -- own pages -----------------------------------------------------------------------------------

@routes.get("/me", response_class=HTMLResponse, include_in_schema=False)
def me_page(request: Request, user: Annotated[Principal, Depends(require("me_page"))],
            engine: EngineDep, as_of: AsOf = None) -> HTMLResponse:
    """The signed-in member's own record."""
    assert user.organization is not None
    data = member_view(engine, user.organization, as_of or dt.date.today())
    return page(request, "me.html", m=data)


@routes.get(f"{API}/me", tags=["account"],
            responses={code: {"model": ErrorOut} for code in (401, 403, 422)})
def api_me(user: Annotated[Principal, Depends(require("api_me"))], engine: EngineDep,
           as_of: AsOf = None) -> dict[str, Any]:
    """The signed-in member's own record (session cookie or ``Authorization: Bearer``)."""
    assert user.organization is not None
    return member_view(engine, user.organization, as_of or dt.date.today())


@routes.get("/alliances/{name}/secretariat", response_class=HTMLResponse,
            include_in_schema=False)
def secretariat_page(request: Request,
                     _user: Annotated[Principal, Depends(require("secretariat_page"))],
                     name: Annotated[str, Path(max_length=200)], engine: EngineDep,
                     as_of: AsOf = None) -> HTMLResponse:
    """An alliance's members and commitments with delivery, for its secretariat."""
    data = secretariat_view(engine, name, as_of or dt.date.today())
    can_edit = allowed("record_edit_form", get_auth(request).current(request), {"name": name})
    return page(request, "secretariat.html", s=data, can_edit=can_edit, kinds=ALLIANCE_KINDS)
