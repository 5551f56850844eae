"""Source text -> lark parse tree, with lark's errors turned into ours.

One `Lark` instance (LALR, positions kept) is built once per process and cached.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput
from lark.lark import PostLex
from lark.lexer import PatternStr

from cchc_rules.errors import Diagnostic, RuleSyntaxError
from cchc_rules.limits import MAX_TOKENS, vi_count
from cchc_rules.source import SourceFile, Span

GRAMMAR_NAME = "cchc.lark"

# Plain words for the grammar's named terminals.
_TERMINAL_WORDS = {
    "STRING": 'một chuỗi trong ngoặc kép, vd "Tỷ lệ hồ sơ"',
    "NAME": "một tên (vd doi_thoai)",
    "NUMBER": "một số (vd 0.25)",
    "CRIT_ID": "mã tiêu chí (vd 7.2.2)",
    "DATE": "một ngày (vd 2023-10-31)",
    "ADJ_KIND": "`bonus` hoặc `penalty`",
    "$END": "hết tệp",
}


def grammar_path() -> Path:
    """Where the grammar is: inside the installed package, or grammar/ of a source checkout."""
    packaged = resources.files("cchc_rules") / "grammar" / GRAMMAR_NAME
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "grammar" / GRAMMAR_NAME


class TokenBudget:
    """How many tokens the files of one rule set may still have (`MAX_TOKENS` in all)."""

    def __init__(self, limit: int = MAX_TOKENS):
        self.limit = limit
        self.used = 0


class _OverBudget(Exception):
    def __init__(self, token: Token):
        self.token = token


# The budget of the parse running in this context; the cached parser is shared.
_BUDGET: ContextVar[TokenBudget | None] = ContextVar("cchc_token_budget", default=None)


class _CountTokens(PostLex):
    """Counts tokens as the lexer hands them over, and stops the parse past the budget."""

    always_accept = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        budget = _BUDGET.get()
        for token in stream:
            if budget is not None:
                budget.used += 1
                if budget.used > budget.limit:
                    raise _OverBudget(token)
            yield token


@functools.cache
def lark_parser() -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        postlex=_CountTokens(),
        cache=True,
    )


@functools.cache
def _terminal_words() -> dict[str, str]:
    words = dict(_TERMINAL_WORDS)
    for term in lark_parser().terminals:
        if isinstance(term.pattern, PatternStr):
            words.setdefault(term.name, f"`{term.pattern.value}`")
    return words


def describe_expected(expected: set[str]) -> str:
    words = _terminal_words()
    shown = sorted({words.get(name, name) for name in expected})
    if len(shown) > 8:
        shown = [*shown[:8], "..."]
    return ", ".join(shown)


@functools.cache
def literal_terminals() -> dict[str, str]:
    """The terminals that are one fixed text (`max`, `%`, `>=`), by name."""
    return {t.name: t.pattern.value for t in lark_parser().terminals if isinstance(t.pattern, PatternStr)}


def literals_in(expected: set[str]) -> set[str]:
    """The fixed words and signs among the expected terminals."""
    found = {literal_terminals()[name] for name in expected if name in literal_terminals()}
    return found | ({"bonus", "penalty"} if "ADJ_KIND" in expected else set())


def keywords_in(expected: set[str]) -> list[str]:
    """The keywords among the expected terminals, for "did you mean"."""
    return sorted(word for word in literals_in(expected) if re.fullmatch(r"\w+", word))


def parse_tree(source: SourceFile, budget: TokenBudget | None = None) -> Tree[Token]:
    """Parse a rule file into lark's tree, or raise `RuleSyntaxError`.

    `budget` is shared by the files of one rule set; without it the file has
    `MAX_TOKENS` to itself.
    """
    budget = budget or TokenBudget()
    context = _BUDGET.set(budget)
    try:
        return lark_parser().parse(source.text)
    except UnexpectedInput as exc:
        from cchc_rules.syntax_errors import diagnostic  # only a file with a mistake needs the hints

        raise RuleSyntaxError([diagnostic(source, exc)]) from None
    except _OverBudget as exc:
        raise RuleSyntaxError([_too_large(source, exc.token, budget)]) from None
    finally:
        _BUDGET.reset(context)


def _too_large(source: SourceFile, token: Token, budget: TokenBudget) -> Diagnostic:
    line, column = token.line or 1, token.column or 1
    return Diagnostic(
        code="E004",
        severity="error",
        message=f"bộ quy tắc quá lớn: hơn {vi_count(budget.limit)} từ, số và ký hiệu; dừng đọc ở đây",
        span=Span(file=source.name, line=line, column=column, end_line=line, end_column=column + 1),
        line_text=source.line_text(line),
        hint="một bộ quy tắc thật chỉ vài nghìn; tệp có thể bị lặp nội dung, hoặc không phải tệp quy tắc",
    )


@contextmanager
def unbudgeted() -> Iterator[None]:
    """Parse without counting tokens: trying a fix must not use up the rule set's budget."""
    context = _BUDGET.set(None)
    try:
        yield
    finally:
        _BUDGET.reset(context)
