"""Source text -> lark parse tree, with lark's errors turned into ours.

One `Lark` instance (LALR, positions kept) is built once per process and cached.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextvars import ContextVar
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex
from lark.lexer import PatternStr

from cchc_rules.errors import Diagnostic, RuleSyntaxError, suggest
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
def _lark() -> Lark:
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
    for term in _lark().terminals:
        if isinstance(term.pattern, PatternStr):
            words.setdefault(term.name, f"`{term.pattern.value}`")
    return words


def _describe(expected: set[str]) -> str:
    words = _terminal_words()
    shown = sorted({words.get(name, name) for name in expected})
    if len(shown) > 8:
        shown = [*shown[:8], "..."]
    return ", ".join(shown)


def _keywords(expected: set[str]) -> list[str]:
    out = []
    for name in expected:
        word = _terminal_words().get(name, "")
        if word.startswith("`") and re.fullmatch(r"`\w+`", word):
            out.append(word.strip("`"))
    return out


def parse_tree(source: SourceFile, budget: TokenBudget | None = None) -> Tree[Token]:
    """Parse a rule file into lark's tree, or raise `RuleSyntaxError`.

    `budget` is shared by the files of one rule set; without it the file has
    `MAX_TOKENS` to itself.
    """
    budget = budget or TokenBudget()
    context = _BUDGET.set(budget)
    try:
        return _lark().parse(source.text)
    except UnexpectedInput as exc:
        raise RuleSyntaxError([_diagnostic(source, exc)]) from None
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


# Vietnamese words people write where the grammar wants its English keyword.
_VIETNAMESE_KEYWORDS = {
    "điểm": "score",
    "diem": "score",
    "lý_do": "reason",
    "ly_do": "reason",
    "tối_đa": "max",
    "toi_da": "max",
    "dữ_kiện": "fact",
    "du_kien": "fact",
    "làm_tròn": "rounding",
    "lam_tron": "rounding",
    "căn_cứ": "basis",
    "can_cu": "basis",
    "tổng": "total",
    "nếu": "if",
    "thì": "then",
    "ngược_lại": "else",
    "và": "and",
    "hoặc": "or",
    "không": "not",
}


def _shown_char(char: str) -> str:
    """A character as a message can show it: invisible ones by their code (U+FEFF)."""
    if not char:
        return "hết tệp"
    if char.isprintable() and not char.isspace():
        return f"`{char}`"
    return f"U+{ord(char):04X}"


# Longest token quoted in a message (a broken file can hold a token of a megabyte).
_SHOWN = 40


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _hyphenated(text: str, pos: int) -> str:
    """The word joined by the hyphen at `pos` (`half-up`), or "" when the hyphen is a minus sign."""
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    found = re.match(r"[^\W\d]\w*(?:-[^\W\d]\w*)+", text[start:])
    return found.group(0) if found and start < pos < start + len(found.group(0)) else ""


def _diagnostic(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    hint = ""
    width = 1
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        expected = set(exc.expected)
        lines = source.text.rstrip().split("\n")
        line = len(lines)
        column = len(lines[-1]) + 1
        message = f"tệp kết thúc giữa chừng; cần {_describe(expected)}"
        hint = "tệp có thể bị cắt cụt, hoặc thiếu phần cuối của một câu lệnh"
    elif isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = set(exc.accepts or exc.expected)
        width = max(len(str(token)), 1)
        message = f"không đọc được `{_short(str(token))}` ở đây; cần {_describe(expected)}"
        close = suggest(str(token), _keywords(expected)) if len(str(token)) <= _SHOWN else None
        english = _VIETNAMESE_KEYWORDS.get(str(token).lower())
        if english and english in _keywords(expected):
            hint = f"từ khoá viết bằng tiếng Anh: `{english}`"
        elif close:
            hint = f"có phải ý bạn là `{close}`?"
        elif str(token) == "-" and (joined := _hyphenated(source.text, token.start_pos or 0)):
            hint = f"tên và từ khoá nối bằng dấu gạch dưới, không dùng `-`: `{joined.replace('-', '_')}`"
        elif str(token) == "=" and source.text[max((token.start_pos or 0) - 1, 0)] == "=":
            hint = "so sánh bằng viết một dấu `=`, vd `x = 1`"
        elif str(token) == ",":
            hint = "số thập phân viết bằng dấu chấm (17.748), không dùng dấu phẩy"
        elif re.fullmatch(r"[eE]\d*", str(token)) and source.text[max((token.start_pos or 0) - 1, 0)].isdigit():
            hint = "viết số đầy đủ (vd 1000000 hoặc 0.00001), không dùng dạng mũ như 1e6"
        elif token.type == "STRING" and "COLON" in expected:
            hint = "thiếu dấu `:` trước giá trị?"
    else:
        assert isinstance(exc, UnexpectedCharacters)
        pos = exc.pos_in_stream or 0
        char = source.text[pos] if pos < len(source.text) else ""
        expected = set(exc.allowed or ())
        message = f"ký tự không hợp lệ {_shown_char(char)}"
        if expected:
            message += f"; cần {_describe(expected)}"
        if char == "\ufeff":
            hint = "dấu BOM (U+FEFF) chỉ được đứng đầu tệp; xoá ký tự vô hình này"
        elif char and not char.isprintable():
            hint = "ký tự vô hình hoặc ký tự điều khiển; tệp có thể bị hỏng, hoặc chép từ nơi khác kèm ký tự lạ"
        elif char == '"':
            hint = "chuỗi chưa đóng ngoặc kép trên cùng dòng"
        elif char == ",":
            hint = "số thập phân viết bằng dấu chấm (17.748), không dùng dấu phẩy"
        else:
            word = re.match(rf"\w{{1,{_SHOWN}}}", source.text[pos:])
            close = suggest(word.group(0), _keywords(expected)) if word else None
            if close:
                hint = f"có phải ý bạn là `{close}`?"
    span = Span(
        file=source.name,
        line=line,
        column=column,
        end_line=line,
        end_column=column + width,
    )
    return Diagnostic(
        code="E001",
        severity="error",
        message=message,
        span=span,
        line_text=source.line_text(line),
        hint=hint,
    )
