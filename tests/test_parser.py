"""Parser and AST: good files parse, bad files fail with our own error, at the right place."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from cchc_rules import RuleSyntaxError, ast
from cchc_rules.build import build_module
from cchc_rules.errors import Diagnostic
from cchc_rules.loader import load_source
from cchc_rules.parser import TokenBudget, grammar_path, parse_tree
from cchc_rules.source import SourceFile, Span
from tests.conftest import FIXTURES, RULES_2023, golden

GOOD = sorted((FIXTURES / "parse" / "good").glob("*.cchc"))
BAD = sorted((FIXTURES / "parse" / "bad").glob("*.cchc"))


def parse(text: str, name: str = "t.cchc") -> ast.Module:
    source = SourceFile(name=name, text=text)
    return build_module(source, parse_tree(source))


@pytest.mark.parametrize("path", [*GOOD, RULES_2023], ids=lambda p: p.name)
def test_good_files_parse(path: Path) -> None:
    source = load_source(path)
    assert source.modules


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_files_fail_with_position_and_golden_message(
    path: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(path.parent)
    with pytest.raises(RuleSyntaxError) as info:
        load_source(path.name)
    message = str(info.value)
    assert f"{path.name}:" in message
    assert "^" in message
    assert "Traceback" not in message
    golden(path.with_suffix(".out"), message + "\n", update_golden)


def test_misspelt_keyword_gets_a_suggestion() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse('ruleset "T" total 1 rounding 3 half_up\n1 "A": max 1\n  scroe = 1\n')
    diag = info.value.diagnostics[0]
    assert diag.span is not None and (diag.span.line, diag.span.column) == (3, 3)
    assert "score" in diag.hint


def test_every_node_keeps_its_span() -> None:
    module = load_source(FIXTURES / "parse" / "good" / "every_construct.cchc").modules[0]
    crit = next(c for c in module.criteria if c.id == "7.2.2")
    assert crit.formula is not None
    assert crit.formula.text == "max * ratio(online, total, zero: full)"
    assert (crit.formula.span.line, crit.formula.span.column) == (22, 48)
    call = crit.formula.expr.right  # type: ignore[union-attr]
    assert isinstance(call, ast.Call) and call.func == "ratio"
    assert call.span.column == 54
    assert call.args[1].span.column == 68


def test_a_fact_is_given_only_where_it_says_so() -> None:
    module = load_source(FIXTURES / "parse" / "good" / "every_construct.cchc").modules[0]
    facts = {f.name: f for f in module.facts}
    assert facts["total"].given and not facts["online"].given
    # `given` may stand anywhere among the options, and a fact may still be called `given`
    (fact,) = parse('fact given: decimal "Vốn" given min 0 unit "triệu đồng"\n').facts
    assert (fact.name, fact.given, fact.unit) == ("given", True, "triệu đồng")


def test_equality_ignores_spans() -> None:
    a = parse('ruleset "T" total 1 rounding 3 half_up\n1 "A": max 1\n  score = 1 + 2\n')
    b = parse('ruleset "T"\n\n  total 1\n  rounding 3 half_up\n\n\n1 "A":\n max 1 ; score = 1+2\n', name="other.cchc")
    assert a.criteria == b.criteria
    assert a.criteria[0].span != b.criteria[0].span
    assert hash(a.criteria[0]) == hash(b.criteria[0])


def test_ast_nodes_are_frozen() -> None:
    module = parse('ruleset "T" total 1 rounding 3 half_up\n1 "A": max 1\n  score = 1\n')
    with pytest.raises(ValidationError, match="frozen"):
        module.criteria[0].title = "B"  # type: ignore[misc]


def test_ast_nodes_are_pydantic_models_that_validate_when_built_by_hand() -> None:
    assert issubclass(ast.Criterion, BaseModel)
    number = ast.Number(span=Span(file="t.cchc", line=1, column=1, end_line=1, end_column=5), value="0.25")  # type: ignore[arg-type]
    assert number.value == Decimal("0.25")
    with pytest.raises(ValidationError):
        ast.Number(span=Span(file="t.cchc", line=1, column=1, end_line=1, end_column=5), value="một")  # type: ignore[arg-type]


def test_parsing_and_checking_build_no_node_validator() -> None:
    # The parser builds nodes with model_construct: the validators of some thirty node classes
    # would cost ~90 ms at every start of `cchc check` (a fresh process, as the user runs it).
    script = (
        "import sys, cchc_rules\n"
        "from cchc_rules import ast\n"
        "cchc_rules.load(sys.argv[1])\n"
        "built = sorted(n for n, c in vars(ast).items()\n"
        "    if isinstance(c, type) and issubclass(c, ast.Node) and c.__pydantic_complete__)\n"
        "print(','.join(built))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(RULES_2023)], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


def test_literals_are_exact() -> None:
    module = parse('ruleset "T" total 1 rounding 3 half_up\n1 "A": max 0.1\n  score = 0.1 * 75%\n')
    crit = module.criteria[0]
    assert crit.max == Decimal("0.1")
    expr = crit.formula.expr  # type: ignore[union-attr]
    assert isinstance(expr, ast.BinOp)
    assert expr.left == ast.Number(span=expr.left.span, value=Decimal("0.1"))
    assert isinstance(expr.right, ast.Percent) and expr.right.value == Decimal(75)


def test_tier_rows_keep_their_order_and_forms() -> None:
    module = parse(
        'ruleset "T" total 1 rounding 3 half_up\nfact r: percent "R"\n1 "A": max 1\n'
        "  score = tier r\n    when >= 100%: max\n    when from 75% to under 100%: 0.75\n"
        "    when from 50% to 75%: 0.5\n    otherwise: 0\n"
    )
    tier = module.criteria[0].formula.expr  # type: ignore[union-attr]
    assert isinstance(tier, ast.Tier)
    tests = [row.test for row in tier.rows]
    assert isinstance(tests[0], ast.TierCmp) and tests[0].op == ">="
    assert isinstance(tests[1], ast.TierRange) and tests[1].high_open
    assert isinstance(tests[2], ast.TierRange) and not tests[2].high_open
    assert tier.otherwise is not None


def test_text_is_read_as_nfc_so_nfd_names_match() -> None:
    nfd = FIXTURES / "parse" / "good" / "nfd.cchc"
    assert nfd.read_text(encoding="utf-8") != unicodedata.normalize("NFC", nfd.read_text(encoding="utf-8"))
    loaded = load_source(nfd).modules[0]
    assert loaded.facts[0].name == "số_cuộc"  # NFC after reading


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.cchc"
    path.write_bytes('ruleset "Chỉ số" total 1'.encode("utf-16"))
    from cchc_rules import RuleLoadError

    with pytest.raises(RuleLoadError, match="UTF-8"):
        load_source(path)


def test_folder_of_rule_files_is_read_in_order(tmp_path: Path) -> None:
    (tmp_path / "a_header.cchc").write_text('ruleset "T" total 1 rounding 3 half_up\n', encoding="utf-8")
    (tmp_path / "b_area.cchc").write_text('1 "A": max 1\n  score = 1\n', encoding="utf-8")
    source = load_source(tmp_path)
    assert [m.file for m in source.modules] == [str(tmp_path / "a_header.cchc"), str(tmp_path / "b_area.cchc")]


def test_syntax_errors_of_all_files_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "a.cchc").write_text("1 A: max 1\n", encoding="utf-8")
    (tmp_path / "b.cchc").write_text('1 "B" max 1,\n', encoding="utf-8")
    with pytest.raises(RuleSyntaxError) as info:
        load_source(tmp_path)
    assert len(info.value.diagnostics) == 2


def test_grammar_file_is_found() -> None:
    assert grammar_path().is_file()
    assert grammar_path().name == "cchc.lark"


@pytest.mark.parametrize(
    ("text", "inline"),
    [
        ("ratio(a, b, zero: na)", "ratio(a, b, zero: na)"),  # one line: as written, spaces and all
        ("max *\n    ratio(a,\n          b + c)", "max * ratio(a, b + c)"),
        ('x = "#1" or  # chú thích\n  y', 'x = "#1" or y'),  # a `#` in a string is not a comment
        ('c = "a\\"#" and # "\n  d', 'c = "a\\"#" and d'),
        ("a +\n\n  # chú thích riêng một dòng\n  b", "a + b"),
    ],
)
def test_an_expression_over_several_lines_reads_as_one(text: str, inline: str) -> None:
    source = SourceFile(name="t.cchc", text=f"x {text}")
    span = Span(file="t.cchc", line=1, column=3, end_line=1, end_column=1, start_pos=2, end_pos=2 + len(text))
    assert source.excerpt(span) == text
    assert source.inline_excerpt(span) == inline


# ---- hints for the mistakes policy officers make (look-alike signs, Vietnamese keywords, habits) ----

HEADER = 'ruleset "T" total 1 rounding 3 half_up\nfact x: count "X"\nfact r: percent "R"\n1 "A": max 1\n'


def syntax_error(text: str) -> Diagnostic:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text)
    (diag,) = info.value.diagnostics
    return diag


@pytest.mark.parametrize(
    ("sign", "plain"),
    [("≥", ">="), ("≤", "<="), ("≠", "!="), ("×", "*"), ("÷", "/"), ("–", "-"), ("—", "-"), ("−", "-"), ("％", "%")],
)
def test_a_sign_pasted_from_word_is_named_with_the_one_to_type(sign: str, plain: str) -> None:
    diag = syntax_error(HEADER + f"  score = if x {sign} 1 then 1 else 0\n")
    assert diag.span is not None and (diag.span.line, diag.span.column) == (5, 16)
    assert f"`{plain}` thay cho `{sign}`" in diag.hint


@pytest.mark.parametrize(
    ("statement", "keyword"),
    [
        ("score = if x > 1 hoặc r > 50% then 1 else 0", "`or`"),
        ("score = deduct 0.5 mỗi x", "`per`"),
        ('score = 1\n  reason khi x > 1: "Có"', "`when`"),
        ("toi da 1", "`max`"),  # typed without marks, where lark stopped
        ("score = tier r\n    when >= 90%: 1\n    còn lại: 0", "`otherwise`"),
    ],
)
def test_a_keyword_written_in_vietnamese_gets_the_english_one(statement: str, keyword: str) -> None:
    assert syntax_error(HEADER + f"  {statement}\n").hint == f"từ khoá viết bằng tiếng Anh: {keyword}"


def test_a_fact_named_like_a_vietnamese_word_is_not_taken_for_a_keyword() -> None:
    text = 'ruleset "T" total 1 rounding 3 half_up\nfact tổng: count "X"\n1 "A": max 1\n'
    diag = syntax_error(text + "  score = nếu tổng > 1 thì 1 else 0\n")
    assert diag.hint == "từ khoá viết bằng tiếng Anh, cả dòng là: `score = if tổng > 1 then 1 else 0`"


@pytest.mark.parametrize(
    ("statement", "column", "line"),
    [
        ("score = neu x >= 5 thi max nguoc lai 0", 11, "score = if x >= 5 then max else 0"),
        ("score = Neu x >= 5 va r > 50% thi max khong thi 0", 11, "score = if x >= 5 and r > 50% then max else 0"),
        ("score = nếu x >= 5 thì max còn không 0", 11, "score = if x >= 5 then max else 0"),
        ("score = if x >= 5 thi max con khong 0", 21, "score = if x >= 5 then max else 0"),
        ("score = tier r\n    khi tu 50% den duoi 90%: 1\n    con lai: 0", 5, "when from 50% to under 90%: 1"),
    ],
)
def test_an_if_written_in_vietnamese_without_marks_gets_the_line_in_keywords(
    statement: str, column: int, line: str
) -> None:
    diag = syntax_error(HEADER + f"  {statement}\n")
    assert diag.span is not None and diag.span.column == column
    assert diag.hint == f"từ khoá viết bằng tiếng Anh, cả dòng là: `{line}`"


def test_a_name_without_marks_is_taken_for_a_keyword_only_where_lark_wants_one() -> None:
    # `co` (có: true) may be a fact of the rule set this one extends: lark reads it as a name, so it stays
    diag = syntax_error(HEADER + "  score = neu khong co thi max nguoc lai 0\n")
    assert diag.span is not None and (diag.span.column, diag.span.end_column) == (11, 14)
    assert diag.hint == "từ khoá viết bằng tiếng Anh, cả dòng là: `score = if not co then max else 0`"


FACTS = HEADER.removesuffix('1 "A": max 1\n')


@pytest.mark.parametrize(
    ("before", "statement", "at", "what"),
    [
        ("", "score = max", (1, 1), "công thức `score = ...`"),
        ('ruleset "T" total 1 rounding 3 half_up\n', "  score = max", (2, 3), "công thức `score = ...`"),
        (FACTS, '  reason "Chưa có"', (4, 3), "lý do `reason ...`"),
        (FACTS, '\treason when x = 0: "r"', (4, 2), "lý do `reason ...`"),
        (FACTS, "na when x = 0: exclude", (4, 1), "điều kiện không áp dụng `na when ...`"),
    ],
)
def test_a_criterion_statement_outside_any_criterion_is_told_where_it_belongs(
    before: str, statement: str, at: tuple[int, int], what: str
) -> None:
    diag = syntax_error(before + statement + '\n1 "A": max 1\n  score = max\n')
    assert diag.span is not None and (diag.span.line, diag.span.column) == at
    assert diag.hint == (
        f"{what} nằm ngoài mọi tiêu chí: đặt dòng này ngay dưới dòng của tiêu chí "
        '(vd `7.2.2 "Tên": max 3`), thụt vào hai dấu cách'
    )


def test_a_statement_after_remove_is_told_to_use_override() -> None:
    diag = syntax_error('ruleset "T" extends "2023.cchc"\nremove 1.2\n  score = max\n')
    assert diag.span is not None and (diag.span.line, diag.span.column) == (3, 3)
    assert diag.hint == (
        "`remove 1.2` bỏ cả tiêu chí; để đổi tiêu chí của năm trước, viết `override 1.2` rồi công thức `score = ...`"
    )


@pytest.mark.parametrize(
    ("rows", "at", "row"),
    [
        ("    >= 90%: max\n    otherwise: 0", (6, 5, 7), "when >= 90%: max"),
        ("    when >= 90%: max\n    < 50%: 0  # chưa đạt", (7, 5, 6), "when < 50%: 0"),
        ("    when >= 90%: max\n    from 50% to under 90%: 0.5", (7, 5, 9), "when from 50% to under 90%: 0.5"),
    ],
)
def test_a_tier_row_without_when_gets_it(rows: str, at: tuple[int, int, int], row: str) -> None:
    diag = syntax_error(HEADER + f"  score = tier r\n{rows}\n")
    assert diag.span is not None and (diag.span.line, diag.span.column, diag.span.end_column) == at
    assert diag.message == "dòng của bảng bậc thiếu `when`"
    assert diag.hint == f"mỗi dòng của bảng bậc bắt đầu bằng `when`: `{row}`"


@pytest.mark.parametrize(
    ("text", "at", "hint"),
    [
        ('1 "B": max = 2\n', (6, 12), "sau `max` không có dấu `=`: viết `max 2`"),
        ('  reason: "Chưa có"\n', (6, 9), 'sau `reason` không có dấu `:`: viết `reason "Chưa có"`'),
        ("  score: max\n", (6, 8), "công thức viết `score = ...`, với dấu `=`, không dùng `:`"),
    ],
)
def test_a_sign_after_a_keyword_that_takes_none_is_told_to_drop(text: str, at: tuple[int, int], hint: str) -> None:
    diag = syntax_error(HEADER + "  score = max\n" + text)
    assert diag.span is not None and (diag.span.line, diag.span.column) == at
    assert diag.hint == hint


def test_a_colon_after_when_is_not_called_a_sign_after_a_value_keyword() -> None:
    assert "không có dấu" not in syntax_error(HEADER + '  score = max\n  reason when: "r"\n').hint


def test_two_keywords_joined_by_an_underscore_are_split_but_a_fact_so_named_is_not() -> None:
    diag = syntax_error(HEADER + "  score = tier r\n    when from 50% to_under 90%: 1\n    otherwise: 0\n")
    assert diag.span is not None and (diag.span.line, diag.span.column) == (6, 19)
    assert diag.hint == "hai từ khoá viết cách nhau: `to under`"
    named = 'ruleset "T" total 1 rounding 3 half_up\nfact total_score: count "X"\n1 "A": max 1\n'
    assert "hai từ khoá" not in syntax_error(named + "  score = total_score total_score\n").hint


def test_an_unquoted_reason_is_quoted_up_to_where_the_line_reads() -> None:
    diag = syntax_error(HEADER + "  score = 1\n  reason Chưa có kế hoạch\n")
    assert diag.hint == 'tên, lý do và căn cứ viết trong ngoặc kép: `"Chưa có kế hoạch"`'
    header = syntax_error("ruleset Chỉ số CCHC total 1 rounding 3 half_up\n")
    assert header.hint == 'tên, lý do và căn cứ viết trong ngoặc kép: `"Chỉ số CCHC"`'


def test_a_date_written_day_first_or_with_dots_gets_the_iso_date() -> None:
    header = HEADER.replace('fact x: count "X"', 'fact d: date "D"')
    diag = syntax_error(header + "  score = if d < 31.01.2025 then 1 else 0\n")
    assert diag.message.startswith("ngày viết sai dạng: `31.01.2025`")
    assert diag.hint == "viết `2025-01-31`"


def test_trying_a_fix_does_not_use_up_the_token_budget() -> None:
    bad = (FIXTURES / "parse" / "bad" / "vietnamese_if.cchc").read_text(encoding="utf-8")
    good = bad.replace("nếu co_sang_kien thì max không thì 0", "if co_sang_kien then max else 0")
    used = []
    for text in (good, bad):
        budget = TokenBudget()
        with contextlib.suppress(RuleSyntaxError):
            parse_tree(SourceFile(name="t.cchc", text=text), budget)
        used.append(budget.used)
    # The bad file stops before its end; the parses that try the fix are not counted.
    assert 0 < used[1] < used[0]


def test_every_syntax_message_and_hint_is_nfc() -> None:
    for out in (FIXTURES / "parse" / "bad").glob("*.out"):
        text = out.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), out.name


@pytest.mark.parametrize(
    ("statement", "hint"),
    [
        ("max 2 điểm", "điểm tối đa viết số điểm, không kèm đơn vị: bỏ `điểm`, viết `max 2`"),
        ("max 0.5đ", "điểm tối đa viết số điểm, không kèm đơn vị: bỏ `đ`, viết `max 0.5`"),
        ("max 2%", "điểm tối đa tính bằng điểm, không theo phần trăm: viết `max 2`"),
    ],
)
def test_a_maximum_with_a_unit_is_told_to_drop_it(statement: str, hint: str) -> None:
    diag = syntax_error(HEADER.replace("max 1\n", f"{statement}\n") + "  score = 0\n")
    assert diag.span is not None and diag.span.line == 4
    assert diag.hint == hint


def test_a_facts_bound_with_a_unit_gets_the_unit_statement() -> None:
    diag = syntax_error('ruleset "T" total 1 rounding 3 half_up\nfact d: decimal "Điểm tự chấm" max 20 điểm\n')
    assert diag.hint == 'đơn vị của dữ kiện viết riêng: `max 20 unit "điểm"`'


@pytest.mark.parametrize("mode", ["làm tròn", '"half_up"', "làm tròn lên"])
def test_a_rounding_mode_that_is_not_a_name_gets_the_modes(mode: str) -> None:
    diag = syntax_error(HEADER + f"  score = 0\n  rounding 2 {mode}\n")
    assert diag.span is not None and (diag.span.line, diag.span.column) == (6, 14)
    assert diag.message.startswith("kiểu làm tròn không có: `")
    assert "half_up, half_down, half_even, down, up, floor, ceiling" in diag.hint
    assert "`rounding 2 half_up`" in diag.hint


def test_a_good_rounding_mode_followed_by_a_stray_word_is_not_called_a_bad_mode() -> None:
    assert "kiểu làm tròn" not in syntax_error(HEADER + "  score = 0\n  rounding 2 half_up thêm\n").message


@pytest.mark.parametrize(("value", "meant"), [("0", "zero"), ("100%", "full"), ("1", "")])
def test_a_zero_policy_written_as_a_value_gets_the_policies(value: str, meant: str) -> None:
    diag = syntax_error(HEADER + f"  score = max * ratio(x, x, zero: {value})\n")
    assert diag.span is not None and (diag.span.column, diag.span.end_column) == (35, 35 + len(value))
    policies = "`zero: zero` (0 điểm), `zero: full` (đạt tối đa) hoặc `zero: na` (không áp dụng)"
    guess = f"có phải ý bạn là `zero: {meant}`? " if meant else ""
    assert diag.hint == f"{guess}khi mẫu số bằng 0, viết {policies}"


def test_an_na_policy_written_as_a_number_gets_the_policies() -> None:
    diag = syntax_error(HEADER + "  score = 0\n  na when x = 0: 0\n")
    assert "`full` (đạt tối đa) hoặc `exclude`" in diag.hint


@pytest.mark.parametrize(
    ("declaration", "joined"),
    [('fact so thon: count "Số thôn"', "so_thon"), ('fact số thôn xã: count "Số thôn"', "số_thôn_xã")],
)
def test_a_name_in_several_words_is_joined_by_underscores(declaration: str, joined: str) -> None:
    diag = syntax_error(f'ruleset "T" total 1 rounding 3 half_up\n{declaration}\n')
    assert diag.span is not None and (diag.span.line, diag.span.column) == (2, 6)
    assert diag.hint == f"tên viết liền, nối các từ bằng dấu gạch dưới: `{joined}`"


def test_a_bracket_left_open_names_where_it_was_opened() -> None:
    # lark stops at the tier row below (a `,` could still follow): the caret stays there, the hint says where to close
    diag = syntax_error(HEADER + "  score = tier ratio(x, x, zero: na\n    when >= 80%: max\n    otherwise: 0\n")
    assert diag.span is not None and (diag.span.line, diag.span.column) == (6, 5)
    assert diag.hint == (
        "ngoặc `(` ở dòng 5, cột 21 chưa đóng; thêm `)` ở cuối dòng 5: `score = tier ratio(x, x, zero: na)`"
    )
    # only `)` can follow: the caret goes where it belongs, as before
    diag = syntax_error(HEADER + '  score = min(max, (x\n  reason when x > 1: "r"\n')
    assert diag.span is not None and (diag.span.line, diag.span.column) == (5, 22)
    assert diag.message == "thiếu `)` sau `x`"
    assert diag.hint == "ngoặc `(` ở cột 20 chưa đóng; thêm `)` ở cuối dòng: `score = min(max, (x)`"
    # on one line: before the word lark stopped at
    diag = syntax_error(HEADER + '  score = min(max, (x + 1) reason "r"\n')
    assert diag.hint == "ngoặc `(` ở cột 14 chưa đóng; thêm `)` trước `reason`"


def test_an_unquoted_title_is_given_whole_so_that_it_can_be_copied() -> None:
    title = "Ứng dụng mạng xã hội trong tuyên truyền cải cách hành chính"
    diag = syntax_error(f'ruleset "T" total 2 rounding 3 half_up\n1 {title}: max 2\n  score = 0\n')
    assert diag.hint == f'tên, lý do và căn cứ viết trong ngoặc kép: `"{title}"`'
    long = " ".join(["Ứng dụng mạng xã hội"] * 20)
    diag = syntax_error(f'ruleset "T" total 2 rounding 3 half_up\n1 {long}: max 2\n  score = 0\n')
    assert diag.hint == 'tên, lý do và căn cứ viết trong ngoặc kép: đặt `"` trước `Ứng` và sau `hội`'


def test_a_rounding_mode_on_the_next_line_is_still_its_mode() -> None:
    """`rounding 2` then `half_up` on the next line read before; only a word that is no mode is said missing."""
    parse('ruleset "T"\n  total 1\n  rounding 2\n    half_up\n1 "A": max 1\n  score = max\n')


@pytest.mark.parametrize(
    ("inside", "title"),
    [
        ("a\tb", "a\tb"),
        ("a\\\tb", "a\\\tb"),
        ('a\\"b', 'a"b'),
        ("a\\\\", "a\\"),
        ("a\u00a0b", "a\u00a0b"),
        ("Thủy", "Thủy"),
    ],
)
def test_a_string_with_a_tab_or_an_escape_still_parses(inside: str, title: str) -> None:
    """Refusing control characters in strings keeps what a title may hold: a tab (escaped or not), `\\"`,
    a final backslash, a no-break space, Vietnamese letters."""
    module = parse(f'ruleset "T" total 1 rounding 3 half_up\n1 "{inside}": max 1\n  score = max\n')
    assert module.criteria[0].title == title
