"""Every hint of an unknown reference that names a command names one that runs."""

from __future__ import annotations

import shlex

import pytest
from sqlalchemy import Engine

from innoalliance.errors import UnknownReference
from innoalliance.ingest.indexsystem import load_system
from innoalliance.ingest.kinds import ALL_KINDS
from innoalliance.store.engine import ENV_VAR
from innoalliance.workflows.evaluate.measures import MEASURES, check_measure

from .test_cli import run

FAR = "zzzz-qqqq-9999"  # like nothing the store or the built-ins hold: no "did you mean"
COMMAND = "innoalliance "


def _hint(err: str) -> str | None:
    """The hint of an error printed on standard error (the terminal may wrap it)."""
    text = " ".join(err.split())
    return text.rsplit("hint: ", 1)[1] if "hint: " in text else None


def _hint_runs(err: str, *, required: bool) -> str | None:
    """Run the command the hint names (the database from the environment); it must exit 0."""
    hint = _hint(err)
    if hint is None or COMMAND not in hint:
        assert not required, f"no command in the hint of: {err}"
        return None
    command = shlex.split(hint.split(COMMAND, 1)[1])
    code, out, errors = run(*command)
    assert code == 0, f"the hint {hint!r} fails: {out}{errors}"
    return hint


@pytest.fixture
def store(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An initialised store, also the default database of every command run here."""
    monkeypatch.setenv(ENV_VAR, db_url)
    return db_url


def test_unknown_record_of_every_kind_hints_a_list_that_runs(store: str) -> None:
    for kind in ALL_KINDS:
        code, out, err = run("show", kind, FAR)
        assert code == 1, out
        assert f"{FAR!r} is known" in " ".join(err.split()), err
        hint = _hint_runs(err, required=True)
        assert hint == f"list them with: innoalliance list {kind}"


@pytest.mark.parametrize("panel", ["alliances", "regions"])
def test_unknown_index_system_hints_the_systems_command(store: str, panel: str) -> None:
    code, out, err = run("evaluate", panel, "--years", "2016", "--system", "zzqqxx")
    assert code == 1 and "no index system 'zzqqxx' is known" in " ".join(err.split()), out
    assert _hint_runs(err, required=True) == "list them with: innoalliance evaluate systems"
    with pytest.raises(UnknownReference) as near:
        load_system("alliance_activty")
    assert near.value.hint == "did you mean 'alliance_activity'?"


@pytest.mark.parametrize("unit", ["alliance", "member"])
def test_unknown_measure_hints_the_measures(unit: str) -> None:
    with pytest.raises(UnknownReference) as far:
        check_measure(unit, f"{unit}.zzqqxx")
    hint = far.value.hint or ""
    named = hint.split(": ", 1)[1].split(", ")
    assert named == [f"{unit}.{m}" for m in MEASURES[unit]]
    for name in named:
        check_measure(unit, name)
    assert "innoalliance list" not in hint
    with pytest.raises(UnknownReference) as near:
        check_measure(unit, f"{unit}.{next(iter(MEASURES[unit]))}x")
    assert near.value.closest is not None
    check_measure(unit, near.value.closest)


@pytest.mark.parametrize("command", [
    ("alliance", "transition", FAR, "--to", "approved", "--reason", "r"),
    ("alliance", "history", FAR),
    ("alliance", "join", FAR, FAR, "--reason", "r"),
    ("charter", "show", FAR),
    ("charter", "export", FAR),
])
def test_other_unknown_references_hint_nothing_or_a_command_that_runs(
        store: str, command: tuple[str, ...]) -> None:
    code, out, err = run(*command)
    assert code == 1 and "is known" in " ".join(err.split()), out + err
    _hint_runs(err, required=False)


def test_unknown_reference_gives_the_list_hint_only_when_told() -> None:
    assert UnknownReference("raster layer", "x").hint is None
    assert UnknownReference("users", "x").hint is None
    assert UnknownReference("alliances", "x", listed_as="alliances").hint == (
        "list them with: innoalliance list alliances")
    assert UnknownReference("index system", "x", hint="see: innoalliance evaluate systems"
                            ).hint == "see: innoalliance evaluate systems"
    assert UnknownReference("alliances", "x", "y", listed_as="alliances").hint == (
        "did you mean 'y'?")
