"""`cchc fmt`: rule files in one canonical layout, comments kept.

The layout is the printer's (cchc_rules.printer); the formatter puts the
file's comments back where they were written. A comment on its own lines
before an item stays before it. Inside an item, a comment at the end of a line
stays at the end of that line (the header's first line or one of its options,
a group, a fact, a `remove` line, a criterion's first line, a statement, a row
of a tier table or a branch of an `else if` chain), and one on its own line
stays before the option, statement or row it preceded; options and statements
move with their comments when the printer puts them in its order. Source lines
printed as one line keep one comment at its end: the comments of the earlier
lines go above it. A comment inside an expression written over several lines
that matches no printed line goes on its own line right under the item's
first line. The result parses to an equal AST (spans aside), and formatting it
again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Tree

from cchc_rules import ast, printer
from cchc_rules.build import build_module
from cchc_rules.parser import parse_tree
from cchc_rules.source import SourceFile, comment_start

LarkTree = Tree[Any]


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment: the 1-based line it is on, and its text from the `#`."""

    line: int
    text: str


def scan_comments(text: str) -> list[Comment]:
    """Every comment of a rule file, skipping `#` inside strings (strings never span lines)."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        index = comment_start(line)
        if index is not None:
            out.append(Comment(number, line[index:].rstrip()))
    return out


def _items(module: ast.Module) -> list[ast.Node]:
    items: list[ast.Node] = []
    if module.header is not None:
        items.append(module.header)
    items += [*module.facts, *module.removals, *module.criteria, *module.overrides]
    return sorted(items, key=lambda n: n.span.start_pos)


def format_source(source: SourceFile) -> str:
    """The canonical text of one rule file (raises RuleSyntaxError on a syntax error)."""
    tree = parse_tree(source)
    module = build_module(source, tree)
    # The parse tree keeps where each header option and statement was written; the AST keeps no span for
    # a `level`, a `basis` line and the like, and a comment beside one has to follow it.
    subtrees: dict[int, LarkTree] = {
        child.meta.start_pos: child for child in tree.children if isinstance(child, Tree) and not child.meta.empty
    }
    lines = source.text.split("\n")
    comments = {c.line: c.text for c in scan_comments(source.text)}
    leading: dict[int, list[str]] = {}
    inner: dict[int, list[Comment]] = {}
    blank: set[int] = set()
    previous_end = 0
    for item in _items(module):
        key = id(item)
        block = _between(lines, comments, previous_end, item.span.line)
        if block and block[0] == "":
            blank.add(key)
        leading[key] = _trim_start(block)
        inner[key] = [
            Comment(line, text) for line, text in comments.items() if item.span.line <= line <= item.span.end_line
        ]
        previous_end = item.span.end_line
    trailing = _trim(_between(lines, comments, previous_end, len(lines) + 1))

    def decorate(item: ast.Node, text: str) -> str:
        comments = inner.get(id(item), [])
        before = leading.get(id(item), [])
        if not comments:
            return "\n".join([*before, text])
        subtree = subtrees.get(item.span.start_pos)
        if isinstance(item, ast.Header) and subtree is not None:
            return "\n".join([*before, _placed_header(item, subtree, lines, comments)])
        if isinstance(item, ast.Criterion) and "\n" in text:
            return "\n".join([*before, _placed(item, subtree, lines, comments)])
        # A fact, a `remove` line, an area with only its maximum: one printed line, whatever the source's.
        whole = _Piece(item.span.start_pos, item.span.line, item.span.end_line)
        return "\n".join([*before, _placed_lines(text, whole, [], lines, comments)])

    text = printer.module(module, decorate, lambda item: id(item) in blank, lambda item: item.span.start_pos)
    if trailing:
        text += "\n" + "\n".join(trailing) + "\n"
    return text


@dataclass(frozen=True, slots=True)
class _Piece:
    """Where one printed line of an item was written: its first character and its first and last line."""

    start: int
    line: int
    end_line: int


def _piece(tree: LarkTree) -> _Piece:
    return _Piece(tree.meta.start_pos, tree.meta.line, tree.meta.end_line)


def _own_line(source: list[str], at: int) -> bool:
    """Whether the comment on line `at` is alone on its line."""
    line = source[at - 1] if at <= len(source) else ""
    return not line[: comment_start(line)].strip()


def _printed(text: str, pad: str, above: list[Comment], ends: list[Comment]) -> list[str]:
    """A printed line with the comments written above it and at the end of its source lines.

    One line takes one comment at its end (a second `#` would join them into one comment): when several
    source lines became this one, the comments at the end of the earlier ones go above it, in the order
    written among those on their own lines.
    """
    before = sorted([*above, *ends[:-1]], key=lambda c: c.line)
    return [*(pad + c.text for c in before), f"{text}  {ends[-1].text}" if ends else text]


def _placed_header(header: ast.Header, tree: LarkTree, source: list[str], comments: list[Comment]) -> str:
    """The header printed one option a line, each comment with the option it was written beside or above."""
    head, fields = printer.header_parts(header)
    written: dict[printer.HeaderKey, _Piece] = {}
    seen: dict[str, int] = {}
    for option in tree.children[1:]:
        if option.data == "sep":
            continue
        field = "groups" if option.data == "group" else str(option.data)
        written[(field, seen.get(field, 0))] = _piece(option)
        seen[field] = seen.get(field, 0) + 1
    name = tree.children[0]
    name_line = name.end_line if isinstance(name, Token) and name.end_line else tree.meta.line
    first = _Piece(tree.meta.start_pos, tree.meta.line, name_line)
    parts = [(text, written[key]) for key, text in fields]
    return _placed_lines(head, first, parts, source, comments)


def _placed_lines(
    head: str, first: _Piece, parts: list[tuple[str, _Piece]], source: list[str], comments: list[Comment]
) -> str:
    """An item printed as `head` and one indented line a part, each comment beside or above its part.

    A comment at the end of a source line goes to the end of the part written last before it on that
    line; one on its own line goes above the part it preceded (or lay inside of); above the head is
    before the item.
    """
    pieces = sorted([(first, -1), *((piece, k) for k, (_, piece) in enumerate(parts))], key=lambda p: p[0].start)
    ends: dict[int, list[Comment]] = {}
    above: dict[int, list[Comment]] = {}
    for comment in comments:
        at = comment.line
        if _own_line(source, at):
            k = next((k for piece, k in pieces if piece.end_line > at), pieces[-1][1])
            above.setdefault(k, []).append(comment)
        else:
            k = [k for piece, k in pieces if piece.line <= at][-1]
            ends.setdefault(k, []).append(comment)
    out = _printed(head, "", above.get(-1, []), ends.get(-1, []))
    for k, (text, _) in enumerate(parts):
        out += _printed(printer.INDENT + text, printer.INDENT, above.get(k, []), ends.get(k, []))
    return "\n".join(out)


def _statement_pieces(tree: LarkTree | None) -> dict[str, list[_Piece]]:
    """Where a criterion's `max`, `basis` and `inferred` statements were written, by keyword, in order."""
    found: dict[str, list[_Piece]] = {"max": [], "basis": [], "inferred": []}
    for child in tree.children if tree is not None else []:
        if isinstance(child, Tree) and child.data in ("max_stmt", "basis_stmt", "inferred_stmt"):
            found[str(child.data).removesuffix("_stmt")].append(_piece(child))
    return found


def _placed(item: ast.Criterion, tree: LarkTree | None, source: list[str], comments: list[Comment]) -> str:
    """A criterion printed with its comments where they were written (see the module's docstring)."""
    head, statements = printer.criterion_parts(item)
    printed = [text.split("\n") for _, text in statements]
    ends: dict[tuple[int, int], list[Comment]] = {}  # (statement, printed line) -> at its end (-1: head)
    above: dict[tuple[int, int], list[Comment]] = {}  # (statement, printed line) -> on lines before it
    loose: list[str] = []  # under the first line
    written = _statement_pieces(tree)
    spanned: list[tuple[int, int, int]] = []  # (statement, first source line, last source line)
    for k, (node, text) in enumerate(statements):
        if node is not None:
            spanned.append((k, node.span.line, node.span.end_line))
        else:  # `basis` and `inferred` have no node: the parse tree's statements of that keyword, in order
            keyword = text.split(" ", 1)[0]
            piece = written[keyword].pop(0)
            spanned.append((k, piece.line, piece.end_line))
    head_lines = {item.span.line} | {line for piece in written["max"] for line in range(piece.line, piece.end_line + 1)}
    for comment in comments:
        at = comment.line
        own_line = _own_line(source, at)
        inside = next(((k, line) for k, line, end in spanned if line <= at <= end), None)
        if inside is None:
            after = [(line, k) for k, line, _ in spanned if line > at]
            if own_line and after:
                above.setdefault((min(after)[1], 0), []).append(comment)
            elif not own_line and at in head_lines:
                ends.setdefault((-1, 0), []).append(comment)
            else:
                loose.append(comment.text)
            continue
        k, line = inside
        if at == line and not own_line:
            ends.setdefault((k, 0), []).append(comment)
            continue
        row = _tier_line(statements[k][0], printed[k], at, own_line)
        if row is None and len(printed[k]) == 1:  # a statement over several lines, printed on one
            row = 0
        if row is None:
            loose.append(comment.text)
        else:
            (ends if not own_line else above).setdefault((k, row), []).append(comment)
    out = _printed(head, "", [], ends.get((-1, 0), []))
    out += [printer.INDENT + c for c in loose]
    for k, rows in enumerate(printed):
        for j, row_text in enumerate(rows):
            text = printer.INDENT + row_text if j == 0 else row_text
            pad = text[: len(text) - len(text.lstrip())]
            out += _printed(text, pad, above.get((k, j), []), ends.get((k, j), []))
    return "\n".join(out)


def _tier_line(node: ast.Node | None, printed: list[str], at: int, own_line: bool) -> int | None:
    """The printed line of a `score = tier` table, or of an `else if` chain, that a comment on source
    line `at` belongs to: the row on that line (a comment at its end), or the next row (a comment on its
    own line); None otherwise."""
    if not isinstance(node, ast.Formula):
        return None
    rows: list[ast.Node]
    chain = printer.if_branches(node.expr)
    tier = node.expr.otherwise if isinstance(node.expr, ast.If) and not chain else node.expr
    if isinstance(tier, ast.Tier):  # a tier alone, or last after `if ... else`: a row a line
        rows = [*tier.rows, *([tier.otherwise] if tier.otherwise is not None else [])]
    elif chain:
        rows = [*chain[1:], chain[-1].otherwise]  # each line after the first starts at its branch
    else:
        return None
    if len(printed) != 1 + len(rows):  # not one printed line a row: nothing to match against
        return None
    if not isinstance(tier, ast.Tier) and not own_line:
        # At the end of a line of a branch, the first line of it or not: with the branch begun last.
        return max((j for j, row in enumerate(rows, 1) if row.span.line <= at), default=0)
    for j, row in enumerate(rows, 1):
        if (row.span.line == at and not own_line) or (own_line and row.span.line > at):
            return j
    return None


def _between(lines: list[str], comments: dict[int, str], after: int, before: int) -> list[str]:
    """The comments and blank lines strictly between two lines, blank runs collapsed to one."""
    out: list[str] = []
    for number in range(after + 1, before):
        if number in comments:
            out.append(comments[number])
        elif not lines[number - 1].strip() and (not out or out[-1] != ""):
            out.append("")
    return out


def _trim_start(block: list[str]) -> list[str]:
    """Without its leading blank line (that one becomes `blank_before`); a blank before the item stays."""
    while block and block[0] == "":
        block = block[1:]
    return block


def _trim(block: list[str]) -> list[str]:
    block = _trim_start(block)
    while block and block[-1] == "":
        block = block[:-1]
    return block
