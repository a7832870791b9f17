"""Illustrative life-cycle histories for the demo's alliances, made from each alliance's batch,
approval year and host province: proposed the year before approval, approved at mid-year by the
province's science and technology department (Zhongguancun alliances by the Zhongguancun
administrative committee), operating from the next day. Written once: an alliance that already
has a history is left alone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlalchemy import Engine, select

from innoalliance.model import Alliance, AllianceTransition
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import transaction

DEPARTMENTS = {"44": "广东省科学技术厅", "11": "中关村科技园区管理委员会", "33": "浙江省科学技术厅"}
REASON = "illustrative history made by the demo from the alliance's batch and approval year"


def _entry(alliance: str, before: str | None, after: str, day: dt.date, who: str,
           inputs: Mapping[str, object]) -> AllianceTransition:
    return AllianceTransition(
        alliance=alliance, kind="state", from_state=before, to_state=after, organization=None,
        actor=who, at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC), reason=REASON,
        inputs=json.dumps(inputs, ensure_ascii=False, sort_keys=True))


def load_demo_histories(engine: Engine, who: str) -> int:
    """Write the histories, with one summary audit entry; returns how many alliances got one."""
    with transaction(engine) as session:
        logged = set(session.scalars(select(AllianceTransition.alliance).distinct()))
        written = 0
        entries = 0
        for a in session.scalars(select(Alliance).order_by(Alliance.name_zh)):
            if a.name_zh in logged:
                continue
            year = a.approval_year
            proposed = dt.date(year - 1, 9, 1) if year else dt.date(2015, 9, 1)  # seed 002: 2015
            session.add(_entry(a.name_zh, None, "proposed", proposed, who, {}))
            entries += 1
            if year and a.status != "proposed":
                approval = {"batch": a.batch, "year": year, "charter": "founding agreement",
                            "department": DEPARTMENTS.get(a.host_region[:2], "科学技术主管部门")}
                session.add(_entry(a.name_zh, "proposed", "approved", dt.date(year, 6, 30),
                                   who, approval))
                session.add(_entry(a.name_zh, "approved", "operating", dt.date(year, 7, 1),
                                   who, {}))
                a.status = "operating"
                entries += 2
            written += 1
        if entries:
            audit_entry(session, who, "demo", "alliance_transitions", count=entries,
                        alliances=written)
    return written
