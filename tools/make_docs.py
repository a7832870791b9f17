"""Regenerate docs/import-formats.md from the import schemas."""

from pathlib import Path

from innoalliance.ingest.reference import render_reference

target = Path(__file__).resolve().parent.parent / "docs" / "import-formats.md"
target.write_text(render_reference(), encoding="utf-8")
print(f"wrote {target.name}")
