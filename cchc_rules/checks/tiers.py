"""Tier tables (bậc): no unreachable row, no overlap, thresholds in order, no gap.

Decided with exact rationals and exact boundaries over the subject's domain
(its declared bounds: 0% to 100% for a percent, whole numbers from 0 for a
count, [0, 1] for a ratio of a part to its whole).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from fractions import Fraction

from cchc_rules import ast, printer
from cchc_rules.checks import Merged, expressions, walk
from cchc_rules.checks.ranges import Interval, RangeAnalysis, range_analysis
from cchc_rules.checks.regions import Piece, Region
from cchc_rules.errors import Diagnostic
from cchc_rules.numbers import plain, vi

_ORDINAL = "thứ"


def _literal(node: ast.Node) -> Fraction | None:
    if isinstance(node, ast.Number):
        return Fraction(node.value)
    if isinstance(node, ast.Percent):
        return Fraction(node.value) / 100
    if isinstance(node, ast.DateLit):  # a day as its ordinal: dates are whole numbers in order
        try:
            return Fraction(datetime.date.fromisoformat(node.value).toordinal())
        except ValueError:  # an impossible date: the types pass reports it
            return None
    return None


def _day(value: Fraction) -> str:
    return datetime.date.fromordinal(int(value)).strftime("%d/%m/%Y")


def _finite_gap(rules: Merged, crit: ast.Criterion, tier: ast.Tier, decl: ast.FactDecl) -> list[Diagnostic]:
    """A tier on a choice or a yes/no fact, without `otherwise`: every value it can take must match a row."""
    values: list[str | bool] = list(decl.type.choices) if decl.type.name == "choice" else [True, False]

    def matches(test: ast.TierCmp | ast.TierRange, value: str | bool) -> bool:
        if (
            not isinstance(test, ast.TierCmp)
            or test.op not in ("=", "!=")
            or not isinstance(test.bound, (ast.String, ast.Bool))
        ):
            return True  # not decided here (E201 reports an order on such values)
        return (test.bound.value == value) == (test.op == "=")

    unmatched = [v for v in values if not any(matches(row.test, v) for row in tier.rows)]
    if not unmatched:
        return []
    shown = [("có" if v else "không") if isinstance(v, bool) else f"“{v}”" for v in unmatched]
    example = {decl.name: ("có" if unmatched[0] else "không") if isinstance(unmatched[0], bool) else unmatched[0]}
    return [
        rules.diag(
            "E193",
            "error",
            tier.span,
            f"tiêu chí {crit.id}: không bậc nào khớp khi {decl.name} = {', '.join(shown)}",
            "thêm bậc còn thiếu, hoặc dòng `otherwise: ...` ở cuối bảng",
        ).model_copy(update={"example": example})
    ]


def _row_region(test: ast.TierCmp | ast.TierRange, integral: bool) -> Region | None:
    if isinstance(test, ast.TierCmp):
        v = _literal(test.bound)
        if v is None:
            return None
        pieces = {
            ">=": [Piece(v, True, None, False)],
            ">": [Piece(v, False, None, False)],
            "<=": [Piece(None, False, v, True)],
            "<": [Piece(None, False, v, False)],
            "=": [Piece(v, True, v, True)],
            "!=": [Piece(None, False, v, False), Piece(v, False, None, False)],
        }[test.op]
        return Region(pieces, integral)
    lo, hi = _literal(test.low), _literal(test.high)
    if lo is None or hi is None:
        return None
    return Region.of(Piece(lo, True, hi, not test.high_open), integral)


def _domain(subject: ast.Node, ranges: RangeAnalysis, own_max: Fraction) -> tuple[Region, bool, bool] | None:
    """The subject's domain (`max` in it is `own_max`), whether it is whole numbers, whether it is a percentage."""
    found = ranges.range(subject, own_max)
    if found is None:
        return None
    integral = isinstance(subject, ast.NameRef) and ranges.is_integral(subject.name)
    percent = (isinstance(subject, ast.NameRef) and ranges.facts[subject.name].type.name == "percent") or (
        isinstance(subject, ast.Call) and subject.func == "ratio"
    )
    if isinstance(subject, ast.Call) and subject.func == "ratio" and found == Interval(None, None):
        found = Interval(Fraction(0), None)
    return Region.of(Piece(found.lo, found.lo is not None, found.hi, found.hi is not None), integral), integral, percent


def check_tiers(rules: Merged) -> list[Diagnostic]:
    """Every tier table: each row reachable, no range row overlapping another, no gap left."""
    ranges = range_analysis(rules)
    out: list[Diagnostic] = []
    for crit in rules.criteria:
        for expr in expressions(crit):
            for node in walk(expr):
                if isinstance(node, ast.Tier):
                    out.extend(_check_tier(rules, ranges, crit, node))
    return out


def _check_tier(rules: Merged, ranges: RangeAnalysis, crit: ast.Criterion, tier: ast.Tier) -> list[Diagnostic]:
    decl = ranges.facts.get(tier.subject.name) if isinstance(tier.subject, ast.NameRef) else None
    if decl is not None and decl.type.name in ("choice", "boolean"):
        return _finite_gap(rules, crit, tier, decl) if tier.otherwise is None else []
    if decl is not None and decl.type.name == "date":
        low = _literal(decl.min) if decl.min is not None else None
        high = _literal(decl.max) if decl.max is not None else None
        days = Region.of(Piece(low, low is not None, high, high is not None), True)
        return _check_rows(rules, crit, tier, days, True, False, _day, _cap(crit, tier))
    try:
        # `max` is the criterion's own maximum, as the evaluator takes it (0 when missing: E122 reports it).
        own_max = Fraction(crit.max) if crit.max is not None else Fraction(0)
        found = _domain(tier.subject, ranges, own_max)
    except KeyError:  # an undeclared fact: the names pass reports it
        return []
    if found is None:
        return []
    domain, integral, percent = found

    def show(v: Fraction) -> str:
        return f"{vi(v * 100)}%" if percent else vi(v)

    return _check_rows(rules, crit, tier, domain, integral, percent, show, _cap(crit, tier))


def _cap(crit: ast.Criterion, tier: ast.Tier) -> Fraction | None:
    """The criterion's maximum when the tier is its whole formula, so that each row's value is its score."""
    whole = crit.formula is not None and crit.formula.expr is tier
    return Fraction(crit.max) if whole and crit.max is not None else None


def _over(rules: Merged, crit: ast.Criterion, value: ast.Node, cap: Fraction | None, row: str) -> Diagnostic | None:
    """E170 for a row that can match and gives a literal above the criterion's maximum (`when ...: 3`
    under `max 2`): the analysis may not find the facts that reach it (a ratio's), but any that do fail."""
    if cap is None or not isinstance(value, ast.Number) or Fraction(value.value) <= cap:
        return None
    return rules.diag(
        "E170",
        "error",
        value.span,
        f"tiêu chí {crit.id}: {row} cho {vi(Fraction(value.value))} điểm, vượt điểm tối đa {vi(cap)}",
        f"điểm của một bậc không được lớn hơn điểm tối đa: viết `max` cho bậc đủ điểm, hoặc sửa `max {vi(cap)}` "
        "của tiêu chí",
    )


def _check_rows(
    rules: Merged,
    crit: ast.Criterion,
    tier: ast.Tier,
    domain: Region,
    integral: bool,
    percent: bool,
    show: Callable[[Fraction], str],
    cap: Fraction | None = None,
) -> list[Diagnostic]:
    """Each row against the subject's domain: reachable, not overlapping, no gap without `otherwise`, and
    none that can match giving more than the criterion's maximum (`cap`)."""
    out: list[Diagnostic] = []
    covered = Region([], integral)
    previous: list[tuple[int, ast.TierRow, Region]] = []
    for number, row in enumerate(tier.rows, 1):
        region = _row_region(row.test, integral)
        if region is None:
            return out  # a bound that is not a literal: nothing exact can be said
        region = region.intersect(domain)
        fresh = region.minus(covered)
        if fresh.empty():
            out.append(_unreachable(rules, crit, row, number, previous, region, domain.describe(show), percent))
        else:
            over = _over(rules, crit, row.value, cap, f"bậc {_ORDINAL} {number}")
            if over is not None:
                out.append(over)
            for other_number, other, other_region in previous:
                shared = region.intersect(other_region)
                is_range = isinstance(row.test, ast.TierRange) or isinstance(other.test, ast.TierRange)
                if is_range and not shared.empty():
                    out.append(
                        rules.diag(
                            "E191",
                            "error",
                            row.test.span,
                            f"tiêu chí {crit.id}: bậc {_ORDINAL} {number} trùng với bậc {_ORDINAL} {other_number} "
                            f"ở khoảng {shared.describe(show)} (dòng {other.span.line})",
                            "các bậc dạng `from ... to ...` không được chồng lên nhau; dùng `to under` cho cận trên",
                        )
                    )
                    break
        covered = covered.union(region)
        previous.append((number, row, region))
    if tier.otherwise is not None and not domain.minus(covered).empty():
        over = _over(rules, crit, tier.otherwise, cap, "dòng `otherwise`")
        if over is not None:
            out.append(over)
    if tier.otherwise is None:
        gap = domain.minus(covered)
        if not gap.empty():
            value = gap.pieces[0].sample()
            example = {}
            if isinstance(tier.subject, ast.NameRef):
                example[tier.subject.name] = (
                    show(value) if show is _day else f"{plain(value * 100)}%" if percent else plain(value)
                )
            out.append(
                rules.diag(
                    "E193",
                    "error",
                    tier.span,
                    f"tiêu chí {crit.id}: không bậc nào khớp khi giá trị {gap.describe(show)} (vd {show(value)})",
                    "thêm bậc còn thiếu, hoặc dòng `otherwise: ...` ở cuối bảng",
                ).model_copy(update={"example": example})
            )
    return out


def _unreachable(
    rules: Merged,
    crit: ast.Criterion,
    row: ast.TierRow,
    number: int,
    previous: list[tuple[int, ast.TierRow, Region]],
    region: Region,
    domain: str,
    percent: bool,
) -> Diagnostic:
    if region.empty():
        test = row.test
        bounds = [test.bound] if isinstance(test, ast.TierCmp) else [test.low, test.high]
        bare = [b for b in bounds if isinstance(b, ast.Number) and b.value > 1]
        hint = "kiểm tra lại ngưỡng và giới hạn của dữ kiện"
        if percent and bare:  # `when >= 80` on a rate that runs from 0% to 100%
            hint = f"viết {printer.number(bare[0].value)}% nếu ý là phần trăm"
        return rules.diag(
            "E190",
            "error",
            row.test.span,
            f"tiêu chí {crit.id}: bậc {_ORDINAL} {number} không bao giờ khớp: "
            + (f"giá trị luôn bằng {domain[5:]}" if domain.startswith("đúng ") else f"giá trị chỉ {domain}"),
            hint,
        )
    test = row.test
    if isinstance(test, ast.TierCmp) and test.op in (">=", ">", "<=", "<"):
        same = [p for _, p, _ in previous if isinstance(p.test, ast.TierCmp) and p.test.op[0] == test.op[0]]
        if same:
            direction = "giảm dần" if test.op[0] == ">" else "tăng dần"
            return rules.diag(
                "E192",
                "error",
                test.span,
                f"tiêu chí {crit.id}: ngưỡng của bậc {_ORDINAL} {number} không theo thứ tự nên bậc này "
                f"không bao giờ được dùng (bậc khớp đầu tiên được chọn)",
                f"xếp các bậc `{test.op}` theo ngưỡng {direction}",
            )
    return rules.diag(
        "E190",
        "error",
        test.span,
        f"tiêu chí {crit.id}: bậc {_ORDINAL} {number} không bao giờ được dùng vì các bậc trước đã phủ hết",
        "xoá bậc này hoặc sửa ngưỡng của các bậc trước",
    )
