"""Declared policies: a `ratio(..., zero: na)` needs an n/a policy to apply."""

from __future__ import annotations

from cchc_rules import ast
from cchc_rules.checks import Merged, walk
from cchc_rules.errors import Diagnostic


def zero_na_calls(expr: ast.Node) -> list[ast.Call]:
    """The `ratio(..., zero: na)` calls of an expression: where a criterion can become not applicable."""
    return [
        node
        for node in walk(expr)
        if isinstance(node, ast.Call) and any(o.name == "zero" and o.value == "na" for o in node.options)
    ]


def check_zero_na_policy(rules: Merged) -> list[Diagnostic]:
    """`zero: na` makes the criterion n/a, so full marks or exclusion must be declared somewhere."""
    header = rules.headers[0] if rules.headers else None
    if header is not None and header.na_default is not None:
        return []
    out: list[Diagnostic] = []
    for crit in rules.criteria:
        if crit.formula is None or crit.not_applicable:
            continue
        for node in zero_na_calls(crit.formula.expr):
            out.append(
                rules.diag(
                    "E140",
                    "error",
                    node.span,
                    f"tiêu chí {crit.id} có thể không áp dụng (zero: na) nhưng chưa khai báo cách tính",
                    "thêm `not_applicable full` hoặc `not_applicable exclude` ở phần đầu, "
                    "hoặc `na when ...: full|exclude` cho tiêu chí",
                )
            )
    return out


def check_parent_zero_na(rules: Merged) -> list[Diagnostic]:
    """A criterion with sub-criteria made n/a by its own formula (`zero: na`) would leave them scored, with
    their losses and reasons reported; `na when` on it makes them n/a too, as the language says."""
    parents = {crit.id.rpartition(".")[0] for crit in rules.criteria if "." in crit.id}
    out: list[Diagnostic] = []
    for crit in rules.criteria:
        if crit.kind != "criterion" or crit.formula is None or crit.id not in parents or crit.not_applicable:
            continue  # with `na when`, the sub-criteria follow the parent
        for node in zero_na_calls(crit.formula.expr):
            whole = _fact_name(node.args[1]) if len(node.args) > 1 else "mẫu số"
            out.append(
                rules.diag(
                    "E143",
                    "error",
                    node.span,
                    f"tiêu chí {crit.id} có tiêu chí con nhưng chỉ không áp dụng qua công thức (zero: na): "
                    "các tiêu chí con vẫn được chấm và báo mất điểm",
                    f"viết `na when {whole} = 0: full|exclude` cho {crit.id} (các tiêu chí con cũng không áp "
                    "dụng theo), và `zero: zero` hoặc `zero: full` trong công thức",
                )
            )
    return out


def _fact_name(e: ast.Node) -> str:
    """A short expression as written (a fact's name), for a hint."""
    return e.name if isinstance(e, ast.NameRef) else "mẫu số"


def check_bonus_na_full(rules: Merged) -> list[Diagnostic]:
    """A bonus that is n/a with full marks would give its whole bonus to a unit that did not earn it."""
    header = rules.headers[0] if rules.headers else None
    default = header.na_default if header is not None else None
    out: list[Diagnostic] = []
    for crit in rules.criteria:
        if crit.kind != "bonus":
            continue
        spans = [clause.span for clause in crit.not_applicable if clause.policy == "full"]
        if crit.formula is not None and default == "full" and not crit.not_applicable:
            spans += [call.span for call in zero_na_calls(crit.formula.expr)]
        spans.sort(key=lambda span: (span.line, span.column))
        out += [
            rules.diag(
                "E142",
                "error",
                span,
                f"điểm thưởng {crit.id} không áp dụng thì được đủ điểm (full): đơn vị không đạt vẫn được cộng "
                f"toàn bộ điểm thưởng {crit.id}",
                "dùng `exclude` (không áp dụng thì không cộng), hoặc viết điều kiện trong công thức, "
                "vd `score = if co_sang_kien then max else 0`",
            )
            for span in spans
        ]
    return out


def check_penalty_na(rules: Merged) -> list[Diagnostic]:
    """A penalty cannot be n/a: n/a with full marks would take its whole maximum off the total."""
    out: list[Diagnostic] = []
    hint = "viết điều kiện trong công thức, vd `score = if so_vu = 0 then 0 else min(max, 0.5 * so_vu)`"
    for crit in rules.criteria:
        if crit.kind != "penalty":
            continue
        spans = [clause.span for clause in crit.not_applicable]
        if crit.formula is not None:
            spans += [call.span for call in zero_na_calls(crit.formula.expr)]
        spans.sort(key=lambda span: (span.line, span.column))
        out += [
            rules.diag(
                "E141",
                "error",
                span,
                f"điểm trừ {crit.id} không có trạng thái không áp dụng: điểm tối đa (full) sẽ trừ hết {crit.id}, "
                "loại khỏi điểm tối đa (exclude) không có nghĩa với điểm trừ",
                hint,
            )
            for span in spans
        ]
    return out
