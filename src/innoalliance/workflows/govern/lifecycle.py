"""The life cycle of an alliance as an explicit state machine, with an append-only log.

Modelled on the Ministry of Science and Technology's pilot industrial technology innovation
alliances: an alliance is proposed, approved in a batch of a year by a department, then operates
through a pilot period (two years by default); each period it is reviewed on its annual activity
evaluation (the ``alliance_activity`` index system, graded in the four MOST bands high / fairly
high / average / inactive) and is renewed, put under rectification or dissolved; an alliance
graded high three periods running is "A-level".

The one transition table is :data:`TRANSITIONS`; the grade rules are :class:`LifecycleRules`
(defaults below, or a YAML file read by :func:`rules_from_yaml`). Every step, and every member's
entry and exit, is appended to the ``alliance_transitions`` table (refused UPDATE and DELETE by
triggers) and the alliance's ``status`` is set to the new state.

Reading the current state: the ``to_state`` of the alliance's last state transition; an alliance
with no transitions yet is in its ``status``, the older values read as :data:`LEGACY_STATES`
(``active`` → ``operating``, ``suspended`` → ``rectification``).

Approval needs the alliance's charter: either one already stored (``innoalliance charter
import``) or a charter file named with the approval, which is read and checked like an import and
stored as the alliance's next version in the same transaction as the step (a file that is missing,
invalid or another alliance's charter refuses the approval and nothing is written). The log
records the file name and the stored charter version.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from innoalliance.errors import (
    InnoallianceError,
    MethodError,
    Problem,
    ProblemList,
    ValidationError,
)
from innoalliance.ingest.cells import closest
from innoalliance.ingest.charter import Charter as CheckedCharter
from innoalliance.ingest.charter import alliance_of, check_charter, read_document
from innoalliance.ingest.documents import parse_yaml
from innoalliance.ingest.indexsystem import load_system
from innoalliance.ingest.known import unknown
from innoalliance.methods.mcda.grading import MOST_ACTIVITY_BANDS
from innoalliance.model import Alliance, AllianceTransition, Membership, Organization
from innoalliance.model.vocab import MemberRole, OrgType
from innoalliance.store.audit import audit_entry, key_text
from innoalliance.store.engine import require_current, transaction
from innoalliance.workflows.common import actor
from innoalliance.workflows.evaluate.store import evaluate
from innoalliance.workflows.govern.charter import latest_charter, store_checked, store_context

#: Every state and the states it may go to next (the one place the life cycle is defined).
#: ``renewed`` and ``rectification`` go back to ``operating`` or straight to the next review;
#: a rectification that fails ends in ``dissolved``; ``dissolved`` is final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("approved",),
    "approved": ("operating",),
    "operating": ("under_review",),
    "under_review": ("renewed", "rectification", "dissolved"),
    "renewed": ("operating", "under_review"),
    "rectification": ("operating", "under_review", "dissolved"),
    "dissolved": (),
}
STATES = tuple(TRANSITIONS)
#: The outcomes of a review: leaving ``under_review`` for one of these needs the activity grade.
REVIEW_OUTCOMES = ("renewed", "rectification", "dissolved")
#: Older ``Alliance.status`` values and the state they are read as.
LEGACY_STATES: dict[str, str] = {"active": "operating", "suspended": "rectification"}
#: The index system whose grade decides a review, and its grades, best first.
ACTIVITY_SYSTEM = "alliance_activity"
GRADES: tuple[str, ...] = MOST_ACTIVITY_BANDS.labels
KINDS = ("state", "member")


@dataclass(frozen=True)
class LifecycleRules:
    """The rules of reviews, after the MOST pilot-alliance scheme.

    ``pilot_years``: length of the pilot period; a renewal is recorded as running
    ``pilot_years`` from the year after the graded year (recorded, not enforced).
    ``dissolve_grades``: grades that force dissolution (default the lowest MOST band,
    ``inactive``: "weak alliances removed"). ``rectify_grades``: grades that force rectification
    (default the band above it, ``average``). Any other grade requires ``renewed``.
    ``a_level_runs`` / ``a_level_grade``: an alliance graded ``a_level_grade`` in its last
    ``a_level_runs`` reviewed years, consecutive, is A-level (default high, three periods).
    """

    pilot_years: int = 2
    rectify_grades: tuple[str, ...] = ("average",)
    dissolve_grades: tuple[str, ...] = ("inactive",)
    a_level_runs: int = 3
    a_level_grade: str = "high"

    def required_outcome(self, grade: str) -> tuple[str, str]:
        """The review outcome ``grade`` requires, and the rule that says so."""
        if grade in self.dissolve_grades:
            return "dissolved", f"dissolve_grades = {list(self.dissolve_grades)}"
        if grade in self.rectify_grades:
            return "rectification", f"rectify_grades = {list(self.rectify_grades)}"
        return "renewed", ("a grade in neither rectify_grades "
                           f"{list(self.rectify_grades)} nor dissolve_grades "
                           f"{list(self.dissolve_grades)} is renewed")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def rules_from_yaml(path: Path | str) -> LifecycleRules:
    """Rules from a YAML mapping of :class:`LifecycleRules` fields (missing ones keep their
    defaults); every problem of the file is listed at once."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InnoallianceError(f"no such rules file: {path}",
                                hint="give a YAML file of life-cycle rules") from None
    name = path.name
    data = parse_yaml(text, name, "life-cycle rules file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError([Problem(name, None, None, None,
                                       "must be a mapping of rule: value")],
                              hint="fix the rules file and run again")
    known = [f.name for f in fields(LifecycleRules)]
    problems = ProblemList()
    values: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        if key not in known:
            problems.add(Problem(name, None, key, None,
                                 f"unknown rule; use: {', '.join(known)}", closest(key, known)))
        elif key in ("pilot_years", "a_level_runs"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.add(Problem(name, None, key, str(value), "must be a whole number >= 1"))
            else:
                values[key] = value
        elif key == "a_level_grade":
            if _grade_problem(problems, name, key, value):
                values[key] = value
        else:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list):
                problems.add(Problem(name, None, key, str(value), "must be a list of grades"))
                continue
            if all([_grade_problem(problems, name, key, v) for v in items]):
                values[key] = tuple(items)
    rules = LifecycleRules(**values)
    both = sorted(set(rules.rectify_grades) & set(rules.dissolve_grades))
    if both:
        problems.add(Problem(name, None, "dissolve_grades", ", ".join(both),
                             "a grade cannot force both rectification and dissolution"))
    if rules.a_level_grade in (*rules.rectify_grades, *rules.dissolve_grades):
        problems.add(Problem(name, None, "a_level_grade", rules.a_level_grade,
                             "the A-level grade cannot force rectification or dissolution"))
    problems.raise_if_any(f"{len(problems.problems)} problem(s) in the rules file {name}",
                          "fix the rules listed and run again")
    return rules


def _grade_problem(problems: ProblemList, file: str, key: str, value: object) -> bool:
    if isinstance(value, str) and value in GRADES:
        return True
    problems.add(Problem(file, None, key, str(value),
                         f"not a grade of {ACTIVITY_SYSTEM}; use one of: {', '.join(GRADES)}",
                         closest(str(value), list(GRADES))))
    return False


@dataclass(frozen=True)
class TransitionRecord:
    """One entry of an alliance's life-cycle log."""

    id: int
    alliance: str
    kind: str
    from_state: str | None
    to_state: str
    organization: str | None
    actor: str
    at: dt.datetime
    reason: str
    inputs: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "at": self.at.isoformat()}


def _record(row: AllianceTransition) -> TransitionRecord:
    return TransitionRecord(row.id, row.alliance, row.kind, row.from_state, row.to_state,
                            row.organization, row.actor, _aware(row.at), row.reason,
                            json.loads(row.inputs))


def _aware(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _moment(when: dt.date | dt.datetime | None) -> dt.datetime:
    if when is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if isinstance(when, dt.datetime):
        return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    return dt.datetime.combine(when, dt.time(), tzinfo=dt.UTC)


def _alliance(session: Session, name: str) -> Alliance:
    found = session.execute(select(Alliance).where(Alliance.name_zh == name)
                            .with_for_update()).scalar_one_or_none()
    if found is None:
        raise unknown(session, "alliances", name)
    return found


def _log(session: Session, alliance: str) -> list[AllianceTransition]:
    query = (select(AllianceTransition).where(AllianceTransition.alliance == alliance)
             .order_by(AllianceTransition.id))
    return list(session.execute(query).scalars())


def _state_of(alliance: Alliance, log: list[AllianceTransition]) -> str:
    states = [row.to_state for row in log if row.kind == "state"]
    if states:
        return states[-1]
    return LEGACY_STATES.get(alliance.status, alliance.status)


def current_state(engine: Engine, alliance: str) -> str:
    """The life-cycle state of ``alliance`` (see the module docstring for legacy values)."""
    require_current(engine)
    with transaction(engine) as session:
        return _state_of(_alliance(session, alliance), _log(session, alliance))


def history(engine: Engine, alliance: str) -> list[TransitionRecord]:
    """Every recorded step of ``alliance``, oldest first."""
    require_current(engine)
    with transaction(engine) as session:
        _alliance(session, alliance)
        return [_record(row) for row in _log(session, alliance)]


def _not_before_last(problems: ProblemList, where: str, log: list[AllianceTransition],
                     at: dt.datetime) -> None:
    """The log is kept in time order, to the day (steps of one day keep their order)."""
    if log and at.date() < _aware(log[-1].at).date():
        problems.add(Problem(where, None, "when", at.date().isoformat(),
                             f"is before the last recorded step ({_aware(log[-1].at).date()}); "
                             "the log is kept in time order"))


def _charter_file(session: Session, problems: ProblemList, where: str, alliance: str,
                  charter: Path) -> tuple[CheckedCharter, str] | None:
    """Read and check the charter file named with an approval; the checked charter and its file
    name, or ``None`` with every problem of it added to ``problems``."""
    try:
        data, file = read_document(charter)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None
    except InnoallianceError as exc:
        problems.add(Problem(where, None, "charter", str(charter), exc.message))
        return None
    named = alliance_of(data)
    if named and named != alliance:
        problems.add(Problem(file, None, "alliance", named,
                             f"is another alliance's charter; approving {alliance} needs its "
                             "own (--charter)"))
        return None
    try:
        return check_charter(data, file, store_context(session, alliance)), file
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None


def _approval_problems(session: Session, problems: ProblemList, where: str, alliance: str,
                       batch: int | None, year: int | None, department: str | None,
                       charter: Path | None) -> tuple[CheckedCharter, str] | None:
    """Add every missing approval input to ``problems``; the checked charter file and its name
    when one is named."""
    if batch is None or batch < 1:
        problems.add(Problem(where, None, "batch", None if batch is None else str(batch),
                             "approval needs the batch number, 1 or more (--batch)"))
    if year is None:
        problems.add(Problem(where, None, "year", None, "approval needs the year (--year)"))
    if not (department or "").strip():
        problems.add(Problem(where, None, "department", department,
                             "approval needs the approving department (--department)"))
    checked = None
    if charter is not None:
        checked = _charter_file(session, problems, where, alliance, charter)
    elif latest_charter(session, alliance) is None:
        problems.add(Problem(where, None, "charter", None,
                             "approval needs the alliance's charter: import it (innoalliance "
                             "charter import FILE.yaml) or name its file (--charter "
                             "FILE.yaml)"))
    types = set(session.execute(
        select(Organization.type).join(Membership,
                                       Membership.organization == Organization.credit_code)
        .where(Membership.alliance == alliance, Membership.left.is_(None))).scalars())
    if OrgType.ENTERPRISE not in types:
        problems.add(Problem(where, None, "members", None,
                             "approval needs at least one enterprise member"))
    if not types & {OrgType.UNIVERSITY, OrgType.RESEARCH_INSTITUTE}:
        problems.add(Problem(where, None, "members", None,
                             "approval needs at least one university or research institute "
                             "member"))
    return checked


def activity_grade(engine: Engine, alliance: str, year: int) -> tuple[str, float]:
    """The alliance's activity grade and score in ``year`` from the evaluation engine."""
    scores = evaluate(engine, load_system(ACTIVITY_SYSTEM), [year]).scores
    if (alliance, year) not in scores.index:
        raise MethodError(f"{alliance} has no activity evaluation for {year}",
                          hint="give a --grade-year from its approval year on")
    grade = str(scores.at[(alliance, year), "grade"])
    score = float(scores["score"].loc[(alliance, year)])
    if grade not in GRADES:
        raise MethodError(f"{alliance} is not rated for {year} ({grade})",
                          hint="import the alliance's ledger for that year, or choose another")
    return grade, round(score, 6)


def transition(engine: Engine, alliance: str, to: str, *, reason: str, who: str | None = None,
               when: dt.date | dt.datetime | None = None, batch: int | None = None,
               year: int | None = None, department: str | None = None,
               charter: Path | str | None = None, grade_year: int | None = None,
               rules: LifecycleRules = LifecycleRules()) -> TransitionRecord:
    """Move ``alliance`` to state ``to`` if :data:`TRANSITIONS` and the rules allow it; record
    who, when, why and the inputs, and set the alliance's status. All or nothing.

    Approval needs ``batch``, ``year``, ``department``, a charter, and current members including
    an enterprise and a university or research institute; every missing input is listed at once.
    The charter is the alliance's stored one, or the file ``charter`` (YAML or JSON), which is
    checked as an import is and stored as the next charter version in the same transaction.
    A review outcome needs ``grade_year``: the alliance's activity grade for that year must call
    for exactly that outcome under ``rules``; grade and score are recorded.
    """
    require_current(engine)
    if to not in TRANSITIONS:
        near = closest(to, list(STATES))
        raise InnoallianceError(
            f"{to!r} is not a life-cycle state",
            hint=(f"did you mean {near!r}? " if near else "") + f"states: {', '.join(STATES)}")
    at = _moment(when)
    where = f"{alliance} → {to}"
    with transaction(engine) as session:
        row = _alliance(session, alliance)
        log = _log(session, alliance)
        state = _state_of(row, log)
        allowed = TRANSITIONS.get(state, ())
        if to not in allowed:
            raise MethodError(
                f"{alliance} is {state}; it cannot go to {to}",
                hint=(f"from {state} it can go to: {', '.join(allowed)}" if allowed
                      else f"{state} is final: it goes nowhere"))
        problems = ProblemList()
        if not reason.strip():
            problems.add(Problem(where, None, "reason", reason, "say why (--reason)"))
        _not_before_last(problems, where, log, at)
        inputs: dict[str, Any] = {}
        checked: tuple[CheckedCharter, str] | None = None
        if to == "approved":
            checked = _approval_problems(
                session, problems, where, alliance, batch, year, department,
                None if charter is None or not str(charter).strip() else Path(charter))
            inputs.update(batch=batch, year=year, department=department,
                          pilot_until=None if year is None else year + rules.pilot_years)
        review = state == "under_review" and to in REVIEW_OUTCOMES
        if review and grade_year is None:
            problems.add(Problem(where, None, "grade_year", None,
                                 "a review outcome needs the evaluated year (--grade-year)"))
        problems.raise_if_any(f"{alliance} cannot go to {to}: {len(problems.problems)} "
                              "input(s) missing or wrong; nothing was written",
                              "give every input listed and run again")
        if review and grade_year is not None:
            grade, score = activity_grade(engine, alliance, grade_year)
            required, rule = rules.required_outcome(grade)
            if to != required:
                raise MethodError(
                    f"{alliance} was graded {grade!r} (score {score:g}) in {grade_year}: the "
                    f"rules require {required}, not {to}",
                    hint=f"rule: {rule}")
            inputs.update(grade_year=grade_year, grade=grade, score=score,
                          system=ACTIVITY_SYSTEM, rules=rules.as_dict())
            if to == "renewed":
                inputs["renewed_until"] = grade_year + rules.pilot_years
        who = who or actor()
        if to == "approved":
            inputs.update(_approval_charter(session, alliance, checked, who))
        entry = AllianceTransition(alliance=alliance, kind="state", from_state=state,
                                   to_state=to, organization=None, actor=who, at=at,
                                   reason=reason.strip(), inputs=_json(inputs))
        session.add(entry)
        before: dict[str, Any] = {"state": state, "status": row.status}
        row.status = to
        after: dict[str, Any] = {"state": to, "status": to}
        if to == "approved":
            before.update(batch=row.batch, approval_year=row.approval_year)
            row.batch, row.approval_year = batch, year
            after.update(batch=batch, approval_year=year)
        audit_entry(session, entry.actor, "transition", "alliances", key=alliance,
                    before=before, after=after, reason=entry.reason, when=at.isoformat())
        session.flush()
        return _record(entry)


def _approval_charter(session: Session, alliance: str,
                      checked: tuple[CheckedCharter, str] | None, who: str) -> dict[str, Any]:
    """Store the checked charter file (unless it is the stored version already) and name the
    charter the approval rests on: file and version."""
    if checked is not None:
        charter, file = checked
        done = store_checked(session, charter, file, who, skip_unchanged=True)
        return {"charter": file, "charter_version": done.version}
    row = latest_charter(session, alliance)
    assert row is not None  # the approval's checks found one
    return {"charter": row.source, "charter_version": row.version}


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _organization(session: Session, code: str) -> Organization:
    found = session.execute(select(Organization).where(Organization.credit_code == code)
                            ).scalar_one_or_none()
    if found is None:
        raise unknown(session, "organizations", code)
    return found


def _membership(session: Session, alliance: str, organization: str) -> Membership | None:
    return session.execute(select(Membership).where(
        Membership.alliance == alliance, Membership.organization == organization)
    ).scalar_one_or_none()


def member_join(engine: Engine, alliance: str, organization: str, role: str = "member",
                when: dt.date | None = None, who: str | None = None, reason: str = ""
                ) -> TransitionRecord:
    """``organization`` (credit code) joins ``alliance`` in ``role`` on ``when`` (today); a
    former member's row is reopened (the log keeps its earlier spell). Logged as kind
    ``member``, ``to_state`` ``joined``."""
    require_current(engine)
    day = when or dt.date.today()
    at = _moment(when)
    where = f"{alliance} + {organization}"
    with transaction(engine) as session:
        row = _alliance(session, alliance)
        log = _log(session, alliance)
        state = _state_of(row, log)
        _organization(session, organization)
        if state == "dissolved":
            raise MethodError(f"{alliance} is dissolved; no one can join it")
        problems = ProblemList()
        roles = [r.value for r in MemberRole]
        if role not in roles:
            problems.add(Problem(where, None, "role", role, f"use one of: {', '.join(roles)}",
                                 closest(role, roles)))
        if not reason.strip():
            problems.add(Problem(where, None, "reason", reason, "say why (--reason)"))
        _not_before_last(problems, where, log, at)
        problems.raise_if_any(f"{organization} cannot join {alliance}; nothing was written",
                              "give every input listed and run again")
        member = _membership(session, alliance, organization)
        if member is not None and member.left is None:
            raise MethodError(f"{organization} is already a member of {alliance} (since "
                              f"{member.joined or 'an unknown date'})")
        before = None if member is None else _member_values(member)
        if member is None:
            member = Membership(alliance=alliance, organization=organization, role=role,
                                joined=day, left=None, source="innoalliance alliance join")
            session.add(member)
        else:
            member.role, member.joined, member.left = role, day, None
        return _member_entry(session, alliance, organization, state, "joined", at, who,
                             reason, {"role": role, "date": day.isoformat(),
                                      "rejoined": before is not None},
                             before, _member_values(member))


def member_leave(engine: Engine, alliance: str, organization: str,
                 when: dt.date | None = None, who: str | None = None, reason: str = ""
                 ) -> TransitionRecord:
    """``organization`` leaves ``alliance`` on ``when`` (today): its membership is closed.
    Logged as kind ``member``, ``to_state`` ``left``."""
    require_current(engine)
    day = when or dt.date.today()
    at = _moment(when)
    where = f"{alliance} - {organization}"
    with transaction(engine) as session:
        row = _alliance(session, alliance)
        log = _log(session, alliance)
        state = _state_of(row, log)
        member = _membership(session, alliance, organization)
        if member is None or member.left is not None:
            raise MethodError(f"{organization} is not a current member of {alliance}",
                              hint="list the members with: innoalliance show alliances NAME")
        problems = ProblemList()
        if not reason.strip():
            problems.add(Problem(where, None, "reason", reason, "say why (--reason)"))
        if member.joined is not None and day < member.joined:
            problems.add(Problem(where, None, "when", day.isoformat(),
                                 f"is before the member joined ({member.joined})"))
        _not_before_last(problems, where, log, at)
        problems.raise_if_any(f"{organization} cannot leave {alliance}; nothing was written",
                              "give every input listed and run again")
        before = _member_values(member)
        member.left = day
        return _member_entry(session, alliance, organization, state, "left", at, who,
                             reason, {"role": member.role, "date": day.isoformat()},
                             before, _member_values(member))


def _member_values(member: Membership) -> dict[str, Any]:
    """The audited columns of a membership: role and the dates of its current spell."""
    return {"role": member.role,
            "joined": None if member.joined is None else member.joined.isoformat(),
            "left": None if member.left is None else member.left.isoformat()}


def _member_entry(session: Session, alliance: str, organization: str, state: str, what: str,
                  at: dt.datetime, who: str | None, reason: str, inputs: dict[str, Any],
                  before: dict[str, Any] | None, after: dict[str, Any]) -> TransitionRecord:
    entry = AllianceTransition(alliance=alliance, kind="member", from_state=state,
                               to_state=what, organization=organization, actor=who or actor(),
                               at=at, reason=reason.strip(), inputs=_json(inputs))
    session.add(entry)
    audit_entry(session, entry.actor, "join" if what == "joined" else "leave", "memberships",
                key=key_text(alliance, organization), before=before, after=after,
                reason=entry.reason, when=at.isoformat())
    session.flush()
    return _record(entry)


@dataclass(frozen=True)
class ALevel:
    """Whether an alliance is A-level: its last ``needed`` reviewed years, consecutive, were all
    graded ``grade``. ``grades`` are the recorded review grades by year, oldest first."""

    alliance: str
    a_level: bool
    needed: int
    grade: str
    grades: list[tuple[int, str]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"alliance": self.alliance, "a_level": self.a_level, "needed": self.needed,
                "grade": self.grade, "grades": [list(g) for g in self.grades]}


def a_level(engine: Engine, alliance: str, rules: LifecycleRules = LifecycleRules()) -> ALevel:
    """The A-level check over the grades recorded by review outcomes (the last one recorded for
    a year counts)."""
    by_year: dict[int, str] = {}
    for record in history(engine, alliance):
        year, grade = record.inputs.get("grade_year"), record.inputs.get("grade")
        if record.kind == "state" and isinstance(year, int) and isinstance(grade, str):
            by_year[year] = grade
    grades = sorted(by_year.items())
    last = grades[-rules.a_level_runs:]
    years = [y for y, _ in last]
    ok = (len(last) == rules.a_level_runs
          and all(g == rules.a_level_grade for _, g in last)
          and years == list(range(years[0], years[0] + len(years))))
    return ALevel(alliance, ok, rules.a_level_runs, rules.a_level_grade, grades)
