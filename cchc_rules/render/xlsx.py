"""Excel (.xlsx) scoring tables."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cchc_rules.ooxml import stable_zip, xml_text
from cchc_rules.render.table import TableRow

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WIDTHS = (10, 60, 10)


def table_xlsx(title: str, headers: Sequence[str], rows: Sequence[TableRow]) -> bytes:
    """The scoring table as a workbook: a title row, a header row, one row per node.

    Scores are written as text with a decimal comma, exactly as computed, so
    Excel shows 0,001 rather than a rounded float.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Bảng chấm điểm"
    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "cchc_rules"
    ws.append([xml_text(title)])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append([xml_text(h) for h in headers])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = _BORDER
    for row in rows:
        ws.append([xml_text(text) for text in row.cells()])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # a note or a title "=..." is text, never a formula
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if row.depth == 1:
                cell.font = Font(bold=True)
    for index, width in enumerate((*_WIDTHS, *([14] * (len(headers) - 4)), 50), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return stable_zip(buffer.getvalue())
