"""Reading YAML documents a user writes (index systems, policy catalogues, charters, rules).

One parser turns broken syntax into a single problem with its line, and one reader base collects
every problem of a document (``fail``) instead of stopping at the first, each with its node
path (``measures[2].when.region``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from innoalliance.errors import Problem, ProblemList, ValidationError


def parse_yaml(text: str, file: str, what: str) -> object:
    """The data of YAML ``text``; broken syntax raises one problem naming its line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ValidationError(
            [Problem(file, row, None, None,
                     f"not valid YAML: {getattr(exc, 'problem', None) or exc}")],
            f"{file} is not a valid {what}", "fix the YAML syntax at the line given") from None


class DocumentReader:
    """Walks a parsed document, collecting problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems = ProblemList()

    def fail(self, path: str, value: object, rule: str, suggestion: str | None = None) -> None:
        """Record that the value at ``path`` breaks ``rule``."""
        shown = None if value is None else str(value)
        self.problems.add(Problem(self.file, None, path, shown, rule, suggestion))

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
        """A required non-empty text field (stripped), or "" after recording the problem."""
        value = data.get(key, default)
        if value is None or not str(value).strip():
            self.fail(f"{path}.{key}" if path else key, value, "is required")
            return ""
        return str(value).strip()
