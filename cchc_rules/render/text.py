"""The evaluation as text, in the form of the self-assessment report users write today."""

from __future__ import annotations

from decimal import Decimal

from cchc_rules.numbers import vi
from cchc_rules.result import NodeResult, Result
from cchc_rules.vocabulary import ADJUSTMENT_WORDS, says_its_kind


def percent_text(value: Decimal | None) -> str:
    """A percentage with a decimal comma, or a dash when there is no maximum."""
    return "-" if value is None else f"{vi(value)}%"


def area_line(area: NodeResult) -> str:
    """`1. TITLE: 12,5 điểm/15 điểm; đạt tỷ lệ 83,33%.`; an area left out of the maximum said so, not `0/0, -`."""
    if area.percent is None:
        return f"{area.id}. {area.title}: không áp dụng (loại khỏi điểm tối đa)."
    note = " (không áp dụng)" if area.status == "n_a" else ""
    return (
        f"{area.id}. {area.title}: {vi(area.score)} điểm/{vi(area.effective_max)} điểm; "
        f"đạt tỷ lệ {percent_text(area.percent)}.{note}"
    )


def adjustment_named(adj: NodeResult) -> str:
    """A bonus or penalty item as reports name it: `Điểm thưởng (TITLE)`, or its title when that says so."""
    word = ADJUSTMENT_WORDS.get(adj.kind, "")
    return adj.title if not word or says_its_kind(adj.kind, adj.title) else f"{word} ({adj.title})"


def _loss_line(node: NodeResult) -> str:
    reason = "; ".join(node.reasons) if node.reasons else "(quy tắc không nêu lý do)"
    return f"- Mất {vi(node.lost)} điểm tại mục {node.id}: {reason}"


def render_text(result: Result) -> str:
    """The summary: total, each area with its losses, bonus and penalty."""
    lines = [result.ruleset]
    if result.unit:
        lines.append(f"Đơn vị: {result.unit}")
    lines.append("")
    lines.append(
        f"Tổng điểm tự đánh giá: {vi(result.score)} điểm/{vi(result.max)} điểm, đạt {percent_text(result.percent)}."
    )
    lines.append("Trong đó điểm tự đánh giá trên các lĩnh vực cụ thể như sau:")
    losses = result.losses()
    for area_id in result.areas:
        area = result[area_id]
        lines.append(area_line(area))
        for node in losses:
            if node.id == area_id or node.id.startswith(area_id + "."):
                lines.append(_loss_line(node))
    excluded = excluded_lines(result)
    if excluded:
        lines += ["", *excluded]
    for adj_id in result.adjustments:
        adj = result[adj_id]
        why = f" Lý do: {'; '.join(adj.reasons).rstrip('.')}." if adj.kind == "penalty" and adj.reasons else ""
        lines.append(f"{adjustment_named(adj)}: {vi(adj.score)} điểm/{vi(adj.max)} điểm.{why}")
    cap = cap_note(result)
    if cap:
        lines.append(cap)
    if result.inferred:
        lines += ["", *(f"Suy luận của bộ quy tắc: {note}" for note in result.inferred)]
    return "\n".join(lines) + "\n"


def excluded_lines(result: Result) -> list[str]:
    """The criteria taken out of the maximum as not applicable, which is why it is below the rule set's total."""
    excluded = [n for n in result.nodes.values() if n.status == "n_a" and n.effective_max == 0 and n.max > 0]
    if not excluded:
        return []
    return [
        "Tiêu chí không áp dụng (loại khỏi điểm tối đa):",
        *(f"- {n.id} {n.title}: {vi(n.max)} điểm" for n in excluded if not _has_excluded_parent(result, n)),
    ]


def cap_note(result: Result) -> str:
    """Why the total is not the areas plus bonus minus penalty, when the total is kept within 0 and the maximum."""
    raw = result.base_score + result.bonus - result.penalty
    if raw == result.score:
        return ""
    parts = [f"{vi(result.base_score)} điểm các lĩnh vực"]
    if result.bonus:
        parts.append(f"+ {vi(result.bonus)} điểm thưởng")
    if result.penalty:
        parts.append(f"− {vi(result.penalty)} điểm trừ")
    shown = vi(raw).replace("-", "−")  # the minus sign the terms use
    return (
        f"Tổng điểm được giữ trong khoảng 0 đến {vi(result.max)} điểm: {' '.join(parts)} = {shown}, "
        f"tính {vi(result.score)} điểm."
    )


def _has_excluded_parent(result: Result, node: NodeResult) -> bool:
    parent = node.id.rsplit(".", 1)[0] if "." in node.id else None
    return parent is not None and parent in result.nodes and result[parent].status == "n_a"
