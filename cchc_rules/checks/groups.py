"""Groups (nhóm xếp loại): each percentage a unit can reach falls in at most one group, and in one.

A unit's percentage is rounded by the header's `percent rounding` before it is
compared, so the question is decided on that grid: with 2 decimals, "from 80%
to under 90%" and "from 90%" leave no gap, and neither do "from 80% to 89.99%"
and "from 90%".
"""

from __future__ import annotations

from fractions import Fraction

from cchc_rules import ast
from cchc_rules.checks import Merged
from cchc_rules.checks.regions import Piece, Region
from cchc_rules.errors import Diagnostic
from cchc_rules.numbers import plain, vi

# The default of `percent rounding` (checked.DEFAULT_PERCENT_ROUNDING, applied after the checks).
DEFAULT_PERCENT_PLACES = 2


def group_region(group: ast.Group, scale: int) -> Region:
    """The percentages of a group on the grid of `1/scale` percent point, as whole numbers."""
    lo = None if group.low is None else Fraction(group.low) * scale
    hi = None if group.high is None else Fraction(group.high) * scale
    return Region.of(Piece(lo, lo is not None, hi, hi is not None and not group.high_open), integral=True)


def check_groups(rules: Merged) -> list[Diagnostic]:
    """No two groups share a percentage, none is empty or named twice, and together they cover 0% to 100%."""
    if not rules.headers or not rules.headers[0].groups:
        return []
    header = rules.headers[0]
    places = header.percent_rounding.places if header.percent_rounding else DEFAULT_PERCENT_PLACES
    scale = 10**places
    domain = Region.of(Piece(Fraction(0), True, Fraction(100 * scale), True), integral=True)

    def show(value: Fraction) -> str:
        return f"{vi(value / scale)}%"

    out: list[Diagnostic] = []
    seen: dict[str, ast.Group] = {}
    placed: list[tuple[ast.Group, Region]] = []
    covered = Region([], integral=True)
    for group in header.groups:
        if group.name in seen:
            out.append(
                rules.diag(
                    "E196",
                    "error",
                    group.span,
                    f"nhóm `{group.name}` được khai báo hai lần (lần đầu ở dòng {seen[group.name].span.line})",
                    "mỗi nhóm một dòng `group`, với một khoảng tỷ lệ",
                )
            )
            continue
        seen[group.name] = group
        region = group_region(group, scale).intersect(domain)
        if region.empty():
            out.append(
                rules.diag(
                    "E196",
                    "error",
                    group.span,
                    f"nhóm `{group.name}` không bao giờ có đơn vị nào: tỷ lệ đạt chỉ từ 0% đến 100%",
                    'kiểm tra lại cận của nhóm, vd `group "A" from 90%`',
                )
            )
            continue
        for other, other_region in placed:
            shared = region.intersect(other_region)
            if not shared.empty():
                out.append(
                    rules.diag(
                        "E194",
                        "error",
                        group.span,
                        f"nhóm `{group.name}` trùng với nhóm `{other.name}` (dòng {other.span.line}) "
                        f"ở khoảng {shared.describe(show)}",
                        "các nhóm không được chồng lên nhau; dùng `to under` cho cận trên, "
                        'vd `group "B" from 80% to under 90%`',
                    )
                )
                break
        placed.append((group, region))
        covered = covered.union(region)
    if not out:
        gap = domain.minus(covered)
        if not gap.empty():
            first = gap.pieces[0]  # whole numbers of 1/scale percent point, both ends included
            lo, hi = first.lo or Fraction(0), first.hi if first.hi is not None else Fraction(100 * scale)
            # The group beside the gap (the one just below it, else just above) is where the bound is wrong.
            beside = next(
                (g for g, r in placed for piece in r.pieces if piece.hi == lo - 1),
                next((g for g, r in placed for piece in r.pieces if piece.lo == hi + 1), header.groups[0]),
            )
            out.append(
                rules.diag(
                    "W195",
                    "warning",
                    beside.span,
                    f"không nhóm nào nhận đơn vị có tỷ lệ đạt {gap.describe(show)}",
                    (
                        ""
                        if lo <= 0 or hi >= 100 * scale
                        else f"nới cận của nhóm `{beside.name}` cho liền nhóm bên cạnh, hoặc "
                    )
                    + f"thêm nhóm cho khoảng còn thiếu: `{_group_line(lo, hi, scale)}`",
                )
            )
    return out


def _group_line(lo: Fraction, hi: Fraction, scale: int) -> str:
    """A `group` line taking exactly the percentages lo..hi (whole numbers of 1/scale percent point)."""

    def pct(value: Fraction) -> str:
        return f"{plain(value / scale)}%"

    if hi >= 100 * scale:
        return f'group "..." from {pct(lo)}'
    if lo <= 0:
        return f'group "..." under {pct(hi + 1)}'
    return f'group "..." from {pct(lo)} to under {pct(hi + 1)}'
