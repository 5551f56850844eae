"""Groups (nhóm xếp loại): the header syntax, its printing, and the checker pass on the percent grid."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from cchc_rules import RuleSyntaxError, printer
from cchc_rules.analysis import check_and_prove
from cchc_rules.loader import load_source, parse_source
from cchc_rules.parser import grammar_path
from cchc_rules.source import SourceFile
from tests.conftest import ROOT, RULES_2023

TAIL = 'fact co: boolean "Có"\n1 "Lĩnh vực": max 1\n  score = if co then max else 0\n  reason "Không có"\n'


def header(groups: str, percent_rounding: str = "") -> str:
    return f'ruleset "T"\n  total 1\n  rounding 2 half_up\n{percent_rounding}{groups}{TAIL}'


def codes(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "g.cchc"
    path.write_text(text, encoding="utf-8")
    found, _ = check_and_prove(load_source(path))
    return [d.code for d in found]


def test_every_form_of_range_is_parsed() -> None:
    text = header(
        '  group "A" from 90%\n  group "B" from 80% to under 90%\n'
        '  group "C" from 50% to 79.99%\n  group "D" under 50%\n'
    )
    groups = parse_source(SourceFile(name="t.cchc", text=text)).header.groups  # type: ignore[union-attr]
    assert [(g.name, g.low, g.high, g.high_open) for g in groups] == [
        ("A", Decimal(90), None, True),
        ("B", Decimal(80), Decimal(90), True),
        ("C", Decimal(50), Decimal("79.99"), False),
        ("D", None, Decimal(50), True),
    ]
    assert printer.group_range(groups[2]) == "from 50% to 79.99%"
    assert printer.group_range(groups[3]) == "under 50%"


def test_group_needs_a_percent() -> None:
    with pytest.raises(RuleSyntaxError, match=r"E001"):
        parse_source(SourceFile(name="t.cchc", text=header('  group "A" from 90\n')))


@pytest.mark.parametrize(
    ("groups", "percent_rounding", "expected"),
    [
        ('  group "A" from 90%\n  group "B" under 90%\n', "", []),
        ('  group "A" from 90%\n  group "B" to under 90%\n', "", None),  # not the grammar
        ('  group "A" from 90%\n  group "B" from 0% to 90%\n', "", ["E194"]),
        ('  group "A" from 90%\n  group "B" from 0% to 89.99%\n', "", []),
        ('  group "A" from 90%\n  group "B" from 0% to 89.98%\n', "", ["W195"]),
        # rounded to whole percents, 89% and 90% are neighbours
        ('  group "A" from 90%\n  group "B" from 0% to 89%\n', "  percent rounding 0 half_up\n", []),
        ('  group "A" from 90%\n  group "B" from 0% to 89%\n', "", ["W195"]),
        ('  group "A" from 100.5%\n  group "B" under 100%\n', "", ["E196"]),
        ('  group "A" from 50%\n  group "A" under 50%\n', "", ["E196"]),
    ],
)
def test_groups_are_decided_on_the_percent_grid(
    tmp_path: Path, groups: str, percent_rounding: str, expected: list[str] | None
) -> None:
    text = header(groups, percent_rounding)
    if expected is None:
        with pytest.raises(RuleSyntaxError, match=r"E001"):
            codes(tmp_path, text)
        return
    assert codes(tmp_path, text) == expected


def test_the_2023_rule_set_declares_the_national_groups() -> None:
    module = load_source(RULES_2023).modules[0]
    assert module.header is not None
    assert [(g.name, printer.group_range(g)) for g in module.header.groups] == [
        ("A", "from 90%"),
        ("B", "from 80% to under 90%"),
        ("Dưới 80%", "under 80%"),
    ]
    # Inferred for communes, and never the legal basis of a 2023 report: the decision is of 2025.
    assert not any("268/QĐ-BNV" in b for b in module.header.basis)
    assert any("268/QĐ-BNV" in n for n in module.header.inferred)


def test_reserved_words_in_the_docs_are_the_grammars_keywords() -> None:
    grammar = grammar_path().read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z_]+)"', grammar))
    docs = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    block = docs[docs.index("grammar's keywords") :]
    block = block[block.index("```text") + 7 : block.index("```", block.index("```text") + 7)]
    listed = set(block.split())
    assert listed == keywords
    assert f"These {len(keywords)} words" in docs


def test_a_gap_between_groups_is_said_at_the_group_beside_it_with_a_line_that_fills_it(tmp_path: Path) -> None:
    """The hint was always `group "Dưới 80%" under 80%`, which overlapped group C (E194) when followed."""
    from cchc_rules.analysis import check_and_prove
    from cchc_rules.loader import load_source

    groups = '  group "A" from 90%\n  group "B" from 80% to under 90%\n  group "C" from 65% to under 79%\n'
    rules = tmp_path / "r.cchc"
    body = 'fact co: boolean "Có"\n1 "A": max 1\n  score = if co then max else 0\n  reason "r"\n'
    rules.write_text(f'ruleset "T" total 1 rounding 2 half_up\n{groups}  group "D" under 65%\n{body}', encoding="utf-8")
    (w195,) = [d for d in check_and_prove(load_source(rules))[0] if d.code == "W195"]
    assert w195.span is not None and w195.span.line == 4  # group C, whose upper bound leaves 79% out
    assert "từ 79% đến 79,99%" in w195.message
    line = w195.hint.split("`")[-2]
    assert line == 'group "..." from 79% to under 80%'
    text = rules.read_text(encoding="utf-8").replace('  group "D"', f'  {line.replace("...", "C+")}\n  group "D"')
    rules.write_text(text, encoding="utf-8")
    assert [d.code for d in check_and_prove(load_source(rules))[0]] == []  # followed literally: nothing left
