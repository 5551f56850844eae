"""`cchc fmt`: one canonical layout, the same rules before and after, every comment kept.

Comments are counted with the grammar's own lexer (the COMMENT tokens lark
skips), not with the formatter's scanner, so the scanner is tested too.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark, Token

from cchc_rules import ast, printer, testing
from cchc_rules.cli import main
from cchc_rules.formatter import format_source
from cchc_rules.loader import parse_source, read_source
from cchc_rules.parser import grammar_path
from cchc_rules.source import SourceFile, Span, comment_start
from tests.conftest import FIXTURES, ROOT

SHIPPED = sorted((ROOT / "rules").rglob("*.cchc"))
FIXTURE_FILES = sorted(
    [*(FIXTURES / "parse" / "good").glob("*.cchc"), *(FIXTURES / "check").rglob("*.cchc")],
)
BAD_SYNTAX = sorted((FIXTURES / "parse" / "bad").glob("*.cchc"))


# ---- helpers ----------------------------------------------------------------------------


@functools.cache
def _comment_lexer() -> tuple[Lark, list[Token]]:
    found: list[Token] = []
    lark = Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        lexer_callbacks={"COMMENT": found.append},
    )
    return lark, found


def comments(text: str) -> Counter[str]:
    """The multiset of comment texts, as the grammar's lexer sees them (trailing blanks aside)."""
    lark, found = _comment_lexer()
    found.clear()
    lark.parse(text)
    return Counter(token.value.rstrip() for token in found)


def meaning(module: ast.Module) -> tuple[Any, ...]:
    """What a file says; ast nodes compare without spans and formula texts."""
    return (module.header, module.facts, module.criteria, module.overrides, module.removals)


def fmt(text: str, name: str = "t.cchc") -> str:
    return format_source(SourceFile(name=name, text=text))


def parse(text: str) -> ast.Module:
    return parse_source(SourceFile(name="t.cchc", text=text))


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_round_trip(source: SourceFile) -> str:
    """Format once: same AST, every comment kept; format again: nothing changes."""
    once = format_source(source)
    assert meaning(parse(once)) == meaning(parse_source(source))
    assert comments(once) == comments(source.text)
    assert fmt(once) == once
    return once


# ---- shipped and fixture files ----------------------------------------------------------


def test_a_missing_path_is_the_error_check_gives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "a.ccch"
    assert main(["fmt", str(missing)]) == 1
    fmt_err = capsys.readouterr().err
    assert fmt_err.startswith(f"lỗi [E000]: {missing}: không có tệp hay thư mục này\n")
    main(["check", str(missing)])
    assert capsys.readouterr().err.startswith(fmt_err.split("\n")[0])


def test_fmt_check_passes_on_the_shipped_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fmt", "--check", ROOT / "rules")
    assert (code, out, err) == (0, "", "")


@pytest.mark.parametrize("path", SHIPPED + FIXTURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fmt_round_trips_every_shipped_and_fixture_file(path: Path) -> None:
    assert_round_trip(read_source(path))


def test_the_round_trip_covers_files_with_comments() -> None:
    """The file list is not empty, and the comment check has comments to check."""
    assert len(SHIPPED) == 2 and len(FIXTURE_FILES) >= 40
    assert sum(comments(p.read_text(encoding="utf-8")).total() for p in SHIPPED) > 20


def test_fmt_leaves_files_that_do_not_parse_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in BAD_SYNTAX:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    good = tmp_path / "tot.cchc"
    good.write_text('ruleset "T"\n  total 1  rounding 3 half_up\nfact co: boolean "Có"\n', encoding="utf-8")
    code, out, err = run(capsys, "fmt", tmp_path)
    assert code == 1
    assert "Traceback" not in err
    for path in BAD_SYNTAX:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
        assert f"{tmp_path / path.name}:" in err, path.name  # file:line:col of the syntax error
    assert good.read_text(encoding="utf-8") == fmt(good.read_text(encoding="utf-8"))  # the good one is done
    assert out.splitlines() == [f"đã trình bày lại: {good}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(p.name for p in BAD_SYNTAX), "tot.cchc"])


# ---- --check and writing ----------------------------------------------------------------

MESSY = (
    '# đầu\nruleset "T" total 1 rounding 3 half_up\nfact co : boolean "Có"\n'
    '1 "A" : max 1 ; score = if co then max else 0   # có hay không\n  reason "Không có"\n'
)


def test_check_lists_the_files_that_would_change_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messy, tidy = tmp_path / "messy.cchc", tmp_path / "tidy.cchc"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(fmt(MESSY), encoding="utf-8")
    assert tidy.read_text(encoding="utf-8") != MESSY
    code, out, err = run(capsys, "fmt", "--check", tmp_path)
    assert code == 1, err
    assert out.splitlines() == [f"cần trình bày lại: {messy}"]
    assert messy.read_text(encoding="utf-8") == MESSY
    code, out, _ = run(capsys, "fmt", "--check", tidy)
    assert (code, out) == (0, "")


def test_fmt_rewrites_then_check_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "messy.cchc"
    path.write_text(MESSY, encoding="utf-8")
    code, out, _ = run(capsys, "fmt", path)
    assert (code, out) == (0, f"đã trình bày lại: {path}\n")
    text = path.read_text(encoding="utf-8")
    assert meaning(parse(text)) == meaning(parse(MESSY))
    assert comments(text) == comments(MESSY) == Counter({"# đầu": 1, "# có hay không": 1})
    assert run(capsys, "fmt", "--check", path)[:2] == (0, "")
    code, out, _ = run(capsys, "fmt", path)
    assert (code, out) == (0, "")  # nothing left to do: nothing said


def test_fmt_writes_through_a_new_file_and_a_rename(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "messy.cchc"
    path.write_text(MESSY, encoding="utf-8")
    before = path.stat().st_ino
    assert run(capsys, "fmt", path)[0] == 0
    assert path.stat().st_ino != before  # replaced, not rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["messy.cchc"]  # no temporary file left


def test_a_failed_write_leaves_the_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "messy.cchc"
    path.write_text(MESSY, encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, _, err = run(capsys, "fmt", path)
    assert code == 1
    assert "Traceback" not in err and str(path) in err
    assert path.read_text(encoding="utf-8") == MESSY
    assert [p.name for p in tmp_path.iterdir()] == ["messy.cchc"]


def test_line_ends_bom_and_nfd_are_normalised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crlf.cchc"
    text = fmt(MESSY)
    path.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).replace("\n", "\r\n").encode("utf-8"))
    assert run(capsys, "fmt", "--check", path)[0] == 1
    assert run(capsys, "fmt", path)[0] == 0
    assert path.read_bytes() == text.encode("utf-8")


# ---- strings and comments ----------------------------------------------------------------


def test_a_hash_inside_a_string_is_not_a_comment() -> None:
    text = (
        'ruleset "Bộ #1" # tên\n  total 1\n  rounding 3 half_up\n'
        'fact co: boolean "Có # hay không"\n'
        '1 "Mục #1": max 1 # một\n  score = if co then max else 0\n  reason "Thiếu hồ sơ #{co}" # lý do\n'
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    module = parse(once)
    assert module.header is not None and module.header.name == "Bộ #1"
    assert module.facts[0].description == "Có # hay không"
    assert module.criteria[0].title == "Mục #1"
    assert module.criteria[0].reasons[0].template == "Thiếu hồ sơ #{co}"
    assert comments(once) == Counter({"# tên": 1, "# một": 1, "# lý do": 1})


def test_a_hash_after_an_escaped_quote_is_not_a_comment() -> None:
    text = (
        'ruleset "T"\n  total 1\n  rounding 3 half_up\nfact co: boolean "Có"\n'
        '1 "A": max 1\n  score = if co then max else 0\n  reason "Thiếu mục \\"#1\\" trong sổ"\n'
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    assert parse(once).criteria[0].reasons[0].template == 'Thiếu mục "#1" trong sổ'


def test_a_comment_after_a_one_line_item_is_stable() -> None:
    text = (
        'ruleset "T"\n  total 1\n  rounding 3 half_up\nfact co: boolean "Có" # từ báo cáo\n'
        '1 "A": max 1\n  score = if co then max else 0\n  reason "Không có"\n'
    )
    assert_round_trip(SourceFile(name="t.cchc", text=text))


def test_comments_keep_their_place_before_items() -> None:
    text = (
        '# tệp\n\nruleset "T"\n  total 1\n  rounding 3 half_up\n\n# các dữ kiện\nfact co: boolean "Có"\n'
        '\n# lĩnh vực 1\n1 "A": max 1\n  # giữa hai dòng\n  score = if co then max else 0\n'
        '  reason "Không có"\n# cuối\n'
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    lines = once.splitlines()
    assert lines[0] == "# tệp"
    assert lines.index("# các dữ kiện") + 1 == lines.index('fact co: boolean "Có"')
    assert lines.index("# lĩnh vực 1") + 1 == lines.index('1 "A": max 1')
    assert lines[-1] == "# cuối"


def test_comments_inside_a_criterion_stay_with_their_line() -> None:
    """At the end of the first line, of a statement, of a tier row; on its own line, before its statement or
    row, which carries it along when the printer puts the statements in its order."""
    text = (
        'ruleset "T"\n  total 1\n  rounding 3 half_up\nfact x: percent "X" # từ báo cáo\n'
        '1 "A": max 1 # lĩnh vực\n  # về lý do\n  reason "r" # lý do\n  basis "b"\n'
        "  score = tier x   # bậc\n    when >= 100%: max  # cao\n    # giữa\n"
        "    when from 50% to under 100%: 0.5\n    otherwise: 0 # thấp\n"
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    assert once.split("\n")[4:] == [
        'fact x: percent "X"  # từ báo cáo',
        "",
        '1 "A": max 1  # lĩnh vực',
        "  score = tier x  # bậc",
        "    when >= 100%: max  # cao",
        "    # giữa",
        "    when from 50% to under 100%: 0.5",
        "    otherwise: 0  # thấp",
        "  # về lý do",
        '  reason "r"  # lý do',
        '  basis "b"',
        "",
    ]


OFFICER = (
    'ruleset "Chỉ số CCHC cấp xã năm 2025"  # bản dự thảo\n'
    "  year 2025\n"
    '  level "xã"\n'
    "  # Năm 2025 bỏ tiêu chí 1.4 theo Quyết định 123\n"
    "  total 1  # chưa cộng điểm khảo sát\n"
    "  rounding 3 half_up\n"
    "  # nhóm theo Quyết định 268\n"
    '  group "A" from 90%\n'
    '  group "B"  # nhóm B\n'
    "    from 80% to under 90%\n"
    '  basis "Quyết định 123"\n'
    'fact co: boolean "Có"\n'
)


def test_a_comment_in_the_header_stays_with_its_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An officer's note above `total` stays above `total`, not under `ruleset`; options the printer puts
    in its order take their comments along, and one at the end of a line stays there."""
    path = tmp_path / "2025.cchc"
    path.write_text(OFFICER, encoding="utf-8")
    assert run(capsys, "fmt", path)[:2] == (0, f"đã trình bày lại: {path}\n")
    once = path.read_text(encoding="utf-8")
    assert once.split("\n")[:12] == [
        'ruleset "Chỉ số CCHC cấp xã năm 2025"  # bản dự thảo',
        '  level "xã"',
        "  year 2025",
        '  basis "Quyết định 123"',
        "  # Năm 2025 bỏ tiêu chí 1.4 theo Quyết định 123",
        "  total 1  # chưa cộng điểm khảo sát",
        "  rounding 3 half_up",
        "  # nhóm theo Quyết định 268",
        '  group "A" from 90%',
        '  group "B" from 80% to under 90%  # nhóm B',
        "",
        'fact co: boolean "Có"',
    ]
    assert_round_trip(SourceFile(name="t.cchc", text=OFFICER))
    assert run(capsys, "fmt", "--check", path)[:2] == (0, "")


def test_a_comment_in_a_one_line_header_goes_with_the_option_nearest_before_it() -> None:
    once = fmt('ruleset "T" total 1 rounding 3 half_up  # làm tròn\nfact co: boolean "Có"\n')
    assert once.startswith('ruleset "T"\n  total 1\n  rounding 3 half_up  # làm tròn\n')
    assert fmt(once) == once


def test_comments_in_a_fact_or_a_remove_line_written_over_several_lines_stay_beside_it() -> None:
    """Printed on one line: a comment at the end of a line stays at its end, the comment of an earlier line
    goes above it (one line takes one comment), as does one on its own line inside it."""
    text = (
        'ruleset "T" extends "2024.cchc"\n'
        'fact loai: choice("a",  # mới thêm\n'
        "    # lựa chọn b\n"
        '    "b") "Loại"  # theo mẫu\n'
        "remove  # bỏ năm 2025\n"
        "  3.5.3\n"
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    assert once.split("\n")[3:] == [
        "# mới thêm",
        "# lựa chọn b",
        'fact loai: choice("a", "b") "Loại"  # theo mẫu',
        "",
        "remove 3.5.3  # bỏ năm 2025",
        "",
    ]


def test_comments_beside_basis_and_inferred_lines_stay_there() -> None:
    text = (
        'ruleset "T" total 2 rounding 3 half_up\nfact co: boolean "Có"\n'
        '1 "A"  # lĩnh vực\n'
        "  max 1  # một điểm\n"
        '  basis "QĐ 1"  # điều 3\n'
        "  # chưa rõ\n"
        '  inferred "suy từ báo cáo"\n'
        "  score = if co then max else 0\n"
        'bonus thuong "Thưởng": max 1\n'
        "  # từ năm 2024\n"
        '  basis "QĐ 2"\n'
        "  score = if co then max else 0  # có là đủ\n"
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    assert once.split("\n")[6:] == [
        "# lĩnh vực",
        '1 "A": max 1  # một điểm',
        "  score = if co then max else 0",
        '  basis "QĐ 1"  # điều 3',
        "  # chưa rõ",
        '  inferred "suy từ báo cáo"',
        "",
        'bonus thuong "Thưởng": max 1',
        "  score = if co then max else 0  # có là đủ",
        "  # từ năm 2024",
        '  basis "QĐ 2"',
        "",
    ]


def test_two_comments_that_end_up_on_one_printed_line_stay_two() -> None:
    """A branch written over two lines, each with a comment, is printed on one: fmt used to put both at its
    end, where `#` joins them into one comment."""
    text = (
        'ruleset "T" total 1 rounding 3 half_up\nfact x: count "X" max 10\n1 "A": max 1\n'
        "  score = if x > 8 then max  # cao\n"
        "          else if x > 5  # khá\n"
        "          then 0.5  # vừa\n"
        "          else 0\n"
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    assert (
        "  score = if x > 8 then max  # cao\n"
        "          # khá\n"
        "          else if x > 5 then 0.5  # vừa\n"
        "          else 0\n"
    ) in once


# ---- property: random rule sets, random comments, every encoding variant ------------------

_COMMENT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"), max_size=12).map(
    lambda s: ("# " + s).rstrip()
)


_ALWAYS = st.just(True)
_SPAN = Span(file="<sinh>", line=1, column=1, end_line=1, end_column=1)
_GROUPS = (
    (),
    (ast.Group(span=_SPAN, name="A", low=Decimal(90)),),
    (
        ast.Group(span=_SPAN, name="A", low=Decimal(90)),
        ast.Group(span=_SPAN, name="B", low=Decimal(80), high=Decimal(90)),
        ast.Group(span=_SPAN, name="C", high=Decimal(80)),
    ),
)
_TEXTS = st.lists(st.sampled_from(("Quyết định 123", "Công văn 45", "suy từ báo cáo")), max_size=2).map(tuple)


@st.composite
def rule_sets(draw: st.DrawFn) -> ast.Module:
    """testing.rule_sets() with what it leaves out and officers write comments beside: every header option
    (groups too), `basis` and `inferred` lines in criteria, and `remove` items."""
    module = draw(testing.rule_sets())
    assert module.header is not None
    header = module.header.model_copy(
        update={
            "level": draw(st.sampled_from(("", "xã"))),
            "province": draw(st.sampled_from(("", "Hải Dương"))),
            "year": draw(st.sampled_from((None, 2025))),
            "extends": draw(st.sampled_from((None, "2024.cchc"))),
            "basis": draw(_TEXTS),
            "inferred": draw(_TEXTS),
            "groups": draw(st.sampled_from(_GROUPS)),
        }
    )
    criteria = tuple(
        c.model_copy(update={"basis": draw(_TEXTS), "inferred": draw(_TEXTS)}) if draw(st.booleans()) else c
        for c in module.criteria
    )
    removals = tuple(
        ast.Removal(span=_SPAN, target=target, id=name)
        for target, name in draw(st.lists(st.sampled_from((("criterion", "9.9"), ("fact", "cu"))), max_size=2))
    )
    return module.model_copy(update={"header": header, "criteria": criteria, "removals": removals})


Layout = list[tuple[str, tuple[str, ...], str]]


def layout(text: str) -> Layout:
    """Each line of rules with the comments on their own lines above it and the one at its end (a last
    entry with no line holds those after the last line of rules)."""
    out: Layout = []
    pending: list[str] = []
    for line in text.split("\n"):
        index = comment_start(line)
        code = (line if index is None else line[:index]).strip()
        comment = "" if index is None else line[index:].rstrip()
        if code:
            out.append((code, tuple(pending), comment))
            pending = []
        elif comment:
            pending.append(comment)
    return [*out, ("", tuple(pending), "")] if pending else out


@st.composite
def commented(
    draw: st.DrawFn, line_ends: st.SearchStrategy[bool] = _ALWAYS
) -> tuple[ast.Module, str, list[str], bool, Layout]:
    """A random rule set printed, with comments on their own lines and, if drawn so, at line ends; its
    header options in a drawn order, each carrying its comments. Last, the layout fmt must give."""
    module = draw(rule_sets())
    at_ends = draw(line_ends)
    lines: list[list[str]] = []  # each printed line, after the comments on their own lines before it
    added: list[str] = []
    for line in printer.module(module).rstrip("\n").split("\n"):
        lines.append([])
        if line.strip() and draw(st.integers(0, 4)) == 0:
            added.append(draw(_COMMENT))
            lines[-1].append(draw(st.sampled_from(("", "  ", "    "))) + added[-1])
        if at_ends and line.strip() and draw(st.integers(0, 4)) == 0:
            added.append(draw(_COMMENT))
            line += draw(st.sampled_from((" ", "  ", "\t"))) + added[-1]
        lines[-1].append(line)
    if draw(st.booleans()):
        added.append(draw(_COMMENT))
        lines.append([added[-1]])
    expected = layout(unicodedata.normalize("NFC", _joined(lines)))  # as `cchc fmt` reads it
    options = lines.index([""]) if [""] in lines else len(lines)  # the header's options: lines 1 to the blank
    shuffled = draw(st.permutations(lines[1:options]))
    for keyword in {option[-1].split()[0] for option in shuffled}:  # `basis`, `group`...: their order is meaning
        places = [k for k, option in enumerate(shuffled) if option[-1].split()[0] == keyword]
        written = iter(option for option in lines[1:options] if option[-1].split()[0] == keyword)
        for k in places:
            shuffled[k] = next(written)
    lines[1:options] = shuffled
    return module, _joined(lines) + "\n", added, at_ends, expected


def _joined(lines: list[list[str]]) -> str:
    return "\n".join(line for group in lines for line in group)


VARIANTS: dict[str, Callable[[str], bytes]] = {
    "plain": lambda text: text.encode("utf-8"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "nfd": lambda text: unicodedata.normalize("NFD", text).encode("utf-8"),
    "all": lambda text: b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).replace("\n", "\r\n").encode("utf-8"),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fmt") / "random.cchc"


def read_variant(scratch: Path, text: str, variant: str) -> SourceFile:
    """The text written in one of the encodings users' editors produce, read as `cchc fmt` reads it."""
    scratch.write_bytes(VARIANTS[variant](text))
    return read_source(scratch)


def nfc(texts: list[str]) -> Counter[str]:
    return Counter(unicodedata.normalize("NFC", t).rstrip() for t in texts)


_PROPERTY = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_PROPERTY
@given(data=commented(line_ends=st.booleans()), variant=st.sampled_from(sorted(VARIANTS)))
def test_format_preserves_the_ast_and_every_comment_and_is_idempotent(
    scratch: Path, data: tuple[ast.Module, str, list[str], bool, Layout], variant: str
) -> None:
    module, text, added, _line_ends, _layout = data
    once = format_source(read_variant(scratch, text, variant))
    assert meaning(parse(once)) == meaning(module)
    assert comments(once) == nfc(added)
    assert "\r" not in once and not once.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", once)
    assert fmt(once) == once


@_PROPERTY
@given(data=commented(line_ends=st.booleans()))
def test_every_comment_stays_beside_or_above_the_line_it_was_written_with(
    data: tuple[ast.Module, str, list[str], bool, Layout],
) -> None:
    """Above a header option, a group, a fact, a `remove` line, a statement, a tier row, or at the end of one:
    the same line of rules after fmt, header options and all put back in the printer's order."""
    _module, text, _added, _line_ends, expected = data
    assert layout(fmt(unicodedata.normalize("NFC", text))) == expected


def test_comments_on_the_rows_of_a_tier_after_else_stay_on_their_rows() -> None:
    text = (
        'ruleset "T" total 1 rounding 3 half_up\nfact co: boolean "Có kế hoạch"\nfact ngay: date "Ngày ban hành"\n'
        '1 "Kế hoạch": max 1\n'
        "  score = if not co then 0 else tier ngay  # theo ngày\n"
        "    # đúng hạn\n"
        "    when <= 2025-01-31: max  # đủ\n"
        "    when from 2025-02-01 to 2025-02-05: 0.5\n"
        "    otherwise: 0  # muộn\n"
    )
    once = assert_round_trip(SourceFile(name="t.cchc", text=text))
    assert once.endswith(text.split("\n", 4)[4])  # as written: it was in the layout fmt gives


def test_an_else_if_chain_is_printed_a_branch_a_line_with_its_comments() -> None:
    """The layout language.md §7.4 recommends; one line of 114 characters was fmt's before."""
    source = (
        'ruleset "T" total 2 rounding 3 half_up\n'
        'fact loai: choice("đại học", "cao đẳng", "trung cấp") "Trình độ"\n'
        '1 "A": max 2\n'
        '  score = if loai = "đại học" then max else if loai = "cao đẳng" then 1  # cao đẳng: 1\n'
        "    else 0\n"
        '  reason "Chưa đạt"\n'
    )
    text = format_source(SourceFile(name="t.cchc", text=source))
    # a comment at the end of the formula's first source line stays at the end of its first line
    assert (
        '  score = if loai = "đại học" then max  # cao đẳng: 1\n'
        '          else if loai = "cao đẳng" then 1\n'
        "          else 0\n"
    ) in text
    assert format_source(SourceFile(name="t.cchc", text=text)) == text


def test_a_comment_on_a_branch_s_second_line_stays_with_that_branch() -> None:
    source = (
        'ruleset "T" total 1 rounding 3 half_up\nfact x: count "X" max 10\n1 "A": max 1\n'
        "  score = if x > 8 then max\n"
        "          else if x > 5 then 0.5 else if x > 2\n"
        "          then 0.25  # trung bình\n"
        "          else 0\n"
        '  reason "r"\n'
    )
    text = format_source(SourceFile(name="t.cchc", text=source))
    assert "          else if x > 2 then 0.25  # trung bình\n" in text
    assert format_source(SourceFile(name="t.cchc", text=text)) == text


def test_a_tier_after_else_keeps_its_rows_on_lines() -> None:
    """`if not co then 0 else tier ngay ...` is how a decision says "no plan: 0; else by date": fmt kept it on
    one line of 110 characters; the tier, last on the line, breaks onto its rows as a tier alone does."""
    text = (
        'ruleset "T" total 1 rounding 3 half_up\nfact co: boolean "Có kế hoạch"\nfact ngay: date "Ngày ban hành"\n'
        '1 "Kế hoạch": max 1\n'
        "  score = if not co then 0 else tier ngay when <= 2025-01-31: max when from 2025-02-01 to 2025-02-05: 0.5"
        " otherwise: 0\n"
    )
    once = fmt(text)
    assert (
        "  score = if not co then 0 else tier ngay\n"
        "    when <= 2025-01-31: max\n"
        "    when from 2025-02-01 to 2025-02-05: 0.5\n"
        "    otherwise: 0\n"
    ) in once
    assert fmt(once) == once

    def formula(source: str) -> str:
        crit = parse(source).criteria[0]
        assert crit.formula is not None
        return printer.inline(crit.formula.expr)

    assert formula(once) == formula(text)  # the same formula, laid out
