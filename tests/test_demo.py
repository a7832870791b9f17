"""The demo store holds every alliance the seed papers name, with its data complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from innoalliance.model import Alliance, Region, Statistic
from innoalliance.workflows.register.imports import import_files

# Seed 000 (Zhong, Zhang & Mo), Table I: the 25 alliances of strategic emerging industries in
# the Pearl River Delta, with the field column read one row higher (see demo/data/README.md).
TABLE_I = {
    "GD01": [
        "Digital Family", "Smart City", "Mapping Geographic Information",
        "Network Space Security", "New Intelligent Terminal", "Network And Information Security",
        "Software Industrialization", "Internet of Things", "Electronic Printed Circuit",
        "Typographical Display",
    ],
    "GD03": [
        "Automotive-Advanced Steel Plate", "Lead-Free Electronics", "OLED", "Wear-Resistant",
        "Green Construction", "Metal-Based Composite",
    ],
    "GD04": [
        "Stem Cell", "New Drug", "Traditional Chinese Medicine", "Molecular Diagnostics",
        "Human Tissue", "Pharmaceutical Preparations",
    ],
    "GD05": ["Electric Vehicles", "Bio-Energy"],
    "GD09": ["Mineral Resources"],
}


def test_every_seed_alliance_is_in_the_demo(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        alliances = conn.execute(select(Alliance.name_en, Alliance.industry, Alliance.kind)).all()
    for field, names in TABLE_I.items():
        for name in names:
            hits = [a for a in alliances if a.name_en and name.lower() in a.name_en.lower()]
            assert len(hits) == 1, name
            assert hits[0].industry == field, name
    assert sum(len(v) for v in TABLE_I.values()) == 25
    english = " ".join(a.name_en or "" for a in alliances)
    assert "TD-SCDMA" in english and "IGRS" in english  # seed 004
    assert {a.kind for a in alliances} == {  # the five Zhongguancun kinds of seed 004
        "rd_cooperation", "technical_standard", "industrial_chain", "market_cooperation",
        "social_norms",
    }


def test_hangzhou_bay_figures(demo_engine: Engine) -> None:
    """Seed 002: the six cities' 2014 GDP totals 2740.27 billion yuan, patents 75016."""
    bay = ["330100", "330200", "330400", "330500", "330600", "330900"]
    with demo_engine.connect() as conn:
        gdp, patents = (
            conn.execute(select(func.sum(Statistic.value)).where(
                Statistic.region.in_(bay), Statistic.indicator == name,
                Statistic.year == 2014, Statistic.industry == "")).scalar_one()
            for name in ("gdp", "patents_granted")
        )
        shaped = conn.execute(select(func.count()).select_from(Region).where(
            Region.code.in_(bay), Region.geometry.is_not(None))).scalar_one()
    assert abs(gdp - 2740.27e9) < 1.0
    assert patents == 75016
    assert shaped == 6


def test_large_first_load_and_reload(engine: Engine, tmp_path: Path) -> None:
    """A load big enough for the bulk path (PostgreSQL COPY) keeps keys and foreign keys."""
    rows = ["region,indicator,industry,year,value,unit"]
    rows += [f"330100,i{i % 500},,{2000 + i // 500},{i},万元" for i in range(25_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    first = import_files(engine, "statistics", [path])[0]
    again = import_files(engine, "statistics", [path])[0]
    assert (first.inserted, again.unchanged) == (25_000, 25_000)
    bad = tmp_path / "bad.csv"
    bad.write_text("region,indicator,year,value,unit\n330100,x,2001,1,元\n", encoding="utf-8")
    import_files(engine, "statistics", [bad])
    with engine.begin() as conn:
        total = conn.execute(select(func.sum(Statistic.value))).scalar_one()
    assert total == sum(range(25_000)) * 1e4 + 1
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the foreign key is back
        conn.execute(insert(Statistic).values(region="999999", indicator="x", industry="",
                                              year=2001, value=1.0, unit="元", version=1))
