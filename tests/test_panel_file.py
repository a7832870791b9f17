"""Reading region × industry tables: every problem named with its row, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from innoalliance.errors import ValidationError
from innoalliance.ingest.panel_file import read_panel_file


def write(tmp_path: Path, text: str, name: str = "panel.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_panel_is_read_with_its_years(tmp_path: Path) -> None:
    found = read_panel_file(write(tmp_path, "region,industry,value,year\n"
                                             "A,1,10,2020\nA,2,0,2020\nB,1,5,2021\n"))
    assert found.has_year and found.taxonomy == "nbs2018"
    assert found.frame["value"].tolist() == [10.0, 0.0, 5.0]
    assert found.frame["year"].tolist() == [2020, 2020, 2021]


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "region,industry,value,year\nA,1,10,2020\nA,2,-3,2020\n"
                           "B,1,x,2020\nB,1,5,2020\nB,9x,4,2020\nB,2,4,2020\nC,3,,2020\n")
    with pytest.raises(ValidationError) as info:
        read_panel_file(path)
    found = {(p.row, p.column, p.value): p for p in info.value.problems}
    assert "zero or positive" in found[(3, "value", "-3")].rule
    assert "number" in found[(4, "value", "x")].rule
    assert "repeats" in found[(5, "industry", "1")].rule
    assert found[(6, "industry", "9x")].suggestion == "9"
    assert "empty" in found[(8, "value", None)].rule
    assert len(found) == 5


def test_missing_columns_and_free_labels(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="region × industry") as info:
        read_panel_file(write(tmp_path, "city,sector,output\nA,x,1\n"))
    assert {p.column for p in info.value.problems} == {"region", "industry", "value"}
    free = read_panel_file(write(tmp_path, "region,industry,value\nA,steel,1\nB,textiles,2\n"))
    assert free.taxonomy is None and not free.has_year
    with pytest.raises(ValidationError) as info:
        read_panel_file(write(tmp_path, "region,industry,value\nA,steel,1\n"), taxonomy="nbs2018")
    assert "nbs2018" in info.value.problems[0].rule


def test_scores_may_be_negative_when_asked(tmp_path: Path) -> None:
    found = read_panel_file(write(tmp_path, "city,industry,score\nA,1,-0.5\nB,1,2\n"),
                            region="city", value="score", non_negative=False)
    assert found.frame["value"].tolist() == [-0.5, 2.0]
