"""The one error hierarchy of innoalliance.

Every user mistake is an :class:`InnoallianceError`; the CLI (and later the web) catches that base
class once and renders its structured fields. Each subclass also inherits the matching builtin so
that library users can catch ``ValueError`` / ``LookupError`` as they would elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One broken rule in one cell (or row, or file) of an input.

    ``row`` is the 1-based data row as a spreadsheet user counts it: the header is row 1, so the
    first data row of a CSV is row 2. ``row`` is ``None`` for problems of the whole file.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    suggestion: str | None = None

    def describe(self) -> str:
        """Render as ``file:row: column 'x' = 'v': rule (did you mean ...?)``."""
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        parts = [where]
        if self.column is not None:
            cell = f"column '{self.column}'"
            if self.value is not None:
                cell += f" = {self.value!r}"
            parts.append(cell)
        text = ": ".join(parts) + ": " + self.rule
        if self.suggestion:
            text += f" (did you mean {self.suggestion!r}?)"
        return text

    def as_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "suggestion": self.suggestion,
        }


class InnoallianceError(Exception):
    """Base of every error that is the user's to fix; never shown as a traceback."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def as_dict(self) -> dict[str, object]:
        """The error as a JSON-ready mapping (one shape for CLI ``--json`` and the web)."""
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}


class ValidationError(InnoallianceError, ValueError):
    """Input that breaks one or more rules; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], message: str | None = None,
                 hint: str = "fix the rows listed and import the file again") -> None:
        self.problems = problems
        files = sorted({p.file for p in problems})
        text = message or (
            f"{len(problems)} problem(s) in {', '.join(files)}; nothing was written"
        )
        super().__init__(text, hint=hint)

    def as_dict(self) -> dict[str, object]:
        """The error and every problem as a JSON-ready mapping."""
        data = super().as_dict()
        data["problems"] = [p.as_dict() for p in self.problems]
        return data


class UnknownReference(InnoallianceError, LookupError):
    """A name or code that refers to nothing known; carries the closest known value.

    The hint is ``did you mean 'closest'?`` when a close value is known; else the caller's
    ``hint`` (a command that shows the known values), else, when the caller says the values are
    the records of a KIND of ``innoalliance list`` (``listed_as``), ``list them with: innoalliance
    list KIND``; else none. This module imports no other, so it cannot tell which kinds are
    listable: only the caller can.
    """

    def __init__(self, kind: str, value: str, closest: str | None = None, *,
                 hint: str | None = None, listed_as: str | None = None) -> None:
        self.kind = kind
        self.value = value
        self.closest = closest
        if closest:
            hint = f"did you mean {closest!r}?"
        elif hint is None and listed_as is not None:
            hint = f"list them with: innoalliance list {listed_as}"
        super().__init__(f"no {_singular(kind)} {value!r} is known", hint=hint)

    def as_dict(self) -> dict[str, object]:
        """The error and the closest known value (``suggestion``, ``None`` if none)."""
        data = super().as_dict()
        data["suggestion"] = self.closest
        return data


def _singular(kind: str) -> str:
    """``alliances`` → ``alliance``, ``industries`` → ``industry``; a phrase stays as it is."""
    if not kind.isascii() or not kind.isalpha() or not kind.endswith("s"):
        return kind
    return kind[:-3] + "y" if kind.endswith("ies") else kind[:-1]


class NoCharter(InnoallianceError, LookupError):
    """The alliance exists but has no charter (or none in force) for the step asked of it."""

    def __init__(self, alliance: str) -> None:
        self.alliance = alliance
        super().__init__(f"the alliance {alliance!r} has no charter",
                         hint="import one: innoalliance charter import FILE.yaml")


class MethodError(InnoallianceError, ValueError):
    """A method asked to do something it cannot; the hint says what to do instead."""


class MissingExtra(InnoallianceError, ImportError):
    """An optional dependency is not installed."""

    def __init__(self, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional dependencies of innoalliance[{extra}]",
            hint=f"pip install 'innoalliance[{extra}]'",
        )


class StoreError(InnoallianceError, RuntimeError):
    """The database cannot be reached, is not initialised, or refused a write."""


class ConflictError(InnoallianceError, RuntimeError):
    """A concurrent edit changed the record first (its ``version`` moved on).

    A conflict that knows the record sets ``version`` (the one stored now), ``actor`` and ``at``
    (who changed it last, and when; empty when the audit log does not tell).
    """

    version: int | None = None
    actor: str = ""
    at: str = ""

    def as_dict(self) -> dict[str, object]:
        """The error; for a known record also its ``version``, ``actor`` and ``at`` (``None``
        when unknown), with ``problems`` empty (the rows were valid, just stale)."""
        data = super().as_dict()
        if self.version is not None:
            data.update(problems=[], version=self.version, actor=self.actor or None,
                        at=self.at or None)
        return data


@dataclass
class ProblemList:
    """Collects problems from many small checks, then raises once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    def raise_if_any(self, message: str | None = None,
                     hint: str = "fix the rows listed and import the file again") -> None:
        """Raise one :class:`ValidationError` listing everything collected, if anything was."""
        if self.problems:
            raise ValidationError(sorted(self.problems, key=_problem_order), message, hint)


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.file, p.row or 0, p.column or "")
