"""The import-format reference in docs/ is the one the schemas render."""

from pathlib import Path

from innoalliance.ingest.reference import render_reference
from innoalliance.workflows.evaluate.measures import render_measures


def test_reference_is_up_to_date() -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "import-formats.md"
    assert page.read_text(encoding="utf-8") == render_reference(), (
        "run: python tools/make_docs.py"
    )


def test_measures_table_is_up_to_date() -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "index-systems.md"
    assert render_measures() in page.read_text(encoding="utf-8"), "run: python tools/make_docs.py"
