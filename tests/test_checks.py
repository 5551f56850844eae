"""What the checker's diagnostics carry besides their text: the facts of a counterexample, no source
line where there is no place; and passes called on their own, where a fixture file cannot show them: a
second header in a folder, exact dependency depths, the E131 limit at its edge and its cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules.analysis import check_and_prove
from cchc_rules.checker import merge
from cchc_rules.checks import Merged
from cchc_rules.checks.depth import check_depth, depths
from cchc_rules.checks.header import check_header
from cchc_rules.limits import MAX_DEPENDENCY_DEPTH
from cchc_rules.loader import load_source
from cchc_rules.source import Span, caret_snippet
from tests.conftest import FIXTURES

BAD = FIXTURES / "check" / "bad"


@pytest.mark.parametrize(
    ("fixture", "example"),
    [
        ("E193_gap.cchc", None),
        ("E193_gap_in_a_count_of_two_pieces.cchc", {"n": "0"}),
        ("E193_gap_in_a_ratio.cchc", {}),
        ("E193_gap_in_a_plain_number.cchc", {}),
    ],
)
def test_a_tier_gap_gives_a_value_in_it_as_the_facts_file_writes_it(
    fixture: str, example: dict[str, str] | None
) -> None:
    found, _ = check_and_prove(load_source(BAD / fixture))
    gap = next(d for d in found if d.code == "E193")
    if example is None:  # the shipped fixture: a percent fact, the value written with %
        assert len(gap.example) == 1 and next(iter(gap.example.values())).endswith("%")
    else:
        assert gap.example == example


def test_a_percent_gap_example_is_written_as_a_percent(tmp_path: Path) -> None:
    path = tmp_path / "r.cchc"
    path.write_text(
        'ruleset "T" total 1 rounding 3 half_up\nfact p: percent "P"\n1 "A": max 1\n'
        '  score = tier p\n    when >= 50%: max\n  reason "r"\n',
        encoding="utf-8",
    )
    gap = next(d for d in check_and_prove(load_source(path))[0] if d.code == "E193")
    assert gap.example == {"p": "0%"}
    assert "từ 0% đến dưới 50% (vd 0%)" in gap.message


def test_a_diagnostic_without_a_place_has_no_source_line(tmp_path: Path) -> None:
    path = tmp_path / "r.cchc"
    path.write_text('1 "A": max 1\n  score = 1\n', encoding="utf-8")
    found, _ = check_and_prove(load_source(path))
    no_header = next(d for d in found if d.code == "E100")
    assert no_header.span is None and no_header.line_text == ""
    merged = merge(load_source(path))
    elsewhere = Span(file="khac.cchc", line=1, column=1, end_line=1, end_column=2)
    assert merged.line(elsewhere) == ""
    assert merged.line(Span(file=str(path), line=1, column=1, end_line=1, end_column=2)) == '1 "A": max 1'


def write(tmp_path: Path, text: str, name: str = "r.cchc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEAD = 'ruleset "T" total 1 rounding 3 half_up\nfact x: count "X" max 1\n'


def test_a_criterion_without_a_reason_is_w150_at_its_id() -> None:
    found, _ = check_and_prove(load_source(FIXTURES / "check" / "good" / "warnings_only.cchc"))
    w150 = next(d for d in found if d.code == "W150")
    assert w150.severity == "warning"
    assert w150.span is not None and (w150.span.line, w150.span.column) == (4, 1)
    assert w150.message == "tiêu chí 1 có thể mất điểm nhưng chưa có câu lý do"
    assert w150.hint == 'thêm `reason "..."`, vd reason "Chỉ đạt {ty_le}"'
    assert w150.line_text == '1 "A": max 1'


def test_a_second_header_in_a_folder_is_e100_pointing_back_at_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "bo"
    folder.mkdir()
    write(folder, 'ruleset "A" total 1 rounding 3 half_up\n1 "A": max 1\n  score = 1\n  reason "r"\n', "a.cchc")
    write(folder, 'ruleset "B" total 1 rounding 3 half_up\n', "b.cchc")
    merged = merge(load_source(folder))
    first = merged.headers[0].span
    assert Path(first.file).name == "a.cchc"
    (second,) = check_header(merged)
    assert (second.code, second.severity) == ("E100", "error")
    assert second.span is not None and Path(second.span.file).name == "b.cchc" and second.span.line == 1
    assert second.message == "bộ quy tắc có hơn một phần đầu `ruleset`"
    assert second.hint == f"phần đầu đầu tiên ở {first}; giữ một phần đầu duy nhất"
    assert second.line_text == 'ruleset "B" total 1 rounding 3 half_up'


def test_no_header_and_no_file_names_the_rule_set_with_a_question_mark() -> None:
    (e100,) = check_header(Merged(headers=(), facts=(), criteria=(), sources=()))
    assert e100.code == "E100" and e100.span is None
    assert e100.message == "?: bộ quy tắc thiếu phần đầu `ruleset`"


def test_depths_count_expression_levels_references_twice_and_children(tmp_path: Path) -> None:
    text = HEAD + (
        '1 "Lĩnh vực": max 1\n'
        '1.1 "Tối đa": max 1\n  score = min(max, x)\n  reason "r"\n'  # min 1, its arguments 2
        '2 "Tham chiếu": max 1\n  score = [1.1] * ratio(x, x, zero: full)\n  reason "r"\n'  # * 1, [1.1] 2 (+2+2)
        '3 "Lý do": max 1\n  score = [2]\n  reason when x > 0: "r"\n  na when x = 0: exclude\n'  # [2] 1 (+2+6)
        '4 "Chưa có công thức": max 1\n'
    )
    merged = merge(load_source(write(tmp_path, text)))
    assert depths(merged) == {"1": 3, "1.1": 2, "2": 6, "3": 9, "4": 0}


def test_depths_count_a_criterion_on_a_cycle_as_zero_where_the_cycle_closes(tmp_path: Path) -> None:
    text = HEAD + (
        '1.1 "Con trước cha": max 1\n  score = [1]\n  reason "r"\n'
        '1 "Cha": max 1\n'
        '2 "B": max 1\n  score = [3]\n  reason "r"\n'
        '3 "C": max 1\n  score = [2]\n  reason "r"\n'
    )
    merged = merge(load_source(write(tmp_path, text)))
    # 1 is reached from 1.1 and closes the cycle: its child counts 0; 3 likewise closes 2 → 3 → 2.
    assert depths(merged) == {"1.1": 4, "1": 1, "2": 6, "3": 3}


def test_depths_reach_a_criterion_needed_twice_once(tmp_path: Path) -> None:
    text = HEAD + (
        '1 "Cần 2 và 3": max 1\n  score = [2] + [3]\n  reason "r"\n'
        '2 "Dữ kiện": max 1\n  score = x\n  reason "r"\n'
        '3 "Cũng cần 2": max 1\n  score = [2]\n  reason "r"\n'
    )
    merged = merge(load_source(write(tmp_path, text)))
    assert depths(merged) == {"1": 8, "2": 1, "3": 4}


def chain(first: int, count: int, last: str) -> str:
    """Criteria first, first + 1, ... each referring to the next (3 steps a hop); the last scores `last`."""
    lines = [f'{i} "Mục {i}": max 1; score = [{i + 1}]; reason "r"\n' for i in range(first, first + count - 1)]
    return "".join(lines) + f'{first + count - 1} "Mục {first + count - 1}": max 1; score = {last}; reason "r"\n'


def test_a_score_exactly_at_the_depth_limit_passes_and_its_parent_one_step_over_is_e131(tmp_path: Path) -> None:
    assert MAX_DEPENDENCY_DEPTH == 200
    text = HEAD + (
        '1 "Nông": max 1; score = x; reason "r"\n'
        '2 "Cha": max 1\n'
        '2.1 "Mục 2.1": max 1; score = [3]; reason "r"\n' + chain(3, 66, "min(max, x)")
    )
    merged = merge(load_source(write(tmp_path, text)))
    assert depths(merged)["2.1"] == 200
    (e131,) = check_depth(merged)
    assert (e131.code, e131.severity) == ("E131", "error")
    assert e131.span is not None and (e131.span.line, e131.span.column, e131.span.end_column) == (4, 1, 2)
    assert e131.message == (
        "điểm của tiêu chí 2 được tính qua 201 tầng (biểu thức lồng nhau, tham chiếu [mã], tiêu chí con); tối đa 200"
    )
    assert e131.hint == "rút ngắn chuỗi tham chiếu: tham chiếu thẳng đến tiêu chí hoặc dữ kiện cần dùng"


def test_a_chain_too_deep_is_reported_once_where_it_crosses_the_limit(tmp_path: Path) -> None:
    merged = merge(load_source(write(tmp_path, HEAD + chain(1, 70, "x"))))
    assert [depths(merged)[str(i)] for i in range(1, 5)] == [208, 205, 202, 199]
    (e131,) = check_depth(merged)
    assert e131.span is not None and e131.span.line == 5
    assert e131.message.startswith("điểm của tiêu chí 3 được tính qua 202 tầng")


def test_at_most_twenty_criteria_too_deep_are_reported(tmp_path: Path) -> None:
    deep = chain(1, 66, "min(max, min(max, x))")
    over = "".join(f'{i} "Mục {i}": max 1; score = [1]; reason "r"\n' for i in range(67, 88))
    merged = merge(load_source(write(tmp_path, HEAD + deep + over)))
    assert depths(merged)["1"] == 198
    found = check_depth(merged)
    assert [d.message.split()[4] for d in found] == [str(i) for i in range(67, 87)]
    assert all("qua 201 tầng" in d.message for d in found)


def test_a_no_break_space_in_a_quoted_line_shows_as_a_space_and_keeps_the_caret_under_its_column() -> None:
    """Word puts no-break spaces in text; the line shown with an error must not turn them into �."""
    assert caret_snippet("a\u00a0b\u200bc\td", 3) == "    a b\ufffdc d\n      ^"  # a zero-width one stays marked
    assert "\ufffd" not in caret_snippet('1 "Công\u00a0khai": max 1', 1)
