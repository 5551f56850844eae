"""The scoring table (bảng chấm điểm): every node with its maximum and its score in each round."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from cchc_rules.numbers import vi
from cchc_rules.rounds import RoundResult

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
    names = [f"Điểm {r.round.name.lower()}" for r in results]
    return [NUMBER, "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", *names, "Ghi chú"]


def table_rows(results: Sequence[RoundResult]) -> list[TableRow]:
    """Every node of the tree, then bonus and penalty, with scores per round and notes.

    Notes hold the reasons points were lost, each with the rounds it was given in when the rounds do
    not all give the same, and every round's note on the node. A bonus is written with its `+`, a
    penalty with its `−`, so that the rows add up to the total as it is computed.
    """
    first = results[0].result
    last = results[-1].result
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
        if last[node_id].status == "n_a":
            notes.append("Không áp dụng")
        for r in results:
            note = r.round.notes.get(node_id)
            if note:
                notes.append(f"{r.round.name}: {note}" if len(results) > 1 else note)
        sign = {"bonus": "+", "penalty": "−"}.get(node.kind, "")
        rows.append(
            TableRow(
                id=node_id if node.kind == "criterion" else "",
                title={"bonus": "Điểm thưởng: ", "penalty": "Điểm trừ: "}.get(node.kind, "") + node.title,
                depth=node.depth if node.kind == "criterion" else 1,
                max=vi(node.max),
                scores=tuple((sign if r.result[node_id].score else "") + vi(r.result[node_id].score) for r in results),
                notes="\n".join(notes),
            )
        )
    rows.append(
        TableRow(
            id="",
            title="TỔNG ĐIỂM",
            depth=1,
            max=vi(first.max),
            scores=tuple(vi(r.result.score) for r in results),
            notes="",
        )
    )
    return rows
