"""What every wing shares: who is acting, saving an analysis as a run (its parameters, a fingerprint
of its inputs, its results), the reports it writes, and the years it covers."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from innoalliance import __version__
from innoalliance.errors import InnoallianceError
from innoalliance.model import Run
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import transaction


def fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's values and labels: the same inputs give the same fingerprint."""
    hashed = pd.util.hash_pandas_object(frame.reset_index(), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def save_run(engine: Engine, workflow: str, parameters: dict[str, Any], inputs: dict[str, Any],
             results: dict[str, Any], who: str | None = None) -> int:
    """Record a finished run, audited (action ``run``, kind ``runs``) as done by ``who``
    (default: ``INNOALLIANCE_ACTOR`` or the login name); returns its id."""
    def text(data: dict[str, Any]) -> str:
        return json.dumps(data, ensure_ascii=False, default=str, sort_keys=True)

    with transaction(engine) as session:
        run = Run(workflow=workflow, created_at=dt.datetime.now(dt.UTC),
                  software_version=__version__, parameters=text(parameters),
                  inputs=text(inputs), results=text(results), status="done")
        session.add(run)
        session.flush()
        audit_entry(session, who or actor(), "run", "runs", key=str(run.id), id=run.id,
                    workflow=workflow, parameters=parameters)
        return int(run.id)


def actor() -> str:
    """Who is writing: ``INNOALLIANCE_ACTOR`` or the login name."""
    return os.environ.get("INNOALLIANCE_ACTOR") or getpass.getuser()


_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")


@dataclass(frozen=True)
class Done:
    """A finished, recorded run and where its reports are."""

    summary: dict[str, Any]
    html: Path
    json: Path
    run_id: int


def parse_years(text: str) -> list[int]:
    """``2015`` or ``2014-2016`` as a list of years."""
    match = _YEARS.match(text)
    if not match:
        raise InnoallianceError(f"years {text!r} are not a year or a range",
                                hint="write e.g. --years 2016 or --years 2014-2016")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise InnoallianceError(f"years {text!r} run backwards", hint=f"write {last}-{first}")
    return list(range(first, last + 1))


def _with(output: Path, suffix: str) -> Path:
    """``output`` + suffix (a given .html or .json suffix is replaced, any other kept)."""
    if output.suffix.lower() in (".html", ".json"):
        output = output.with_suffix("")
    return output.parent / (output.name + suffix)


def write_outputs(summary: dict[str, Any], output: Path,
                  html: Callable[[Path], Path]) -> tuple[Path, Path]:
    """Write ``output``.html (by ``html``) and ``output``.json (the summary)."""
    path = _with(output, ".json")
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str),
                    encoding="utf-8")
    return html(_with(output, ".html")), path
