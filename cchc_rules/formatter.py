"""`cchc fmt`: rule files in one canonical layout, comments kept.

The layout is the printer's (cchc_rules.printer); the formatter puts the
file's comments back where they were written. A comment on its own lines
before an item stays before it. Inside a criterion, a comment at the end of a
line stays at the end of that line (the criterion's first line, a statement,
a row of a tier table), and one on its own line stays before the statement or
the tier row it preceded; statements move with their comments when the
printer puts them in its order. A comment it cannot place so (beside a
`basis` or `inferred` line, inside an expression written over several lines)
goes on its own line right under the item's first line. A one-line item keeps
a comment at its end. The result parses to an equal AST (spans aside), and
formatting it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cchc_rules import ast, printer
from cchc_rules.loader import parse_source
from cchc_rules.source import SourceFile, comment_start


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
    module = parse_source(source)
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
        head, _, rest = text.partition("\n")
        comments = inner.get(id(item), [])
        before = leading.get(id(item), [])
        if not rest:
            if item.span.line == item.span.end_line and len(comments) == 1:  # a one-line item: kept at its end
                return "\n".join([*before, f"{head}  {comments[0].text}"])
            return "\n".join([*before, *(c.text for c in comments), head])  # where the next run finds them
        if isinstance(item, ast.Criterion) and comments:
            return "\n".join([*before, _placed(item, lines, comments)])
        out = [*before, head, *(printer.INDENT + c.text for c in comments), rest]
        return "\n".join(out)

    text = printer.module(module, decorate, lambda item: id(item) in blank, lambda item: item.span.start_pos)
    if trailing:
        text += "\n" + "\n".join(trailing) + "\n"
    return text


def _placed(item: ast.Criterion, source: list[str], comments: list[Comment]) -> str:
    """A criterion printed with its comments where they were written (see the module's docstring)."""
    head, statements = printer.criterion_parts(item)
    printed = [text.split("\n") for _, text in statements]
    ends: dict[tuple[int, int], list[str]] = {}  # (statement, printed line) -> comments at its end (-1: head)
    above: dict[tuple[int, int], list[str]] = {}  # (statement, printed line) -> comments on lines before it
    loose: list[str] = []  # under the first line
    spanned = [(k, node.span) for k, (node, _) in enumerate(statements) if node is not None]
    for comment in comments:
        at = comment.line
        line = source[at - 1] if at <= len(source) else ""
        own_line = not line[: comment_start(line)].strip()  # nothing but the comment on its line
        inside = next(((k, span) for k, span in spanned if span.line <= at <= span.end_line), None)
        if inside is None:
            after = [(span.line, k) for k, span in spanned if span.line > at]
            if own_line and after:
                above.setdefault((min(after)[1], 0), []).append(comment.text)
            elif not own_line and at == item.span.line:
                ends.setdefault((-1, 0), []).append(comment.text)
            else:
                loose.append(comment.text)
            continue
        k, span = inside
        if at == span.line and not own_line:
            ends.setdefault((k, 0), []).append(comment.text)
            continue
        row = _tier_line(statements[k][0], printed[k], at, own_line)
        if row is None:
            loose.append(comment.text)
        else:
            (ends if not own_line else above).setdefault((k, row), []).append(comment.text)
    out = [head + "".join(f"  {c}" for c in ends.get((-1, 0), []))]
    out += [printer.INDENT + c for c in loose]
    for k, lines in enumerate(printed):
        for j, line in enumerate(lines):
            text = printer.INDENT + line if j == 0 else line
            pad = text[: len(text) - len(text.lstrip())]
            out += [pad + c for c in above.get((k, j), [])]
            out.append(text + "".join(f"  {c}" for c in ends.get((k, j), [])))
    return "\n".join(out)


def _tier_line(node: ast.Node | None, printed: list[str], at: int, own_line: bool) -> int | None:
    """The printed line of a `score = tier` table, or of an `else if` chain, that a comment on source
    line `at` belongs to: the row on that line (a comment at its end), or the next row (a comment on its
    own line); None otherwise."""
    if not isinstance(node, ast.Formula):
        return None
    rows: list[ast.Node]
    if isinstance(node.expr, ast.Tier):
        tier = node.expr
        rows = [*tier.rows, *([tier.otherwise] if tier.otherwise is not None else [])]
    else:
        chain = printer.if_branches(node.expr)
        if not chain:
            return None
        rows = [*chain[1:], chain[-1].otherwise]  # each line after the first starts at its branch
    if len(printed) != 1 + len(rows):  # not one printed line a row: nothing to match against
        return None
    if not isinstance(node.expr, ast.Tier) and not own_line:
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
