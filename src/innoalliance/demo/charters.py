"""The demo's charters: the two shipped with the package, and a founding charter (illustrative)
for every other alliance with commitments."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from innoalliance.ingest.charter import read_document
from innoalliance.workflows.govern.charter import CharterImport, import_document
from innoalliance.workflows.register.ledger import read_ledger


def demo_charter_files() -> list[Path]:
    """The demo charters shipped in the package."""
    folder = Path(str(resources.files("innoalliance.demo") / "data" / "charters"))
    return sorted(folder.glob("*.yaml"))


def founding_charter(engine: Engine, alliance: str) -> dict[str, Any]:
    """A default charter of an alliance from its stored commitments: every commitment an
    obligation, ownership by contribution share, Shapley sharing, the default penalty clauses;
    adopted on the day its first member joined."""
    led = read_ledger(engine, alliance)
    adopted = led.memberships["joined"].min()
    return {"alliance": alliance, "adopted": adopted.date().isoformat(),
            "obligations": [{"member": m, "commitment": r} for m, r in
                            zip(led.commitments["organization"], led.commitments["ref"],
                                strict=True)],
            "ip": {"ownership": "contribution_share", "licence_back": True},
            "benefit_sharing": {"method": "shapley"},
            "disputes": {"procedure": "secretariat mediation, then arbitration"}}


def load_demo_charters(engine: Engine, who: str = "innoalliance demo") -> list[CharterImport]:
    """Import the demo charters (after the demo ledger); a charter already current is skipped.
    Alliances with commitments but no charter file get their founding charter (illustrative)."""
    results = []
    for path in demo_charter_files():
        data, file = read_document(path)
        results.append(import_document(engine, data, file, who, skip_unchanged=True))
    written = {r.alliance for r in results}
    committed = sorted(set(read_ledger(engine).commitments["alliance"]) - written)
    for alliance in committed:
        results.append(import_document(engine, founding_charter(engine, alliance),
                                       "founding charter (illustrative, made by the demo)", who,
                                       skip_unchanged=True))
    return results
