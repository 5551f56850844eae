"""Names: duplicates, undefined facts and criteria, template placeholders, unused facts."""

from __future__ import annotations

import re

from cchc_rules import ast
from cchc_rules.checks import Merged, expressions, walk
from cchc_rules.errors import Diagnostic, did_you_mean
from cchc_rules.source import Span
from cchc_rules.vocabulary import YES_NO_WORDS, yes_no_fix

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# Placeholders every reason template may use besides the facts.
TEMPLATE_BUILTINS = ("score", "max", "lost")


def check_duplicates(rules: Merged) -> list[Diagnostic]:
    """No criterion id and no fact name is declared twice."""
    out: list[Diagnostic] = []
    seen_ids: dict[str, ast.Criterion] = {}
    for crit in rules.criteria:
        if crit.id in seen_ids:
            first = seen_ids[crit.id]
            out.append(
                rules.diag(
                    "E112",
                    "error",
                    crit.head,
                    f"mã tiêu chí {crit.id} được khai báo hai lần",
                    f"lần đầu ở {first.span}; đổi mã hoặc xoá một tiêu chí",
                )
            )
        else:
            seen_ids[crit.id] = crit
    seen_facts: dict[str, ast.FactDecl] = {}
    for fact in rules.facts:
        if fact.name in seen_facts:
            out.append(
                rules.diag(
                    "E113",
                    "error",
                    fact.name_span or fact.span,
                    f"dữ kiện `{fact.name}` được khai báo hai lần",
                    f"lần đầu ở {seen_facts[fact.name].span}",
                )
            )
        else:
            seen_facts[fact.name] = fact
    return out


def check_references(rules: Merged) -> list[Diagnostic]:
    """Every fact and criterion a formula, condition or bound names is declared."""
    out: list[Diagnostic] = []
    facts = rules.fact_names()
    ids = rules.criterion_ids()
    for crit in rules.criteria:
        for expr in expressions(crit):
            compared = {  # `co_cho = không`: the fact and operator a yes/no word is compared with, for the fix
                id(mine): (other.name, node.op)
                for node in walk(expr)
                if isinstance(node, ast.Compare)
                for mine, other in ((node.left, node.right), (node.right, node.left))
                if isinstance(other, ast.NameRef)
            }
            for node in walk(expr):
                said = node.name.casefold() if isinstance(node, ast.NameRef) else ""
                if isinstance(node, ast.NameRef) and said in YES_NO_WORDS and node.name not in facts:
                    value = YES_NO_WORDS[said]
                    fix = f"viết `{'true' if value else 'false'}`"
                    if id(node) in compared and compared[id(node)][1] in ("=", "!="):
                        written, shorter = yes_no_fix(*compared[id(node)], value)
                        fix += f" (`{written}`; gọn hơn: `{shorter}`)"
                    out.append(
                        rules.diag(
                            "E110",
                            "error",
                            node.span,
                            f"tiêu chí {crit.id}: `{node.name}` không phải tên dữ kiện; "
                            f"giá trị có/không viết là `true`/`false`",
                            fix,
                        )
                    )
                elif isinstance(node, ast.NameRef) and node.name in rules.retired_facts and node.name not in facts:
                    out.append(
                        rules.diag(
                            "E110",
                            "error",
                            node.span,
                            f"tiêu chí {crit.id} dùng dữ kiện `{node.name}`, đã bỏ bằng `remove fact {node.name}`",
                            f"giữ dữ kiện: xoá `remove fact {node.name}`; hoặc sửa {crit.id} cho không dùng nó"
                            + (
                                f" (`override {crit.id}` hoặc `remove {crit.id}`)"
                                if crit.head.file in rules.inherited_files
                                else ""
                            ),
                        )
                    )
                elif (
                    isinstance(node, ast.NameRef)
                    and node.name not in facts
                    and (choice := _option(node.name, rules, compared.get(id(node), ("", ""))[0])) is not None
                ):
                    # `loai = phường`: a choice's option written without its quotes reads as a fact's name
                    owner, option = choice
                    fact_name, op = compared.get(id(node), (owner, "="))
                    out.append(
                        rules.diag(
                            "E110",
                            "error",
                            node.span,
                            f"tiêu chí {crit.id}: `{node.name}` là một lựa chọn của `{owner}`, không phải tên dữ kiện",
                            f'lựa chọn viết trong ngoặc kép: `{fact_name} {op} "{option}"`',
                        )
                    )
                elif isinstance(node, ast.NameRef) and node.name not in facts:
                    out.append(
                        rules.diag(
                            "E110",
                            "error",
                            node.span,
                            f"tiêu chí {crit.id} dùng dữ kiện chưa khai báo `{node.name}`",
                            did_you_mean(node.name, facts)
                            or _choices_of(rules, compared.get(id(node), ("", ""))[0])
                            or f"khai báo: {_declaration(node.name, crit)}",
                        )
                    )
                elif isinstance(node, ast.CritRef) and node.id not in ids:
                    out.append(
                        rules.diag(
                            "E111",
                            "error",
                            node.span,
                            f"tiêu chí {crit.id} tham chiếu tiêu chí không có [{node.id}]",
                            did_you_mean(node.id, ids),
                        )
                    )
    for fact in rules.facts:
        for bound in (fact.min, fact.max):
            if isinstance(bound, ast.NameRef) and bound.name in rules.retired_facts and bound.name not in facts:
                # A whole removed with its part kept: the part goes too (or the whole stays), not a look-alike.
                out.append(
                    rules.diag(
                        "E110",
                        "error",
                        bound.span,
                        f"giới hạn của `{fact.name}` dùng dữ kiện `{bound.name}`, "
                        f"đã bỏ bằng `remove fact {bound.name}`",
                        f"bỏ cả `{fact.name}`: `remove fact {fact.name}`; hoặc giữ `{bound.name}`: xoá "
                        f"`remove fact {bound.name}`",
                    )
                )
            elif isinstance(bound, ast.NameRef) and bound.name not in facts:
                out.append(
                    rules.diag(
                        "E110",
                        "error",
                        bound.span,
                        f"giới hạn của `{fact.name}` dùng dữ kiện chưa khai báo `{bound.name}`",
                        did_you_mean(bound.name, facts),
                    )
                )
    return out


def _choices_of(rules: Merged, name: str) -> str:
    """`vung = phường` where `phường` is none of `vung`'s options: its options, quoted, as the hint."""
    fact = next((f for f in rules.facts if f.name == name and f.type.choices), None)
    if fact is None:
        return ""
    return f"lựa chọn của `{name}` viết trong ngoặc kép, một trong: " + ", ".join(f'"{o}"' for o in fact.type.choices)


def _option(word: str, rules: Merged, compared_with: str = "") -> tuple[str, str] | None:
    """(fact, option) when `word` is an option of a choice fact, written as a name (any case): of the fact
    it is compared with, when it is compared with one (of no other: the fix would not check)."""
    facts = [f for f in rules.facts if not compared_with or f.name == compared_with]
    for fact in facts:
        for option in fact.type.choices:
            if option.casefold() == word.casefold():
                return fact.name, option
    return None


def _declaration(name: str, crit: ast.Criterion) -> str:
    """A declaration of an undeclared fact, its type read from how the criterion uses it: a condition is a
    `boolean`, compared with a text a `choice` of the texts, with a percentage a `percent`, with a day a
    `date`, with a decimal a `decimal`; a count otherwise (the hint must not lead to a type error next)."""
    kinds: list[str] = []
    texts: list[str] = []

    def used(node: ast.Node | None, as_condition: bool) -> None:
        if node is None:
            return
        if isinstance(node, ast.NameRef):
            if node.name == name and as_condition:
                kinds.append("boolean")
            return
        if isinstance(node, ast.If):
            used(node.condition, True)
            used(node.then, False)
            used(node.otherwise, False)
            return
        if isinstance(node, (ast.And, ast.Or)):
            used(node.left, True)
            used(node.right, True)
            return
        if isinstance(node, ast.Not):
            used(node.operand, True)
            return
        if isinstance(node, ast.Compare):
            for mine, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(mine, ast.NameRef) and mine.name == name:
                    kinds.append(_kind_of(other, texts))
        elif isinstance(node, ast.Tier) and isinstance(node.subject, ast.NameRef) and node.subject.name == name:
            for row in node.rows:
                bound = row.test.bound if isinstance(row.test, ast.TierCmp) else row.test.low
                kinds.append(_kind_of(bound, texts))
        for field in type(node).model_fields:
            value = getattr(node, field)
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, ast.TierRow):
                    used(child.value, False)
                elif isinstance(child, ast.Node) and not isinstance(child, ast.Criterion):
                    used(child, False)

    if crit.formula is not None:
        used(crit.formula.expr, False)
    for na in crit.not_applicable:
        used(na.condition, True)
    for reason in crit.reasons:
        used(reason.condition, True)
    kind = next((k for k in ("boolean", "choice", "percent", "date", "decimal") if k in kinds), "count")
    if kind == "choice":
        listed = ", ".join(f'"{t}"' for t in dict.fromkeys(texts))
        return f'fact {name}: choice({listed}) "..."'
    return f'fact {name}: {kind} "..."'


def _kind_of(other: ast.Node, texts: list[str]) -> str:
    """The type a fact compared with `other` has ("" when `other` does not say)."""
    if isinstance(other, ast.String):
        texts.append(other.value)
        return "choice"
    if isinstance(other, ast.Percent):
        return "percent"
    if isinstance(other, ast.DateLit):
        return "date"
    if isinstance(other, ast.Bool):
        return "boolean"
    if isinstance(other, ast.Number) and other.value != other.value.to_integral_value():
        return "decimal"
    return ""


def check_templates(rules: Merged) -> list[Diagnostic]:
    """Every `{name}` in a reason is a fact or one of score, max, lost, and every brace is closed."""
    out: list[Diagnostic] = []
    allowed = rules.fact_names() + TEMPLATE_BUILTINS
    for crit in rules.criteria:
        for reason in crit.reasons:
            for match in PLACEHOLDER.finditer(reason.template):
                name = match.group(1).strip()
                if name not in allowed and name in rules.retired_facts:
                    out.append(
                        rules.diag(
                            "E114",
                            "error",
                            _within(rules, reason, match.group(0)),
                            f"lý do của tiêu chí {crit.id} dùng `{{{name}}}`, dữ kiện đã bỏ bằng `remove fact {name}`",
                            f"giữ dữ kiện: xoá `remove fact {name}`; hoặc bỏ `{{{name}}}` khỏi lý do",
                        )
                    )
                elif name not in allowed:
                    out.append(
                        rules.diag(
                            "E114",
                            "error",
                            _within(rules, reason, match.group(0)),
                            f"lý do của tiêu chí {crit.id} dùng `{{{name}}}`, không phải tên một dữ kiện",
                            did_you_mean(name, allowed) or "chỉ dùng tên dữ kiện, {score}, {max} hoặc {lost}",
                        )
                    )
            left = PLACEHOLDER.sub("", reason.template)
            for brace in dict.fromkeys(c for c in left if c in "{}"):  # printed as written otherwise: "({so_cbcc)"
                out.append(
                    rules.diag(
                        "E114",
                        "error",
                        _within(rules, reason, brace, skip_placeholders=True),
                        f"lý do của tiêu chí {crit.id} có dấu `{brace}` không thành cặp `{{...}}`",
                        "viết tên dữ kiện trong cặp ngoặc nhọn, vd `{ty_le}`",
                    )
                )
    return out


def _within(rules: Merged, reason: ast.Reason, text: str, skip_placeholders: bool = False) -> Span:
    """Where `text` stands in the reason's line, or the whole reason when it is not found there;
    with `skip_placeholders`, not inside a `{name}` (the brace of `{ty_le}` is not the unpaired one)."""
    span = reason.span
    line = rules.line(span)
    if skip_placeholders:
        line = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), line)
    at = line.find(text, span.column - 1)
    if at < 0:
        return span
    return span.model_copy(update={"column": at + 1, "end_line": span.line, "end_column": at + 1 + len(text)})


def check_unused_facts(rules: Merged) -> list[Diagnostic]:
    """A declared fact that no formula, condition or reason uses, nor the bound of a fact they use (warning)."""
    used: set[str] = set()
    for crit in rules.criteria:
        for expr in expressions(crit):
            used.update(n.name for n in walk(expr) if isinstance(n, ast.NameRef))
        for reason in crit.reasons:
            used.update(m.group(1).strip() for m in PLACEHOLDER.finditer(reason.template))
    # A fact named as another's bound is used when that other one is; a bound alone uses nothing: a
    # fact whose criteria were removed still has its bound, and units would still be asked for it.
    bounds = {fact.name: [b.name for b in (fact.min, fact.max) if isinstance(b, ast.NameRef)] for fact in rules.facts}
    todo = list(used)
    while todo:
        for name in bounds.get(todo.pop(), ()):
            if name not in used:
                used.add(name)
                todo.append(name)
    return [
        rules.diag(
            "W115",
            "warning",
            fact.name_span or fact.span,
            f"dữ kiện `{fact.name}` không được tiêu chí nào dùng",
            # Last year's file is not this year's to edit: its fact is dropped where this year's rules are.
            f"bỏ nó trong bộ quy tắc năm nay: `remove fact {fact.name}` (các đơn vị sẽ không phải ghi nó nữa)"
            if (fact.name_span or fact.span).file in rules.inherited_files
            else "xoá khai báo, hoặc dùng nó trong một công thức",
        )
        for fact in rules.facts
        if fact.name not in used
    ]
