"""The rulebook: a rule set written out in Markdown for readers, each criterion's method in words and as a formula."""

from __future__ import annotations

import datetime
from fractions import Fraction

from cchc_rules import ast, printer
from cchc_rules.applicable import blank_when, blank_words
from cchc_rules.checked import CheckedRules
from cchc_rules.checks import expressions, walk
from cchc_rules.checks.policies import zero_na_calls
from cchc_rules.evaluator import rounding_words
from cchc_rules.facts import KIND_WORDS
from cchc_rules.numbers import show, vi
from cchc_rules.ranking import group_label, group_words
from cchc_rules.vocabulary import kind_titled

_OPS = {">=": "≥", "<=": "≤", "!=": "≠", "=": "=", "<": "<", ">": ">"}


def _value(e: ast.Node, rules: CheckedRules) -> str:
    if isinstance(e, ast.OwnMax):
        return "điểm tối đa"
    if isinstance(e, ast.Number):
        return f"{vi(Fraction(e.value))} điểm"
    return words(e, rules)


# Names of bodies that Vietnamese writes with a capital anywhere in a sentence (Nghị định 30/2020,
# phụ lục II): "Ủy ban nhân dân xã", "Đảng ủy xã", where the second word alone does not show it.
_BODIES = ("Đảng", "Ủy ban", "Uỷ ban", "Hội đồng nhân dân", "Mặt trận", "Chính phủ", "Quốc hội", "Nhà nước")


def _inline(description: str) -> str:
    """A fact's description inside a sentence: "Có sáng kiến" as "có sáng kiến"; "UBND xã", "Hải Dương" kept."""
    if any(description == body or description.startswith(body + " ") for body in _BODIES):
        return description
    words = description.split(" ", 2)
    first, second = words[0], words[1] if len(words) > 1 else ""
    # A proper name goes on capitalised ("Hải Dương", "Đảng Cộng sản"): only an ordinary first word is lowered.
    name_goes_on = len(second) > 1 and second[0].isupper() and second[1:].islower()  # "Dương", not "TTHC"
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and not name_goes_on:
        return description[0].lower() + description[1:]
    return description


def words(e: ast.Node, rules: CheckedRules) -> str:
    """An expression said in Vietnamese (facts by their description)."""
    if isinstance(e, ast.Number):
        return vi(Fraction(e.value))
    if isinstance(e, ast.Percent):
        return f"{vi(Fraction(e.value))}%"
    if isinstance(e, ast.String):
        return f"“{e.value}”"
    if isinstance(e, ast.DateLit):
        return show(datetime.date.fromisoformat(e.value))  # 31/01/2025, as every date is shown
    if isinstance(e, ast.Bool):
        return "có" if e.value else "không"
    if isinstance(e, ast.NameRef):
        decl = rules.facts.get(e.name)
        return _inline(decl.description or e.name) if decl else e.name
    if isinstance(e, ast.OwnMax):
        return "điểm tối đa"
    if isinstance(e, ast.CritRef):
        return f"điểm của tiêu chí {e.id}"
    if isinstance(e, ast.Neg):
        return f"âm {words(e.operand, rules)}"
    if isinstance(e, ast.BinOp):
        op = {"+": "cộng", "-": "trừ", "*": "×", "/": "chia cho"}[e.op]
        level = printer.strength(e)
        left = words(e.left, rules)
        right = words(e.right, rules)
        # Brackets where the formula has them (or needs them): max × (1 − tỷ lệ), not max × 1 − tỷ lệ.
        if printer.strength(e.left) < level:
            left = f"({left})"
        if printer.strength(e.right) <= level and not isinstance(e.right, (ast.Call, ast.NameRef, ast.Number)):
            right = f"({right})"
        return f"{left} {op} {right}"
    if isinstance(e, ast.Compare):
        if isinstance(e.left, ast.NameRef) and isinstance(e.right, ast.Bool) and e.op in ("=", "!="):
            holds = e.right.value == (e.op == "=")  # `co_cho != false` is "có chợ"
            return words(e.left, rules) if holds else f"không {words(e.left, rules)}"
        return f"{words(e.left, rules)} {_OPS[e.op]} {words(e.right, rules)}"
    if isinstance(e, ast.And):
        return f"{words(e.left, rules)} và {words(e.right, rules)}"
    if isinstance(e, ast.Or):
        return f"{words(e.left, rules)} hoặc {words(e.right, rules)}"
    if isinstance(e, ast.Not):
        if isinstance(e.operand, ast.NameRef):  # a yes/no fact: "không có chợ", as `co_cho = false` reads
            return f"không {words(e.operand, rules)}"
        return f"không phải ({words(e.operand, rules)})"
    if isinstance(e, ast.If):
        return f"{_value(e.then, rules)} nếu {words(e.condition, rules)}; nếu không, {_value(e.otherwise, rules)}"
    if isinstance(e, ast.Call):
        if e.func == "ratio":
            policy = {"full": "đủ điểm", "zero": "0 điểm", "na": "không áp dụng"}[e.options[0].value]
            return f"tỷ lệ {words(e.args[0], rules)} trên {words(e.args[1], rules)} (khi mẫu số bằng 0: {policy})"
        name = {"min": "nhỏ nhất của", "max": "lớn nhất của", "clamp": "giới hạn"}[e.func]
        return f"{name} ({'; '.join(words(a, rules) for a in e.args)})"
    if isinstance(e, ast.Deduct):
        parts = ", ".join(f"{words(d.amount, rules)} điểm cho {_each(d.count, rules)}" for d in e.deductions)
        start = f" từ {words(e.start, rules)}" if e.start is not None else " từ điểm tối đa"
        return f"trừ {parts}{start}, không dưới 0"
    if isinstance(e, ast.Tier):
        return f"theo bậc của {words(e.subject, rules)} (bảng dưới)"
    return printer.inline(e)


def _each(count: ast.Node, rules: CheckedRules) -> str:
    """What one deduction is for: "mỗi báo cáo (số báo cáo CCHC gửi chậm)", by the fact's unit when it has one."""
    decl = rules.facts.get(count.name) if isinstance(count, ast.NameRef) else None
    if decl is not None and decl.unit:
        return f"mỗi {decl.unit} ({words(count, rules)})"
    return f"mỗi đơn vị của {words(count, rules)}"


def _tier_table(tier: ast.Tier, rules: CheckedRules) -> list[str]:
    lines = ["", "| Khi | Điểm |", "|---|---|"]
    for row in tier.rows:
        test = row.test
        if isinstance(test, ast.TierCmp):
            cond = f"{_OPS[test.op]} {words(test.bound, rules)}"
        else:
            under = "dưới " if test.high_open else ""
            cond = f"từ {words(test.low, rules)} đến {under}{words(test.high, rules)}"
        lines.append(f"| {cond} | {_value(row.value, rules)} |")
    if tier.otherwise is not None:
        lines.append(f"| các trường hợp khác | {_value(tier.otherwise, rules)} |")
    return lines


def _criterion(crit: ast.Criterion, rules: CheckedRules, level: int) -> list[str]:
    maximum = vi(Fraction(crit.max)) if crit.max is not None else "?"
    lines = [f"{'#' * min(level, 6)} {crit.id} {kind_titled(crit.kind, crit.title)} (tối đa {maximum} điểm)", ""]
    if crit.formula is None:
        kids = rules.children.get(crit.id, ())
        lines.append("Cách chấm: tổng điểm các tiêu chí " + ", ".join(kids) + ".")
    else:
        expr = crit.formula.expr
        lines.append(f"Cách chấm: {words(expr, rules)}.")
        tiers = [node for node in walk(expr) if isinstance(node, ast.Tier)]  # `if ... else tier ...` too
        for tier in tiers:
            if len(tiers) > 1:  # two tables one after the other: each says whose it is
                lines += ["", f"Theo bậc của {words(tier.subject, rules)}:"]
            lines += _tier_table(tier, rules)
        if zero_na_calls(expr):
            # "không áp dụng" alone does not tell a commune whether it keeps the points: say which way.
            own = crit.not_applicable[0].policy if crit.not_applicable else None
            policy = "tính đủ điểm" if (own or rules.header.na_default) == "full" else "loại khỏi điểm tối đa"
            lines.append(f"Khi mẫu số bằng 0, tiêu chí không áp dụng: {policy}.")
        lines += ["", "```cchc", printer.criterion(crit), "```", ""]
        rounding = rules.rounding[crit.id]
        lines.append(f"Làm tròn: {rounding_words(rounding)}.")
    for clause in crit.not_applicable:
        policy = "tính đủ điểm" if clause.policy == "full" else "loại khỏi điểm tối đa"
        lines.append(f"Không áp dụng khi {words(clause.condition, rules)}: {policy}.")
    used = sorted({n.name for e in expressions(crit) for n in walk(e) if isinstance(n, ast.NameRef)})
    if used:
        lines += ["", "Dữ kiện:"]
        blank = blank_when(rules)
        for name in used:
            decl = rules.facts[name]
            unit = f", đơn vị {decl.unit}" if decl.unit else ""
            given = ", được giao" if decl.given else ""
            left = f"; {blank_words(blank[name])}" if name in blank else ""
            lines.append(f"- `{name}`: {decl.description} ({KIND_WORDS[decl.type.name]}{unit}{given}{left})")
    for reason in crit.reasons:
        when = f" (khi {words(reason.condition, rules)})" if reason.condition is not None else ""
        lines.append(f"\nLý do mất điểm{when}: “{reason.template}”")
    for basis in crit.basis:
        lines.append(f"\nCăn cứ: {basis}")
    for note in crit.inferred:
        lines.append(f"\n*Suy luận: {note}*")
    lines.append("")
    return lines


def rulebook(rules: CheckedRules) -> str:
    """The whole rule set as a Markdown rulebook."""
    h = rules.header
    lines = [f"# {h.name}", ""]
    facts = [
        f"Cấp: {h.level}" if h.level else "",
        f"Tỉnh: {h.province}" if h.province else "",
        f"Năm: {h.year}" if h.year else "",
    ]
    lines += [f"{' · '.join(f for f in facts if f)}", ""] if any(facts) else []
    if h.total is not None:
        lines.append(f"Tổng điểm tối đa: {vi(Fraction(h.total))} điểm.")
    if h.rounding is not None:
        lines.append(f"Làm tròn điểm: {rounding_words(h.rounding)}.")
    for group in h.groups:
        lines.append(f"{group_label(group)}: {group_words(group)}.")
    lines += [f"\nCăn cứ: {b}" for b in h.basis]
    lines += [f"\n*Suy luận: {n}*" for n in h.inferred]
    lines.append("")
    for node_id in (*rules.order, *rules.adjustments):
        crit = rules.nodes[node_id]
        level = node_id.count(".") + 2 if crit.kind == "criterion" else 2
        lines += _criterion(crit, rules, level)
    return "\n".join(lines).rstrip() + "\n"
