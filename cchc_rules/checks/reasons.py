"""Lost-point reasons: a scored item that can lose points should say why."""

from __future__ import annotations

from cchc_rules import ast
from cchc_rules.checks import Merged
from cchc_rules.errors import Diagnostic


def check_missing_reasons(rules: Merged) -> list[Diagnostic]:
    """A criterion with its own formula but no `reason` (warning)."""
    return [
        rules.diag(
            "W150",
            "warning",
            crit.head,
            f"tiêu chí {crit.id} có thể mất điểm nhưng chưa có câu lý do",
            'thêm `reason "..."`, vd reason "Chỉ đạt {ty_le}"',
        )
        for crit in rules.criteria
        if crit.kind == "criterion"
        and crit.formula is not None
        and not crit.reasons
        # `score = max` never loses a point (its maximum is written exactly at its rounding: E173), nor
        # does a criterion worth nothing
        and not isinstance(crit.formula.expr, ast.OwnMax)
        and not (crit.max is not None and crit.max == 0)
    ]
