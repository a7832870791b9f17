"""Alliance charters as data: a YAML or JSON file read and checked against the store.

A charter names its alliance, the date it was adopted, each member's obligations (commitments in
the store, or new ones declared in the charter), how outputs are owned and licensed, the method
of the sharing engine that divides benefits, the penalties for defaults and the dispute
procedure; ``docs/charters.md`` describes every key. Every mistake is reported at once with the
file, the path of the entry (``obligations[2].member``), the value and the rule, as
:mod:`innoalliance.ingest.indexsystem` does for index systems.

Reading is in two steps: :func:`read_document` turns a file into plain data (one clear problem
for a wrong encoding or broken syntax), :func:`check_charter` checks that data against a
:class:`StoreContext` (the alliance, its members and its commitments) and returns the
:class:`Charter` with its canonical document, the JSON that is stored and exported.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from innoalliance.errors import InnoallianceError, Problem, ValidationError
from innoalliance.ingest.cells import closest
from innoalliance.ingest.documents import DocumentReader, parse_yaml
from innoalliance.ingest.units import parse_unit
from innoalliance.methods.governance.enforcement import Penalties
from innoalliance.model.vocab import CommitmentKind

OWNERSHIP_RULES = ("contribution_share", "lead", "equal", "project_participants")
KIND_DIMENSIONS: Mapping[str, tuple[str, ...]] = {
    "capital": ("money",), "equipment": ("money",), "ip": ("money",),
    "personnel": ("persons", "person_time"),
}
TOP_KEYS = ("alliance", "adopted", "obligations", "ip", "benefit_sharing", "penalties",
            "disputes")
PENALTY_DEFAULTS: Mapping[str, float | int] = {
    "late_fee_rate": 0.0005, "grace_days": 30, "suspend_rights_after": 1, "exclude_after": 3,
    "forfeit_share": 0.5,
}
MAX_DAILY_RATE = 0.01  # 1 % a day; anything above is a typo for a yearly or percentage rate
MAX_GRACE_DAYS = 3650
SHARE_TOLERANCE = 1e-6
SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class MemberInfo:
    """A membership as the checks need it."""

    joined: dt.date | None
    left: dt.date | None
    role: str


@dataclass(frozen=True)
class CommitmentTerms:
    """A stored commitment's terms (amount in the stored unit of its dimension)."""

    organization: str
    kind: str
    amount: float
    unit: str
    due: dt.date | None


@dataclass(frozen=True)
class StoreContext:
    """What the store knows that a charter is checked against."""

    alliances: Sequence[str]
    members: Mapping[str, MemberInfo]  # of the charter's alliance, by credit code
    commitments: Mapping[str, CommitmentTerms]  # of the charter's alliance, by ref
    methods: Sequence[str]  # benefit-sharing methods of the share engine


@dataclass(frozen=True)
class Obligation:
    """One member's obligation: a stored commitment, or a new one ``declared`` by the charter.

    ``amount``/``unit`` of a declared obligation are as written; ``stored_amount``/``stored_unit``
    are converted to the stored unit of their dimension (money in 元).
    """

    member: str
    ref: str
    declared: bool
    kind: str | None = None
    amount: float | None = None
    unit: str | None = None
    due: dt.date | None = None
    description: str | None = None
    stored_amount: float | None = None
    stored_unit: str | None = None


@dataclass(frozen=True)
class Charter:
    """A checked charter and its canonical ``document`` (JSON-ready, what is stored)."""

    alliance: str
    adopted: dt.date
    obligations: tuple[Obligation, ...]
    ownership: str  # one of OWNERSHIP_RULES, or "explicit"
    explicit_shares: Mapping[str, float]
    licence_back: bool
    method: str
    penalties: Penalties
    disputes: Mapping[str, str]
    document: dict[str, Any] = field(compare=False)


def read_document(path: Path) -> tuple[object, str]:
    """The plain data of a charter file (YAML or JSON by suffix) and the name to report it by."""
    file = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError([Problem(file, None, None, suffix or None,
                                       "a charter file must end in .yaml, .yml or .json")],
                              f"{file} is not a charter file", "save it as YAML or JSON")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InnoallianceError(f"no such charter file: {path}",
                                hint="check the path of the charter file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            [Problem(file, None, None, None,
                     f"is not UTF-8 text (byte {exc.start} cannot be read)")],
            f"{file} cannot be read", "save the file as UTF-8 and import it again") from None
    return parse_text(text, file, json_syntax=suffix == ".json"), file


def parse_text(text: str, file: str, *, json_syntax: bool = False) -> object:
    """Parse YAML (or JSON) text; broken syntax is one problem with its line."""
    if not json_syntax:
        return parse_yaml(text, file, "charter")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [Problem(file, exc.lineno, None, None, f"not valid JSON: {exc.msg}")],
            f"{file} is not a valid charter", "fix the syntax at the line given") from None


def check_charter(data: object, file: str, context: StoreContext) -> Charter:
    """Check a charter's data against the store; every problem is reported at once."""
    reader = _Reader(file, context)
    charter = reader.charter(data)
    reader.problems.raise_if_any(f"{file} is not a valid charter; nothing was written",
                                 "fix the entries listed in the charter file and import it again")
    assert charter is not None
    return charter


def alliance_of(data: object) -> str:
    """The alliance a charter's data names ('' when it names none), to look up its context."""
    if isinstance(data, dict):
        value = data.get("alliance")
        return str(value).strip() if value is not None else ""
    return ""


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class _Reader(DocumentReader):
    """Walks the parsed data of a charter, checking it against the store."""

    def __init__(self, file: str, context: StoreContext) -> None:
        super().__init__(file)
        self.context = context
        self.known = False  # whether the alliance is in the store (else members are not checked)

    def keys(self, data: Mapping[str, Any], path: str, allowed: Sequence[str]) -> None:
        for key in data:
            if str(key) not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, None, f"is not a charter key here (known: {', '.join(allowed)})",
                          closest(str(key), list(allowed)))

    def mapping(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key, value, "must be a mapping")
            return {}
        return value

    def charter(self, data: object) -> Charter | None:
        if not isinstance(data, dict):
            self.fail("(file)", None, "must be a mapping with alliance, adopted and obligations")
            return None
        self.keys(data, "", TOP_KEYS)
        alliance = self.alliance(data.get("alliance"))
        adopted = _date(data.get("adopted"))
        if adopted is None:
            self.fail("adopted", data.get("adopted"), "is required, a date YYYY-MM-DD")
        obligations = self.obligations(data.get("obligations"), adopted)
        ip = self.mapping(data, "ip")
        self.keys(ip, "ip", ("ownership", "licence_back"))
        ownership, shares = self.ownership(ip.get("ownership", "contribution_share"))
        licence_back = ip.get("licence_back", True)
        if not isinstance(licence_back, bool):
            self.fail("ip.licence_back", licence_back, "must be true or false")
            licence_back = True
        benefit = self.mapping(data, "benefit_sharing")
        self.keys(benefit, "benefit_sharing", ("method",))
        method = str(benefit.get("method", "shapley")).strip()
        if method not in self.context.methods:
            self.fail("benefit_sharing.method", method,
                      f"must be a method of the share engine: {', '.join(self.context.methods)}",
                      closest(method, list(self.context.methods)))
        penalties = self.penalties(self.mapping(data, "penalties"))
        disputes = self.mapping(data, "disputes")
        self.keys(disputes, "disputes", ("procedure", "body"))
        disputes_text = {str(k): str(v).strip() for k, v in disputes.items()
                         if v is not None and str(v).strip()}
        document: dict[str, Any] = {
            "alliance": alliance,
            "adopted": adopted.isoformat() if adopted else None,
            "obligations": [_obligation_doc(o) for o in obligations],
            "ip": {"ownership": {"explicit": dict(shares)} if ownership == "explicit"
                   else ownership, "licence_back": licence_back},
            "benefit_sharing": {"method": method},
            "penalties": {k: getattr(penalties, k) for k in PENALTY_DEFAULTS},
            "disputes": disputes_text,
        }
        return Charter(alliance, adopted or dt.date.min, tuple(obligations), ownership, shares,
                       licence_back, method, penalties, disputes_text, document)

    def alliance(self, value: object) -> str:
        name = "" if value is None else str(value).strip()
        if not name:
            self.fail("alliance", value, "is required: the Chinese name of an alliance")
        elif name not in self.context.alliances:
            self.fail("alliance", name, "is not an alliance in the store",
                      closest(name, list(self.context.alliances)))
        else:
            self.known = True
        return name

    def member(self, value: object, path: str, adopted: dt.date | None) -> str:
        code = "" if value is None else str(value).strip()
        members = self.context.members
        if not code:
            self.fail(path, value, "is required: the credit code of a member")
        elif code not in members:
            if self.known:
                self.fail(path, code, "is not a member of the alliance",
                          closest(code, list(members)))
        else:
            left = members[code].left
            if left is not None and adopted is not None and left < adopted:
                self.fail(path, code, f"left the alliance on {left}, before the charter was "
                          "adopted")
        return code

    def obligations(self, value: object, adopted: dt.date | None) -> list[Obligation]:
        if not isinstance(value, list) or not value:
            self.fail("obligations", value, "must be a non-empty list of obligations")
            return []
        found: list[Obligation] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            path = f"obligations[{i}]"
            if not isinstance(item, dict):
                self.fail(path, item, "must be a mapping: {member, commitment} or {member, ref, "
                          "kind, amount, unit, due}")
                continue
            obligation = self.obligation(item, path, adopted)
            if obligation is None:
                continue
            if obligation.ref in seen:
                self.fail(path, obligation.ref,
                          f"names the same commitment as obligations[{seen[obligation.ref]}]")
            seen.setdefault(obligation.ref, i)
            found.append(obligation)
        return found

    def obligation(self, item: Mapping[str, Any], path: str,
                   adopted: dt.date | None) -> Obligation | None:
        member = self.member(item.get("member"), f"{path}.member", adopted)
        if "commitment" in item:
            self.keys(item, path, ("member", "commitment"))
            return self.referenced(member, item.get("commitment"), f"{path}.commitment")
        self.keys(item, path, ("member", "ref", "kind", "amount", "unit", "due", "description"))
        return self.declared(member, item, path, adopted)

    def referenced(self, member: str, value: object, path: str) -> Obligation | None:
        ref = "" if value is None else str(value).strip()
        stored = self.context.commitments
        if not ref:
            self.fail(path, value, "is required: the ref of a commitment of the alliance")
            return None
        terms = stored.get(ref)
        if terms is None:
            if self.known:
                own = [r for r, t in stored.items() if t.organization == member]
                self.fail(path, ref, "is not a commitment of the alliance",
                          closest(ref, own or list(stored)))
            return Obligation(member, ref, declared=False)
        if member in self.context.members and terms.organization != member:
            self.fail(path, ref, f"is a commitment of {terms.organization}, not of {member}")
        self.joined_before(member, terms.due, path)
        return Obligation(member, ref, declared=False, kind=terms.kind, due=terms.due,
                          stored_amount=terms.amount, stored_unit=terms.unit)

    def joined_before(self, member: str, due: dt.date | None, path: str) -> None:
        info = self.context.members.get(member)
        if info is not None and info.joined is not None and due is not None and due < info.joined:
            self.fail(path, due.isoformat(),
                      f"is due before the member joined the alliance ({info.joined})")

    def declared(self, member: str, item: Mapping[str, Any], path: str,
                 adopted: dt.date | None) -> Obligation | None:
        ref = str(item.get("ref") or "").strip()
        if not ref or len(ref) > 64:
            self.fail(f"{path}.ref", item.get("ref"),
                      "is required for a new obligation: a ref of up to 64 characters (or give "
                      "'commitment' to name a stored one)")
        kind = str(item.get("kind") or "").strip()
        kinds = [k.value for k in CommitmentKind]
        if kind not in kinds:
            self.fail(f"{path}.kind", item.get("kind"), f"must be one of {', '.join(kinds)}",
                      closest(kind, kinds))
        amount = _number(item.get("amount"))
        if amount is None or amount <= 0:
            self.fail(f"{path}.amount", item.get("amount"), "must be a number above 0")
        unit_text = str(item.get("unit") or "").strip()
        unit = parse_unit(unit_text)
        if unit is None:
            self.fail(f"{path}.unit", item.get("unit"), "is not a known unit (元, 万元, 亿元, 人, "
                      "人年, …)")
        elif kind in KIND_DIMENSIONS and unit.dimension not in KIND_DIMENSIONS[kind]:
            self.fail(f"{path}.unit", unit_text, f"is not a unit of a {kind} commitment "
                      f"({' or '.join(KIND_DIMENSIONS[kind])})")
        due = _date(item.get("due"))
        if due is None:
            self.fail(f"{path}.due", item.get("due"), "is required, a date YYYY-MM-DD")
        elif adopted is not None and due < adopted:
            self.fail(f"{path}.due", due.isoformat(),
                      f"is before the charter was adopted ({adopted})")
        self.joined_before(member, due, f"{path}.due")
        description = item.get("description")
        stored_amount = amount * unit.factor if amount is not None and unit else None
        obligation = Obligation(
            member, ref, declared=True, kind=kind, amount=amount,
            unit=unit.name if unit else unit_text, due=due,
            description=None if description is None else str(description),
            stored_amount=stored_amount, stored_unit=unit.stored if unit else None)
        existing = self.context.commitments.get(ref)
        if ref and existing is not None and existing != CommitmentTerms(
                member, kind, stored_amount or 0.0, obligation.stored_unit or "", due):
            self.fail(f"{path}.ref", ref, "already names a stored commitment with other terms; "
                      "name it with 'commitment' or give the new obligation another ref")
        return obligation

    def ownership(self, value: object) -> tuple[str, dict[str, float]]:
        if isinstance(value, str):
            if value not in OWNERSHIP_RULES:
                self.fail("ip.ownership", value, f"must be one of {', '.join(OWNERSHIP_RULES)} "
                          "or {explicit: {credit code: share}}",
                          closest(value, list(OWNERSHIP_RULES)))
            return value, {}
        if not isinstance(value, dict) or set(value) != {"explicit"} or not isinstance(
                value["explicit"], dict) or not value["explicit"]:
            self.fail("ip.ownership", value, "must be a rule name or {explicit: {credit code: "
                      "share, …}}")
            return "explicit", {}
        shares: dict[str, float] = {}
        for code, share in value["explicit"].items():
            path = f"ip.ownership.explicit.{code}"
            member = str(code).strip()
            if member not in self.context.members and self.known:
                self.fail(path, member, "is not a member of the alliance",
                          closest(member, list(self.context.members)))
            number = _number(share)
            if number is None or not 0.0 <= number <= 1.0:
                self.fail(path, share, "must be a share between 0 and 1")
                continue
            shares[member] = number
        total = sum(shares.values())
        if shares and abs(total - 1.0) > SHARE_TOLERANCE:
            self.fail("ip.ownership.explicit", f"{total:g}",
                      f"the shares must sum to 1, they sum to {total:g}")
        return "explicit", shares

    def penalties(self, data: Mapping[str, Any]) -> Penalties:
        self.keys(data, "penalties", tuple(PENALTY_DEFAULTS))
        values: dict[str, Any] = {}
        for key, default in PENALTY_DEFAULTS.items():
            value = data.get(key, default)
            number = _number(value)
            path = f"penalties.{key}"
            whole = isinstance(default, int)
            if number is None or (whole and not float(number).is_integer()):
                self.fail(path, value, "must be a whole number" if whole else "must be a number")
                values[key] = default
                continue
            values[key] = int(number) if whole else number
        checks = {
            "late_fee_rate": (0.0 <= values["late_fee_rate"] <= MAX_DAILY_RATE,
                              f"must be a daily rate between 0 and {MAX_DAILY_RATE} (1 % a day)"),
            "grace_days": (0 <= values["grace_days"] <= MAX_GRACE_DAYS,
                           f"must be between 0 and {MAX_GRACE_DAYS} days"),
            "suspend_rights_after": (values["suspend_rights_after"] >= 1,
                                     "must be at least 1 default"),
            "exclude_after": (values["exclude_after"] >= max(1, values["suspend_rights_after"]),
                              "must be at least 1 and not below suspend_rights_after"),
            "forfeit_share": (0.0 <= values["forfeit_share"] <= 1.0,
                              "must be a share between 0 and 1"),
        }
        for key, (ok, rule) in checks.items():
            if not ok:
                self.fail(f"penalties.{key}", values[key], rule)
                values[key] = PENALTY_DEFAULTS[key]
        return Penalties(**values)


def _obligation_doc(o: Obligation) -> dict[str, Any]:
    if not o.declared:
        return {"member": o.member, "commitment": o.ref}
    doc: dict[str, Any] = {"member": o.member, "ref": o.ref, "kind": o.kind, "amount": o.amount,
                           "unit": o.unit, "due": o.due.isoformat() if o.due else None}
    if o.description is not None:
        doc["description"] = o.description
    return doc
