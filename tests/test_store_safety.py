"""A store is never left unusable, and reading never creates one.

``demo --force`` replaces a store's contents all at once or not at all (both backends); a read
command on a SQLite file that does not exist is refused, naming the file, and creates nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect

from innoalliance.errors import StoreError
from innoalliance.store.engine import make_engine

from .conftest import write
from .test_cli import run


def _alliances(db_url: str) -> set[str]:
    code, out, err = run("list", "alliances", "--db", db_url, "--json", "--limit", "0")
    assert code == 0, err
    return {a["name_zh"] for a in json.loads(out)}


def test_init_then_demo_force_twice(db_url: str, tmp_path: Path) -> None:
    code, out, err = run("init", "--db", db_url)
    assert code == 0, out + err
    for _ in range(2):
        code, out, err = run("demo", "--force", "--no-reports", "--db", db_url)
        assert code == 0, out + err
        assert "Traceback" not in out + err and "demo database ready" in out
        assert "TD-SCDMA产业联盟" in _alliances(db_url)
    code, out, err = run("init", "--db", db_url)
    assert code == 0, out + err
    assert "TD-SCDMA产业联盟" in _alliances(db_url)


def test_demo_force_with_reports_replaces_a_demo(db_url: str, tmp_path: Path) -> None:
    assert run("demo", "--no-reports", "--db", db_url)[0] == 0
    code, out, err = run("demo", "--force", "--db", db_url, "--reports", str(tmp_path / "r"))
    assert code == 0, out + err
    assert "TD-SCDMA产业联盟" in _alliances(db_url)
    code, out, err = run("share", "list", "--db", db_url, "--json")
    assert code == 0 and json.loads(out), out + err


def test_failed_demo_force_leaves_the_store_as_it_was(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("init", "--db", db_url)[0] == 0
    orgs = write(tmp_path / "orgs.csv", """
credit_code,name_zh,type,region
91330100MA2AAAAA0B,甲,enterprise,330100
""")
    assert run("import", "organizations", str(orgs), "--db", db_url)[0] == 0

    def broken(*_args: object, **_kwargs: object) -> None:
        raise StoreError("the charters cannot be loaded")

    monkeypatch.setattr("innoalliance.demo.loader.load_demo_charters", broken)
    code, out, err = run("demo", "--force", "--no-reports", "--db", db_url)
    assert code == 1 and "Traceback" not in out + err
    assert "the charters cannot be loaded" in err
    code, out, err = run("list", "organizations", "--db", db_url, "--json")
    assert code == 0, out + err
    assert [o["name_zh"] for o in json.loads(out)] == ["甲"]
    monkeypatch.undo()
    assert run("demo", "--force", "--no-reports", "--db", db_url)[0] == 0
    assert "TD-SCDMA产业联盟" in _alliances(db_url)


@pytest.mark.parametrize("args", [
    ("list", "alliances"),
    ("show", "regions", "330100"),
    ("export", "regions"),
    ("evaluate", "alliances", "--system", "alliance_performance", "--years", "2016"),
    ("share", "list"),
])
def test_reading_a_missing_sqlite_file_is_refused(tmp_path: Path, args: tuple[str, ...]) -> None:
    missing = tmp_path / "missing.db"
    code, out, err = run(*args, "--db", f"sqlite:///{missing}")
    assert code != 0 and "Traceback" not in out + err
    text = " ".join(err.split())  # rich wraps long lines
    assert str(missing) in text.replace(" ", "") or str(missing) in text
    assert "innoalliance init --db" in text
    assert not missing.exists()
    assert not list(tmp_path.iterdir())


def test_engine_refuses_a_missing_file_unless_asked_to_create(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    engine = make_engine(f"sqlite:///{missing}")
    with pytest.raises(StoreError, match=r"missing\.db"):
        engine.connect()
    engine.dispose()
    assert not missing.exists()
    created = make_engine(f"sqlite:///{missing}", create=True)
    assert inspect(created).get_table_names() == []
    created.dispose()
    assert missing.exists()


def test_init_and_demo_create_the_file(tmp_path: Path) -> None:
    for command in ("init", "demo"):
        path = tmp_path / f"{command}.db"
        args = (command, "--db", f"sqlite:///{path}")
        code, out, err = run(*args, *(("--no-reports",) if command == "demo" else ()))
        assert code == 0, out + err
        assert path.exists()
