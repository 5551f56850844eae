"""A unit's facts: reading facts files, and validating them against the declarations.

Validation runs through a pydantic model built from the rule set's `fact`
declarations (types, bounds, choices, defaults, part <= whole), so every
wrong value is named with its fact, its description and where it was written.
"""

from __future__ import annotations

import bisect
import datetime
import json
import numbers
import re
import shlex
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from cchc_rules import ast
from cchc_rules.checked import CheckedRules
from cchc_rules.checks import expressions, walk
from cchc_rules.checks.names import PLACEHOLDER
from cchc_rules.errors import Diagnostic, FactsError, os_error_text, suggest
from cchc_rules.limits import (
    MAX_ALIAS_EXPANSION,
    MAX_FACT_DECIMALS,
    MAX_FACT_INTEGER_DIGITS,
    MAX_FACTS_NODES,
    vi_count,
)
from cchc_rules.numbers import plain, show, to_fraction, vi
from cchc_rules.paths import missing_path_hint
from cchc_rules.source import (
    FileTooLarge,
    NotUtf8,
    Span,
    decode,
    escaped,
    name_key,
    normalise,
    outside_strings,
    read_bytes,
    unshowable,
    unshowable_entry,
    unshowable_hint,
)

Value = Fraction | bool | str | datetime.date

# What a facts file is named (a folder of them is ranked by these).
FACTS_SUFFIXES = (".yaml", ".yml", ".json")
EVIDENCE_FIELDS = ("document", "title", "date", "file", "link", "note")
# Top-level keys of the structured form of a facts file.
META_KEYS = ("unit", "year", "round", "facts", "notes", "rounds", "report")
# What a report may take from the facts file: the sections a commune writes itself.
REPORT_KEYS = (
    "ton_tai",
    "nguyen_nhan",
    "giai_phap",
    "kien_nghi",
    "noi_nhan",
    "nguoi_ky",
    "chuc_vu",
    "dia_danh",
    "ngay",
)


class Evidence(BaseModel):
    """Where a fact's value comes from (tài liệu kiểm chứng)."""

    model_config = ConfigDict(frozen=True)

    document: str = ""
    title: str = ""
    date: str = ""
    file: str = ""
    link: str = ""
    note: str = ""

    def documented(self) -> bool:
        """Whether a document is named (its number, title, date, file or link), not only a note: "giả định:
        báo cáo không nêu" is no evidence, and is not shown as one."""
        return any((self.document, self.title, self.date, self.file, self.link))

    def summary(self) -> str:
        """One line for a report: document, date (31/10/2023, as every date is shown), note."""
        try:
            day = show(read_date(self.date)) if self.date else ""
        except ValueError:  # a date written some other way ("tháng 10/2023") is shown as written
            day = self.date
        parts = [p for p in (self.document, self.title, day, self.file, self.link, self.note) if p]
        return "; ".join(parts)


class RawFact(BaseModel):
    """A fact as written in a facts file, before validation."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    value: Any
    evidence: Evidence | None = None
    span: Span | None = None  # the fact's name
    value_span: Span | None = None  # its value, where the reader knows it (YAML)

    @property
    def value_place(self) -> Span | None:
        """Where a problem with the value points: the value itself, else the fact's name."""
        return self.value_span or self.span


class RawRound(BaseModel):
    """A later round of the same unit (appraisal, thẩm định): facts that change, and notes."""

    model_config = ConfigDict(frozen=True)

    name: str
    facts: dict[str, RawFact] = {}
    notes: dict[str, str] = {}
    # Where each note's id is written, to point at a note for a criterion the rule set does not have.
    note_spans: dict[str, Span] = Field(default={}, repr=False, exclude=True)


class RawFacts(BaseModel):
    """A facts file as read: the unit's name and its facts, not yet validated.

    `round` names this round (default: the self-assessment); `notes` are the
    unit's notes per criterion id; `rounds` are later rounds written in the same
    file, each changing some facts; `report` holds the sections of the report
    the unit writes itself (giai_phap, kien_nghi, ...).
    """

    model_config = ConfigDict(frozen=True)

    name: str = "<facts>"
    unit: str = ""
    year: str = ""
    round: str = ""
    facts: dict[str, RawFact] = {}
    notes: dict[str, str] = {}
    rounds: tuple[RawRound, ...] = ()
    report: dict[str, str] = {}
    # Each file's lines, by file name, so that a problem found later (a value, a bound) shows its line
    # with a caret; a round merged from several files holds the lines of each.
    texts: dict[str, tuple[str, ...]] = Field(default={}, repr=False, exclude=True)
    # Where each note's id, and the `unit` and `year` keys, are written (YAML files).
    note_spans: dict[str, Span] = Field(default={}, repr=False, exclude=True)
    key_spans: dict[str, Span] = Field(default={}, repr=False, exclude=True)

    def line_at(self, span: Span | None) -> str:
        """The line a span points at, in whichever of these files it is ("" when unknown)."""
        if span is None:
            return ""
        lines = self.texts.get(span.file, ())
        return lines[span.line - 1] if 0 < span.line <= len(lines) else ""


class Facts(BaseModel):
    """Validated facts: every declared fact's value, from the file or its default (but those `excused`)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    unit: str = ""
    values: dict[str, Value]
    evidence: dict[str, Evidence] = {}
    defaulted: frozenset[str] = frozenset()
    # Facts not given that only criteria not applicable to the unit read (`applicable.not_needed`): no value.
    excused: frozenset[str] = frozenset()


# ---- reading files -------------------------------------------------------------


# The keys of a claims file (`cchc audit RULES FACTS CLAIMS`: the scores a unit wrote in its report). Its tables
# (`areas:` of `{score, max}`, a `deductions:` list) are never a fact's value, and `total` with `max` or
# `percent` and nothing else is no facts file either: either way the file is said to be in the wrong place.
_CLAIMS_TABLES = ("areas", "nodes", "deductions")
_CLAIMS_KEYS = frozenset(("unit", "source", "total", "max", "percent", *_CLAIMS_TABLES))


def _claims_shaped(top: Mapping[str, tuple[Any, Span | None]]) -> list[str]:
    """The keys, in the file's order, that make a file's top level a claims file rather than facts (none: not one)."""
    if "facts" in top:
        return []
    tables = [
        key
        for key in _CLAIMS_TABLES
        if key in top
        and (isinstance(top[key][0], list) or (isinstance(top[key][0], dict) and "value" not in top[key][0]))
    ]
    scores = "total" in top and ("max" in top or "percent" in top) and set(top) <= _CLAIMS_KEYS
    if not tables and not scores:
        return []
    return [key for key in top if key == "total" or key in _CLAIMS_TABLES]


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# How binary files that people pass for facts begin, and what they are.
_BINARY_KINDS = (
    (b"PK\x03\x04", "một tệp nén ZIP (bảng tính .xlsx, văn bản .docx, ...)"),
    (b"\xd0\xcf\x11\xe0", "một tệp Office cũ (bảng tính .xls, văn bản .doc)"),
    (b"%PDF", "một tệp PDF"),
)


def facts_error(file: str, message: str, span: Span | None = None, line_text: str = "", hint: str = "") -> FactsError:
    """An F001 problem of one facts file, named at `span` or else by the file."""
    if span is None:
        message = f"{file}: {message}"
    return FactsError(
        [Diagnostic(code="F001", severity="error", message=message, span=span, line_text=line_text, hint=hint)]
    )


_INDENTATION = ("thụt lề không khớp", "các dòng cùng cấp thụt vào bằng nhau, bằng dấu cách")
# PyYAML's most common problems, in Vietnamese, with a hint.
_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": (
        "có ký tự tab",
        "YAML chỉ thụt lề bằng dấu cách: thay tab bằng dấu cách",
    ),
    "mapping values are not allowed here": (
        "dấu `:` không đúng chỗ",
        "kiểm tra thụt lề, và đặt giá trị có dấu `:` trong ngoặc kép",
    ),
    "found unexpected end of stream": (
        "tệp kết thúc giữa chừng",
        "có dấu ngoặc kép, ngoặc vuông hoặc ngoặc nhọn chưa đóng?",
    ),
    "expected ',' or ']', but got ':'": ("thiếu `]` đóng danh sách", "danh sách viết [a, b] trên một dòng"),
    "expected ',' or '}', but got '<scalar>'": ("thiếu `}` đóng bảng", 'bảng viết {value: 2, note: "..."}'),
    "found undefined alias": ("bí danh `*{}` chưa được đặt", "đặt bí danh bằng `&tên` trước khi dùng `*tên`"),
    "found duplicate anchor; first occurrence": ("bí danh `&tên` được đặt hai lần", ""),
    "could not find expected ':'": ("thiếu dấu `:` sau tên", "mỗi dòng viết `tên: giá trị`"),
    # The rest by how they begin (the specific ones above come first).
    "expected ',' or ']'": ("thiếu `]` đóng danh sách", "danh sách viết [a, b] trên một dòng"),
    "expected ',' or '}'": ("thiếu `}` đóng bảng", 'bảng viết {value: 2, note: "..."}'),
    "expected the node content, but found '<stream end>'": (
        "tệp kết thúc giữa chừng: thiếu giá trị",
        "có dấu ngoặc vuông hoặc ngoặc nhọn chưa đóng?",
    ),
    "expected the node content": (
        "cần một giá trị ở đây",
        "viết `tên: giá trị`; giá trị có ký tự đặc biệt đặt trong ngoặc kép",
    ),
    "sequence entries are not allowed here": (
        "dấu `-` (phần tử danh sách) không đúng chỗ",
        "một dữ kiện có một giá trị; giá trị bắt đầu bằng `-` là số âm (`-5`, không có dấu cách)",
    ),
    "expected <block end>": _INDENTATION,
    "did not find expected key": _INDENTATION,
    "did not find expected '-' indicator": _INDENTATION,
    "expected a comment or a line break": (
        "còn ký tự thừa sau giá trị",
        "giá trị có dấu cách hoặc ký tự đặc biệt đặt trong ngoặc kép",
    ),
    "found character": ("ký tự không được đứng đầu một giá trị", "đặt giá trị trong ngoặc kép"),
    "found unknown escape character": (
        "dấu `\\` không hợp lệ trong chuỗi ngoặc kép",
        "trong ngoặc kép viết `\\\\` cho một dấu `\\`, hoặc dùng ngoặc đơn",
    ),
    "found a tab character": ("có ký tự tab", "YAML chỉ thụt lề bằng dấu cách: thay tab bằng dấu cách"),
    "expected alphabetic or numeric character": (
        "tên bí danh (`&tên`, `*tên`) chỉ gồm chữ và số",
        "một giá trị bắt đầu bằng `&` hoặc `*` đặt trong ngoặc kép",
    ),
}


def load_yaml(path: Path | str, code: str) -> Any:
    """A small YAML file other than facts (claims, test cases), safely loaded; a FactsError with `code`
    naming the file and, for a syntax error, its line with a caret.

    Numbers stay text, as written: these files key criteria by id (`3.10`, which YAML would read as
    3.1) and their numbers are read exactly where they are used.
    """
    return load_yaml_placed(path, code).data


@dataclass(frozen=True)
class Placed:
    """A small YAML file's data, where each key and list item is written, and the file's lines."""

    data: Any
    places: dict[tuple[str | int, ...], Span]
    lines: tuple[str, ...]
    # Where each single value is written (`7.2.2: 3` → the `3`), by the same keys as `places`.
    values: dict[tuple[str | int, ...], Span] = field(default_factory=dict)

    def diagnostic(self, code: str, name: str, message: str, hint: str, at: tuple[str | int, ...]) -> Diagnostic:
        """A problem at `at` (the keys and indices leading to it, as far as they are written)."""
        while at and at not in self.places:
            at = at[:-1]
        span = self.places.get(at) if at else None
        if span is None:
            return Diagnostic(code=code, severity="error", message=f"{name}: {message}", hint=hint)
        line = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else ""
        return Diagnostic(code=code, severity="error", message=message, span=span, line_text=line, hint=hint)


def _placed(
    name: str,
    node: yaml.Node,
    at: tuple[str | int, ...],
    out: dict[tuple[str | int, ...], Span],
    values: dict[tuple[str | int, ...], Span],
) -> None:
    def span(n: yaml.Node) -> Span:
        s, e = n.start_mark, n.end_mark
        return Span(file=name, line=s.line + 1, column=s.column + 1, end_line=e.line + 1, end_column=e.column + 1)

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                out[(*at, normalise(str(key.value)))] = span(key)
                if _written_here(key, value):
                    values[(*at, normalise(str(key.value)))] = span(value)
                _placed(name, value, (*at, normalise(str(key.value))), out, values)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*at, i)] = span(item)
            _placed(name, item, (*at, i), out, values)


def load_yaml_placed(path: Path | str, code: str) -> Placed:
    """`load_yaml`, keeping where every key and list item is written, to point at a bad one."""
    name = str(path)
    try:
        text = decode(read_bytes(Path(path)))  # as facts and rule files are: what it is said when not UTF-8
        loader = _TextNumbersLoader(text)  # the facts reader's limits: so many nodes, so deep
        try:
            node = loader.get_single_node()
            places: dict[tuple[str | int, ...], Span] = {}
            values: dict[tuple[str | int, ...], Span] = {}
            if node is not None:
                _placed(name, node, (), places, values)
            data = loader.construct_document(node) if node is not None else None
            return Placed(data=data, places=places, lines=tuple(text.split("\n")), values=values)
        finally:
            loader.dispose()
    except FileTooLarge as exc:
        problem = f"{name}: tệp lớn hơn {vi_count(exc.limit // 1024)} KB; không đọc"
    except OSError as exc:
        problem = f"{name}: không đọc được tệp: {os_error_text(exc)}"
        missing = isinstance(exc, FileNotFoundError)
        hint = (
            missing_path_hint(path, FACTS_SUFFIXES, files_only=True)
            if missing
            else "kiểm tra đường dẫn và quyền đọc tệp"
        )
        raise FactsError([Diagnostic(code=code, severity="error", message=problem, hint=hint)]) from None
    except NotUtf8 as exc:  # said as the facts reader says it: where the first bad byte is, what the file may be
        span = Span(file=name, line=exc.line, column=exc.column, end_line=exc.line, end_column=exc.column)
        problem = f"tệp không phải UTF-8 (byte lỗi thứ {exc.offset + 1})"
        raise FactsError([Diagnostic(code=code, severity="error", message=problem, span=span, hint=exc.hint)]) from None
    except yaml.YAMLError as exc:
        raise FactsError([yaml_diagnostic(name, text.split("\n"), exc, code)]) from None
    raise FactsError([Diagnostic(code=code, severity="error", message=problem, hint="lưu tệp dạng văn bản UTF-8")])


def yaml_diagnostic(name: str, lines: list[str], exc: yaml.YAMLError, code: str = "F001") -> Diagnostic:
    """A YAML file that cannot be read (facts, claims, test cases): where, in Vietnamese, with a hint."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    hint = ""
    if not isinstance(exc, _Limit):
        problem, hint = _more_after_the_data(problem, lines, mark) or _yaml_problem(problem)
        context = getattr(exc, "context_mark", None)
        whole = getattr(exc, "context", None) == "expected a single document in the stream"  # not a part left open
        if context is not None and mark is not None and context.line != mark.line and not whole:
            hint = f"{hint}; " if hint else ""
            hint += f"phần dở dang bắt đầu ở dòng {context.line + 1}, cột {context.column + 1}"
        problem = f"tệp YAML sai cú pháp: {problem}"
    if mark is None:
        return Diagnostic(code=code, severity="error", message=f"{name}: {problem}", hint=hint)
    line, column = mark.line + 1, mark.column + 1
    return Diagnostic(
        code=code,
        severity="error",
        message=problem,
        span=Span(file=name, line=line, column=column, end_line=line, end_column=column + 1),
        line_text=lines[mark.line] if mark.line < len(lines) else "",
        hint=hint,
    )


def _more_after_the_data(problem: str, lines: list[str], mark: Any) -> tuple[str, str] | None:
    """A file with more after its data, told by what the more is and what came first: a stray bracket,
    a second record (`{...}` twice, two parts parted by `---`), a `---` left at the end, a lone value
    on the first line, more after a `{...}` or a `[...]` that has closed."""
    if problem == "but found another document":
        after = lines[mark.line + 1 :] if mark is not None else []
        if not any(line.strip() and line.strip() != "..." and not line.lstrip().startswith("#") for line in after):
            return "thừa dòng `---` ở cuối tệp", "xoá dòng này"
        return (
            "tệp có hai phần ngăn bởi dòng `---`",
            "một tệp chỉ có một phần: xoá dòng `---` này rồi gộp hai phần lại, hoặc tách mỗi phần một tệp",
        )
    found = problem.removeprefix("expected '<document start>', but found ")
    if found == problem:
        return None
    if found in ("'}'", "']'"):
        closing = found[1]
        return f"thừa dấu `{closing}`", f"xoá dấu này, hoặc thêm dấu `{'{' if closing == '}' else '['}` mở còn thiếu"
    words = "có thêm dữ liệu sau phần dữ liệu chính, từ đây"
    if found in ("'{'", "'['"):
        return words, "một tệp chỉ có một khối dữ liệu: gộp lại làm một, hoặc tách mỗi khối một tệp"
    first = next((line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    if first[:1] in ("{", "["):
        block = "{...}" if first[0] == "{" else "[...]"
        return (
            f"có thêm dữ liệu sau khối `{block}` đã đóng, từ đây",
            f"đưa phần này vào trong `{block}`, hoặc bỏ dấu ngoặc và viết mỗi dòng một `tên: giá trị`",
        )
    if ":" not in first and not first.startswith("- "):
        return (
            "phần đầu tệp là một giá trị đứng riêng, nên phần sau không đọc được",
            'viết giá trị đó thành `tên: giá trị` (vd. `unit: "Xã A"`), hoặc xoá nó',
        )
    return words, "kiểm tra thụt lề của dòng này và của dòng ngay trước nó"


def _yaml_problem(problem: str) -> tuple[str, str]:
    """PyYAML's problem in Vietnamese, and a hint; one it does not know is said so, its own words after."""
    for known, (words, hint) in _YAML_PROBLEMS.items():
        if problem.startswith(known):
            detail = problem[len(known) :].strip(" '")
            return (words.format(detail) if "{}" in words else words), hint
    return f"không đọc được ở đây ({problem})", "kiểm tra dòng này và dòng ngay trước nó"


_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "map", "seq", "merge", "value")
)


# Nesting the reader accepts, and the deeper nesting at which composing stops
# (PyYAML composes recursively).
_MAX_DEPTH = 20
_MAX_COMPOSE_DEPTH = 50


class _Limit(yaml.MarkedYAMLError):
    """A YAML file beyond what a facts file may hold (not a syntax error)."""


_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing at most `MAX_FACTS_NODES` nodes, nested at most `_MAX_COMPOSE_DEPTH` deep."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.composed = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.composed += 1
        self.depth += 1
        try:
            if self.composed > MAX_FACTS_NODES:
                raise _Limit(
                    problem=f"tệp có hơn {vi_count(MAX_FACTS_NODES)} phần tử; dừng đọc ở đây",
                    problem_mark=self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            if self.depth > _MAX_COMPOSE_DEPTH:
                raise _Limit(
                    problem="dữ liệu lồng nhau quá sâu",
                    problem_mark=self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _TextNumbersLoader(_SafeLoader):
    """The safe loader with numbers kept as written: `3.10:` is criterion 3.10, not the number 3.1, and
    `66.245` is read exactly where it is used."""


_TextNumbersLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _YamlReader:
    """Walks YAML nodes by hand: decimals stay exact, duplicate keys are errors, keys keep their lines.

    Only safe loading; every node is visited at most once, except under an alias
    (*name), whose repeats are counted and bounded (`MAX_ALIAS_EXPANSION`), so
    an alias bomb stops instead of expanding a billion times.
    """

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self.lines = text.split("\n")
        self.seen: set[int] = set()
        self.repeats = 0
        try:
            self.loader = _SafeLoader(text)
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. in a binary file
            raise self.unreadable(exc) from None

    def unreadable(self, exc: yaml.reader.ReaderError) -> FactsError:
        """A character YAML refuses (a control character): where it is, and what the file may really be."""
        before = self.text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        span = Span(file=self.name, line=line, column=column, end_line=line, end_column=column + 1)
        return facts_error(
            self.name,
            f"tệp có ký tự điều khiển không được phép (mã #x{exc.character:04x})"
            if isinstance(exc.character, int)
            else "tệp có ký tự không được phép",
            span,
            self.lines[line - 1] if line <= len(self.lines) else "",
            unshowable_hint(f"\\u{exc.character:04x}")
            if isinstance(exc.character, int) and 0x80 <= exc.character <= 0x9F
            else "tệp này có thể không phải tệp văn bản (vd một bảng tính hay tệp nén); tệp dữ kiện là YAML hoặc JSON",
        )

    def span(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        return Span(
            file=self.name,
            line=start.line + 1,
            column=start.column + 1,
            end_line=end.line + 1,
            end_column=end.column + 1,
            start_pos=start.index,
            end_pos=end.index,
        )

    def fail(self, node: yaml.Node, message: str, hint: str = "") -> FactsError:
        span = self.span(node)
        return facts_error(
            self.name, message, span, self.lines[span.line - 1] if span.line <= len(self.lines) else "", hint
        )

    def visit(self, node: yaml.Node) -> None:
        """Count a node; a node met again comes from an alias, and repeats are bounded."""
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.repeats += 1
        if self.repeats > MAX_ALIAS_EXPANSION:
            raise self.fail(
                node,
                f"bí danh YAML (*tên) lặp lại hơn {vi_count(MAX_ALIAS_EXPANSION)} phần tử; dừng đọc",
                "viết thẳng giá trị thay vì lồng các bí danh `&tên` / `*tên` vào nhau",
            )

    def value(self, node: yaml.Node, depth: int = 0) -> Any:
        self.visit(node)
        if depth > _MAX_DEPTH:
            raise self.fail(node, "dữ liệu lồng nhau quá sâu")
        if node.tag not in _STANDARD_TAGS:  # !!python/object/apply:..., !custom: never constructed
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise self.fail(node, f"thẻ YAML `{_short(tag)}` không được hỗ trợ", "bỏ thẻ `!...` trước giá trị")
        if isinstance(node, yaml.MappingNode):
            return {k: v for k, (v, _) in self.mapping(node, depth).items()}
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, depth + 1) for item in node.value]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag == "tag:yaml.org,2002:float":
            try:
                return Decimal(node.value.replace("_", ""))
            except InvalidOperation:
                return node.value
        if node.tag == "tag:yaml.org,2002:int":
            # Read as written: no octal (017 is 17), no base 60 (1:30 stays text), any length.
            digits = node.value.replace("_", "")
            if re.fullmatch(r"[-+]?\d+", digits):
                return int(digits) if len(digits) <= 18 else Decimal(digits)
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except Exception:  # PyYAML's constructors raise anything on a malformed value: 2023-02-30 ValueError,
            # `!!bool maybe` KeyError, `!!timestamp hôm qua` AttributeError; each is a value that cannot be read
            if node.tag == "tag:yaml.org,2002:timestamp":
                raise self.fail(
                    node, f"ngày `{_short(node.value)}` không có thật", "viết ngày dạng 2023-10-31"
                ) from None
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise self.fail(
                node, f"không đọc được giá trị `{_short(node.value)}` kiểu {tag}", "bỏ thẻ `!!...`"
            ) from None

    def key(self, node: yaml.Node) -> str:
        """A key as written (`017`, `yes` and `7.2.2` stay text); a list or a table is not a key."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "khoá phải là một tên hoặc một mã, không phải danh sách hay bảng")
        return normalise(str(node.value))

    def mapping(self, node: yaml.MappingNode, depth: int = 0) -> dict[str, tuple[Any, Span]]:
        out: dict[str, tuple[Any, Span]] = {}
        for key_node, value_node in node.value:
            self.visit(key_node)
            key = self.key(key_node)
            if key in out:
                raise self.fail(key_node, f"khoá `{key}` xuất hiện hai lần", "mỗi dữ kiện chỉ ghi một lần")
            out[key] = (self.value(value_node, depth + 1), self.span(key_node))
        return out

    def read(self) -> RawFacts:
        try:
            root = self.loader.get_single_node()
        except yaml.reader.ReaderError as exc:
            raise self.unreadable(exc) from None
        except yaml.YAMLError as exc:
            raise FactsError([yaml_diagnostic(self.name, self.lines, exc)]) from None
        finally:
            self.loader.dispose()
        if root is None:  # an empty file: every fact without a default will be reported missing
            return RawFacts(name=self.name)
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(root, "tệp dữ kiện phải là một bảng `tên: giá trị`")
        top = self.mapping(root)
        inner: dict[str, Span] = {}
        notes: dict[str, Span] = {}
        values = top_values = self.value_spans(root)  # the plain form's facts: `name: value` at the top
        # Each later round's facts and notes, where they are written, and where its values are.
        round_spans: list[tuple[dict[str, Span], dict[str, Span]]] = []
        round_values: list[dict[str, Span]] = []
        for key_node, value_node in root.value:
            if self.key(key_node) == "facts" and isinstance(value_node, yaml.MappingNode):
                inner, values = self.key_spans(value_node), self.value_spans(value_node)
            if self.key(key_node) == "notes" and isinstance(value_node, yaml.MappingNode):
                notes = self.key_spans(value_node)
            if self.key(key_node) == "rounds" and isinstance(value_node, yaml.SequenceNode):
                for item in value_node.value:
                    found = [
                        _value_of(item, k) if isinstance(item, yaml.MappingNode) else None for k in ("facts", "notes")
                    ]
                    spans = [self.key_spans(n) if isinstance(n, yaml.MappingNode) else {} for n in found]
                    round_spans.append((spans[0], spans[1]))
                    round_values.append(self.value_spans(found[0]) if isinstance(found[0], yaml.MappingNode) else {})
        raw = _raw_from_mapping(self.name, top, inner, round_spans, values, top_values)
        keys = {k: span for k in ("unit", "year") if k in top and (span := top[k][1]) is not None}
        rounds = tuple(
            r.model_copy(update={"facts": _valued(r.facts, v)}) for r, v in zip(raw.rounds, round_values, strict=False)
        )
        return raw.model_copy(
            update={"facts": _valued(raw.facts, values), "rounds": rounds, "note_spans": notes, "key_spans": keys}
        )

    def key_spans(self, node: yaml.MappingNode) -> dict[str, Span]:
        """Where each key of a table is written."""
        return {self.key(k): self.span(k) for k, _ in node.value}

    def value_spans(self, node: yaml.MappingNode) -> dict[str, Span]:
        """Where each fact's value is written: after its name, or after `value:` in its table."""
        out = {}
        for key_node, value_node in node.value:
            if isinstance(value_node, yaml.MappingNode):
                value_node = _value_of(value_node, "value")
            if _written_here(key_node, value_node):
                out[self.key(key_node)] = self.span(value_node)
        return out


def _written_here(key: yaml.Node, value: yaml.Node | None) -> bool:
    """Whether a key's value is a single value written after it: not empty (the name is the place then),
    not an alias (*x), which stands for a value written before, under another key."""
    return (
        isinstance(value, yaml.ScalarNode)
        and value.start_mark.index < value.end_mark.index
        and value.start_mark.index > key.start_mark.index
    )


def _valued(facts: dict[str, RawFact], places: Mapping[str, Span]) -> dict[str, RawFact]:
    """Facts with the place of each value written beside them."""
    return {k: f.model_copy(update={"value_span": places[k]}) if k in places else f for k, f in facts.items()}


def _value_of(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    """The value node under `key` in a YAML table, if any."""
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _raw_from_mapping(
    name: str,
    top: Mapping[str, tuple[Any, Span | None]],
    inner_spans: Mapping[str, Span] | None = None,
    round_spans: Sequence[tuple[Mapping[str, Span], Mapping[str, Span]]] = (),
    value_spans: Mapping[str, Span] | None = None,
    top_values: Mapping[str, Span] | None = None,
) -> RawFacts:
    """Raw facts from a file's top-level mapping; `inner_spans` and `value_spans` are where the facts'
    names and values are written, `top_values` where the top level's values are (for the caret of a
    character no output can carry)."""
    for key, (value, span) in top.items():
        bad = unshowable(key) or unshowable(value)
        if bad is None:
            continue
        said = f"`{escaped(key)}`"
        if isinstance(value, str) and not unshowable(key):  # a plain form's fact, `unit`: under the value
            span = (top_values or {}).get(key, span)
        if key == "facts" and isinstance(value, dict):  # name the fact, at its own line
            fact = unshowable_entry(value)
            if fact is not None:
                said, span = f"dữ kiện `{fact}`", (inner_spans or {}).get(fact, span)
                if isinstance(value.get(fact), str) and not unshowable(fact):  # the caret under the value itself
                    span = (value_spans or {}).get(fact, span)
        raise facts_error(
            name, f"{said} có ký tự không hiển thị, không ghi ra được ({bad})", span, hint=unshowable_hint(bad)
        )
    claims = _claims_shaped(top)
    if claims:
        keys = ", ".join(f"`{key}`" for key in claims)
        raise facts_error(
            name,
            f"tệp này là tệp điểm tự khai (claims: có {keys}), không phải tệp dữ kiện",
            top[claims[0]][1],
            hint="tệp điểm tự khai dùng với `cchc audit RULES FACTS CLAIMS`, đặt sau tệp dữ kiện; ở chỗ này cần tệp "
            "dữ kiện `tên: giá trị` (vd examples/thanh-thuy-2023/facts.yaml)",
        )
    facts_entry = top.get("facts")
    if facts_entry is None and top and all(key in META_KEYS for key in top):
        # `round:`, `notes:`, `unit:` and no `facts:`: an appraisal round that changes no fact, not facts named so
        facts_entry = ({}, None)
    if facts_entry is not None and not isinstance(facts_entry[0], dict):
        raise facts_error(
            name,
            "`facts:` phải là một bảng `tên: giá trị`",
            facts_entry[1],
            hint="`facts` chứa các dữ kiện dạng `tên: giá trị`, vd `facts: {doi_thoai: 2}`",
        )
    if facts_entry is None:
        return RawFacts(name=name, facts=_entries(name, top))  # the plain form: name: value
    for key, (_, span) in top.items():
        if key not in META_KEYS:
            close = suggest(key, META_KEYS)
            raise facts_error(
                name,
                f"khoá lạ `{key}` ở đầu tệp dữ kiện",
                span,
                hint=f"có phải ý bạn là `{close}`?" if close else "các khoá: " + ", ".join(META_KEYS),
            )
    spans = inner_spans or {}
    facts = _entries(name, {k: (v, spans.get(k, facts_entry[1])) for k, v in facts_entry[0].items()})

    def text(key: str) -> str:
        if key not in top or top[key][0] is None:
            return ""
        value, span = top[key]
        if isinstance(value, (dict, list)):
            raise facts_error(name, f"`{key}` phải là một dòng chữ, không phải một danh sách hay một bảng", span)
        return normalise(str(value))

    return RawFacts(
        name=name,
        unit=text("unit"),
        year=text("year"),
        round=text("round"),
        facts=facts,
        notes=_notes(name, top.get("notes")),
        rounds=_rounds(name, top.get("rounds"), round_spans),
        report=_report(name, top.get("report")),
    )


def _notes(name: str, entry: tuple[Any, Span | None] | None) -> dict[str, str]:
    if entry is None or entry[0] is None:
        return {}
    if not isinstance(entry[0], dict):
        raise facts_error(
            name, "`notes` phải là bảng `mã tiêu chí: ghi chú`", entry[1], hint='vd: notes: {"7.2.2": "..."}'
        )
    out = {}
    for key, note in entry[0].items():
        if note is None or str(note).strip() == "":  # a slot left empty: nothing to say
            continue
        if isinstance(note, (bool, list, dict, datetime.date)):
            raise facts_error(
                name,
                f"ghi chú của `{normalise(str(key))}` phải là một đoạn văn bản, không phải {_kind_said(note)}",
                entry[1],
                hint='viết ghi chú trong ngoặc kép, vd "7.2.2": "Số liệu chưa khớp với phần mềm một cửa"',
            )
        out[normalise(str(key))] = normalise(str(note))
    return out


def _kind_said(value: Any) -> str:
    """What a YAML value is, in words."""
    if isinstance(value, bool):
        return f"có/không ({'có' if value else 'không'})"
    if isinstance(value, list):
        return "một danh sách"
    if isinstance(value, dict):
        return "một bảng"
    return "một ngày"


def _report(name: str, entry: tuple[Any, Span | None] | None) -> dict[str, str]:
    if entry is None or entry[0] is None:
        return {}
    if not isinstance(entry[0], dict):
        raise facts_error(name, "`report` phải là một bảng", entry[1], hint="các khoá: " + ", ".join(REPORT_KEYS))
    for key in entry[0]:
        if key not in REPORT_KEYS:
            close = suggest(str(key), REPORT_KEYS)
            raise facts_error(
                name,
                f"phần báo cáo có khoá lạ `{key}`",
                entry[1],
                hint=f"có phải ý bạn là `{close}`?" if close else "các khoá: " + ", ".join(REPORT_KEYS),
            )
    report = {str(k): normalise(str(v)) for k, v in entry[0].items() if v is not None}
    if report.get("ngay"):
        try:
            read_date(report["ngay"])
        except ValueError as exc:
            if re.fullmatch(r"[\d/.-]+", report["ngay"].strip()):  # a date written wrong, not "ngày 5 tháng 1 ..."
                said = str(exc)  # why: no such day, month first, dots, a two-digit year...
                why = "" if said.startswith("cần một ngày") else f" ({said})"
                raise facts_error(
                    name,
                    f"`report.ngay`: `{report['ngay']}` không phải một ngày{why}",
                    entry[1],
                    hint="viết ngày dạng 25/10/2023 hoặc 2023-10-25",
                ) from None
    return report


def _rounds(
    name: str,
    entry: tuple[Any, Span | None] | None,
    spans: Sequence[tuple[Mapping[str, Span], Mapping[str, Span]]] = (),
) -> tuple[RawRound, ...]:
    if entry is None or entry[0] is None:
        return ()
    items = entry[0]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise facts_error(
            name,
            "`rounds` phải là một danh sách các vòng",
            entry[1],
            hint='vd: rounds: [{name: "Thẩm định vòng 1", facts: {doi_thoai: 3}, notes: {"1.5.2": "..."}}]',
        )
    out = []
    for number, item in enumerate(items, 2):
        where, note_spans = spans[number - 2] if number - 2 < len(spans) else ({}, {})  # else the `rounds:` line
        unknown = set(item) - {"name", "facts", "notes"}
        if unknown:
            raise facts_error(
                name,
                f"vòng {number} có khoá lạ `{sorted(unknown)[0]}`",
                entry[1],
                hint="mỗi vòng có: name, facts, notes",
            )
        facts = item.get("facts") or {}
        if not isinstance(facts, dict):
            raise facts_error(name, f"`facts` của vòng {number} phải là bảng `tên: giá trị`", entry[1])
        keyed = {normalise(str(k)): v for k, v in facts.items()}
        out.append(
            RawRound(
                name=normalise(str(item.get("name") or f"Vòng {number}")),
                facts=_entries(name, {key: (v, where.get(key, entry[1])) for key, v in keyed.items()}),
                notes=_notes(name, (item.get("notes"), entry[1])),
                note_spans=dict(note_spans),
            )
        )
    return tuple(out)


def _entries(name: str, entries: Mapping[str, tuple[Any, Span | None]]) -> dict[str, RawFact]:
    facts: dict[str, RawFact] = {}
    for key, (value, span) in entries.items():
        evidence = None
        if isinstance(value, dict):
            if "value" not in value:
                raise facts_error(
                    name,
                    f"dữ kiện `{key}` ghi dạng bảng nhưng thiếu `value`",
                    span,
                    hint='vd: doi_thoai: {value: 2, note: "Biên bản đối thoại"}',
                )
            unknown = set(value) - {"value", *EVIDENCE_FIELDS}
            if unknown:
                stray = sorted(unknown)[0]
                close = suggest(stray, ("value", *EVIDENCE_FIELDS))
                raise facts_error(
                    name,
                    f"dữ kiện `{key}` có trường lạ `{stray}`",
                    span,
                    hint=f"có phải ý bạn là `{close}`?"
                    if close
                    else "các trường: value, " + ", ".join(EVIDENCE_FIELDS),
                )
            evidence = Evidence(**{k: normalise(str(v)) for k, v in value.items() if k != "value" and v is not None})
            value = value["value"]
        facts[key] = RawFact(value=value, evidence=evidence, span=span)
    return facts


def read_facts(path: Path | str) -> RawFacts:
    """Read a YAML or JSON facts file (plain `name: value`, or structured with `facts:`)."""
    path = Path(path)
    name = str(path)
    try:
        data = read_bytes(path)
    except FileTooLarge as exc:
        raise facts_error(
            name,
            f"tệp lớn hơn {vi_count(exc.limit // 1024)} KB; không đọc",
            hint="một tệp dữ kiện thật chỉ vài KB; kiểm tra lại đường dẫn",
        ) from None
    except OSError as exc:
        hint = missing_path_hint(path, FACTS_SUFFIXES, files_only=True) if isinstance(exc, FileNotFoundError) else ""
        raise facts_error(name, f"không đọc được tệp: {os_error_text(exc)}", hint=hint) from None
    for magic, kind in _BINARY_KINDS:
        if data.startswith(magic):
            hint = "tệp dữ kiện là văn bản YAML (.yaml) hoặc JSON (.json); xem examples/thanh-thuy-2023/facts.yaml"
            if path.suffix.lower() in (".xlsx", ".xlsm"):  # the communes' workbook: read by `rank`, a row a unit
                hint += (
                    f"; bảng tính các xã thì xếp hạng bằng `cchc rank RULES {shlex.quote(name)} -o ket-qua.json "
                    "--trace`, "
                    "tệp kết quả ghi cả diễn giải điểm mất của từng xã"
                )
            raise facts_error(name, f"tệp không phải YAML hay JSON: có vẻ là {kind}", hint=hint)
    try:
        text = decode(data)
    except NotUtf8 as exc:
        span = Span(file=name, line=exc.line, column=exc.column, end_line=exc.line, end_column=exc.column)
        raise facts_error(name, f"tệp không phải UTF-8 (byte lỗi thứ {exc.offset + 1})", span, hint=exc.hint) from None
    lines = text.split("\n")
    try:
        raw = _read_json(name, text) if path.suffix.lower() == ".json" else _YamlReader(name, text).read()
    except FactsError as exc:  # a problem found with its place but not its line: the line, with a caret
        raise FactsError(
            [
                d.model_copy(update={"line_text": lines[d.span.line - 1]})
                if d.span is not None and not d.line_text and d.span.file == name and 0 < d.span.line <= len(lines)
                else d
                for d in exc.diagnostics
            ]
        ) from None
    return raw.model_copy(update={"texts": {name: tuple(lines)}})


def year_warning(raw: RawFacts, rules: CheckedRules) -> Diagnostic | None:
    """W008, a warning: the facts give another year than the rule set's (last year's file picked by mistake).

    Not an error: scoring one year's figures by another year's rules is also done on purpose.
    """
    # "2022", "năm 2022", 2022.0 (a YAML number): one year; "2022-2023" is not one, and is left alone.
    found = re.fullmatch(r"(?:năm\s+)?([0-9]{4})(?:\.0+)?", normalise(raw.year).strip().casefold())
    year = rules.header.year
    if year is None or found is None or int(found.group(1)) == year:
        return None
    written = found.group(1)
    span = raw.key_spans.get("year")
    return Diagnostic(
        code="W008",
        severity="warning",
        message=("" if span else f"{raw.name}: ")
        + f"dữ kiện ghi `year: {raw.year.strip()}` nhưng bộ quy tắc là của năm {year}",
        span=span,
        line_text=raw.line_at(span),
        hint=f"chọn bộ quy tắc năm {written}, hoặc tệp dữ kiện năm {year}; "
        f"cố ý chấm số liệu năm {written} theo quy tắc năm {year} thì bỏ qua cảnh báo này",
    )


# json's messages, in Vietnamese, with a hint.
_JSON_PROBLEMS = {
    "Expecting value": ("cần một giá trị ở đây", "chuỗi viết trong ngoặc kép; không để dấu phẩy thừa"),
    "Expecting property name enclosed in double quotes": (
        "cần một tên trong ngoặc kép",
        'mỗi tên viết trong ngoặc kép, vd "doi_thoai"',
    ),
    "Expecting ',' delimiter": ("thiếu dấu phẩy `,`", "các phần tử cách nhau bằng dấu phẩy"),
    "Expecting ':' delimiter": ("thiếu dấu hai chấm `:`", 'viết "tên": giá trị'),
    "Unterminated string starting at": ("chuỗi chưa đóng ngoặc kép", ""),
    "Extra data": ("còn dữ liệu sau khi bảng đã đóng", "cả tệp là một bảng {...}"),
    "Invalid control character at": ("ký tự điều khiển trong chuỗi", "xuống dòng trong chuỗi viết là \\n"),
    "Illegal trailing comma before end of object": ("dấu phẩy thừa trước `}`", "bỏ dấu phẩy sau phần tử cuối"),
    "Illegal trailing comma before end of array": ("dấu phẩy thừa trước `]`", "bỏ dấu phẩy sau phần tử cuối"),
    "Unexpected end": ("hết tệp mà dữ liệu chưa xong", "thiếu dấu `}` hoặc `]` đóng ở cuối?"),
    "Invalid \\uXXXX escape": ("mã `\\u` trong chuỗi không đủ bốn chữ số hex", "viết `\\\\` cho một dấu `\\`"),
    "Invalid \\escape": ("dấu `\\` không hợp lệ trong chuỗi", 'viết `\\\\` cho một dấu `\\`, vd "C:\\\\du-lieu"'),
}
# The same problems on one line of a JSON-lines file: a line, not a file, ends; it holds one object.
_JSON_LINE_PROBLEMS = {
    "Extra data": ("còn dữ liệu sau khi đối tượng đã đóng", "mỗi dòng đúng một đối tượng {...}"),
    "Unexpected end": ("hết dòng mà dữ liệu chưa xong", "thiếu dấu `}` hoặc `]` đóng ở cuối dòng?"),
}


def json_problem(exc: json.JSONDecodeError, one_line: bool = False) -> tuple[int, int, str, str]:
    """A JSON syntax error as (line, column, problem, hint), in Vietnamese, the same on every Python.

    Python 3.13 names a trailing comma and points at it; older versions ask for what should follow
    it, at the bracket. Both are reported as 3.13 does.
    """
    text, pos, msg = exc.doc, exc.pos, exc.msg
    if msg in ("Expecting property name enclosed in double quotes", "Expecting value") and text[pos : pos + 1] in (
        "}",
        "]",
    ):
        before = len(text[:pos].rstrip()) - 1
        if before >= 0 and text[before] == ",":
            pos = before
            msg = "Illegal trailing comma before end of " + ("object" if text[exc.pos] == "}" else "array")
    if msg.startswith("Expecting") and text.strip() and not text[pos:].strip():  # a bracket never closed
        pos = len(text.rstrip())
        msg = "Unexpected end"
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    table = {**_JSON_PROBLEMS, **_JSON_LINE_PROBLEMS} if one_line else _JSON_PROBLEMS
    # Some messages end with what was found ("Invalid \\escape: 'x'"): matched on how they begin.
    problem, hint = next(((p, h) for key, (p, h) in table.items() if msg.startswith(key)), (msg, ""))
    return line, column, problem, hint


_MAX_JSON_DEPTH = 100


def _too_deep_in_json(name: str, text: str, limit: int = _MAX_JSON_DEPTH) -> Span | None:
    """Where brackets first nest deeper than `limit`, found without recursion (json recurses)."""
    depth = 0
    for index, char in outside_strings(text):
        if char in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, index) + 1
                column = index - text.rfind("\n", 0, index)  # 1-based: rfind is -1 on the first line
                return Span(file=name, line=line, column=column, end_line=line, end_column=column + 1)
        elif char in "]}":
            depth -= 1
    return None


def _json_int(text: str) -> int | Decimal:
    return int(text) if len(text) <= 18 else Decimal(text)


# A JSON value that is not an object, a list or a string: a number, true, false, null (or a mistake).
_JSON_BARE = re.compile(r"[^\s,\]}]+")


def json_key_places(
    name: str, text: str, values: dict[tuple[str | int, ...], Span] | None = None
) -> dict[tuple[str | int, ...], list[Span]]:
    """Where each object key of a JSON text is written, by its path of keys and list indices (every
    place, in order: a key written twice has two), so that a problem is shown at its line with a caret.
    `values`, when given, gets where each single value (not an object or a list) is written, by its key's
    path (the first place of a key written twice).

    Reads the text as it is laid out (strings, brackets, commas, colons). It is called while `json` reads
    the text (a key given twice), before the decoder has seen all of it: text past a stray bracket is
    left unplaced, and the decoder's own error follows.
    """
    places: dict[tuple[str | int, ...], list[Span]] = {}
    line_starts = [0] + [k + 1 for k, c in enumerate(text) if c == "\n"]
    stack: list[list[Any]] = []  # per open container: [path, "obj" | "arr", current key or index]
    expect_key = False
    # A string (escapes included), or a bracket, comma or colon: outside strings a JSON text has no quote.
    tokens = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')

    def span_of(start: int, end: int) -> Span:
        line = bisect.bisect_right(line_starts, start)
        column = start - line_starts[line - 1] + 1
        return Span(file=name, line=line, column=column, end_line=line, end_column=column + end - start)

    for match in tokens.finditer(text):
        token = match.group()
        if token in "{[":
            path: tuple[str | int, ...] = ()
            if stack:
                parent = stack[-1]
                path = (*parent[0], parent[2])
            stack.append([path, "obj" if token == "{" else "arr", 0])
            expect_key = token == "{"
        elif token in "}]":
            if not stack:  # a closing bracket too many: the decoder, still reading, says so next
                break
            stack.pop()
            expect_key = False
        elif token == ",":
            if stack and stack[-1][1] == "arr":
                stack[-1][2] += 1
            expect_key = bool(stack) and stack[-1][1] == "obj"
        elif token == ":":
            expect_key = False
            if values is not None and stack:
                start = len(text) - len(text[match.end() :].lstrip())
                bare = not text.startswith(('"', "{", "["), start)  # an object or a list is no single value
                value = _JSON_BARE.match(text, start) if bare else tokens.match(text, start)
                if value is not None and value.group() not in "{[":
                    values.setdefault((*stack[-1][0], stack[-1][2]), span_of(value.start(), value.end()))
        elif expect_key and stack:  # a key
            key = normalise(json.loads(token))
            stack[-1][2] = key
            places.setdefault((*stack[-1][0], key), []).append(span_of(match.start(), match.end()))
            expect_key = False
    return places


def _read_json(name: str, text: str) -> RawFacts:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                # The table that holds the key twice (a round's facts repeat the top ones' names: not those).
                written = next(
                    (
                        spans
                        for path, spans in json_key_places(name, text).items()
                        if path[-1] == key and len(spans) > 1
                    ),
                    [],
                )
                again = written[1] if len(written) > 1 else None
                raise facts_error(
                    name,
                    f"khoá `{key}` xuất hiện hai lần" + (f" (lần đầu ở dòng {written[0].line})" if again else ""),
                    again,
                    hint="mỗi khoá chỉ ghi một lần trong một bảng; bỏ một lần",
                )
            out[key] = value
        return out

    def too_deep(span: Span | None) -> NoReturn:
        span = span or _too_deep_in_json(name, text)
        raise facts_error(
            name,
            "dữ liệu lồng nhau quá sâu",
            span,
            text.split("\n")[span.line - 1] if span else "",
            "tệp dữ kiện chỉ cần `tên: giá trị`",
        ) from None

    # Found before parsing: how deep json can go before a RecursionError differs between Python versions.
    if text.count("[") + text.count("{") > _MAX_JSON_DEPTH:
        span = _too_deep_in_json(name, text)
        if span is not None:
            too_deep(span)
    try:
        # Numbers stay exact and of any length (a long one is then reported as too large);
        # NaN and Infinity stay text, so they are reported as not numbers.
        data = json.loads(text, parse_float=Decimal, parse_int=_json_int, parse_constant=str, object_pairs_hook=pairs)
    except RecursionError:
        too_deep(None)
    except json.JSONDecodeError as exc:
        lines = text.split("\n")
        line, column, problem, hint = json_problem(exc)
        span = Span(file=name, line=line, column=column, end_line=line, end_column=column + 1)
        raise facts_error(
            name,
            f"tệp JSON sai cú pháp: {problem}",
            span,
            lines[line - 1] if line <= len(lines) else "",
            hint,
        ) from None
    if not isinstance(data, dict):
        first = Span(file=name, line=1, column=1, end_line=1, end_column=2)
        raise facts_error(
            name, "tệp dữ kiện phải là một bảng `tên: giá trị`", first, hint='vd: {"facts": {"doi_thoai": 2}}'
        )
    written: dict[tuple[str | int, ...], Span] = {}
    places = {path: spans[0] for path, spans in json_key_places(name, text, written).items()}

    def under(*path: str | int) -> dict[str, Span]:
        return {str(p[-1]): span for p, span in places.items() if len(p) == len(path) + 1 and p[:-1] == path}

    def values_under(*path: str | int) -> dict[str, Span]:
        """Where each fact's value is written: after its name, or after `value` in its table."""
        names = {p[len(path)] for p in written if len(p) > len(path) and p[: len(path)] == path}
        found = {str(k): written.get((*path, k)) or written.get((*path, k, "value")) for k in names}
        return {k: span for k, span in found.items() if span is not None}

    top = {normalise(k): (v, places.get((normalise(k),))) for k, v in data.items()}
    rounds = data.get("rounds")
    round_spans = [
        (under("rounds", k, "facts"), under("rounds", k, "notes"))
        for k in range(len(rounds) if isinstance(rounds, list) else 0)
    ]
    own = values_under("facts") if isinstance(data.get("facts"), dict) else values_under()  # or the plain form
    raw = _raw_from_mapping(name, top, under("facts"), round_spans, own, values_under())
    keys = {k: span for k in ("unit", "year") if k in top and (span := top[k][1]) is not None}
    valued = tuple(
        r.model_copy(update={"facts": _valued(r.facts, values_under("rounds", k, "facts"))})
        for k, r in enumerate(raw.rounds)
    )
    return raw.model_copy(
        update={"facts": _valued(raw.facts, own), "rounds": valued, "note_spans": under("notes"), "key_spans": keys}
    )


def raw_from_mapping(values: Mapping[str, Any], name: str = "<facts>") -> RawFacts:
    """Facts given in Python (the API): a plain mapping, values or evidence mappings."""
    return _raw_from_mapping(name, {normalise(str(_exact(k))): (_exact(v), None) for k, v in values.items()})


def _exact(value: Any) -> Any:
    """A Python value as a file would give it: a long integer as a Decimal (str() refuses past 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return Decimal(value)
    if isinstance(value, dict):
        return {_exact(k): _exact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    return value


# ---- validation ------------------------------------------------------------------

_TRUE = {"true", "yes", "có", "co", "đúng", "1", "x"}
_FALSE = {"false", "no", "không", "khong", "sai", "0"}


class _Invalid(ValueError):
    """A value that does not fit its fact, with a hint for whoever wrote it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


# Thousands written in groups of three, with dots (Vietnamese) or commas (English).
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}
# 1,340 or 1.340: a decimal (1,34) or a thousand (1340), depending on who wrote it.
_AMBIGUOUS = re.compile(r"[-+]?\d{1,3}[.,]\d{3}")
_TOO_LARGE = f"số quá lớn: phần nguyên tối đa {MAX_FACT_INTEGER_DIGITS} chữ số"
_NUMBER_HINT = "viết số bằng chữ số, vd 17.748 hoặc 17,748 (số thập phân), 1340 hoặc 1.340.000 (số nguyên)"
# The same hint for a fact of one kind: a count needs no decimal examples, a percentage its sign.
_KIND_HINTS = {
    "count": "viết số nguyên bằng chữ số, vd 1340 hoặc 1.340.000",
    "percent": "viết tỷ lệ bằng chữ số và dấu %, vd 75% hoặc 87,5%",
}
# A number followed by words: "4 cuộc", "80 phần trăm", "1.340 hồ sơ".
_NUMBER_AND_WORDS = re.compile(r"\s*([-+]?\d[\d.,]*)\s+(\D.*?)\s*")
_PERCENT_WORDS = {"phần trăm", "phan tram", "percent", "pct"}


def _number_hint(text: str) -> str:
    """What to write for a number given with words after it: the number alone (its unit is declared); for
    one with a sign or a character pasted from Word or a web page, the number as it must be typed."""
    typed = normalise(text).strip()
    hidden = [c for c in typed if not c.isprintable() or unicodedata.category(c) == "Cf"]
    if hidden:  # `1​754`: a zero-width space inside
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in hidden))
        kept = "".join(c for c in typed if c not in hidden)
        return f"số có ký tự vô hình ({codes}, thường do chép từ Word hay trang web): viết `{_short(kept)}`"
    if typed[:1] in "−–—" and typed[1:].lstrip()[:1].isdigit():  # a minus sign or a dash from Word
        return f"dấu trừ viết bằng dấu gạch nối `-`: `-{_short(typed[1:].lstrip())}`"
    if typed.endswith("％"):  # a full-width percent sign (a Vietnamese or Asian input method)
        return f"viết `{_short(typed[:-1])}%`"
    found = _NUMBER_AND_WORDS.fullmatch(normalise(text))
    if found is None:
        return _NUMBER_HINT
    number, words = found.groups()
    if words.casefold() in _PERCENT_WORDS:
        return f"viết `{number}%`"
    return f"viết `{number}`, bỏ `{_short(words)}`: đơn vị đã có trong khai báo của dữ kiện"


def _decimal_text(text: str) -> Decimal:
    """A number as people write it.

    17.748 and 17,748 (the decimal comma, as the seed report writes it) are the
    same number; 1.234.567 and 1,234,567 are thousands; 1.234,5 and 1,234.5
    have both. Spaces (also non-breaking) are ignored.
    """
    text = re.sub(r"\s", "", text)
    sign = ""
    if text[:1] in ("+", "-"):
        sign, text = text[0], text[1:]
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        point = max(text.rfind(","), text.rfind("."))
        whole, fraction = text[:point], text[point + 1 :]
        grouping = "." if text[point] == "," else ","
        if not (_GROUPED[grouping].fullmatch(whole) and fraction.isdecimal()):
            raise InvalidOperation
        text = whole.replace(grouping, "") + "." + fraction
    elif commas > 1 or dots > 1:
        grouping = "," if commas else "."
        if not _GROUPED[grouping].fullmatch(text):
            raise InvalidOperation
        text = text.replace(grouping, "")
    elif commas:
        text = text.replace(",", ".")  # "17,748": the Vietnamese decimal comma
    return Decimal(sign + text)


def _sized(number: Decimal) -> Decimal:
    """`number` if it is finite and of a size a fact can have: exact arithmetic on 1e999999999 would never end."""
    if not number.is_finite():
        raise _Invalid(f"`{_short(str(number))}` không phải một số hữu hạn", _NUMBER_HINT)
    if not number:
        return number
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if number.adjusted() >= MAX_FACT_INTEGER_DIGITS:
        raise _Invalid(f"{_TOO_LARGE} (`{_short(str(number))}`)", "kiểm tra lại số liệu và đơn vị")
    if -(exponent + trailing) > MAX_FACT_DECIMALS:
        raise _Invalid(
            f"số có quá nhiều chữ số thập phân (`{_short(str(number))}`): tối đa {MAX_FACT_DECIMALS}",
            "làm tròn số liệu trước khi ghi",
        )
    return number


def _to_number(value: Any) -> Fraction:
    if isinstance(value, bool):
        raise _Invalid("cần một số, không phải có/không")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_FACT_INTEGER_DIGITS:
            raise _Invalid(_TOO_LARGE, "kiểm tra lại số liệu và đơn vị")
        return Fraction(value)
    if isinstance(value, Decimal):
        return to_fraction(_sized(value))
    if isinstance(value, float):  # only from the Python API; decimal text keeps it exact
        # float() first: numpy's float64 is a float whose repr is `np.float64(1249.92)`
        return to_fraction(_sized(Decimal(repr(float(value)))))
    if isinstance(value, Fraction):  # exact already: taken if it has a decimal expansion, as a fact must
        text = plain(value, MAX_FACT_DECIMALS)
        if text.endswith("…"):
            raise _Invalid(f"`{value}` không viết được thành số thập phân hữu hạn", "ghi số đã làm tròn, vd 0,333")
        return to_fraction(_sized(Decimal(text)))
    if isinstance(value, numbers.Integral):  # numpy's and pandas' integers
        return _to_number(int(value))
    if isinstance(value, numbers.Real):  # numpy's float32...: the digits it prints, not its binary noise
        try:
            return to_fraction(_sized(Decimal(str(value))))
        except InvalidOperation:
            return _to_number(float(value))
    if isinstance(value, str):
        try:
            number = _decimal_text(value)
        except InvalidOperation:
            if not value.strip():
                raise _Invalid("cần một số, không phải một chuỗi trống", _NUMBER_HINT) from None
            raise _Invalid(f"`{_short(value)}` không phải một số", _number_hint(value)) from None
        return to_fraction(_sized(number))
    raise _Invalid(f"cần một số, không phải {_kind_of(value)}")


# A number that shows which mark a file groups thousands with: 12.500,5 or 1.234.567 (a dot); 12,500.5 (a comma).
_GROUPED_BY = {
    ".": re.compile(r"[-+]?[1-9]\d{0,2}(?:\.\d{3})+,\d+%?|[-+]?[1-9]\d{0,2}(?:\.\d{3}){2,}%?"),
    ",": re.compile(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+\.\d+%?|[-+]?[1-9]\d{0,2}(?:,\d{3}){2,}%?"),
}


_NUMERIC_KINDS = ("count", "integer", "decimal", "percent")


def _separators(rules: CheckedRules, raw: RawFacts, given: Mapping[str, Any]) -> list[Diagnostic]:
    """Decimals written 12.100 in a file that groups thousands with dots elsewhere (12.500,5): ambiguous.

    Alone, 12.100 is read as 12,1 (a decimal point); beside 12.500,5 it most likely means 12 100. The
    same for 17,748 beside 12,500.5. Refused rather than guessed; counts refuse both forms anyway.
    """
    # Any number of the file shows its mark (a count of 1.234.567 too); only decimals can be misread.
    texts = {n: _written(v) for n, v in given.items() if rules.facts[n].type.name in _NUMERIC_KINDS}
    out = []
    for mark, grouped in _GROUPED_BY.items():
        shown = next(((n, t) for n, t in texts.items() if t and grouped.fullmatch(t)), None)
        if shown is None:
            continue
        single = re.compile(r"[-+]?[1-9]\d{0,2}" + re.escape(mark) + r"\d{3}")  # 0.125 groups nothing
        for name, text in texts.items():
            if text and rules.facts[name].type.name == "decimal" and single.fullmatch(text):
                whole = text.replace(mark, "")
                out.append(
                    _problem(
                        raw,
                        raw.facts[name].value_place,
                        f"dữ kiện `{name}`: `{text}` có hai cách hiểu: {text.replace('.', ',')} hoặc {whole}, vì tệp "
                        f"này dùng dấu `{mark}` phân cách hàng nghìn (`{shown[1]}` ở `{shown[0]}`)",
                        f"viết {whole} nếu là số nguyên, hoặc {text.replace('.', ',')} với dấu phẩy thập phân"
                        if mark == "."
                        else f"viết {whole} nếu là số nguyên, hoặc {text.replace(',', '.')} với dấu chấm thập phân",
                    )
                )
    return out


def groups_thousands(value: Any) -> bool:
    """Whether a value is written with a thousands mark (12.500,5): its file's other decimals need a look."""
    text = _written(value)
    return bool(text) and any(grouped.fullmatch(text) for grouped in _GROUPED_BY.values())


def _written(value: Any) -> str:
    """A value as it was written, when it is a number written with a mark (a YAML decimal keeps its digits)."""
    if isinstance(value, str):
        return re.sub(r"\s", "", value)
    # A YAML decimal can only look like 12.100 (three digits after the point, below 1000); writing out
    # any other, 1E+999999999 say, would cost a billion digits.
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == -3 and abs(value) < 1000:
        return format(value, "f")
    return ""


def _kind_of(value: Any) -> str:
    """What a value that is not of a fact's kind is, in words (never Python's `None` or `str`)."""
    if value is None:
        return "giá trị trống"
    if isinstance(value, str):
        return f"`{_short(value)}`" if value.strip() else "một chuỗi trống"
    if isinstance(value, list):
        return "một danh sách"
    if isinstance(value, dict):
        return "một bảng"
    if isinstance(value, datetime.date):
        return "một ngày"
    if isinstance(value, bytes):
        return "dữ liệu nhị phân"
    if type(value).__name__ in ("bool", "bool_"):  # numpy's yes/no (np.bool_), which is not a bool
        return "có/không"
    return type(value).__name__


def _number_of(value: Any, kind: str) -> Fraction:
    """`_to_number`, with the hint for a number not written in digits given for a fact of `kind`."""
    try:
        return _to_number(value)
    except _Invalid as exc:
        if exc.hint != _NUMBER_HINT:
            raise
        raise _Invalid(str(exc), _KIND_HINTS[kind]) from None


def _count(value: Any) -> Fraction:
    if isinstance(value, str) and _AMBIGUOUS.fullmatch(value.strip()):
        whole = re.sub(r"[.,]", "", value.strip())
        raise _Invalid(
            f"`{value.strip()}` có hai cách hiểu: số thập phân {value.strip().replace('.', ',')} "
            f"hoặc số nguyên {whole} (dấu phân cách hàng nghìn)",
            f"dữ kiện này là số nguyên: nếu là {whole}, viết {whole}",
        )
    number = _number_of(value, "count")
    if number.denominator != 1:
        hint = ""
        if isinstance(value, Decimal) and value.as_tuple().exponent == -3 and abs(value) < 1000:
            thousands = f"{abs(value) * 1000:f}".split(".")[0]
            hint = f"nếu là {thousands}, viết liền, không có dấu chấm phân cách hàng nghìn"
        raise _Invalid(f"cần một số nguyên, không phải {vi(number)}", hint)
    return number


def _percent(value: Any) -> Fraction:
    if isinstance(value, str) and value.strip().endswith("%"):
        return _number_of(value.strip()[:-1], "percent") / 100
    number = _number_of(value, "percent")
    if 0 < number <= 1:  # 0.75 is 0.75 % as written, but most who write it mean 75 %: refused, not guessed
        shown = plain(number).replace(".", ",")
        raise _Invalid(
            f"`{shown}` không có dấu %: không rõ là {shown}% hay {plain(number * 100).replace('.', ',')}%",
            f"viết rõ `{shown}%` hoặc `{plain(number * 100).replace('.', ',')}%`",
        )
    return number / 100


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = normalise(str(value)).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    worded = value is None or isinstance(value, str | list | dict | bytes | datetime.date)
    said = _kind_of(value) if worded else f"`{_short(str(value))}`"  # a number, a time: as it reads
    raise _Invalid(f"cần có/không (true/false), không phải {said}", "viết `có` hoặc `không`")


def _a_day(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def read_date(value: Any) -> datetime.date:
    """A date as facts files write it (2023-10-31, 31/10/2023, or a YAML date); ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)  # 31/10/2023, as written in Vietnam
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)  # only this ISO form: not 20231031 or 2023-W44-2
    try:
        if match:
            return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if iso:
            return datetime.date.fromisoformat(text)
    except ValueError:  # written right, but no such day: 31/02/2023, or month first as in English: 10/31/2023
        if match and _a_day(int(match.group(3)), int(match.group(1)), int(match.group(2))):
            swapped = f"{match.group(2)}/{match.group(1)}/{match.group(3)}"
            raise ValueError(f"ngày `{text}` viết tháng trước ngày; viết ngày trước tháng: `{swapped}`") from None
        raise ValueError(f"ngày `{text}` không có thật") from None
    serial = re.fullmatch(r"(\d{5})(?:\.0*)?", text)  # a date cell Excel shows as a number once its format is lost
    if serial and 36526 <= int(serial.group(1)) <= 73050:  # 2000-01-01 to 2099-12-31
        day = f"{datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial.group(1))):%d/%m/%Y}"
        raise ValueError(f"cần một ngày; `{text}` có vẻ là ngày {day} bị Excel hiện thành số: viết `{day}`")
    other = re.fullmatch(r"(\d{1,2})[.\-](\d{1,2})[.\-](\d{4})", text)  # 31.01.2024, 31-01-2024
    if other:
        written = f"{other.group(1)}/{other.group(2)}/{other.group(3)}"
        raise ValueError(f"ngày `{text}` cần viết với dấu /: `{written}` (hoặc dạng 2023-10-31)")
    raise ValueError("cần một ngày, vd 2023-10-31 hoặc 31/10/2023")


def _choice(choices: tuple[str, ...]) -> Any:
    # As Excel's list validation takes them (the template's drop-down): case and spacing aside, and the tone
    # mark's place, as unit names are compared; a key two choices share is never guessed between.
    keys: dict[str, list[str]] = {}
    for choice in choices:
        keys.setdefault(name_key(choice), []).append(choice)

    def check(value: Any) -> str:
        text = normalise(str(value))
        same = keys.get(name_key(text), []) if text not in choices else [text]
        if len(same) == 1:
            return same[0]
        if text not in choices:
            close = suggest(text, choices) if len(text) <= 100 else None
            extra = f" (có phải `{close}`?)" if close else ""
            raise ValueError(f"`{_short(text)}` không nằm trong các lựa chọn: {', '.join(choices)}{extra}")
        return text

    return check


_PARSERS = {
    "count": _count,
    "integer": _count,
    "decimal": _to_number,
    "percent": _percent,
    "boolean": _boolean,
    "date": read_date,
}


def literal_value(lit: ast.Node) -> Value:
    """The value of a literal in a rule file (a bound or a default)."""
    if isinstance(lit, ast.Number):
        return to_fraction(lit.value)
    if isinstance(lit, ast.Percent):
        return to_fraction(lit.value) / 100
    if isinstance(lit, (ast.String, ast.Bool)):
        return lit.value
    if isinstance(lit, ast.DateLit):
        return datetime.date.fromisoformat(lit.value)
    raise TypeError(f"not a literal: {type(lit).__name__}")


def _field(fact: ast.FactDecl) -> tuple[Any, Any]:
    kind = fact.type.name
    parse = _choice(fact.type.choices) if kind == "choice" else _PARSERS[kind]
    annotated = Annotated[Any, BeforeValidator(parse)]
    default = literal_value(fact.default) if fact.default is not None else ...
    return (annotated, Field(default=default, description=fact.description))


def facts_model(rules: CheckedRules) -> type[BaseModel]:
    """The pydantic model of one rule set's facts, built from its declarations."""
    fields = {name: _field(fact) for name, fact in rules.facts.items()}
    model = create_model(  # type: ignore[call-overload]
        "UnitFacts", __config__=ConfigDict(extra="forbid", frozen=True), **fields
    )
    return cast(type[BaseModel], model)


def usage(rules: CheckedRules) -> dict[str, list[str]]:
    """For each fact, the criteria whose formulas, conditions or reasons (their sentences too) use it."""
    used: dict[str, list[str]] = {name: [] for name in rules.facts}
    for node_id, crit in rules.nodes.items():
        names = {n.name for e in expressions(crit) for n in walk(e) if isinstance(n, ast.NameRef)}
        names.update(m.group(1).strip() for reason in crit.reasons for m in PLACEHOLDER.finditer(reason.template))
        for name in sorted(names):
            if name in used:
                used[name].append(node_id)
    return used


def _named(bound: ast.Node | None) -> str | None:
    """The fact a bound names (`max tong`), if it names one."""
    return bound.name if isinstance(bound, ast.NameRef) else None


# Undeclared facts named one by one; the rest are counted.
_MAX_UNKNOWN_SHOWN = 20


# Which of the missing facts (the second argument) a unit need not give, from the values it gives.
Excuse = Callable[[Mapping[str, Value], Sequence[str]], frozenset[str]]


def validate(
    rules: CheckedRules, raw: RawFacts, model: type[BaseModel] | None = None, excuse: Excuse | None = None
) -> Facts:
    """Validate raw facts against the declarations; raise `FactsError` naming every bad fact.

    `model` is `facts_model(rules)`, passed in by callers that validate many units. `excuse` says
    which missing facts the unit need not give (`applicable.not_needed`: only criteria not
    applicable to it read them); they are left out of the values and listed as `excused`.
    """
    problems: list[Diagnostic] = []
    known = tuple(rules.facts)
    unknown = [key for key in raw.facts if key not in rules.facts and key not in rules.retired_facts]
    for key in unknown[:_MAX_UNKNOWN_SHOWN]:
        close = suggest(key, known)
        hint = f"có phải ý bạn là `{close}`?" if close else "xoá dòng này, hoặc khai báo dữ kiện"
        hidden = [c for c in key if c.isspace() or not c.isprintable()]
        plain = "".join(c for c in key if c not in hidden)
        if hidden and plain in known:  # `doi_thoai` and a no-break space: the suggestion would look the same
            codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in hidden))
            hint = f"tên có ký tự vô hình ({codes}, thường do chép từ Word hay trang web): xoá để thành `{plain}`"
        problems.append(
            _problem(raw, raw.facts[key].span, f"dữ kiện `{_short(key)}` không được khai báo trong bộ quy tắc", hint)
        )
    if len(unknown) > _MAX_UNKNOWN_SHOWN:  # a wrong file, most likely: naming them all helps nobody
        problems.append(
            _problem(
                raw,
                None,
                f"và {vi_count(len(unknown) - _MAX_UNKNOWN_SHOWN)} dữ kiện khác không được khai báo",
                "tệp dữ kiện này có đúng là của bộ quy tắc này không?",
            )
        )
    missing = [name for name, decl in rules.facts.items() if name not in raw.facts and decl.default is None]
    # A value left empty (`null`, `value:` with nothing after it) of a fact with a default takes the default,
    # as a blank cell of a workbook does; without a default it is no value, and is said so.
    blank = {
        k
        for k, v in raw.facts.items()
        if v.value is None and v.evidence is None and k in rules.facts and rules.facts[k].default is not None
    }
    given = {k: v.value for k, v in raw.facts.items() if k in rules.facts and k not in blank}
    values: dict[str, Value] = {}
    if not missing:
        try:
            model_ = (model or facts_model(rules)).model_validate(given)
            values = dict(model_.__dict__)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "?"
                error = err.get("ctx", {}).get("error")
                problems.append(_type_problem(rules, raw, name, error or err["msg"]))
    if not values:
        # Something is missing or wrong: every value that can be read still is, so that one pass names
        # every problem of the file (a wrong type, a bound broken elsewhere), not a few at a time.
        values = {}
        for name, decl in rules.facts.items():
            if name not in given:
                if decl.default is not None:
                    values[name] = literal_value(decl.default)
                continue
            parse = _choice(decl.type.choices) if decl.type.name == "choice" else _PARSERS[decl.type.name]
            try:
                values[name] = cast(Value, parse(given[name]))
            except ValueError as error:
                if missing:  # (otherwise the model has reported it)
                    problems.append(_type_problem(rules, raw, name, error))
    excused = excuse(values, missing) if missing and excuse is not None else frozenset()
    missing = [name for name in missing if name not in excused]
    if missing:
        used = usage(rules)
        lines = []
        for name in missing:
            decl = rules.facts[name]
            bounded = [f"`{d.name}`" for d in rules.facts.values() if name in (_named(d.min), _named(d.max))]
            where = (
                f"dùng ở {', '.join(used[name])}"
                if used[name]
                else f"là giới hạn của {', '.join(bounded)}"
                if bounded
                else "không tiêu chí nào dùng: hỏi người viết bộ quy tắc, có thể bỏ khai báo này"
            )
            lines.append(f"\n  - {name}: {decl.description or decl.type.name} ({where})")
        problems.append(
            Diagnostic(
                code="F002",
                severity="error",
                message=f"{raw.name}: thiếu {len(missing)} dữ kiện:" + "".join(lines),
                missing=tuple(missing),
                hint="thêm các dữ kiện này vào tệp (người viết bộ quy tắc có thể khai báo `default` cho dữ kiện "
                "thường vắng)",
            )
        )
    problems.extend(_bounds(rules, raw, values))
    problems.extend(_separators(rules, raw, given))
    if problems:
        # In the file's order; what has no line (facts missing, too many unknown) after.
        problems.sort(key=lambda d: (d.span is None, (d.span.line, d.span.column) if d.span else (0, 0)))
        raise FactsError(problems)
    return Facts(
        unit=raw.unit,
        values=values,
        evidence={k: v.evidence for k, v in raw.facts.items() if v.evidence is not None},
        defaulted=frozenset(
            name for name in rules.facts if (name not in raw.facts or name in blank) and name not in excused
        ),
        excused=excused,
    )


# A fact's type as the people who fill in facts say it (the template's header row, the facts errors).
KIND_WORDS = {
    "count": "số nguyên ≥ 0",
    "integer": "số nguyên",
    "decimal": "số",
    "percent": "tỷ lệ %",
    "boolean": "có/không",
    "date": "ngày (dd/mm/yyyy)",
    "choice": "một trong các lựa chọn",
}


def _type_problem(rules: CheckedRules, raw: RawFacts, name: str, error: Any) -> Diagnostic:
    """A value that is not of its fact's type; `error` is the parser's (with its hint) or pydantic's text."""
    bad = rules.facts.get(name)
    what = f"{bad.description}; " if bad and bad.description else ""  # the type is not part of the title
    return _problem(
        raw,
        raw.facts[name].value_place if name in raw.facts else None,
        f"dữ kiện `{name}` ({what}kiểu {KIND_WORDS[bad.type.name] if bad else '?'}): {error}",
        getattr(error, "hint", ""),
    )


def _problem(raw: RawFacts, span: Span | None, message: str, hint: str = "") -> Diagnostic:
    if span is None:
        return Diagnostic(code="F003", severity="error", message=f"{raw.name}: {message}", hint=hint)
    return Diagnostic(code="F003", severity="error", message=message, span=span, line_text=raw.line_at(span), hint=hint)


_ZERO = Fraction(0)
_WHOLE = Fraction(1)  # 100 %: a percentage's value is its fraction of the whole


def _bounds(rules: CheckedRules, raw: RawFacts, values: dict[str, Value]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, decl in rules.facts.items():
        if name not in values:  # missing, or not of its type: reported already
            continue
        value = values[name]
        kind = decl.type.name
        # (is it a lower bound, the bound: a fact or a value, its label): the implicit ones as values, made
        # once, not as syntax nodes made for every unit (a ranking validates thousands)
        bounds: list[tuple[bool, ast.Node | Value, str]] = []
        if kind == "count":
            bounds.append((True, _ZERO, "0"))
        if kind == "percent" and decl.min is None:
            bounds.append((True, _ZERO, "0%"))
        if decl.min is not None:
            bounds.append((True, decl.min, ""))
        if kind == "percent" and decl.max is None:
            bounds.append((False, _WHOLE, "100%"))
        if decl.max is not None:
            bounds.append((False, decl.max, ""))
        for is_low, bound, label in bounds:
            if isinstance(bound, ast.NameRef) and bound.name not in values:
                continue
            if isinstance(bound, ast.NameRef):
                limit = values[bound.name]
            else:
                limit = literal_value(bound) if isinstance(bound, ast.Node) else bound
            if isinstance(value, bool) or isinstance(limit, bool):
                continue
            broken = value < limit if is_low else value > limit  # type: ignore[operator]
            if broken:
                shown = label or show(limit, kind)
                if isinstance(bound, ast.NameRef):
                    shown = f"{bound.name} = {show(limit, kind)}"
                word = "nhỏ hơn" if is_low else "lớn hơn"
                fact = raw.facts.get(name)
                span = fact.value_place if fact else None
                message = f"dữ kiện `{name}` ({decl.description}) = {show(value, kind)} {word} giới hạn {shown}"
                hint = (
                    "kiểm tra lại số liệu"
                    if isinstance(bound, ast.NameRef)
                    else f"giá trị hợp lệ: {_range(decl, kind)}"
                )
                other = raw.facts.get(bound.name) if isinstance(bound, ast.NameRef) else None
                if other is not None and other.span is not None and span is not None and other.span.file != span.file:
                    # An appraisal round changed one of the two figures: say where each is written, and point
                    # at the one this round's file changed.
                    message = f"{raw.round}: {message}" if raw.round else message
                    limit_name = cast(ast.NameRef, bound).name
                    hint = f"kiểm tra lại số liệu: `{name}` ghi ở {span}, `{limit_name}` ghi ở {other.value_place}"
                    if other.span.file == raw.name:
                        span = other.value_place
                out.append(_problem(raw, span, message, hint))
    return out


def _range(decl: ast.FactDecl, kind: str) -> str:
    low = "0" if kind == "count" else ("0%" if kind == "percent" else "")
    high = "100%" if kind == "percent" else ""
    if decl.min is not None:
        low = decl.min.name if isinstance(decl.min, ast.NameRef) else show(literal_value(decl.min), kind)
    if decl.max is not None:
        high = decl.max.name if isinstance(decl.max, ast.NameRef) else show(literal_value(decl.max), kind)
    return f"từ {low or '-∞'} đến {high or '+∞'}"
