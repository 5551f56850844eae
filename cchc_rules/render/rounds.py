"""Several rounds of one unit side by side, and every difference per criterion."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cchc_rules.numbers import decimal_text, vi
from cchc_rules.rounds import Difference, RoundResult
from cchc_rules.vocabulary import kind_titled


def render_rounds_text(results: Sequence[RoundResult], diffs: Sequence[Difference]) -> str:
    """A table of the areas and total per round, then each node whose score changed and why."""
    names = [r.round.name for r in results]
    first = results[0].result
    width = max(len(n) for n in names) + 2
    lines = [first.ruleset]
    if first.unit:
        lines.append(f"Đơn vị: {first.unit}")
    lines.append("")
    lines.append(f"{'Mục':<8}{'Tối đa':>8}  " + "".join(f"{n:>{width}}" for n in names))
    for area_id in first.areas:
        area = first[area_id]
        row = [f"{area_id:<8}{vi(area.max):>8}  "]
        row += [f"{vi(r.result[area_id].score):>{width}}" for r in results]
        lines.append("".join(row) + f"  {area.title}")
    for node_id in first.adjustments:  # bonus and penalty, signed, so that the column adds up to the total
        node = first[node_id]
        sign = "+" if node.kind == "bonus" else "−"
        row = [f"{'':<8}{vi(node.max):>8}  "]
        row += [f"{(sign if r.result[node_id].score else '') + vi(r.result[node_id].score):>{width}}" for r in results]
        lines.append("".join(row) + f"  {kind_titled(node.kind, node.title)}")
    declared = sum((Fraction(first[a].max) for a in first.areas), Fraction(0))
    total = [f"{'Tổng':<8}{vi(declared):>8}  "] + [f"{vi(r.result.score):>{width}}" for r in results]
    lines.append("".join(total))
    if any(r.result.max != declared for r in results):
        tops = [f"{vi(r.result.max):>{width}}" for r in results]
        lines.append(f"{'':<16}  " + "".join(tops) + "  điểm tối đa, trừ các mục không áp dụng")
    shares = ["" if r.result.percent is None else f"{vi(r.result.percent)}%" for r in results]
    lines.append(f"{'Tỷ lệ':<16}  " + "".join(f"{s:>{width}}" for s in shares))
    lines.append("")
    if not diffs:
        lines.append("Điểm mọi mục như nhau ở các vòng.")
    else:
        lines.append("Các mục có điểm khác nhau giữa các vòng:")
        for d in diffs:
            summed = d.id in first.areas and not first[d.id].has_formula
            if summed and not any(d.id in r.round.notes for r in results):
                continue  # an area that sums its criteria is in the table above, its causes below it
            steps = " → ".join(
                f"{r.round.name}: {shown_score(r, d.id, score)}" for r, score in zip(results, d.scores, strict=True)
            )
            lines.append(f"- {d.id} {d.title}: {steps}")
            # A fact a criterion below shows (under its own line) is not repeated at the area that names it.
            below = {f for other in diffs if other.id.startswith(d.id + ".") for f, _ in other.shown_facts}
            for fact, values in () if summed else d.shown_facts:
                if d.id not in first.areas or fact not in below:
                    lines.append(f"    {fact}: " + " → ".join(values))
            for r in results:
                note = r.round.notes.get(d.id)
                if note:
                    lines.append(f"    ghi chú ({r.round.name}): {note}")
    # The appraisers' notes on criteria whose score did not move ("đã kiểm tra, đúng") are said too.
    moved = {d.id for d in diffs}
    unmoved = [
        node_id for node_id in first.nodes if node_id not in moved and any(node_id in r.round.notes for r in results)
    ]
    if unmoved:
        lines.append("")
        lines.append("Ghi chú ở các mục điểm không đổi:")
        for node_id in unmoved:
            lines.append(
                f"- {node_id} {first[node_id].title}: {shown_score(results[0], node_id, first[node_id].score)}"
            )
            for r in results:
                note = r.round.notes.get(node_id)
                if note:
                    lines.append(f"    ghi chú ({r.round.name}): {note}")
    if first.inferred:  # as they close one round's summary: what the scores rest on, that no decision says
        lines += ["", *(f"Suy luận của bộ quy tắc: {note}" for note in first.inferred)]
    return "\n".join(lines) + "\n"


def shown_score(r: RoundResult, node_id: str, score: Decimal) -> str:
    """A node's score in one round; one not applicable says how it counts, as its parent's sum counts it."""
    node = r.result[node_id]
    if node.status != "n_a":
        return vi(score)
    if node.effective_max == 0:
        return "không áp dụng, loại khỏi điểm tối đa"
    return f"không áp dụng, tính đủ {vi(score)}"


def rounds_json(results: Sequence[RoundResult], diffs: Sequence[Difference], trace: bool = False) -> dict[str, Any]:
    """Every round's JSON contract, with its name and notes, and the differences."""
    return {
        "rounds": [
            {
                "name": r.round.name,
                "notes": r.round.notes,
                "changed_facts": list(r.round.changed),
                **r.result.to_dict(trace),
            }
            for r in results
        ],
        "differences": [
            {
                "id": d.id,
                "title": d.title,
                "scores": [decimal_text(s) for s in d.scores],
                "changed_facts": {name: list(values) for name, values in d.changed_facts},
            }
            for d in diffs
        ],
    }
