"""The scoring table (bảng chấm điểm): every node with its maximum and its score in each round."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

from cchc_rules.numbers import vi
from cchc_rules.result import NodeResult
from cchc_rules.rounds import RoundResult
from cchc_rules.vocabulary import kind_titled

NUMBER = "STT"


class TableRow(BaseModel):
    """One node of the table; scores are per round, as text with a decimal comma."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    depth: int
    max: str
    scores: tuple[str, ...]
    notes: str

    def cells(self) -> list[str]:
        """The row's cells, in the order of `headers`."""
        return [self.id, self.title, self.max, *self.scores, self.notes]


def headers(results: Sequence[RoundResult]) -> list[str]:
    """Column titles: number, criterion, maximum, one column per round, notes."""
    names = [f"Điểm {_in_sentence(r.round.name)}" for r in results]
    return [NUMBER, "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", *names, "Ghi chú"]


def _in_sentence(name: str) -> str:
    """A round's name inside a heading: "Tự đánh giá" as "tự đánh giá", an acronym ("TĐ1") as written."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def table_rows(results: Sequence[RoundResult]) -> list[TableRow]:
    """Every node of the tree, then bonus and penalty, with scores per round and notes.

    Notes hold the reasons points were lost, each with the rounds it was given in when the rounds do
    not all give the same, and every round's note on the node. A bonus is written with its `+`, a
    penalty with its `−`, so that the rows add up to the total as it is computed. The maximum column
    holds the declared maxima, which add up; a criterion left out as not applicable shows `—` in the
    rounds it is left out of, and a row after the total gives each round's maximum without it.
    """
    first = results[0].result
    rows = []
    for node_id, node in first.nodes.items():
        notes = []
        why: dict[str, list[str]] = {}  # a round's reasons -> the rounds that give them
        for r in results:
            at = r.result[node_id]
            if at.lost and at.has_formula and at.reasons:
                why.setdefault("; ".join(at.reasons), []).append(r.round.name)
        for text, rounds in why.items():
            notes.append(text if len(results) == 1 or len(rounds) == len(results) else f"{', '.join(rounds)}: {text}")
        na = [r.round.name for r in results if r.result[node_id].status == "n_a"]
        if na:
            notes.append("Không áp dụng" if len(na) == len(results) else f"{', '.join(na)}: không áp dụng")
        for r in results:
            note = r.round.notes.get(node_id)
            if note:
                notes.append(f"{r.round.name}: {note}" if len(results) > 1 else note)
        sign = {"bonus": "+", "penalty": "−"}.get(node.kind, "")
        rows.append(
            TableRow(
                id=node_id if node.kind == "criterion" else "",
                title=kind_titled(node.kind, node.title),
                depth=node.depth if node.kind == "criterion" else 1,
                max=vi(node.max),
                scores=tuple(_score(r.result[node_id], sign) for r in results),
                notes="\n".join(notes),
            )
        )
    declared = sum((Fraction(first[a].max) for a in first.areas), Fraction(0))
    rows.append(
        TableRow(
            id="",
            title="TỔNG ĐIỂM",
            depth=1,
            max=vi(declared),
            scores=tuple(vi(r.result.score) for r in results),
            notes="",
        )
    )
    if any(r.result.max != declared for r in results):
        rows.append(
            TableRow(
                id="",
                title="Điểm tối đa, trừ các mục không áp dụng",
                depth=1,
                max="",
                scores=tuple(vi(r.result.max) for r in results),
                notes="",
            )
        )
    rows.append(
        TableRow(
            id="",
            title="Tỷ lệ đạt",
            depth=1,
            max="",
            scores=tuple("" if r.result.percent is None else f"{vi(r.result.percent)}%" for r in results),
            notes="",
        )
    )
    return rows


def _score(node: NodeResult, sign: str) -> str:
    """A node's score in one round: `—` where it is left out as not applicable."""
    if node.status == "n_a" and node.effective_max == 0:
        return "—"
    return (sign if node.score else "") + vi(node.score)
