"""The printer: every shipped and fixture rule file prints back to an equal AST, in a stable layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_rules import RuleSyntaxError, printer
from cchc_rules.loader import load_source, parse_source
from cchc_rules.source import SourceFile
from tests.conftest import FIXTURES, ROOT

FILES = sorted(
    [
        *(ROOT / "rules").rglob("*.cchc"),
        *(FIXTURES / "parse" / "good").glob("*.cchc"),
        *(FIXTURES / "check").rglob("*.cchc"),
    ]
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_print_then_parse_gives_an_equal_ast(path: Path) -> None:
    try:
        module = load_source(path).modules[0]
    except RuleSyntaxError:
        pytest.skip("not parseable on purpose")
    text = printer.module(module)
    again = parse_source(SourceFile(name="printed.cchc", text=text))
    assert (again.header, again.facts, again.criteria) == (module.header, module.facts, module.criteria)
    assert printer.module(again) == text  # the layout is a fixed point


def test_parentheses_only_where_needed() -> None:
    text = 'ruleset "T" total 1 rounding 3 half_up\n1 "A": max 1\n  score = (1 - (2 - 3)) * (4 + 5) / 6\n'
    module = parse_source(SourceFile(name="t.cchc", text=text))
    assert module.criteria[0].formula is not None
    assert printer.expr(module.criteria[0].formula.expr) == "(1 - (2 - 3)) * (4 + 5) / 6"


def test_strings_are_escaped() -> None:
    assert printer.string('Đạt "tốt" \\ ') == '"Đạt \\"tốt\\" \\\\ "'
