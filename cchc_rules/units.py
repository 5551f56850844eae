"""Facts of many units: a folder of facts files, a JSON-lines file, or an Excel workbook.

A folder's JSON-lines files and workbooks are read as they would be alone. A
workbook is read from every sheet whose A1 is `don_vi`; what it would misread
(data under no heading, merged cells, a formula without its value) is refused,
never read as an empty cell. Every reader yields `UnitFacts` one unit at a time
(JSON lines and workbooks are streamed, so memory does not grow with the
number of units). Values are not validated here: `validate_unit` does it
against a rule set, with the fast path for plain values and the usual messages
otherwise, each naming where the unit was written (file and line, or sheet,
row and column).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc_rules.errors import CchcError, Diagnostic, FactsError, did_you_mean, os_error_text, unaccented
from cchc_rules.facts import (
    FACTS_SUFFIXES,
    Facts,
    RawFacts,
    json_key_places,
    json_problem,
    raw_from_mapping,
    read_facts,
)
from cchc_rules.numbers import vi
from cchc_rules.ooxml import core_property
from cchc_rules.paths import missing_path_hint
from cchc_rules.source import (
    MAY_BE_UNSHOWABLE,
    Span,
    file_text,
    name_key,
    normalise,
    unshowable,
    unshowable_entry,
    unshowable_hint,
    utf16_without_bom,
    without_invisible,
)

if TYPE_CHECKING:
    from cchc_rules.checked import CheckedRules
    from cchc_rules.ruleset import RuleSet

JSONL_SUFFIXES = (".jsonl", ".ndjson")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# How a template's title (its document properties) begins, before the name of the rule set it was made for.
TEMPLATE_TITLE = "Mẫu dữ kiện: "
# The template's first column (the unit) and the markers of its two description rows.
UNIT_COLUMN = "don_vi"
DESCRIPTION_MARK = "(mô tả)"
UNIT_MARK = "(đơn vị, giới hạn)"
_MARKS = frozenset(map(name_key, (DESCRIPTION_MARK, UNIT_MARK)))

# What a sheet's row of totals or averages is called in column A, without marks: a row people add
# under the communes, which would be ranked as one of them. Whole names only: "Xã Cộng Hòa" is a commune,
# and so is "Trung Bình" (Trần Đề, Sóc Trăng), typed without "Xã": an average row is "Bình quân" here.
_TOTAL_HEADS = ("tong", "cong", "tong cong", "tong so", "tong hop", "binh quan", "trung binh")
_TOTAL_SCOPES = ("toan tinh", "toan huyen", "toan thanh pho", "toan thi xa", "ca tinh", "ca huyen", "chung")
_TOTAL_ROWS = frozenset(
    {head for head in _TOTAL_HEADS if head != "trung binh"}
    | {f"{head} {scope}" for head in _TOTAL_HEADS for scope in _TOTAL_SCOPES}
    | {scope for scope in _TOTAL_SCOPES if scope != "chung"}
    | {"total", "average"}
)
# A district's own row (its subtotal) among communes: what a commune-level rule set never scores. Compared
# with their marks: "Tịnh Hà", "Quân Chu", "Huyền Sơn" are communes.
_DISTRICTS = ("huyện", "quận", "thị xã", "thành phố", "tỉnh")
# Words that make a name a commune's even after its district's ("Huyện Gia Lộc - Thị trấn Gia Lộc").
_COMMUNE_WORDS = re.compile(r"(?:^|[\s\-/–,(])(?:(?:xã|phường|thị trấn|tt)(?=[\s.,)]|$)|(?:tt|p)\.)")


def _bare(name: str) -> str:
    """A name without marks, case, brackets or colons, spaces made single: how row labels are compared."""
    return " ".join(unaccented(re.sub(r"\(.*\)|[:.]", " ", name.casefold())).split())


def _total_row(name: str) -> bool:
    """Whether column A names a row of totals ("Tổng cộng", "BÌNH QUÂN:", "Cộng toàn huyện"), not a unit."""
    return _bare(name) in _TOTAL_ROWS


def _district_row(name: str, level: str) -> str:
    """The kind of district column A names ("Huyện", "Thị xã"), when the rule set scores communes (level
    `xã`) and the name is a district's alone, not "Huyện X - Xã Y"; "" otherwise."""
    if _bare(level) != "xa":
        return ""
    text = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    for kind in _DISTRICTS:
        if text.startswith(kind + " ") and not _COMMUNE_WORDS.search(text[len(kind) :]):
            return " ".join(name.split()[: len(kind.split())])
    return ""


SHEET = "Dữ kiện"
# The template's hidden sheet of choices too long or too rich for a drop-down to hold inline.
LIST_SHEET = "Danh sách lựa chọn"
# A1 of the workbook `cchc rank` writes (`rank` before its headers were Vietnamese): found among the
# units' workbooks, it is an output written there, not units.
RANK_HEADING = "Hạng"
RANK_HEADINGS = (RANK_HEADING, "rank")
_SAVE_AS_XLSX = "mở tệp bằng Excel rồi lưu lại dạng Excel Workbook (.xlsx): Tệp > Lưu thành"
# Spreadsheets that are not read, but are once saved as .xlsx.
_SAVE_AS = {
    ".xls": "tệp Excel cũ (.xls)",
    ".xlsb": "bảng tính Excel nhị phân (.xlsb)",
    ".ods": "bảng tính OpenDocument (.ods)",
}


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
    # The appraisal round a facts file's `rounds:` gave its facts from (the last), "" for its own facts.
    round: str = ""
    # A workbook row's cells refused while reading it (an Excel error, an unclear percentage), by fact name.
    refused: tuple[str, ...] = ()
    # A workbook row Excel hides (a filter showing some units only): ranked all the same, and said so.
    hidden: bool = False
    # A JSON line as written, to show a bad value under its column.
    line: str = ""


def _error(message: str, hint: str = "", code: str = "U001") -> UnitsError:
    return UnitsError([_diagnostic(message, hint, code)])


def _diagnostic(message: str, hint: str = "", code: str = "U001") -> Diagnostic:
    return Diagnostic(code=code, severity="error", message=message, hint=hint)


def kind_of(path: Path) -> str:
    """`folder`, `jsonl` or `xlsx`, from what the path is; a UnitsError otherwise."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise _error(
            f"{path}: không có tệp hay thư mục này", missing_path_hint(path, (*JSONL_SUFFIXES, *XLSX_SUFFIXES))
        )
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in _SAVE_AS or suffix == ".csv":
        raise _error(
            f"{path}: không đọc được {_SAVE_AS.get(suffix, 'tệp CSV')} như dữ kiện nhiều đơn vị",
            f"{_SAVE_AS_XLSX}, rồi dùng tệp .xlsx",
        )
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
        return _folder(path, rules)
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
        total = 0
        for file in _folder_files(path):
            suffix = file.suffix.lower()
            count = _workbook_rows(file) if suffix in XLSX_SUFFIXES else _lines(file) if suffix in JSONL_SUFFIXES else 1
            if count is None:
                return None
            total += count
        return total
    if kind == "jsonl":
        return _lines(path)
    return _workbook_rows(path)


def _workbook_rows(path: Path) -> int | None:
    """About how many units a workbook holds, for a progress bar: the rows below the template's three header
    rows of each sheet headed `don_vi`, counted in the sheet's XML without parsing it (parsing would read
    the workbook twice). None when that is not cheap (a sheet that records no size, as openpyxl's write-only
    files do and Excel's never do) or the file cannot be opened (reading it will say why)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                # A sheet that records no size (openpyxl's write-only files) makes openpyxl read all of its
                # rows to open the workbook: that is the reading's to do, once.
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as stream:
                        if not _DIMENSION.search(stream.read(4096)):
                            return None
        book = load_workbook(path, read_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    try:
        packed = getattr(book, "_archive", None)
        total = 0
        for sheet in book.worksheets:
            first = next(sheet.iter_rows(max_row=1, max_col=1, values_only=True), ())
            member = getattr(sheet, "_worksheet_path", None)
            if not first or first[0] != UNIT_COLUMN:
                continue
            if not isinstance(packed, zipfile.ZipFile) or not isinstance(member, str):  # pragma: no cover
                return None
            rows, tail = 0, b""
            with packed.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    data = tail + chunk
                    # a tag cut in two is counted with the chunk that ends it; the tail's own, already counted
                    rows += len(_ROW_TAG.findall(data)) - len(_ROW_TAG.findall(tail))
                    tail = data[-16:]
            total += max(0, rows - 3)
        return total
    finally:
        book.close()


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s")


def templates_of(path: Path | str) -> list[tuple[Path, str]]:
    """Each workbook of an input (the input itself, or a folder's) that `cchc template` made, with the name
    of the rule set it was made for, as its title says. Read from the file's properties alone: a sheet
    that records no size would make openpyxl read all of its rows."""
    path = Path(path)
    try:
        kind = kind_of(path)
    except UnitsError:
        return []
    books = [path] if kind == "xlsx" else _folder_files(path) if kind == "folder" else []
    out = []
    for book in books:
        title = core_property(book, "title") if book.suffix.lower() in XLSX_SUFFIXES else None
        if title is not None and title.startswith(TEMPLATE_TITLE):
            out.append((book, title.removeprefix(TEMPLATE_TITLE)))
    return out


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 1  # one problem, reported when it is read


# ---- a folder of facts files ---------------------------------------------------------------------


def _folder_files(path: Path) -> list[Path]:
    """The files of a folder read as units: facts files, JSON lines and workbooks (not the `~$` file Excel
    keeps beside a workbook it has open), and spreadsheets to be saved as .xlsx first, to say so."""
    read = (*FACTS_SUFFIXES, *JSONL_SUFFIXES, *XLSX_SUFFIXES, *_SAVE_AS)
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in read
        and not p.name.startswith("~$")
        # hidden files and folders (.git, a macOS `._x.yaml` beside each file copied from a Mac) are no units
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def _folder(path: Path, rules: CheckedRules | None = None) -> Iterator[UnitFacts]:
    files = _folder_files(path)
    if not files:
        raise _error(f"{path}: thư mục không có tệp dữ kiện nào (.yaml, .yml, .json, .jsonl, .xlsx)")
    for file in files:
        suffix = file.suffix.lower()
        if suffix in FACTS_SUFFIXES:
            try:
                raw = read_facts(file)
            except CchcError as exc:
                yield UnitFacts(id=file_text(file.stem), where=str(file), facts={}, problem=exc)
                continue
            last = ""
            if raw.rounds:  # appraised in the file itself: the score in force is the last round's
                from cchc_rules.rounds import rounds_from

                in_force = rounds_from([raw])[-1]
                raw, last = in_force.facts, in_force.name
            yield UnitFacts(id=raw.unit or file_text(file.stem), where=str(file), facts=raw, round=last)
            continue
        if suffix in _SAVE_AS:
            problem = _error(f"{file}: không đọc được {_SAVE_AS[suffix]}", f"{_SAVE_AS_XLSX}, rồi dùng tệp .xlsx")
            yield UnitFacts(id=f"({file_text(file.name)})", where=str(file), facts={}, problem=problem)
            continue
        units = _jsonl(file) if suffix in JSONL_SUFFIXES else _workbook(file, rules, in_folder=True)
        try:
            yield from units
        except UnitsError as exc:  # a file that cannot be read: listed with the other files' problems
            yield UnitFacts(id=f"({file_text(file.name)})", where=str(file), facts={}, problem=exc)


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
            if number == 1 and line.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode"
                raise _error(f"{path}: tệp được lưu bằng UTF-16", "lưu lại tệp với bảng mã UTF-8")
            if number == 1 and b"\x00" in line and (order := utf16_without_bom(line)) is not None:
                said = f"{path}: tệp được lưu bằng UTF-16 {order} (không có BOM)"
                raise _error(said, "lưu lại tệp với bảng mã UTF-8")
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")  # the byte-order mark Notepad writes before UTF-8
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
    bad = unshowable(item) if MAY_BE_UNSHOWABLE.search(text) else None  # most lines are not walked at all
    if bad is not None:
        facts = item.get("facts") if isinstance(item, dict) else None
        fact = unshowable_entry(facts) if isinstance(facts, dict) else None
        said = f"dữ kiện `{fact}`" if fact is not None else "dòng"
        raise _error(f"{where}: {said} có ký tự không hiển thị, không ghi ra được ({bad})", unshowable_hint(bad))
    extra = sorted(set(item) - {"unit", "facts"}) if isinstance(item, dict) else []
    if extra:  # `rounds`, `notes`, `year`: a facts file's keys, which one line of units does not take
        keys = ", ".join(f"`{k}`" for k in extra)
        raise _error(
            f"{where}: mỗi dòng chỉ được có `unit` và `facts`; không dùng được {keys} trong JSON lines",
            "vòng thẩm định, ghi chú, năm: viết mỗi đơn vị một tệp dữ kiện (.yaml) trong một thư mục, rồi xếp hạng "
            "thư mục đó; hoặc ghi vào `facts` số liệu của vòng cần xếp hạng",
        )
    if not isinstance(item, dict) or not isinstance(item.get("facts"), dict):
        raise _error(
            f"{where}: mỗi dòng phải là một đối tượng có `unit` và `facts`",
            'vd: {"unit": "Xã Thanh Thủy", "facts": {"doi_thoai": 2, "tong_ho_so": 1754}}',
        )
    unit = item.get("unit")
    if unit is None or isinstance(unit, (dict, list, bool)) or str(unit).strip() == "":
        raise _error(f"{where}: thiếu mã đơn vị `unit`", 'vd: "unit": "Xã Thanh Thủy"')
    return UnitFacts(id=normalise(str(unit)), where=where, facts=item["facts"], line=text.rstrip("\r\n"))


# ---- Excel workbooks -------------------------------------------------------------------------------

# The start of an OLE compound file: an old .xls, or an .xlsx saved with a password (Excel encrypts it into one).
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Quoted text, an escaped character, a fill or padding character, a colour or locale in brackets:
# shown as they are, so a % among them is text, not a percent format.
_FORMAT_LITERALS = re.compile(r'"[^"]*"?|\\.|[_*].|\[[^\]]*\]')
# 2.400 typed as text: 2,4 with a decimal point, or 2 400 with a Vietnamese thousands dot.
_ONE_GROUP = re.compile(r"[-+]?[1-9]\d{0,2}\.\d{3}")
# In a sheet's XML: a formula element, the end of the rows, a merged range.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+)(\d+):([A-Za-z]+)(\d+)"')
# A formula with no value after it (as a script writes it): `<f>A1*2</f></c>`, `<f>A1*2</f><v></v></c>`.
_BARE_FORMULA = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^<>]*/>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
# A row Excel hides (by hand, or a filter showing some units only): `<row r="7" spans="1:9" hidden="1">`.
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\shidden\s*=\s*(["\'])(?:1|true)\1[^>]*>')
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)')
_CHUNK = 1 << 20
_SAVE_FORMULAS = "mở tệp bằng Excel (hoặc LibreOffice) rồi lưu lại để công thức được tính"
# What Excel shows in a cell whose formula failed (a cached error, or its text copied as a value).
_EXCEL_ERRORS = frozenset(
    ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA")
)
# Merged ranges named in one error; the rest are counted.
_MAX_MERGES = 10


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    """A -> 1, AA -> 27."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


@functools.lru_cache(maxsize=256)
def _percent_kind(number_format: str) -> str:
    """`scaled` when a number format shows the value times 100 with a percent sign (`0.00%`); `literal` when
    its percent sign is text beside the value as it is (`0.00" %"`, `0.00\\%`); "" when it has none."""
    if "%" not in number_format:
        return ""
    return "scaled" if "%" in _FORMAT_LITERALS.sub("", number_format) else "literal"


def _cell_value(value: Any, number_format: str) -> Any:
    """A cell as a facts file would hold it: percent-formatted numbers become "75%", floats exact decimals."""
    if isinstance(value, str):
        value = value.strip()
        return value if value else None
    if isinstance(value, float):
        # As Excel shows it: to 15 significant digits, all it keeps of what is typed. A value a formula
        # worked out in binary (=0.7-0.2 is 0.49999999999999994) is read as the 0.5 the sheet shows.
        value = Decimal(format(value, ".15g"))
    if (
        isinstance(value, (int, Decimal))
        and not isinstance(value, bool)
        and "%" in number_format
        and _percent_kind(number_format) == "scaled"
    ):
        return f"{Decimal(value) * 100:f}%"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    if isinstance(value, datetime.time):  # a time of day where a number is expected: said as it shows
        return value.strftime("%H:%M:%S")
    if isinstance(value, datetime.timedelta):  # a duration ([h]:mm): the same
        minutes, seconds = divmod(int(abs(value.total_seconds())), 60)
        return f"{'-' if value < datetime.timedelta(0) else ''}{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _at(path: Path | str, sheet: str, row: int, column: str, name: str = "") -> str:
    """Where a cell is, as every workbook message says it."""
    named = f", `{name}`" if name else ""
    return f"{path}: trang tính `{sheet}`, ô {column}{row} (dòng {row}, cột {column}{named})"


def _open_book(path: Path) -> Any:
    """A workbook opened to be read row by row, or a UnitsError saying in Vietnamese why it cannot be."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise _error("cần thư viện openpyxl để đọc bảng tính") from None
    try:
        with path.open("rb") as handle:
            start = handle.read(len(_OLE))
    except OSError as exc:
        raise _error(f"{path}: không đọc được tệp: {os_error_text(exc)}") from None
    if not start:
        raise _error(f"{path}: tệp trống (0 byte), không phải bảng tính", "tạo bảng mẫu bằng `cchc template`")
    if start == _OLE:
        raise _error(
            f"{path}: không đọc được bảng tính: tệp có đặt mật khẩu, hoặc là tệp Excel cũ (.xls) mang đuôi .xlsx",
            f"{_SAVE_AS_XLSX}, không đặt mật khẩu",
        )
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a broken file makes openpyxl fail in many ways: none of them is news to the user
        raise _error(f"{path}: không đọc được bảng tính: tệp hỏng hoặc không phải tệp .xlsx", _SAVE_AS_XLSX) from None


def _workbook(path: Path, rules: CheckedRules | None = None, in_folder: bool = False) -> Iterator[UnitFacts]:
    """Every unit of a workbook: each row of each sheet whose A1 is `don_vi`, in the workbook's order.

    In a folder of units, a ranking `cchc rank` wrote there (A1 `Hạng`) is not input: it is passed over.
    """
    book = _open_book(path)
    try:
        for sheet in _data_sheets(path, book, in_folder):
            yield from _sheet(path, book, sheet, rules)
    finally:
        book.close()


def filled_unit_rows(target: Path) -> int | None:
    """How many rows below the header rows of a template's sheets hold something; None when the file is
    no template (not a workbook, or a sheet that is not headed `don_vi` holds anything). Not validated
    against the rules: a template of last year's rules is a template still."""
    found = template_contents(target)
    return None if found is None or found[1] else found[0]


def template_contents(target: Path) -> tuple[int, list[str]] | None:
    """A template's filled unit rows (as `filled_unit_rows`) and the titles of its other sheets that hold
    something (instructions someone added, notes); None when no sheet is headed `don_vi`, or the file is
    not a workbook openpyxl can open."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(target, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # not an .xlsx openpyxl can open
        return None
    try:
        rows, templates, others = 0, 0, []
        for sheet in book.worksheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            if first and first[0] == UNIT_COLUMN:
                templates += 1
                rows += sum(any(v not in (None, "") for v in r) for r in sheet.iter_rows(min_row=4, values_only=True))
            elif sheet.title == LIST_SHEET:
                continue  # the template's own list of choices, hidden or shown
            elif any(any(v not in (None, "") for v in r) for r in sheet.iter_rows(values_only=True)):
                others.append(sheet.title)  # someone's own sheet, or notes: not ours to replace
        return (rows, others) if templates else None
    finally:
        book.close()


def is_ranking(path: Path) -> bool:
    """Whether a workbook is a ranking `cchc rank` wrote (a sheet whose A1 is `Hạng`): read in a folder, it
    is passed over, so writing a ranking over it is not writing over an input."""
    try:
        book = _open_book(path)
    except UnitsError:
        return False
    try:
        headings = set()
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            first = _first_value(sheet)
            if first is not None and first[:2] == (1, 1):
                headings.add(normalise(str(first[2])).strip())
        # A sheet of units beside it makes it a workbook of units, read as such (and never written over).
        return bool(headings & set(RANK_HEADINGS)) and UNIT_COLUMN not in headings
    finally:
        book.close()


def _first_value(sheet: Any) -> tuple[int, int, Any] | None:
    """Row, column and value of a sheet's first cell that is not blank; None for a sheet without any."""
    rows = sheet.iter_rows(values_only=True)
    try:
        for number, row in enumerate(rows, 1):  # a stale dimension reset: every row, in place (empty ones too)
            for column, value in enumerate(row, 1):
                if not _blank(value):
                    return number, column, value
        return None
    finally:
        rows.close()


def _data_sheets(path: Path, book: Any, in_folder: bool = False) -> list[Any]:
    """The sheets whose A1 is `don_vi`; a UnitsError for a visible sheet with data but not that header
    (a list of units under another header would be dropped), or when no sheet has it."""
    found: list[Any] = []
    refused: list[Diagnostic] = []
    others: list[str] = []
    sheets = []
    for sheet in book.worksheets:
        sheet.reset_dimensions()  # a stale <dimension> (another program's) would cut rows off
        first = _first_value(sheet)
        a1 = normalise(str(first[2])).strip() if first is not None and first[:2] == (1, 1) else None
        sheets.append((sheet, first, a1))
    ranked = next((sheet.title for sheet, _, a1 in sheets if a1 in RANK_HEADINGS), None)
    units_too = any(a1 == UNIT_COLUMN for _, _, a1 in sheets)
    if ranked is not None and in_folder and not units_too:
        return []  # a ranking written into the folder, its legend sheet included: an output, not units
    if ranked is not None and not units_too:  # one error for the whole file, not one per sheet of it
        raise _error(
            f"{path}: đây là bảng kết quả của `cchc rank` (trang tính `{ranked}`), không phải dữ kiện các đơn vị",
            "cho `cchc rank` bảng dữ kiện (bảng mẫu của `cchc template RULES -o facts.xlsx` đã điền), "
            "tệp .jsonl hoặc thư mục tệp dữ kiện",
        )
    for sheet, first, a1 in sheets:
        if a1 == UNIT_COLUMN:
            found.append(sheet)
        elif first is None:
            others.append(f"`{sheet.title}` trống")
        elif sheet.sheet_state != "visible":  # a hidden list of choices, old notes: not units
            others.append(f"`{sheet.title}` đang ẩn, ô A1 không phải `{UNIT_COLUMN}`")
        elif sheet.title == LIST_SHEET:  # the template's list of choices, shown by someone: still not units
            others.append(f"`{sheet.title}` là danh sách lựa chọn của bảng mẫu")
        else:
            refused.append(_not_units(path, sheet, first))
    if refused:
        raise UnitsError(refused)
    if not found:
        raise _error(
            f"{path}: không có trang tính nào có ô A1 là `{UNIT_COLUMN}` (cột mã đơn vị): " + "; ".join(others),
            "tạo bảng mẫu bằng `cchc template RULES -o facts.xlsx`: dòng 1 ghi tên dữ kiện, bắt đầu bằng "
            f"`{UNIT_COLUMN}` ở ô A1",
        )
    return found


def _not_units(path: Path, sheet: Any, first: tuple[int, int, Any]) -> Diagnostic:
    """Why a visible sheet with data is not read, and what to do."""
    a1 = first[2] if first[:2] == (1, 1) else None
    said = f"không phải `{_short_text(a1)}`" if a1 is not None else "ô đang trống"
    hint = (
        f"mọi trang tính có dữ liệu đều được đọc: ghi `{UNIT_COLUMN}` ở ô A1 và tên dữ kiện ở dòng 1 (như bảng mẫu "
        "của `cchc template RULES -o facts.xlsx`); trang ghi chú, hướng dẫn thì ẩn đi (chuột phải vào tên trang "
        "tính > Ẩn) hoặc chuyển sang tệp khác"
    )
    rows = sheet.iter_rows(max_row=20, max_col=2, values_only=True)
    try:
        for number, row in enumerate(rows, 1):
            if number == 1 and len(row) > 1 and isinstance(row[1], str) and normalise(row[1]).strip() == UNIT_COLUMN:
                # `STT` in A1, `don_vi` in B1: the numbering column goes, not the units' (ranks are numbered)
                hint = (
                    f"cột A là cột thêm vào trước `{UNIT_COLUMN}` (số thứ tự?): xoá cả cột A để `{UNIT_COLUMN}` "
                    "nằm ở ô A1; cchc tự đánh số thứ hạng"
                )
                break
            if number > 1 and row and isinstance(row[0], str) and normalise(row[0]).strip() == UNIT_COLUMN:
                hint = (
                    f"dòng tên dữ kiện đang là dòng {number}: xoá {number - 1} dòng phía trên "
                    f"để `{UNIT_COLUMN}` nằm ở ô A1"
                )
                break
    finally:
        rows.close()
    return Diagnostic(
        code="U001",
        severity="error",
        message=f"{path}: trang tính `{sheet.title}` có dữ liệu nhưng ô A1 phải là `{UNIT_COLUMN}` "
        f"(cột mã đơn vị), {said}",
        hint=hint,
    )


def _short_text(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True, slots=True)
class _Merge:
    """A merged range of cells: only its first cell holds a value, the others read as empty."""

    ref: str
    first_column: int
    first_row: int
    last_column: int
    last_row: int


def _scan_sheet(book: Any, sheet: Any) -> tuple[list[_Merge], dict[int, list[int]], set[int]]:
    """A sheet's merged ranges, its formulas without a computed value (row -> column indexes, from 0), and
    its hidden rows.

    Read-only openpyxl says none: a merged range is only its first cell, a formula a script wrote (no value
    computed) reads as an empty cell, and a row hidden by a filter reads as any other. The sheet's XML is
    scanned for them without being parsed; only a formula not followed by a value makes it parsed again, to
    find the cells.
    """
    archive = getattr(book, "_archive", None)
    member = getattr(sheet, "_worksheet_path", None)
    if not isinstance(archive, zipfile.ZipFile) or not isinstance(member, str):  # pragma: no cover - openpyxl's
        return [], {}, set()
    bare = False
    hidden: set[int] = set()
    in_rows = True
    tail = b""  # the end of the previous chunk: a mark cut in two (a row's tag with its attributes included)
    rest = bytearray()  # the XML after the rows, where merged ranges are
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            tail = data[-512:]
            if in_rows:
                end = _SHEET_DATA_END.search(data) if b"sheetData>" in data else None
                rows = data[: end.end()] if end is not None else data
                if not bare and (b"<f" in rows or b":f" in rows) and _FORMULA.search(rows):
                    bare = _BARE_FORMULA.search(rows) is not None
                if b"hidden" in rows:
                    for tag in _HIDDEN_ROW.finditer(rows):
                        number = _ROW_NUMBER.search(tag.group())
                        if number is not None:
                            hidden.add(int(number.group(1)))
                if end is None:
                    continue
                in_rows = False
                rest += data[end.end() :]
            else:
                rest += chunk
    merges = []
    if b"mergeCell" in rest:
        for match in _MERGE.finditer(rest):
            first, row, last, last_row = (group.decode("ascii") for group in match.groups())
            merges.append(
                _Merge(
                    f"{first.upper()}{row}:{last.upper()}{last_row}",
                    _column_number(first),
                    int(row),
                    _column_number(last),
                    int(last_row),
                )
            )
    return merges, (_bare_formulas(archive, member) if bare else {}), hidden


def _bare_formulas(archive: zipfile.ZipFile, member: str) -> dict[int, list[int]]:
    """The cells of a sheet that hold a formula without its computed value: row -> column indexes (from 0)."""
    from xml.etree.ElementTree import iterparse

    found: dict[int, list[int]] = {}
    row = column = 0
    with archive.open(member) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "start":
                if tag == "row":
                    number = element.get("r", "")
                    row = int(number) if number.isdigit() else row + 1
                    column = 0
                continue
            if tag == "c":
                ref = element.get("r", "")
                column = _column_number(ref.rstrip("0123456789")) if ref else column + 1
                parts = {child.tag.rpartition("}")[2]: child for child in element}
                value = parts.get("v")
                if "f" in parts and (value is None or (not value.text and element.get("t") != "str")):
                    found.setdefault(row, []).append(column - 1)
                element.clear()
            elif tag == "row":
                element.clear()
            elif tag == "sheetData":
                break
    return found


def _sheet(path: Path, book: Any, sheet: Any, rules: CheckedRules | None) -> Iterator[UnitFacts]:
    """The units of one sheet whose A1 is `don_vi`."""
    title = sheet.title
    merges, bare, hidden_rows = _scan_sheet(book, sheet)
    rows = sheet.iter_rows()
    try:
        header = next(rows, ())
        names = [normalise(str(c.value)).strip() if c.value is not None else "" for c in header]
        width = len(names)
        seen: dict[str, str] = {}
        unnamed: list[int] = []  # columns without a heading: read nothing, so must hold nothing
        # Every problem of the header row at once: whoever fixes the workbook fixes them in one go.
        header_problems: list[Diagnostic] = []
        for i, name in enumerate(names[1:], 1):
            if not name:
                unnamed.append(i)
                continue
            if name in seen:
                again = column_letter(i + 1)
                said = f"{path}: trang tính `{title}`: dữ kiện `{name}` ở hai cột {seen[name]} và {again}"
                header_problems.append(_diagnostic(said, f"xoá một trong hai cột, hoặc sửa tên cột {again}"))
                continue
            seen[name] = column_letter(i + 1)
        if 1 in bare:
            column = column_letter(bare[1][0] + 1)
            said = f"{_at(path, title, 1, column)}: công thức chưa có giá trị đã tính ở dòng tên dữ kiện"
            header_problems.append(_diagnostic(said, f"{_SAVE_FORMULAS}; hoặc ghi thẳng tên dữ kiện"))
        if rules is not None:
            header_problems += _header_problems(path, title, seen, rules)
        if header_problems:
            raise UnitsError(header_problems)
        kinds = {name: decl.type.name for name, decl in rules.facts.items()} if rules is not None else {}
        percents = {n for n, k in kinds.items() if k == "percent"}
        decimals = {n for n, k in kinds.items() if k == "decimal"}
        # Whether a row with nothing but its unit is missing facts (it is, unless every fact has a default).
        needed = rules is not None and any(decl.default is None for name, decl in rules.facts.items() if name in seen)
        hidden = sheet.sheet_state != "visible"
        orphans: dict[int, int] = {}  # a column without a heading that holds data -> its first such row
        descriptions = {1}  # the header and the template's description rows: merged cells there are harmless
        merges_checked = not merges
        for number, row in enumerate(rows, 2):  # with the dimension reset, rows come in place, empty ones too
            if not row:
                continue
            first = row[0].value
            if first.__class__ is str and name_key(first) in _MARKS:  # "(mô tả) ", "(Mô tả)": as row 1 is read
                descriptions.add(number)
                continue
            formulas = bare.get(number) if bare else None
            if formulas is None and all(_blank(c.value) for c in row):
                continue  # a blank line
            if not merges_checked:
                _check_merges(path, title, merges, descriptions)
                merges_checked = True
            if hidden:
                raise _error(
                    f"{path}: trang tính `{title}` đang ẩn nhưng có đơn vị (dòng {number})",
                    "hiện trang tính (chuột phải vào tên trang tính > Bỏ ẩn) nếu cần xếp hạng các đơn vị này, "
                    "hoặc xoá trang tính",
                )
            if unnamed or len(row) > width:
                for i in (*unnamed, *range(width, len(row))):
                    if i < len(row) and i not in orphans and not _blank(row[i].value):
                        orphans[i] = number
            problems: list[Diagnostic] = []
            refused: list[str] = []  # the cells of those problems, by fact name (see `row_problems`)
            for i in formulas or ():
                if i < width and (i == 0 or names[i]):
                    problems.append(_bare_formula(path, title, number, i, names[i] if i else ""))
                    refused.append(names[i] if i else "")
                else:
                    orphans.setdefault(i, number)
            where = f"{path}: trang tính `{title}`, dòng {number}"
            unit_id = _unit_text(first)
            if first.__class__ is str and first[:1] == "#" and (row[0].data_type == "e" or unit_id in _EXCEL_ERRORS):
                # `=VLOOKUP(...)` that found nothing: `#N/A` is not a commune (two of them are not one commune)
                problems.append(_formula_error(path, title, number, "A", "", first))
                unit_id = ""
            elif isinstance(first, bool):  # TRUE typed, or a formula's yes/no: no commune is called `True`
                problems.append(
                    Diagnostic(
                        code="U001",
                        severity="error",
                        message=f"{_at(path, title, number, 'A')}: mã đơn vị là giá trị đúng/sai "
                        f"({'TRUE' if first else 'FALSE'}), không phải tên đơn vị",
                        hint="ghi tên xã ở cột A",
                    )
                )
                unit_id = ""
            elif unit_id and _total_row(unit_id):  # ranked, it would push every commune below it down a place
                problems.append(
                    Diagnostic(
                        code="U001",
                        severity="error",
                        message=f"{_at(path, title, number, 'A')}: `{unit_id}` là dòng tổng, không phải một đơn vị",
                        hint="xoá dòng này (cchc tự tính điểm và thứ hạng của từng đơn vị), hoặc chuyển nó sang "
                        "một trang tính không có `don_vi` ở ô A1; nếu đây đúng là tên một đơn vị, ghi cả cấp của nó, "
                        f"vd `Xã {unit_id}`",
                    )
                )
                unit_id = ""
            elif unit_id and rules is not None and (district := _district_row(unit_id, rules.header.level)):
                problems.append(
                    Diagnostic(
                        code="U001",
                        severity="error",
                        message=f"{_at(path, title, number, 'A')}: `{unit_id}` là một {district.casefold()}, "
                        f"không phải một đơn vị cấp {rules.header.level} mà bộ quy tắc chấm",
                        hint=f"xoá dòng này nếu là dòng tổng của {district.casefold()}, hoặc chuyển nó sang một "
                        "trang tính không có `don_vi` ở ô A1; nếu đây là một xã, ghi cả cấp của nó, vd "
                        f"`{unit_id} - Xã …`",
                    )
                )
                unit_id = ""
            if isinstance(first, (datetime.date, datetime.time)):  # Excel turned the typed name into a date
                problems.append(
                    Diagnostic(
                        code="U001",
                        severity="error",
                        message=f"{_at(path, title, number, 'A')}: mã đơn vị là một "
                        f"{'giờ' if isinstance(first, datetime.time) else 'ngày'} ({unit_id}): Excel đã đổi chữ gõ "
                        f"vào thành {'giờ' if isinstance(first, datetime.time) else 'ngày'}",
                        hint="định dạng cột A là Văn bản (Text) rồi gõ lại tên đơn vị, hoặc gõ dấu ' trước tên",
                    )
                )
            if not unit_id:  # listed with the other rows' problems (a unit given twice: see `rank_units`)
                if not problems:
                    problems.append(
                        Diagnostic(
                            code="U001",
                            severity="error",
                            message=f"{where}, cột A: thiếu mã đơn vị",
                            hint="mỗi dòng là một đơn vị; ghi tên xã ở cột A, hoặc xoá dòng này nếu là dòng tổng",
                        )
                    )
                yield UnitFacts(
                    id=f"(dòng {number})",
                    where=where,
                    facts={},
                    problem=UnitsError(problems),
                    hidden=number in hidden_rows,
                )
                continue
            given: dict[str, Any] = {}
            empty: list[str] = []
            where_cells: dict[str, tuple[str, int, str]] = {}
            for i, cell in enumerate(row[1:width], 1):
                name = names[i]
                if not name:
                    continue
                column = seen[name]
                where_cells[name] = (title, number, column)
                raw = cell.value
                if raw.__class__ is str and raw[:1] == "#" and (cell.data_type == "e" or raw.strip() in _EXCEL_ERRORS):
                    problems.append(_formula_error(path, title, number, column, name, raw))
                    refused.append(name)
                    continue
                number_format = cell.number_format or ""
                if (
                    kinds
                    and name not in percents
                    and isinstance(raw, (int, float))
                    and not isinstance(raw, bool)
                    and _percent_kind(number_format) == "scaled"
                ):  # Format Painter from a percent column: 19430.25 shows as 1943025.00%, which is meant?
                    problems.append(_percent_format(path, title, number, column, name, raw, kinds.get(name, "")))
                    refused.append(name)
                    continue
                value = _cell_value(raw, number_format)
                if value is None:
                    empty.append(name)
                    continue
                given[name] = value
                if name in percents:
                    if _unclear_percent(value, number_format):  # as read: 1.0000000000000002 is the 1 shown
                        problems.append(_unclear(path, title, number, column, name, value))
                        refused.append(name)
                    elif (
                        isinstance(value, (int, Decimal))
                        and not isinstance(value, bool)
                        and _percent_kind(number_format) == "literal"
                    ):
                        given[name] = f"{Decimal(value):f}%"  # shown as typed, a % sign beside it: points
                elif name in decimals and value.__class__ is str and _ONE_GROUP.fullmatch(value):
                    problems.append(_thousands(path, title, number, column, name, value))
                    refused.append(name)
            for i in range(len(row), width):  # a row shorter than the header: its last cells are empty
                if names[i]:
                    where_cells[names[i]] = (title, number, seen[names[i]])
                    empty.append(names[i])
            if not given and not problems and needed:
                problems.append(
                    Diagnostic(
                        code="F002",
                        severity="error",
                        message=f"{where}: chỉ có mã đơn vị `{unit_id}`, thiếu mọi dữ kiện",
                        hint="điền dữ kiện của đơn vị vào dòng này, hoặc xoá dòng nếu đơn vị chưa báo cáo",
                    )
                )
            yield UnitFacts(
                id=unit_id,
                where=where,
                facts=given,
                cells=where_cells,
                empty=tuple(empty),
                problem=FactsError(problems) if problems else None,
                refused=tuple(refused),
                hidden=number in hidden_rows,
            )
    finally:
        rows.close()
    if orphans:
        raise UnitsError([_orphan(path, title, i, number, merges) for i, number in sorted(orphans.items())])


def _unit_text(value: Any) -> str:
    """A unit's name from its cell, as Excel shows it: 12 (not 12.0), a date as 01/01/2023."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == datetime.time() else "%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return without_invisible(normalise(str(value))).strip()


def _bare_formula(path: Path, sheet: str, row: int, index: int, name: str) -> Diagnostic:
    return Diagnostic(
        code="F003",
        severity="error",
        message=f"{_at(path, sheet, row, column_letter(index + 1), name)}: công thức chưa có giá trị đã tính "
        "(bảng tính do một chương trình ghi ra, chưa mở bằng Excel)",
        hint=f"{_SAVE_FORMULAS}; hoặc ghi giá trị thay cho công thức",
    )


# What each of Excel's errors most often comes from, for the hint.
_FORMULA_CAUSES = {
    "#DIV/0!": "công thức chia cho ô trống hay bằng 0",
    "#N/A": "một hàm tra cứu (VLOOKUP, XLOOKUP, MATCH) không tìm thấy giá trị cần tìm",
    "#REF!": "công thức trỏ tới ô, cột hay trang tính đã bị xoá",
    "#NAME?": "tên hàm hay tên vùng trong công thức viết sai",
    "#VALUE!": "công thức tính trên chữ thay vì số",
}


def _formula_error(path: Path, sheet: str, row: int, column: str, name: str, value: str) -> Diagnostic:
    error = value.strip()
    cause = _FORMULA_CAUSES.get(error.upper())
    return Diagnostic(
        code="F003",
        severity="error",
        message=f"{_at(path, sheet, row, column, name)}: ô chứa lỗi công thức `{error}`, không có giá trị",
        hint=f"{error} thường do {cause}: sửa công thức, hoặc ghi giá trị vào ô"
        if cause
        else "sửa công thức, hoặc ghi giá trị vào ô",
    )


def _percent_format(path: Path, sheet: str, row: int, column: str, name: str, raw: float, kind: str) -> Diagnostic:
    """A number in a percent-formatted cell of a column that is no percentage: the value held and the one
    shown differ a hundredfold, and which was meant cannot be told."""
    value = Decimal(format(raw, ".15g"))  # as `_cell_value` reads a float: what the sheet shows
    held, shown = vi(value), vi(value * 100)
    what = {"boolean": "có/không", "date": "ngày", "choice": "một lựa chọn"}.get(kind, "một số")
    return Diagnostic(
        code="F003",
        severity="error",
        message=f"{_at(path, sheet, row, column, name)}: ô định dạng phần trăm (hiện {shown}%), "
        f"nhưng dữ kiện này là {what}, không phải tỷ lệ phần trăm",
        hint=f"đổi định dạng ô thành Số (Number, hoặc General) rồi kiểm tra lại giá trị: ô đang chứa {held}",
    )


def _thousands(path: Path, sheet: str, row: int, column: str, name: str, text: str) -> Diagnostic:
    """2.400 typed as text in a decimal column: the same two readings as a facts file's."""
    whole = text.replace(".", "")
    comma = text.replace(".", ",")
    return Diagnostic(
        code="F003",
        severity="error",
        message=f"{_at(path, sheet, row, column, name)}: `{text}` (ô dạng văn bản) có hai cách hiểu: "
        f"số thập phân {comma} hoặc {whole} (dấu chấm phân cách hàng nghìn)",
        hint=f"viết {whole} nếu là số nguyên, hoặc {comma} với dấu phẩy thập phân; hoặc nhập vào ô dạng số",
    )


def _check_merges(path: Path, sheet: str, merges: list[_Merge], descriptions: set[int]) -> None:
    """Merged cells among the units' rows: only the first holds the value, the others read as empty (or as
    the fact's default), so they are refused; merged headings and description cells are harmless."""
    bad = [
        m
        for m in merges
        if m.last_row - m.first_row >= len(descriptions)
        or any(r not in descriptions for r in range(m.first_row, m.last_row + 1))
    ]
    if not bad:
        return
    problems = [
        Diagnostic(
            code="U001",
            severity="error",
            message=f"{path}: trang tính `{sheet}`, vùng ô {m.ref} đang gộp (merge): chỉ ô "
            f"{column_letter(m.first_column)}{m.first_row} có giá trị, các ô khác của vùng đọc là ô trống",
            hint="bỏ gộp ô (Trang đầu > Gộp & Căn giữa > Bỏ gộp ô) rồi ghi giá trị vào từng ô",
        )
        for m in bad[:_MAX_MERGES]
    ]
    if len(bad) > _MAX_MERGES:
        problems.append(
            Diagnostic(
                code="U001",
                severity="error",
                message=f"{path}: trang tính `{sheet}`: còn {len(bad) - _MAX_MERGES} vùng ô gộp khác",
                hint="bỏ gộp mọi ô trong các dòng đơn vị",
            )
        )
    raise UnitsError(problems)


def _orphan(path: Path, sheet: str, index: int, row: int, merges: list[_Merge]) -> Diagnostic:
    """A column with data but no heading: nothing of it is read (a fact with a default would take it for
    every unit), so it is refused, named once."""
    column = column_letter(index + 1)
    merged = next((m for m in merges if m.first_row == 1 and m.first_column <= index + 1 <= m.last_column), None)
    if merged is not None:
        return Diagnostic(
            code="U001",
            severity="error",
            message=f"{path}: trang tính `{sheet}`, cột {column} có dữ liệu (từ ô {column}{row}) nhưng không có "
            f"tên dữ kiện: ô {column}1 nằm trong vùng gộp {merged.ref}",
            hint=f"bỏ gộp {merged.ref} rồi ghi tên dữ kiện của cột {column} vào ô {column}1",
        )
    return Diagnostic(
        code="U001",
        severity="error",
        message=f"{path}: trang tính `{sheet}`, cột {column} có dữ liệu (từ ô {column}{row}) nhưng ô {column}1 "
        "trống: cột không có tên dữ kiện thì không được đọc",
        hint=f"ghi tên dữ kiện vào ô {column}1, hoặc xoá dữ liệu của cột (ghi chú để ở tệp khác)",
    )


def _unclear_percent(value: Any, number_format: str) -> bool:
    """A plain number of at most 1 in a percent column: 0.75 may be 75 % (as the template's check
    allows) or 0.75 %, as a plain number reads; refused rather than guessed."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or "%" in number_format:
        return False
    return 0 < value <= 1


def _unclear(path: Path, sheet: str, row: int, column: str, name: str, value: Any) -> Diagnostic:
    exact = Decimal(value)
    shown = vi(exact)
    return Diagnostic(
        code="F003",
        severity="error",
        message=f"{_at(path, sheet, row, column, name)}: "
        f"{shown} trong một cột phần trăm không định dạng phần trăm: không rõ là {shown}% hay {vi(exact * 100)}%",
        hint=f"định dạng ô là phần trăm, hoặc viết rõ `{shown}%` hay `{vi(exact * 100)}%`",
    )


def _header_problems(path: Path, sheet: str, columns: dict[str, str], rules: CheckedRules) -> list[Diagnostic]:
    """A workbook's fact columns against the declarations: each wrong one named once, at its header cell."""
    declared = list(rules.facts)
    problems = [
        Diagnostic(
            code="U001",
            severity="error",
            message=f"{path}: trang tính `{sheet}`, ô {column}1: cột `{name}` không phải dữ kiện của bộ quy tắc",
            # A column of notes beside the figures is common: where it can go is said whatever the suggestion.
            hint=did_you_mean(name, declared, "xoá cột này, hoặc khai báo dữ kiện trong bộ quy tắc.")
            + " Ghi chú thì để ở một trang tính khác: mọi cột của trang tính đơn vị đều được đọc là dữ kiện",
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
    return problems


# ---- validation ------------------------------------------------------------------------------------

_NAMED = re.compile(r"dữ kiện `([^`]+)`")


def validate_unit(rules: RuleSet, unit: UnitFacts, placed: bool = True) -> Facts:
    """The unit's facts validated against `rules`; a FactsError names the file and line, or the cell.

    `placed=False` leaves a JSON line's problems where validation put them, without their columns: for a
    unit whose problems are counted, not shown (finding a column reads the line again).
    """
    facts = unit.facts
    if isinstance(facts, RawFacts):
        try:
            return rules.facts(facts)
        except FactsError as exc:
            if not facts.round:
                raise
            # An appraisal file put in the folder beside its unit's facts: read alone, it lacks every fact it
            # does not change. Said so, with where its round belongs.
            appraisal = (
                f"tệp này là vòng `{facts.round}`: nếu là tệp thẩm định, đưa các vòng của nó vào `rounds:` của tệp dữ "
                "kiện của đơn vị (xếp hạng một thư mục đọc mỗi tệp là một đơn vị), rồi chuyển tệp này ra khỏi thư mục"
            )
            raise FactsError(
                [d.model_copy(update={"hint": appraisal}) if d.code == "F002" else d for d in exc.diagnostics]
            ) from None
    if type(facts) is dict and not unit.empty:
        fast = rules.compiled[0].facts(facts, unit=unit.id)
        if fast is not None:
            return fast
    problems: list[Diagnostic] = []
    blank = [n for n in unit.empty if rules.checked.facts.get(n) is not None and rules.checked.facts[n].default is None]

    def empty_cells(still_missing: Iterable[str]) -> None:
        for name in still_missing:
            problems.append(
                _cell_problem(
                    unit,
                    name,
                    f"ô trống: thiếu dữ kiện `{name}` ({rules.checked.facts[name].description})",
                    _EMPTY_HINTS.get(rules.checked.facts[name].type.name, "ghi giá trị vào ô")
                    + "; dữ kiện này không có giá trị mặc định",
                )
            )

    try:
        raw = raw_from_mapping(facts, name=unit.where)
        valid = rules.facts(raw.model_copy(update={"unit": unit.id}))
    except FactsError as exc:
        # A blank cell is only missing if validation says so: a fact that only criteria not applicable to the
        # unit read may be left blank (`applicable.not_needed`).
        said = {name for d in exc.diagnostics if d.code == "F002" for name in d.missing}
        empty_cells(n for n in blank if n in said)
        for d in exc.diagnostics:
            if d.code == "F002" and blank:
                continue  # the empty cells are named above
            names = _NAMED.findall(d.message)
            cell = unit.cells.get(names[0]) if names else None
            if cell is not None:
                message = d.message.removeprefix(f"{unit.where}: ")
                problems.append(_cell_problem(unit, names[0], message, d.hint, d.code))
            else:
                declared = bool(names) and names[0] in rules.checked.facts
                problems.append(_line_problem(unit, names[0], d, declared) if names and unit.line and placed else d)
        if unit.line:  # in the line's order, the facts missing last, as in a facts file
            problems.sort(key=lambda d: (d.code == "F002", d.span.column if d.span else 0))
        raise FactsError(problems) from None
    return valid


def row_problems(rules: RuleSet, unit: UnitFacts, problem: CchcError) -> CchcError:
    """Every problem of a workbook row: `problem`, found reading its cells (an unclear percentage, an Excel
    error), then those the values of its other cells have, so that a row is put right in one go."""
    if not isinstance(problem, FactsError) or not unit.cells or type(unit.facts) is not dict:
        return problem
    if any(d.code == "F002" for d in problem.diagnostics):  # a row with its unit alone: said once, as such
        return problem
    flagged = set(unit.refused)
    rest = {name: value for name, value in unit.facts.items() if name not in flagged}
    empty = tuple(name for name in unit.empty if name not in flagged)
    try:
        validate_unit(rules, dataclasses.replace(unit, facts=rest, empty=empty, problem=None))
    except FactsError as exc:
        # A workbook has a column for every fact without a default: what is missing is what was set aside.
        more = [d for d in exc.diagnostics if d.code != "F002"]
        return FactsError([*problem.diagnostics, *more])
    return problem


def _line_problem(unit: UnitFacts, name: str, d: Diagnostic, declared: bool) -> Diagnostic:
    """A JSON line's problem with fact `name` at its column, under the value (under the name for a fact the
    rule set does not declare), as in a facts file; as it was when the line does not show it."""
    path, _, number = unit.where.rpartition(":")
    values: dict[tuple[str | int, ...], Span] = {}
    keys = json_key_places(path, unit.line, values)
    place = values.get(("facts", name)) or values.get(("facts", name, "value"))
    if place is None or not declared:
        place = next(iter(keys.get(("facts", name), ())), None)
    if place is None:
        return d
    line = int(number)
    span = place.model_copy(update={"line": line, "end_line": line})
    message = d.message.removeprefix(f"{unit.where}: ")
    return d.model_copy(update={"span": span, "line_text": unit.line, "message": message})


# What to write in a blank cell of a fact without a default, by the fact's kind.
_EMPTY_HINTS = {
    "count": "ghi số liệu vào ô (0 nếu không có)",
    "integer": "ghi số liệu vào ô (0 nếu không có)",
    "decimal": "ghi số liệu vào ô (0 nếu không có)",
    "percent": "ghi tỷ lệ vào ô, vd 85%",
    "boolean": "chọn có hoặc không",
}


def _cell_problem(unit: UnitFacts, name: str, message: str, hint: str = "", code: str = "F003") -> Diagnostic:
    cell = unit.cells.get(name)
    if cell is None:
        return Diagnostic(code=code, severity="error", message=f"{unit.where}: {message}", hint=hint)
    sheet, row, column = cell
    where = unit.where.split(": trang tính")[0]
    message = f"{_at(where, sheet, row, column, name)}: {message}"
    return Diagnostic(code=code, severity="error", message=message, hint=hint)
