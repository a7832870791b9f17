"""Export → import into an empty store → export gives the same files, for every kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from innoalliance.demo.loader import DEMO_KINDS
from innoalliance.ingest.boundaries import read_boundaries
from innoalliance.store.engine import make_engine
from innoalliance.workflows.register.export import export_boundaries, export_frame, frame_to_text
from innoalliance.workflows.register.imports import import_files
from innoalliance.workflows.register.setup import init_store

KINDS = ("regions", "industries", *DEMO_KINDS)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_import_export(demo_engine: Engine, tmp_path: Path, fmt: str) -> None:
    first = {kind: frame_to_text(export_frame(demo_engine, kind), fmt) for kind in KINDS}
    target = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    init_store(target)
    for kind in KINDS:
        path = tmp_path / f"{kind}.{fmt}"
        path.write_text(first[kind], encoding="utf-8")
        import_files(target, kind, [path])
    second = {kind: frame_to_text(export_frame(target, kind), fmt) for kind in KINDS}
    for kind in KINDS:
        assert second[kind] == first[kind], kind


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_boundaries_round_trip(demo_engine: Engine, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"b.{fmt}"
    assert export_boundaries(demo_engine, out, fmt) == 15
    target = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    init_store(target)
    import_files(target, "boundaries", [out])
    again = tmp_path / f"again.{fmt}"
    export_boundaries(target, again, fmt)
    before, after = read_boundaries(out), read_boundaries(again)
    assert [b.code for b in after] == [b.code for b in before]
    for old, new in zip(before, after, strict=True):
        assert new.geometry.equals_exact(old.geometry, tolerance=1e-9), new.code
    if fmt == "geojson":
        assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
