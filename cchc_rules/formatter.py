"""`cchc fmt`: rule files in one canonical layout, comments kept.

The layout is the printer's (cchc_rules.printer); the formatter puts the
file's comments back. A comment on its own lines before an item stays before
it; a comment inside an item (between its statements, or at the end of one of
its lines) is kept on its own line right under the item's first line, or just
before the item when the item prints on one line. The
result parses to an equal AST (spans aside), and formatting it again changes
nothing.
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
    inner: dict[int, list[str]] = {}
    blank: set[int] = set()
    previous_end = 0
    for item in _items(module):
        key = id(item)
        block = _between(lines, comments, previous_end, item.span.line)
        if block and block[0] == "":
            blank.add(key)
        leading[key] = _trim_start(block)
        inner[key] = [text for line, text in comments.items() if item.span.line <= line <= item.span.end_line]
        previous_end = item.span.end_line
    trailing = _trim(_between(lines, comments, previous_end, len(lines) + 1))

    def decorate(item: ast.Node, text: str) -> str:
        head, _, rest = text.partition("\n")
        comments = inner.get(id(item), [])
        if not rest:  # a one-line item: its comments go before it, where the next run finds them again
            return "\n".join([*leading.get(id(item), []), *comments, head])
        out = [*leading.get(id(item), []), head, *(printer.INDENT + c for c in comments), rest]
        return "\n".join(out)

    text = printer.module(module, decorate, lambda item: id(item) in blank, lambda item: item.span.start_pos)
    if trailing:
        text += "\n" + "\n".join(trailing) + "\n"
    return text


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
