"""The same titled tables as an HTML report, as a PDF (ReportLab; no browser, no font files).

Chinese text uses ReportLab's built-in CID font STSong-Light (Adobe-GB1), which PDF readers
supply, so nothing is embedded or downloaded. Long tables split across pages with the header
repeated; wide tables shrink their font to fit the page width.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from innoalliance.reports.tables import Table

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=20, spaceAfter=4)
_SUB = ParagraphStyle("sub", fontName=FONT, fontSize=9, leading=12, textColor=colors.grey)
_H2 = ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=16, spaceBefore=10,
                     spaceAfter=4)
_NOTE = ParagraphStyle("note", fontName=FONT, fontSize=8, leading=10, textColor=colors.grey)


def _cell(value: object, size: float) -> Paragraph:
    style = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size * 1.25)
    return Paragraph(escape("" if value is None else str(value)), style)


def _table(table: Table, width: float) -> list[object]:
    parts: list[object] = [Paragraph(escape(table.title), _H2)]
    if table.note:
        parts.append(Paragraph(escape(table.note), _NOTE))
    if not table.rows:
        parts.append(Paragraph("none", _NOTE))
        return parts
    size = max(5.0, min(8.0, 80.0 / max(len(table.columns), 1)))
    data = [[_cell(c, size) for c in table.columns]]
    data += [[_cell(v, size) for v in row] for row in table.rows]
    grid = LongTable(data, colWidths=[width / len(table.columns)] * len(table.columns),
                     repeatRows=1)
    grid.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3a5a")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8ccd2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f8")]),
    ]))
    parts.append(grid)
    return parts


def tables_pdf(path: Path, *, title: str, subtitle: str, notes: Sequence[str],
               tables: Sequence[Table]) -> Path:
    """Write ``tables`` (the report's sections) as a landscape A4 PDF at ``path``."""
    page = landscape(A4)
    doc = SimpleDocTemplate(str(path), pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    width = page[0] - 24 * mm
    story: list[object] = [Paragraph(escape(title), _TITLE), Paragraph(escape(subtitle), _SUB)]
    story += [Paragraph(escape(n), _NOTE) for n in notes]
    story.append(Spacer(1, 4 * mm))
    for table in tables:
        story += _table(table, width)
    doc.build(story)
    return path
