"""What the checker's diagnostics carry besides their text: the facts of a counterexample, and no
source line where there is no place."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules.analysis import check_and_prove
from cchc_rules.checker import merge
from cchc_rules.loader import load_source
from cchc_rules.source import Span
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
