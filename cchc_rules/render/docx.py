"""Word (.docx) files: the report and the scoring table, in the layout of the documents communes file."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from cchc_rules.ooxml import stable_zip, xml_text
from cchc_rules.render.report import Report
from cchc_rules.render.table import TableRow

FONT = "Times New Roman"


def _document(landscape: bool = False) -> object:
    doc = Document()
    # A4, with the margins of Nghị định 30/2020/NĐ-CP (phụ lục I): top and bottom 20 mm, left 30 mm, right
    # 15 mm; python-docx's template is US Letter, which administrative documents never use.
    section = doc.sections[0]
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    # Fixed document properties: the same inputs give the same bytes.
    props = doc.core_properties
    props.author = "cchc_rules"
    props.last_modified_by = "cchc_rules"
    props.revision = 1
    import datetime

    fixed = datetime.datetime(2000, 1, 1)
    props.created = fixed
    props.modified = fixed
    return doc


def _bytes(doc: object) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)  # type: ignore[attr-defined]
    return stable_zip(buffer.getvalue())


def report_docx(report: Report) -> bytes:
    """The report as a Word document."""
    doc = _document()
    for i, line in enumerate(report.title):
        p = doc.add_paragraph()  # type: ignore[attr-defined]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(xml_text(line))
        run.bold = True
        run.font.size = Pt(14 if i == 0 else 13)
    if report.place_date:
        p = doc.add_paragraph()  # type: ignore[attr-defined]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.add_run(xml_text(report.place_date)).italic = True
    for line in report.preamble:
        doc.add_paragraph(xml_text(line))  # type: ignore[attr-defined]
    for section in report.sections:
        heading = doc.add_paragraph()  # type: ignore[attr-defined]
        heading.add_run(xml_text(section.heading)).bold = True
        for para in section.paragraphs:
            if para.kind == "bullet":
                doc.add_paragraph(xml_text(f"- {para.text}"))  # type: ignore[attr-defined]
            else:
                p = doc.add_paragraph()  # type: ignore[attr-defined]
                p.add_run(xml_text(para.text)).bold = para.kind in ("area", "total")
    if report.recipients or report.signature:
        table = doc.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
        left, right = table.rows[0].cells
        if report.recipients:
            left.paragraphs[0].add_run("Nơi nhận:").bold = True
            for r in report.recipients:
                left.add_paragraph(xml_text(f"- {r.lstrip('- ')}"))
        for i, line in enumerate(report.signature):
            p = right.paragraphs[0] if i == 0 else right.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(xml_text(line)).bold = True
    return _bytes(doc)


def table_docx(title: str, headers: Sequence[str], rows: Sequence[TableRow]) -> bytes:
    """The scoring table (bảng chấm điểm) as a Word table, on a landscape page (a column per round)."""
    doc = _document(landscape=True)
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(xml_text(title)).bold = True
    table = doc.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(xml_text(text)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row.cells(), strict=True):
            run = cell.paragraphs[0].add_run(xml_text(text))
            run.bold = row.depth == 1
    return _bytes(doc)
