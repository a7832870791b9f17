"""Bounds on what is read and stored, each with a default and an environment variable that
changes it (issue 16 items 8 and 11). The variable is read at each use, so a server picks up
a change at its next start and a test may set it; a value that is not a whole number of 1 or
more is refused with an :class:`~innoalliance.errors.InnoallianceError` naming it, at the use
that needs it (never at import, where it would be a traceback).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from innoalliance.errors import InnoallianceError


@dataclass(frozen=True)
class Limit:
    """A bound: ``default`` unless environment variable ``variable`` holds a whole number
    (``_`` and ``,`` as digit separators allowed); call it for the value in force."""

    variable: str
    default: int

    def __call__(self) -> int:
        """The bound in force: the variable's whole number if set, else the default."""
        raw = os.environ.get(self.variable, "")
        text = raw.strip().replace("_", "").replace(",", "")
        if not text:
            return self.default
        if not text.isdigit() or int(text) < 1:
            raise InnoallianceError(
                f"{self.variable}={raw!r} is not a whole number of 1 or more",
                hint=f"set {self.variable} to a whole number such as {self.default} "
                     "(the default), or unset it")
        return int(text)
