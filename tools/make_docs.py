"""Regenerate docs/import-formats.md and the measures table of docs/index-systems.md."""

from pathlib import Path

from innoalliance.ingest.reference import render_reference
from innoalliance.workflows.evaluate.measures import render_measures

docs = Path(__file__).resolve().parent.parent / "docs"
(docs / "import-formats.md").write_text(render_reference(), encoding="utf-8")
START, END = "<!-- measures: start -->\n", "<!-- measures: end -->"
page = (docs / "index-systems.md").read_text(encoding="utf-8")
head, rest = page.split(START)
(docs / "index-systems.md").write_text(head + START + render_measures() + END
                                       + rest.split(END, 1)[1], encoding="utf-8")
print("wrote import-formats.md and index-systems.md")
