"""Deductions per incident (`deduct 0.25 per vi_pham`): neither the amount nor the count can be negative.

The evaluator refuses a negative amount or count when it meets one; a rule set
whose declarations allow it (a count from an `integer` fact, a difference of
two facts) fails for some unit that its facts allow, so the checker says so
first, from the ranges the declarations give.
"""

from __future__ import annotations

from fractions import Fraction

from cchc_rules import ast
from cchc_rules.checks import Merged, expressions, walk
from cchc_rules.checks.ranges import range_analysis
from cchc_rules.errors import Diagnostic
from cchc_rules.numbers import vi


def check_deductions(rules: Merged) -> list[Diagnostic]:
    """Every `deduct ... per ...`: amount and count at least 0 for all facts the declarations allow (E174)."""
    ranges = range_analysis(rules)
    out: list[Diagnostic] = []
    for crit in rules.criteria:
        own_max = Fraction(crit.max) if crit.max is not None else Fraction(0)
        for expr in expressions(crit):
            for node in walk(expr):
                if not isinstance(node, ast.Deduct):
                    continue
                for d in node.deductions:
                    for part, word in ((d.amount, "mức trừ"), (d.count, "số lần")):
                        try:
                            found = ranges.range(part, own_max)
                        except KeyError:  # an undeclared fact: the names pass reports it
                            continue
                        if found is None or (found.lo is not None and found.lo >= 0):
                            continue
                        low = "không có cận dưới" if found.lo is None else f"nhỏ nhất {vi(found.lo)}"
                        out.append(
                            rules.diag(
                                "E174",
                                "error",
                                part.span,
                                f"tiêu chí {crit.id}: {word} của `deduct` có thể âm ({low}); "
                                "một đơn vị có số liệu như vậy sẽ không chấm được",
                                "khai báo dữ kiện kiểu `count` (số đếm, từ 0) hoặc thêm `min 0`",
                            )
                        )
    return out
