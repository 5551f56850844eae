"""Excel (.xlsx) scoring tables."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cchc_rules.ooxml import CREATOR, stable_zip, xml_text
from cchc_rules.render.table import TableRow

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WIDTHS = (10, 60, 10)


def table_xlsx(title: str, headers: Sequence[str], rows: Sequence[TableRow]) -> bytes:
    """The scoring table as a workbook: a title row, a header row, one row per node.

    The maxima, scores and rates are numbers, so that Excel can add them up, each
    shown with the decimals it has (`_number`); the rest is text.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Bảng chấm điểm"
    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = CREATOR
    wb.properties.title = xml_text(title)
    ws.append([xml_text(title)])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append([xml_text(h) for h in headers])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = _BORDER
    figures = range(3, len(headers))  # the maximum and each round's score, 1-based
    for row in rows:
        texts = [xml_text(text) for text in row.cells()]
        ws.append(texts)
        for cell, text in zip(ws[ws.max_row], texts, strict=True):
            number = _number(text) if cell.column in figures else None
            if number is None:
                cell.data_type = "s"  # a note or a title "=..." is text, never a formula
            else:
                cell.value, cell.number_format = number
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


# A figure as the table writes it: `12,75`, `+1` (a bonus), `−0,5` (a penalty), `92,86%` (a rate).
_FIGURE = re.compile(r"([+−]?)([0-9]+)(?:,([0-9]+))?(%?)")


def _number(text: str) -> tuple[Decimal, str] | None:
    """A figure's value and an Excel format that shows it exactly as the text does; None for other text.

    A penalty is negative, so the column adds up to the total. A figure a spreadsheet's 15 significant
    digits would change (a rule set may round to more places) stays text: it is shown as computed.
    """
    found = _FIGURE.fullmatch(text)
    if found is None:
        return None
    sign, whole, decimals, percent = found.groups()
    value = Decimal(f"{whole}.{decimals or 0}")
    if Decimal(repr(float(value))) != value:
        return None
    places = "0." + "0" * len(decimals) if decimals else "0"
    if percent:
        return value / 100, places + "%"
    if sign == "−":
        return -value, f'{places};"−"{places}'  # shown with its sign, as in the other tables
    return value, f"+{places}" if sign == "+" else places
