"""The derivation of a node, down to its facts, in Vietnamese."""

from __future__ import annotations

from collections.abc import Sequence

from cchc_rules.numbers import vi
from cchc_rules.render.rounds import shown_score
from cchc_rules.result import NodeResult, Result
from cchc_rules.rounds import RoundResult, shown_fact
from cchc_rules.trace import NodeTrace, Step

_STATUS = {"scored": "đã chấm", "n_a": "không áp dụng"}


def formula_lines(formula: str) -> list[str]:
    """A formula's source text line by line, the lines after the first (a tier's rows) without the
    indentation they had in the rule file, so that a renderer can indent them where it shows them."""
    first, *rest = formula.split("\n")
    rest = [line.rstrip() for line in rest if line.strip()]
    depth = min((len(line) - len(line.lstrip()) for line in rest), default=0)
    return [first, *(line[depth:] for line in rest)]


def explain_node(
    node: NodeResult, indent: str = "", result: Result | None = None, rounds: Sequence[RoundResult] = ()
) -> str:
    """One node's derivation: score, rule line, formula, facts with evidence, steps, reasons.

    Given the whole `result`, a referenced criterion that does not apply says so beside its score.
    Given the `rounds` up to the one explained (its own last), a score or a fact that an earlier
    round had otherwise is shown round by round, and each round's note on the node is given.
    """
    t = node.trace
    lines = [f"{indent}{node.id} {node.title}"]
    add = lines.append
    pad = indent + "  "
    lost = f" (mất {vi(node.lost)})" if node.lost else ""
    status = "" if node.status == "scored" else f" [{_STATUS.get(node.status, node.status)}]"
    label = "Điểm trừ" if node.kind == "penalty" else "Điểm"  # a penalty's score is taken off the total
    add(f"{pad}{label}: {vi(node.score)}/{vi(node.effective_max)}{lost}{status}")
    scores = [(r.round.name, r.result[node.id].score) for r in rounds]
    if len({score for _, score in scores}) > 1:  # an appraiser sees at once what each round gave
        said = [f"{r.round.name} {shown_score(r, node.id, r.result[node.id].score)}" for r in rounds]
        add(f"{pad}Các vòng: " + " → ".join(said))  # a round leaving it out says so, not 0
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
                add(f"{pad}    {'kiểm chứng' if fact.documented else 'ghi chú'}: {fact.evidence}")
            values = [(r.round.name, r.result.facts.get(fact.name)) for r in rounds]
            if len({repr(value) for _, value in values}) > 1:
                add(f"{pad}    các vòng: " + " → ".join(f"{name} {shown_fact(v, fact.type)}" for name, v in values))
    if t.refs:
        add(f"{pad}Tiêu chí được tham chiếu: " + ", ".join(f"[{i}] = {vi_str(s)}{_na(result, i)}" for i, s in t.refs))
    if t.steps:
        add(f"{pad}Các bước:")
        for step in t.steps:
            add(f"{pad}  - {step.text}{step_place(step, t)}")
    if t.rounding and t.unrounded is not None:
        add(f"{pad}Làm tròn: {t.rounding}")
    if t.reasons:
        add(f"{pad}Lý do mất điểm: " + "; ".join(t.reasons))
    for r in rounds:
        if node.id in r.round.notes:
            add(f"{pad}Ghi chú ({r.round.name}): {r.round.notes[node.id]}")
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


def explain(result: Result, node_id: str, rounds: Sequence[RoundResult] = (), of: int = 0) -> str:
    """A node's derivation and, below it, each of its descendants'.

    `rounds` are the rounds up to the one explained (whose result is `result`), out of `of` in all:
    the text then says which round it explains and how the earlier ones differed.
    """
    out = []
    if rounds and of > 1:
        out.append(f"Vòng: {rounds[-1].round.name} (vòng {len(rounds)} trong {of}; chọn vòng khác bằng --round)")

    def visit(nid: str, depth: int) -> None:
        node = result[nid]
        out.append(explain_node(node, "    " * depth, result, rounds))
        for child in node.children:
            visit(child, depth + 1)

    visit(node_id, 0)
    return "\n\n".join(out) + "\n"


def step_place(step: Step, trace: NodeTrace) -> str:
    """Where a step is written: " (dòng 9)" in the rule's file; in another file (this year's header
    rounding a criterion kept from last year's file) that file too, or the line would point into the wrong one."""
    if step.span is None:
        return ""
    if step.span.file != trace.source.file:
        return f" ({step.span.file}:{step.span.line})"
    return f" (dòng {step.span.line})"
