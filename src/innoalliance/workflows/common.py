"""Save an analysis as a run: its parameters, a fingerprint of its inputs, and its results."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from innoalliance import __version__
from innoalliance.model import Run
from innoalliance.store.audit import audit_entry
from innoalliance.store.engine import transaction
from innoalliance.workflows.register.imports import actor


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
