"""The AST printed back as rule-file text, in one canonical layout.

parse(print(ast)) == ast (spans and layout aside) for every AST the parser can
produce; the formatter (`cchc fmt`) builds on this. Parentheses are printed only
where precedence needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from cchc_rules import ast

INDENT = "  "

# Binding strength: a child printed inside a parent of higher strength needs parentheses.
_LOWEST, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(9)


def number(value: Decimal) -> str:
    """A decimal as written in rule files (no exponent)."""
    return format(value, "f")


def percent_meant(value: Decimal) -> list[str]:
    """A bare number where a percentage is meant, as the percentages most likely meant: `50` -> 50%, and
    `0.75` -> 75% (in formulas 75% is 0,75, so 0.75 is a fraction written for a percentage); `1` may be
    either, 100% or 1%."""
    if value == 1:
        return ["100%", "1%"]
    if 0 < abs(value) < 1:
        return [f"{number((value * 100).normalize())}%"]
    return [f"{number(value)}%"]


def string(value: str) -> str:
    """A double-quoted string with `\\` and `"` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def strength(e: ast.Node) -> int:
    """How tightly an expression binds: a child weaker than its parent needs parentheses."""
    return _strength(e)


def _strength(e: ast.Node) -> int:
    if isinstance(e, (ast.If, ast.Tier, ast.Deduct)):
        return _LOWEST
    if isinstance(e, ast.Or):
        return _OR
    if isinstance(e, ast.And):
        return _AND
    if isinstance(e, ast.Not):
        return _NOT
    if isinstance(e, ast.Compare):
        return _COMPARE
    if isinstance(e, ast.BinOp):
        return _SUM if e.op in "+-" else _PRODUCT
    if isinstance(e, ast.Neg):
        return _UNARY
    return _ATOM


def expr(e: ast.Node, indent: str = "") -> str:
    """An expression; tier tables break onto lines indented under `indent`."""
    return _expr(e, indent, top=True)


def inline(e: ast.Node) -> str:
    """An expression on one line, tier tables included (for diffs and messages)."""
    return _expr(e, "", top=False)


def _wrap(e: ast.Node, need: int, indent: str) -> str:
    text = _expr(e, indent, top=False)
    return f"({text})" if _strength(e) < need else text


def _expr(e: ast.Node, indent: str, top: bool) -> str:
    if isinstance(e, ast.Number):
        return number(e.value)
    if isinstance(e, ast.Percent):
        return f"{number(e.value)}%"
    if isinstance(e, ast.String):
        return string(e.value)
    if isinstance(e, ast.DateLit):
        return e.value
    if isinstance(e, ast.Bool):
        return "true" if e.value else "false"
    if isinstance(e, ast.NameRef):
        return e.name
    if isinstance(e, ast.OwnMax):
        return "max"
    if isinstance(e, ast.CritRef):
        return f"[{e.id}]"
    if isinstance(e, ast.Neg):
        return f"-{_wrap(e.operand, _UNARY, indent)}"
    if isinstance(e, ast.BinOp):
        level = _SUM if e.op in "+-" else _PRODUCT
        return f"{_wrap(e.left, level, indent)} {e.op} {_wrap(e.right, level + 1, indent)}"
    if isinstance(e, ast.Compare):
        return f"{_wrap(e.left, _SUM, indent)} {e.op} {_wrap(e.right, _SUM, indent)}"
    if isinstance(e, ast.And):
        return f"{_wrap(e.left, _AND, indent)} and {_wrap(e.right, _NOT, indent)}"
    if isinstance(e, ast.Or):
        return f"{_wrap(e.left, _OR, indent)} or {_wrap(e.right, _AND, indent)}"
    if isinstance(e, ast.Not):
        return f"not {_wrap(e.operand, _NOT, indent)}"
    if isinstance(e, ast.If):
        return (
            f"if {_expr(e.condition, indent, False)} then {_expr(e.then, indent, False)} "
            f"else {_expr(e.otherwise, indent, top)}"  # last on the line: a tier there may break onto lines
        )
    if isinstance(e, ast.Call):
        args = [_expr(a, indent, False) for a in e.args]
        args += [f"{o.name}: {o.value}" for o in e.options]
        return f"{e.func}({', '.join(args)})"
    if isinstance(e, ast.Tier):
        return _tier(e, indent, top)
    if isinstance(e, ast.Deduct):
        parts = ", ".join(f"{_wrap(d.amount, _SUM, indent)} per {_wrap(d.count, _SUM, indent)}" for d in e.deductions)
        start = f" from {_wrap(e.start, _OR, indent)}" if e.start is not None else ""
        return f"deduct {parts}{start}"
    raise TypeError(f"cannot print {type(e).__name__}")


def _tier_test(test: ast.TierCmp | ast.TierRange, indent: str) -> str:
    if isinstance(test, ast.TierCmp):
        return f"{test.op} {_wrap(test.bound, _SUM, indent)}"
    under = "under " if test.high_open else ""
    return f"from {_wrap(test.low, _SUM, indent)} to {under}{_wrap(test.high, _SUM, indent)}"


def tier_rows(e: ast.Tier, indent: str = "") -> list[str]:
    """A tier's rows as written, one each (`when >= 100%: max`, ..., `otherwise: 0`)."""
    rows = [f"when {_tier_test(r.test, indent)}: {_wrap(r.value, _OR, indent)}" for r in e.rows]
    if e.otherwise is not None:
        rows.append(f"otherwise: {_wrap(e.otherwise, _OR, indent)}")
    return rows


def _tier(e: ast.Tier, indent: str, top: bool) -> str:
    rows = tier_rows(e, indent)
    head = f"tier {_wrap(e.subject, _OR, indent)}"
    if top:
        inner = indent + INDENT
        return head + "".join(f"\n{inner}{row}" for row in rows)
    return " ".join([head, *rows])


def _rounding(r: ast.Rounding) -> str:
    return f"{r.places} {r.mode}"


def _bound(b: ast.Node) -> str:
    if isinstance(b, ast.Number) and b.value < 0:
        return f"-{number(-b.value)}"
    return expr(b)


def group_range(g: ast.Group) -> str:
    """A group's range as written after its name: `from 80% to under 90%`, `under 50%`."""
    if g.low is None:
        assert g.high is not None, "a group has at least one bound"
        return f"under {number(g.high)}%"
    if g.high is None:
        return f"from {number(g.low)}%"
    under = "under " if g.high_open else ""
    return f"from {number(g.low)}% to {under}{number(g.high)}%"


def _block(lines: list[str]) -> str:
    """An item: its first line, then its statements indented under it."""
    return lines[0] + "".join(f"\n{INDENT}{line}" for line in lines[1:])


def header(h: ast.Header) -> str:
    """The `ruleset` header, one option per line."""
    head, fields = header_parts(h)
    return _block([head, *(text for _, text in fields)])


HeaderKey = tuple[str, int]


def header_parts(h: ast.Header) -> tuple[str, list[tuple[HeaderKey, str]]]:
    """The header's first line, and each option's line keyed by (Header field, index among that field's)."""
    fields: list[tuple[HeaderKey, str]] = []
    if h.extends is not None:
        fields.append((("extends", 0), f"extends {string(h.extends)}"))
    if h.level:
        fields.append((("level", 0), f"level {string(h.level)}"))
    if h.province:
        fields.append((("province", 0), f"province {string(h.province)}"))
    if h.year is not None:
        fields.append((("year", 0), f"year {h.year}"))
    fields += [(("basis", k), f"basis {string(b)}") for k, b in enumerate(h.basis)]
    if h.total is not None:
        fields.append((("total", 0), f"total {number(h.total)}"))
    if h.rounding is not None:
        fields.append((("rounding", 0), f"rounding {_rounding(h.rounding)}"))
    if h.percent_rounding is not None:
        fields.append((("percent_rounding", 0), f"percent rounding {_rounding(h.percent_rounding)}"))
    if h.na_default is not None:
        fields.append((("na_default", 0), f"not_applicable {h.na_default}"))
    fields += [(("inferred", k), f"inferred {string(n)}") for k, n in enumerate(h.inferred)]
    fields += [(("groups", k), f"group {string(g.name)} {group_range(g)}") for k, g in enumerate(h.groups)]
    return f"ruleset {string(h.name)}", fields


def fact(f: ast.FactDecl) -> str:
    """One fact declaration on one line."""
    kind: str = f.type.name
    if kind == "choice":
        kind = "choice(" + ", ".join(string(c) for c in f.type.choices) + ")"
    parts = [f"fact {f.name}: {kind}"]
    if f.description:
        parts.append(string(f.description))
    if f.unit:
        parts.append(f"unit {string(f.unit)}")
    if f.min is not None:
        parts.append(f"min {_bound(f.min)}")
    if f.max is not None:
        parts.append(f"max {_bound(f.max)}")
    if f.default is not None:
        parts.append(f"default {_bound(f.default)}")
    if f.given:
        parts.append("given")
    return " ".join(parts)


def criterion(c: ast.Criterion) -> str:
    """A criterion (or bonus/penalty item) with its statements, one per line."""
    head, statements = criterion_parts(c)
    return _block([head, *(text for _, text in statements)])


def criterion_parts(c: ast.Criterion) -> tuple[str, list[tuple[ast.Node | None, str]]]:
    """A criterion's first line, and each statement's text with its node (None for basis, inferred)."""
    if c.override:
        head = f"override {c.id}" + (f" {string(c.title)}" if c.title else "")
    elif c.kind == "criterion":
        head = f"{c.id} {string(c.title)}"
    else:
        head = f"{c.kind} {c.id} {string(c.title)}"
    if c.max is not None:
        head += f": max {number(c.max)}"
    lines: list[tuple[ast.Node | None, str]] = []
    if c.formula is not None:
        lines.append((c.formula, f"score = {_if_chain(c.formula.expr) or expr(c.formula.expr, INDENT)}"))
    for reason in c.reasons:
        if reason.condition is None:
            lines.append((reason, f"reason {string(reason.template)}"))
        else:
            lines.append((reason, f"reason when {expr(reason.condition)}: {string(reason.template)}"))
    for clause in c.not_applicable:
        lines.append((clause, f"na when {expr(clause.condition)}: {clause.policy}"))
    if c.rounding is not None:
        lines.append((c.rounding, f"rounding {_rounding(c.rounding)}"))
    lines += [(None, f"basis {string(b)}") for b in c.basis]
    lines += [(None, f"inferred {string(n)}") for n in c.inferred]
    return head, lines


def if_branches(e: ast.Node) -> list[ast.If]:
    """The `if` nodes of an `if ... else if ... else ...` chain, outermost first ([] for no chain)."""
    chain = []
    while isinstance(e, ast.If):
        chain.append(e)
        e = e.otherwise
    return chain if len(chain) > 1 else []


def _if_chain(e: ast.Node) -> str:
    """A formula that chains `else if`, one branch a line, aligned under its `if` as the docs write it."""
    chain = if_branches(e)
    if not chain:
        return ""
    pad = INDENT + " " * len("score = ")
    lines = [f"if {_expr(chain[0].condition, '', False)} then {_expr(chain[0].then, '', False)}"]
    lines += [f"{pad}else if {_expr(b.condition, '', False)} then {_expr(b.then, '', False)}" for b in chain[1:]]
    lines.append(f"{pad}else {_expr(chain[-1].otherwise, '', False)}")
    return "\n".join(lines)


def removal(r: ast.Removal) -> str:
    """`remove 3.5.3` or `remove fact ten`."""
    return f"remove {r.id}" if r.target == "criterion" else f"remove fact {r.id}"


Decorate = Callable[[ast.Node, str], str]


def _plain(_: ast.Node, text: str) -> str:
    return text


def _never(_: ast.Node) -> bool:
    return False


def module(
    m: ast.Module,
    decorate: Decorate = _plain,
    blank_before: Callable[[ast.Node], bool] = _never,
    order: Callable[[ast.Node], int] | None = None,
) -> str:
    """A whole rule file: header, facts, removals, criteria; one blank line between groups.

    A group is the header, a run of facts, a run of `remove` items, and each
    area or criterion (x or x.y) with what follows it. `decorate(item, text)`
    may change each item's printed text; the formatter uses it to put the
    file's comments back, `blank_before(item)` keeps a blank line the file had
    before an item, and `order(item)` keeps the items in the order written.
    """
    items: list[tuple[str, ast.Node, str]] = []
    if m.header is not None:
        items.append(("header", m.header, header(m.header)))
    items += [("fact", f, fact(f)) for f in m.facts]
    items += [("removal", r, removal(r)) for r in m.removals]
    items += [("criterion", c, criterion(c)) for c in (*m.criteria, *m.overrides)]
    if order is not None:  # the formatter keeps one file's items in the order written
        items.sort(key=lambda item: order(item[1]))
    out: list[str] = []
    previous = ""
    for kind, node, text in items:
        starts_group = kind != previous or (
            isinstance(node, ast.Criterion) and (node.kind != "criterion" or node.id.count(".") <= 1)
        )
        if out and (starts_group or blank_before(node)):
            out.append("")
        out.append(decorate(node, text))
        previous = kind
    return "\n".join(out) + "\n"
