"""The derivation of a node, down to its facts, in Vietnamese."""

from __future__ import annotations

from cchc_rules.numbers import vi
from cchc_rules.result import NodeResult, Result

_STATUS = {"scored": "đã chấm", "n_a": "không áp dụng"}


def formula_lines(formula: str) -> list[str]:
    """A formula's source text line by line, the lines after the first (a tier's rows) without the
    indentation they had in the rule file, so that a renderer can indent them where it shows them."""
    first, *rest = formula.split("\n")
    rest = [line.rstrip() for line in rest if line.strip()]
    depth = min((len(line) - len(line.lstrip()) for line in rest), default=0)
    return [first, *(line[depth:] for line in rest)]


def explain_node(node: NodeResult, indent: str = "", result: Result | None = None) -> str:
    """One node's derivation: score, rule line, formula, facts with evidence, steps, reasons.

    Given the whole `result`, a referenced criterion that does not apply says so beside its score.
    """
    t = node.trace
    lines = [f"{indent}{node.id} {node.title}"]
    add = lines.append
    pad = indent + "  "
    lost = f" (mất {vi(node.lost)})" if node.lost else ""
    status = "" if node.status == "scored" else f" [{_STATUS.get(node.status, node.status)}]"
    label = "Điểm trừ" if node.kind == "penalty" else "Điểm"  # a penalty's score is taken off the total
    add(f"{pad}{label}: {vi(node.score)}/{vi(node.effective_max)}{lost}{status}")
    if t is None:
        add(f"{pad}(không có dấu vết: kết quả được tính với trace=False)")
        return "\n".join(lines)
    add(f"{pad}Quy tắc: {t.source.file}:{t.source.line}")
    if t.formula is not None and t.formula_span is not None:
        first, *rest = formula_lines(t.formula)
        add(f"{pad}Công thức (dòng {t.formula_span.line}): score = {first}")
        for line in rest:  # a tier's rows, under the formula at this node's depth
            add(f"{pad}    {line}")
    if t.facts:
        add(f"{pad}Dữ kiện:")
        for fact in t.facts:
            unit = f" {fact.unit}" if fact.unit else ""
            default = " (giá trị mặc định)" if fact.defaulted else ""
            add(f"{pad}  - {fact.name} = {fact.shown}{unit}{default}: {fact.description}")
            if fact.evidence:
                add(f"{pad}    kiểm chứng: {fact.evidence}")
    if t.refs:
        add(f"{pad}Tiêu chí được tham chiếu: " + ", ".join(f"[{i}] = {vi_str(s)}{_na(result, i)}" for i, s in t.refs))
    if t.steps:
        add(f"{pad}Các bước:")
        for step in t.steps:
            where = f" (dòng {step.span.line})" if step.span else ""
            add(f"{pad}  - {step.text}{where}")
    if t.rounding and t.unrounded is not None:
        add(f"{pad}Làm tròn: {t.rounding}")
    if t.reasons:
        add(f"{pad}Lý do mất điểm: " + "; ".join(t.reasons))
    for basis in t.basis:
        add(f"{pad}Căn cứ: {basis}")
    for note in t.inferred:
        add(f"{pad}Suy luận: {note}")
    return "\n".join(lines)


def _na(result: Result | None, node_id: str) -> str:
    """' (không áp dụng, ...)' for a referenced criterion that does not apply: its score is its n/a score."""
    if result is None or node_id not in result.nodes or result[node_id].status != "n_a":
        return ""
    ref = result[node_id]
    return " (không áp dụng, tính đủ điểm)" if ref.effective_max else " (không áp dụng, loại khỏi điểm tối đa: tính 0)"


def vi_str(value: str) -> str:
    """A plain decimal string with a decimal comma."""
    return value.replace(".", ",")


def explain(result: Result, node_id: str) -> str:
    """A node's derivation and, below it, each of its descendants'."""
    out = []

    def visit(nid: str, depth: int) -> None:
        node = result[nid]
        out.append(explain_node(node, "    " * depth, result))
        for child in node.children:
            visit(child, depth + 1)

    visit(node_id, 0)
    return "\n\n".join(out) + "\n"
