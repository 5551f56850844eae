"""The Excel workbook a province fills in: one row per unit, one column per declared fact.

Row 1 holds the fact names (what `cchc rank` reads), row 2 their descriptions,
row 3 their unit of measure and limits; units start on row 4. Each column
carries Excel data validation built from the declaration (whole numbers for
counts, bounds, a part not above its whole, yes/no and choice lists, dates),
so most mistakes are refused while typing, and `cchc rank` names the cell of
any that get through.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any, Literal

from cchc_rules import ast
from cchc_rules.applicable import blank_when, blank_words
from cchc_rules.checked import CheckedRules
from cchc_rules.facts import KIND_WORDS, literal_value
from cchc_rules.numbers import plain
from cchc_rules.ooxml import CREATOR, stable_zip, xml_text
from cchc_rules.units import (
    DESCRIPTION_MARK,
    LIST_SHEET,
    SHEET,
    TEMPLATE_TITLE,
    UNIT_COLUMN,
    UNIT_MARK,
    column_letter,
)

FIRST_DATA_ROW = 4
LAST_ROW = 1_048_576  # Excel's last row: validation covers every row a province may fill
_BOOLEAN_CHOICES = ("có", "không")


def _shown(value: Any, kind: str) -> str:
    if isinstance(value, Fraction):
        return f"{plain(value * 100)}%" if kind == "percent" else plain(value)
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def limits_text(decl: ast.FactDecl) -> str:
    """Row 3 of a fact's column: unit of measure, kind, bounds and default, in Vietnamese."""
    kind = decl.type.name
    parts = [decl.unit] if decl.unit else []
    parts.append(KIND_WORDS[kind])
    if kind == "percent" and decl.min is None and decl.max is None:
        parts[-1] += " (0%–100%)"
    if kind == "choice":
        # a choice with a comma in it in quotes, or it would read as two
        parts[-1] += ": " + ", ".join(f"“{c}”" if "," in c or ";" in c else c for c in decl.type.choices)
    for bound, sign in ((decl.min, "≥"), (decl.max, "≤")):
        if isinstance(bound, ast.NameRef):
            parts.append(f"{sign} {bound.name}")
        elif bound is not None:
            parts.append(f"{sign} {_shown(literal_value(bound), kind)}")
    if decl.default is not None:
        parts.append(f"để trống = {_shown(literal_value(decl.default), kind)}")
    if decl.given:
        parts.append("được giao")
    return "; ".join(parts)


def _number(value: Any, kind: str) -> str:
    """A bound as an Excel formula constant (percents as fractions, as a %-formatted cell holds them)."""
    if isinstance(value, datetime.date):
        return f"DATE({value.year},{value.month},{value.day})"
    assert isinstance(value, Fraction)
    return plain(value)


def inline_list(options: Iterable[str]) -> str | None:
    """Choices as the list of a data validation holds them ("có,không"); None when Excel cannot hold
    them there (a comma or a quote inside a choice; more than 250 characters in all, short of Excel's
    limit of 255)."""
    options = tuple(options)
    listed = ",".join(options)
    if any("," in o or '"' in o for o in options) or len(listed) > 250:
        return None
    return listed


def validation(decl: ast.FactDecl, column: str, columns: Mapping[str, str], listed: str | None = None) -> Any | None:
    """The Excel data validation of one fact's column, or None when Excel cannot say it.

    `listed`: where a choice fact's choices are written out (`'Danh sách lựa chọn'!$A$1:$A$3`), for
    choices a validation cannot hold inline (`inline_list`).
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = decl.type.name
    cell = f"{column}{FIRST_DATA_ROW}"
    error = f"{decl.name}: {limits_text(decl)}"[:255]
    common: dict[str, Any] = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorTitle": "Giá trị không hợp lệ"[:32],
        "error": error,
        "showInputMessage": True,
        "promptTitle": decl.name[:32],
        "prompt": (decl.description or decl.name)[:255],
    }
    if kind in ("boolean", "choice"):
        inline = inline_list(_BOOLEAN_CHOICES if kind == "boolean" else decl.type.choices)
        if inline is not None:
            return DataValidation(type="list", formula1=f'"{inline}"', **common)
        if listed is None:
            return None
        return DataValidation(type="list", formula1=listed, **common)
    lows: list[str] = []
    highs: list[str] = []
    if kind == "count":
        lows.append("0")
    if kind == "percent" and decl.min is None:
        lows.append("0")
    if kind == "percent" and decl.max is None:
        highs.append("1")
    named = False
    for bound, side in ((decl.min, lows), (decl.max, highs)):
        if isinstance(bound, ast.NameRef):
            other = columns.get(bound.name)
            if other is None:
                continue
            side.append(f"{other}{FIRST_DATA_ROW}")
            named = True
        elif bound is not None:
            side.append(_number(literal_value(bound), kind))
    if named:  # a part and its whole: a formula, relative to the first data row
        tests = [f"ISNUMBER({cell})"]
        if kind in ("count", "integer"):
            tests.append(f"{cell}=INT({cell})")
        tests += [f"{cell}>={low}" for low in lows] + [f"{cell}<={high}" for high in highs]
        return DataValidation(type="custom", formula1=f"AND({','.join(tests)})", **common)
    excel_type: Literal["whole", "decimal", "date"] = (
        "whole" if kind in ("count", "integer") else "date" if kind == "date" else "decimal"
    )
    low = lows[-1] if lows else None
    high = highs[-1] if highs else None
    if low is not None and high is not None:
        return DataValidation(type=excel_type, operator="between", formula1=low, formula2=high, **common)
    if low is not None:
        return DataValidation(type=excel_type, operator="greaterThanOrEqual", formula1=low, **common)
    if high is not None:
        return DataValidation(type=excel_type, operator="lessThanOrEqual", formula1=high, **common)
    if kind == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="DATE(1900,1,1)", **common)
    # No bound: still refuse text where a number is expected.
    return DataValidation(type=excel_type, operator="between", formula1="-1E+15", formula2="1E+15", **common)


def write_workbook(rules: CheckedRules, handle: IO[bytes], rows: Iterable[Mapping[str, Any]] = ()) -> None:
    """The facts workbook of a rule set, with `rows` (unit -> values, as facts files hold them) filled in."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook(write_only=True)
    book.properties.creator = CREATOR
    book.properties.title = xml_text(TEMPLATE_TITLE + rules.header.name)
    sheet = book.create_sheet(SHEET)
    decls = list(rules.facts.values())
    columns = {d.name: column_letter(i) for i, d in enumerate(decls, 2)}
    sheet.column_dimensions["A"].width = 28
    for decl in decls:
        dimension = sheet.column_dimensions[columns[decl.name]]
        dimension.width = 22
        if decl.type.name == "percent":
            dimension.number_format = "0.00%"
        elif decl.type.name == "date":
            dimension.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"
    # Choices a validation cannot hold inline are written out on a hidden sheet, a column each.
    listed = [d for d in decls if d.type.name == "choice" and inline_list(d.type.choices) is None]
    where: dict[str, str] = {}
    for n, decl in enumerate(listed, 1):
        letter = column_letter(n)
        where[decl.name] = f"'{LIST_SHEET}'!${letter}$1:${letter}${len(decl.type.choices)}"
    for decl in decls:
        found = validation(decl, columns[decl.name], columns, where.get(decl.name))
        if found is not None:
            found.add(f"{columns[decl.name]}{FIRST_DATA_ROW}:{columns[decl.name]}{LAST_ROW}")
            sheet.data_validations.append(found)

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    def styled(value: str, font: Any = None, background: Any = None) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        if background is not None:
            cell.fill = background
        cell.alignment = wrap
        return cell

    sheet.append([styled(UNIT_COLUMN, bold, fill), *(styled(d.name, bold, fill) for d in decls)])
    sheet.append([styled(DESCRIPTION_MARK), *(styled(d.description) for d in decls)])
    blank = blank_when(rules)  # a fact only criteria that may not apply read: its cell may stay blank then
    notes = {name: f"; {blank_words(users)}" for name, users in blank.items()}
    sheet.append([styled(UNIT_MARK), *(styled(limits_text(d) + notes.get(d.name, "")) for d in decls)])
    formats = {"percent": "0.00%", "date": "DD/MM/YYYY"}

    def cell(value: Any, kind: str) -> Any:
        if value is None or kind not in formats:
            return value
        out = WriteOnlyCell(sheet, value=value)
        out.number_format = formats[kind]  # read back as a percentage, not as the bare fraction
        return out

    for row in rows:
        sheet.append([row.get(UNIT_COLUMN), *(cell(_excel(row.get(d.name), d.type.name), d.type.name) for d in decls)])
    if listed:
        lists = book.create_sheet(LIST_SHEET)
        lists.sheet_state = "hidden"  # the drop-downs' source, not a sheet of units
        columns_of_choices = [d.type.choices for d in listed]
        for i in range(max(map(len, columns_of_choices))):
            lists.append([_text_cell(lists, c[i]) if i < len(c) else None for c in columns_of_choices])
    buffer = io.BytesIO()
    book.save(buffer)
    handle.write(stable_zip(buffer.getvalue()))  # the same rules, the same bytes: no save time inside


def _text_cell(sheet: Any, text: str) -> Any:
    """A cell holding `text` as text, even one Excel would take for a formula (`=...`)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _excel(value: Any, kind: str) -> Any:
    """A facts-file value as a cell holds it (a percent as its fraction, in a %-formatted column)."""
    if value is None:
        return None
    if kind == "percent":
        text = str(value).strip()
        number = Decimal(text[:-1]) if text.endswith("%") else Decimal(text)
        return number / 100
    if kind == "boolean" and isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value
