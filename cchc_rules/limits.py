"""Limits on what one input may hold, so that no input can hang cchc, exhaust its memory or its stack.

Rule files and facts files come from many hands. Every limit here is far above
what a real rule set or facts file needs (the 2023 Hải Dương rule set is about
22 kB and 1,400 tokens, its ids 3 levels deep, its formulas 6 levels deep), and
each one is checked before the work it bounds, with a diagnostic that says
where and why. docs/language.md lists them for rule writers.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Tree

from cchc_rules.errors import Diagnostic
from cchc_rules.source import MAX_FILE_BYTES, SourceFile, Span

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPENDENCY_DEPTH",
    "MAX_FACTS_NODES",
    "MAX_FACT_DECIMALS",
    "MAX_FACT_INTEGER_DIGITS",
    "MAX_FILE_BYTES",
    "MAX_ID_DIGITS",
    "MAX_ID_LEVELS",
    "MAX_NAME_LENGTH",
    "MAX_NESTING",
    "MAX_NUMBER_DIGITS",
    "MAX_RULE_FILES",
    "MAX_STRING_LENGTH",
    "MAX_TOKENS",
    "check_tree",
    "vi_count",
]

# ---- rule files ---------------------------------------------------------------------

# Tokens (words, numbers, strings, signs) in all the files of one rule set. Parsing
# stops past this many, which bounds the time of everything after it.
MAX_TOKENS = 20_000
# Files in one RULES folder.
MAX_RULE_FILES = 1_000
# Levels of nesting inside one statement (an operator, a call, a tier row, ...):
# the stages after parsing walk expressions recursively.
MAX_NESTING = 100
# Levels of a criterion id (1.2.3 has 3) and digits in one level.
MAX_ID_LEVELS = 10
MAX_ID_DIGITS = 6
# Digits in one number written in a rule file.
MAX_NUMBER_DIGITS = 30
# Characters in a name (a fact, a bonus) and in a string (a title, a reason, a basis).
MAX_NAME_LENGTH = 100
MAX_STRING_LENGTH = 2_000
# Steps from a criterion's score down to a fact, through nested expressions,
# [id] references and children: what the evaluator recurses through.
MAX_DEPENDENCY_DEPTH = 200

# ---- facts files --------------------------------------------------------------------

# YAML or JSON nodes in one facts file (a key, a value, a list are one node each).
MAX_FACTS_NODES = 50_000
# Nodes that YAML aliases (*name) may repeat beyond the file's own nodes.
MAX_ALIAS_EXPANSION = 10_000
# A fact's value: digits before the decimal point, and decimals after it.
MAX_FACT_INTEGER_DIGITS = 15
MAX_FACT_DECIMALS = 30

# Limit problems reported per file: a broken file can have thousands.
_MAX_REPORTED = 20
# How deep a rule file's parse tree may go: start -> item -> statement -> expression.
_TREE_OFFSET = 3


def vi_count(number: int) -> str:
    """An integer with Vietnamese thousands separators: 50.000."""
    return f"{number:,}".replace(",", ".")


def _span(source: SourceFile, item: Tree[Any] | Token) -> Span:
    if isinstance(item, Token):
        line, column = item.line or 1, item.column or 1
        end_line, end_column = item.end_line or line, item.end_column or column + 1
    elif not item.meta.empty:
        line, column = item.meta.line, item.meta.column
        end_line, end_column = item.meta.end_line, item.meta.end_column
    else:  # a tree without tokens has no position of its own
        line, column, end_line, end_column = 1, 1, 1, 2
    if end_line != line:  # the caret marks where the construct starts
        end_line, end_column = line, column + 1
    return Span(file=source.name, line=line, column=column, end_line=end_line, end_column=end_column)


def _diag(source: SourceFile, at: Tree[Any] | Token, message: str, hint: str) -> Diagnostic:
    span = _span(source, at)
    return Diagnostic(
        code="E003",
        severity="error",
        message=message,
        span=span,
        line_text=source.line_text(span.line),
        hint=hint,
    )


def _check_token(source: SourceFile, token: Token) -> Diagnostic | None:
    text = str(token)
    if token.type == "NUMBER":
        digits = sum(ch.isdigit() for ch in text)
        if digits > MAX_NUMBER_DIGITS:
            return _diag(
                source,
                token,
                f"số có {vi_count(digits)} chữ số; tối đa {MAX_NUMBER_DIGITS} chữ số",
                "điểm, ngưỡng và giới hạn trong quy tắc chỉ cần vài chữ số; tệp có thể bị hỏng",
            )
    elif token.type == "NAME" and len(text) > MAX_NAME_LENGTH:
        return _diag(
            source,
            token,
            f"tên dài {vi_count(len(text))} ký tự; tối đa {MAX_NAME_LENGTH}",
            "đặt tên ngắn gọn, vd ho_so_truc_tuyen",
        )
    elif token.type == "STRING" and len(text) > MAX_STRING_LENGTH + 2:
        return _diag(
            source,
            token,
            f"chuỗi dài {vi_count(len(text) - 2)} ký tự; tối đa {vi_count(MAX_STRING_LENGTH)}",
            "tên tiêu chí, lý do và căn cứ chỉ cần một đến vài câu",
        )
    elif token.type == "CRIT_ID":
        levels = text.split(".")
        if len(levels) > MAX_ID_LEVELS:
            return _diag(
                source,
                token,
                f"mã tiêu chí `{text[:40]}` có {vi_count(len(levels))} cấp; tối đa {MAX_ID_LEVELS} cấp",
                "lĩnh vực, tiêu chí, tiêu chí thành phần chỉ cần vài cấp, vd 7.2.2",
            )
        if any(len(level) > MAX_ID_DIGITS for level in levels):
            return _diag(
                source,
                token,
                f"mã tiêu chí `{text[:40]}` có một cấp dài quá {MAX_ID_DIGITS} chữ số",
                "đánh số mỗi cấp bằng số nhỏ, vd 7.2.2",
            )
    return None


def check_tree(source: SourceFile, tree: Tree[Any]) -> list[Diagnostic]:
    """Problems that would make later stages too deep or too large: nesting, ids, numbers.

    Walks the parse tree without recursion, in source order, so that a tree of
    any depth is looked at safely; reports the first too-deep place of each
    item once.
    """
    out: list[Diagnostic] = []
    limit = MAX_NESTING + _TREE_OFFSET
    stack: list[tuple[Tree[Any] | Token, int, int]] = [(tree, 0, -1)]
    deep_items: set[int] = set()
    while stack and len(out) < _MAX_REPORTED:
        node, depth, item = stack.pop()
        if isinstance(node, Token):
            problem = _check_token(source, node)
            if problem is not None:
                out.append(problem)
            continue
        if depth == 1:
            item = id(node)
        if depth > limit:
            if item not in deep_items:
                deep_items.add(item)
                out.append(
                    _diag(
                        source,
                        node,
                        f"biểu thức lồng nhau quá sâu: hơn {MAX_NESTING} tầng phép tính, hàm hoặc điều kiện",
                        "tách công thức thành các tiêu chí nhỏ hơn và tham chiếu bằng [mã], hoặc viết gọn lại",
                    )
                )
            continue
        stack.extend((child, depth + 1, item) for child in reversed(node.children))
    return out
