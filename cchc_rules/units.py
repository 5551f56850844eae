"""Facts of many units: a folder of facts files, a JSON-lines file, or an Excel workbook.

Every reader yields `UnitFacts` one unit at a time (JSON lines and workbooks
are streamed, so memory does not grow with the number of units). Values are
not validated here: `validate_unit` does it against a rule set, with the fast
path for plain values and the usual messages otherwise, each naming where the
unit was written (file and line, or sheet, row and column).
"""

from __future__ import annotations

import datetime
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_rules.errors import CchcError, Diagnostic, FactsError, did_you_mean, os_error_text
from cchc_rules.facts import Facts, RawFacts, json_problem, raw_from_mapping, read_facts
from cchc_rules.numbers import vi
from cchc_rules.source import Span, normalise

if TYPE_CHECKING:
    from cchc_rules.checked import CheckedRules
    from cchc_rules.ruleset import RuleSet

FACTS_SUFFIXES = (".yaml", ".yml", ".json")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# The template's first column (the unit) and the markers of its two description rows.
UNIT_COLUMN = "don_vi"
DESCRIPTION_MARK = "(mô tả)"
UNIT_MARK = "(đơn vị, giới hạn)"
SHEET = "Dữ kiện"


class UnitsError(CchcError):
    """Input for many units that cannot be read."""


@dataclass(slots=True)
class UnitFacts:
    """One unit's facts as read: its id, where it was written, and its raw facts."""

    id: str
    where: str
    facts: Mapping[str, Any] | RawFacts
    # For a workbook row: fact name -> (sheet, row, column letter), to name the cell of a bad value.
    cells: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    empty: tuple[str, ...] = ()
    # A unit that could not be read (a broken line, a facts file that is not YAML): reported with the
    # others' problems, instead of stopping at the first.
    problem: CchcError | None = None


def _error(message: str, hint: str = "", code: str = "U001") -> UnitsError:
    return UnitsError([Diagnostic(code=code, severity="error", message=message, hint=hint)])


def kind_of(path: Path) -> str:
    """`folder`, `jsonl` or `xlsx`, from what the path is; a UnitsError otherwise."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise _error(f"{path}: không có tệp hay thư mục này")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    raise _error(
        f"{path}: không biết đọc dữ kiện nhiều đơn vị từ tệp `{suffix or path.name}`",
        "dùng một thư mục tệp dữ kiện (.yaml, .json), một tệp JSON lines (.jsonl) hoặc một bảng tính (.xlsx)",
    )


def read_units(path: Path | str, rules: CheckedRules | None = None) -> Iterator[UnitFacts]:
    """Every unit of a folder, a JSON-lines file or a workbook, one at a time.

    Given the rules, a workbook's header row is checked first: a column that is no fact, or a
    fact without a default that has no column, is one error at its header cell, not one per row.
    """
    path = Path(path)
    kind = kind_of(path)
    if kind == "folder":
        return _folder(path)
    if kind == "jsonl":
        return _jsonl(path)
    return _workbook(path, rules)


def count_units(path: Path | str) -> int | None:
    """How many units an input holds, when that is cheap to know (for a progress bar); None otherwise."""
    path = Path(path)
    try:
        kind = kind_of(path)
    except UnitsError:
        return None
    if kind == "folder":
        return sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FACTS_SUFFIXES)
    if kind == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    return None


# ---- a folder of facts files ---------------------------------------------------------------------


def _folder(path: Path) -> Iterator[UnitFacts]:
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FACTS_SUFFIXES)
    if not files:
        raise _error(f"{path}: thư mục không có tệp dữ kiện nào (.yaml, .yml, .json)")
    for file in files:
        try:
            raw = read_facts(file)
        except CchcError as exc:
            yield UnitFacts(id=file.stem, where=str(file), facts={}, problem=exc)
            continue
        yield UnitFacts(id=raw.unit or file.stem, where=str(file), facts=raw)


# ---- JSON lines ------------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    """A key written twice in one JSON object."""


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(items)
    if len(out) != len(items):
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


# One decoder for every line: exact decimals, and a key written twice is an error, not a silent overwrite.
_DECODER = json.JSONDecoder(parse_float=Decimal, object_pairs_hook=_pairs)


def _jsonl(path: Path) -> Iterator[UnitFacts]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise _error(f"{path}: không đọc được tệp: {os_error_text(exc)}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                unit = _json_line(path, number, line)
            except UnitsError as exc:  # this line's problem, listed with the others'
                unit = UnitFacts(id=f"(dòng {number})", where=f"{path}:{number}", facts={}, problem=exc)
            yield unit


def _json_line(path: Path, number: int, line: bytes) -> UnitFacts:
    """One unit of a JSON-lines file, or a UnitsError saying what is wrong with its line."""
    where = f"{path}:{number}"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise _error(f"{where}: dòng không phải UTF-8", "lưu lại tệp với bảng mã UTF-8") from None
    try:
        item = _DECODER.decode(text)
    except _DuplicateKey as exc:
        key = exc.args[0]
        raise _error(f"{where}: khoá `{key}` xuất hiện hai lần", "mỗi dữ kiện chỉ ghi một lần") from None
    except json.JSONDecodeError as exc:
        _, column, problem, hint = json_problem(exc, one_line=True)
        span = Span(file=str(path), line=number, column=column, end_line=number, end_column=column + 1)
        raise UnitsError(
            [
                Diagnostic(
                    code="U001",
                    severity="error",
                    message=f"dòng JSON sai cú pháp: {problem}",
                    span=span,
                    line_text=text.rstrip("\r\n"),
                    hint=hint or 'mỗi dòng một đối tượng: {"unit": "Xã A", "facts": {"doi_thoai": 2, ...}}',
                )
            ]
        ) from None
    if not isinstance(item, dict) or set(item) - {"unit", "facts"} or not isinstance(item.get("facts"), dict):
        raise _error(
            f"{where}: mỗi dòng phải là một đối tượng có `unit` và `facts`",
            'vd: {"unit": "Xã Thanh Thủy", "facts": {"doi_thoai": 2, "tong_ho_so": 1754}}',
        )
    unit = item.get("unit")
    if unit is None or isinstance(unit, (dict, list, bool)) or str(unit).strip() == "":
        raise _error(f"{where}: thiếu mã đơn vị `unit`", 'vd: "unit": "Xã Thanh Thủy"')
    return UnitFacts(id=normalise(str(unit)), where=where, facts=item["facts"])


# ---- Excel workbooks -------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_value(value: Any, number_format: str) -> Any:
    """A cell as a facts file would hold it: percent-formatted numbers become "75%", floats exact decimals."""
    if isinstance(value, str):
        value = value.strip()
        return value if value else None
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and "%" in (number_format or ""):
        return f"{Decimal(value) * 100:f}%"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _workbook(path: Path, rules: CheckedRules | None = None) -> Iterator[UnitFacts]:
    try:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise _error("cần thư viện openpyxl để đọc bảng tính") from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _error(f"{path}: không đọc được bảng tính ({exc})", "lưu lại tệp dạng .xlsx") from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows()
        header = next(rows, None)
        if header is None:
            raise _error(f"{path}: trang tính `{sheet.title}` trống", "tạo bảng mẫu bằng `cchc template`")
        names = [normalise(str(c.value)).strip() if c.value is not None else "" for c in header]
        if not names or names[0] != UNIT_COLUMN:
            raise _error(
                f"{path}: trang tính `{sheet.title}`, ô A1 phải là `{UNIT_COLUMN}` (cột mã đơn vị)",
                "dòng 1 ghi tên dữ kiện; tạo bảng mẫu bằng `cchc template RULES -o facts.xlsx`",
            )
        seen: dict[str, str] = {}
        for i, name in enumerate(names[1:], 2):
            if not name:  # a column without a heading (notes, or a cell merely formatted): not read
                continue
            if name in seen:
                raise _error(
                    f"{path}: trang tính `{sheet.title}`: dữ kiện `{name}` ở hai cột {seen[name]} và {column_letter(i)}"
                )
            seen[name] = column_letter(i)
        if rules is not None:
            _check_header(path, sheet.title, seen, rules)
        percents = {n for n, d in rules.facts.items() if d.type.name == "percent"} if rules is not None else set()
        for row in rows:
            first = row[0].value if row else None
            if first in (DESCRIPTION_MARK, UNIT_MARK):
                continue
            number = next((c.row for c in row if getattr(c, "row", None)), None) or 0  # an empty cell has no row
            cells = {names[i]: c for i, c in enumerate(row) if i < len(names) and names[i]}
            if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in row):
                continue  # a blank line
            unit = cells.get(UNIT_COLUMN)
            unit_id = normalise(str(unit.value)).strip() if unit is not None and unit.value is not None else ""
            where = f"{path}: trang tính `{sheet.title}`, dòng {number}"
            if not unit_id:  # listed with the other rows' problems (a unit given twice: see `rank_units`)
                missing = _error(f"{where}, cột A: thiếu mã đơn vị", "mỗi dòng là một đơn vị; ghi tên xã ở cột A")
                yield UnitFacts(id=f"(dòng {number})", where=where, facts={}, problem=missing)
                continue
            given: dict[str, Any] = {}
            empty: list[str] = []
            where_cells: dict[str, tuple[str, int, str]] = {}
            unclear: list[Diagnostic] = []
            for name, cell in cells.items():
                if name == UNIT_COLUMN:
                    continue
                where_cells[name] = (sheet.title, number, seen[name])
                number_format = getattr(cell, "number_format", "") or ""
                value = _cell_value(cell.value, number_format)
                if value is None:
                    empty.append(name)
                else:
                    given[name] = value
                if name in percents and _unclear_percent(cell.value, number_format):
                    unclear.append(_unclear(path, sheet.title, number, seen[name], name, cell.value))
            problem = FactsError(unclear) if unclear else None
            yield UnitFacts(
                id=unit_id, where=where, facts=given, cells=where_cells, empty=tuple(empty), problem=problem
            )
    finally:
        book.close()


def _unclear_percent(value: Any, number_format: str) -> bool:
    """A plain number of at most 1 in a percent column: 0.75 may be 75 % (as the template's check
    allows) or 0.75 %, as a plain number reads; refused rather than guessed."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or "%" in number_format:
        return False
    return 0 < value <= 1


def _unclear(path: Path, sheet: str, row: int, column: str, name: str, value: Any) -> Diagnostic:
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    shown = vi(exact)
    return Diagnostic(
        code="F003",
        severity="error",
        message=f"{path}: trang tính `{sheet}`, ô {column}{row} (dòng {row}, cột {column}, `{name}`): "
        f"{shown} trong một cột phần trăm không định dạng phần trăm: không rõ là {shown}% hay {vi(exact * 100)}%",
        hint=f"định dạng ô là phần trăm, hoặc viết rõ `{shown}%` hay `{vi(exact * 100)}%`",
    )


def _check_header(path: Path, sheet: str, columns: dict[str, str], rules: CheckedRules) -> None:
    """A workbook's fact columns against the declarations: each wrong one named once, at its header cell."""
    declared = list(rules.facts)
    problems = [
        Diagnostic(
            code="U001",
            severity="error",
            message=f"{path}: trang tính `{sheet}`, ô {column}1: cột `{name}` không phải dữ kiện của bộ quy tắc",
            hint=did_you_mean(name, declared, "xoá cột này, hoặc khai báo dữ kiện trong bộ quy tắc"),
        )
        for name, column in columns.items()
        if name not in rules.facts and name not in rules.retired_facts
    ]
    lacking = [name for name, decl in rules.facts.items() if name not in columns and decl.default is None]
    if lacking:
        problems.append(
            Diagnostic(
                code="U001",
                severity="error",
                message=f"{path}: trang tính `{sheet}`, dòng 1: không có cột cho "
                + ", ".join(f"`{name}`" for name in lacking),
                hint="thêm một cột cho mỗi dữ kiện, tên ở dòng 1; `cchc template RULES -o facts.xlsx` tạo đủ các cột",
            )
        )
    if problems:
        raise UnitsError(problems)


# ---- validation ------------------------------------------------------------------------------------

_NAMED = re.compile(r"dữ kiện `([^`]+)`")


def validate_unit(rules: RuleSet, unit: UnitFacts) -> Facts:
    """The unit's facts validated against `rules`; a FactsError names the file and line, or the cell."""
    facts = unit.facts
    if isinstance(facts, RawFacts):
        return rules.facts(facts)
    if type(facts) is dict and not unit.empty:
        fast = rules.compiled[0].facts(facts, unit=unit.id)
        if fast is not None:
            return fast
    problems: list[Diagnostic] = []
    required = [
        n for n in unit.empty if rules.checked.facts.get(n) is not None and rules.checked.facts[n].default is None
    ]
    for name in required:
        problems.append(
            _cell_problem(unit, name, f"ô trống: thiếu dữ kiện `{name}` ({rules.checked.facts[name].description})")
        )
    try:
        raw = raw_from_mapping(facts, name=unit.where)
        valid = rules.facts(raw.model_copy(update={"unit": unit.id}))
    except FactsError as exc:
        for d in exc.diagnostics:
            if d.code == "F002" and required:
                continue  # the empty cells are named above
            names = _NAMED.findall(d.message)
            cell = unit.cells.get(names[0]) if names else None
            if cell is not None:
                message = d.message.removeprefix(f"{unit.where}: ")
                problems.append(_cell_problem(unit, names[0], message, d.hint, d.code))
            else:
                problems.append(d)
        raise FactsError(problems) from None
    if problems:
        raise FactsError(problems)
    return valid


def _cell_problem(unit: UnitFacts, name: str, message: str, hint: str = "", code: str = "F003") -> Diagnostic:
    cell = unit.cells.get(name)
    if cell is None:
        return Diagnostic(code=code, severity="error", message=f"{unit.where}: {message}", hint=hint)
    sheet, row, column = cell
    where = unit.where.split(": trang tính")[0]
    return Diagnostic(
        code=code,
        severity="error",
        message=f"{where}: trang tính `{sheet}`, ô {column}{row} (dòng {row}, cột {column}, `{name}`): {message}",
        hint=hint,
    )
