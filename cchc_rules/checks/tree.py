"""The criterion tree: parents exist, leaves have formulas, maxima add up."""

from __future__ import annotations

from fractions import Fraction

from cchc_rules import ast
from cchc_rules.checks import Merged
from cchc_rules.errors import Diagnostic
from cchc_rules.numbers import plain, vi


def _children(rules: Merged) -> dict[str, list[ast.Criterion]]:
    out: dict[str, list[ast.Criterion]] = {}
    for crit in rules.criteria:
        if crit.kind == "criterion" and crit.parent_id is not None:
            out.setdefault(crit.parent_id, []).append(crit)
    return out


def check_tree(rules: Merged) -> list[Diagnostic]:
    """Each id's parent exists, every node has a max, every leaf a formula."""
    out: list[Diagnostic] = []
    ids = {c.id for c in rules.criteria if c.kind == "criterion"}
    children = _children(rules)
    for crit in rules.criteria:
        if crit.kind == "criterion" and crit.parent_id is not None and crit.parent_id not in ids:
            out.append(
                rules.diag(
                    "E120",
                    "error",
                    crit.head,
                    f"tiêu chí {crit.id} không có tiêu chí cha {crit.parent_id}",
                    f'khai báo {crit.parent_id} "Tên tiêu chí": max ... trước, hoặc sửa lại mã',
                )
            )
        if crit.max is None:
            out.append(
                rules.diag(
                    "E122",
                    "error",
                    crit.head,
                    f"tiêu chí {crit.id} chưa khai báo điểm tối đa",
                    "thêm `max` và số điểm, vd `max 1.5`",
                )
            )
        elif crit.max < 0:
            out.append(rules.diag("E122", "error", crit.head, f"điểm tối đa của {crit.id} không được âm"))
        if not crit.title.strip():  # reports, tables and the rulebook name every node by its title
            out.append(
                rules.diag(
                    "E125",
                    "error",
                    crit.head,
                    f"{'tiêu chí' if crit.kind == 'criterion' else 'mục'} {crit.id} chưa có tên",
                    f'viết tên như quyết định ghi, vd {crit.id} "Công khai ngân sách": max ...',
                )
            )
        is_leaf = crit.kind != "criterion" or crit.id not in children
        if is_leaf and crit.formula is None:
            # An example with one of this rule set's own yes/no facts, so that it checks as written.
            flag = next((f.name for f in rules.facts if f.type.name == "boolean"), None)
            example = f"score = if {flag} then max else 0" if flag else "score = max"
            what = "mục điểm thưởng/điểm trừ" if crit.kind != "criterion" else "tiêu chí lá"
            out.append(
                rules.diag(
                    "E121",
                    "error",
                    crit.head,
                    f"{what} {crit.id} chưa có công thức tính điểm",
                    f"thêm `score = ...`, vd `{example}`",
                )
            )
    return out


def check_sums(rules: Merged) -> list[Diagnostic]:
    """Children's maxima add up to their parent's; areas add up to the declared total."""
    out: list[Diagnostic] = []
    children = _children(rules)
    wrong: dict[str, Fraction] = {}  # criteria whose children do not add up to their maximum: the sum
    for crit in rules.criteria:
        kids = children.get(crit.id)
        if crit.kind != "criterion" or not kids or crit.formula is not None or crit.max is None:
            continue
        if any(k.max is None for k in kids):
            continue
        total = sum((Fraction(k.max) for k in kids if k.max is not None), Fraction(0))  # exact, past 28 digits
        if total != crit.max:
            wrong[crit.id] = total
    header = rules.headers[0] if rules.headers else None
    areas = [c for c in rules.criteria if c.kind == "criterion" and c.parent_id is None]
    declared_areas = sum((Fraction(a.max) for a in areas if a.max is not None), Fraction(0))
    # The areas' maxima already add up to `total`: an area's own maximum is right, its children are not.
    declared_total = header.total if header is not None else None
    balanced = declared_total is not None and declared_areas == declared_total
    for crit in rules.criteria:
        if crit.id in wrong and crit.max is not None:
            kids = children[crit.id]
            total = wrong[crit.id]
            listed = " + ".join(f"{k.id} ({vi(k.max)})" for k in kids if k.max is not None)
            hint = "sửa điểm tối đa cho khớp, hoặc cho tiêu chí cha công thức riêng (`score = ...`)"
            inherited = [k.id for k in kids if k.head.file in rules.inherited_files]
            if crit.parent_id is None and balanced and declared_total is not None:
                last_year = f" (tiêu chí của năm trước: `override {inherited[0]}: max ...`)" if inherited else ""
                hint = (
                    f"các lĩnh vực đang cộng lại đúng `total {plain(declared_total)}`: giữ điểm tối đa {vi(crit.max)} "
                    f"của lĩnh vực {crit.id}, sửa điểm tối đa các tiêu chí con cho cộng lại {vi(crit.max)}{last_year}"
                )
            elif crit.head.file in rules.inherited_files:  # last year's line: the fix belongs in this year's file
                hint = (
                    f"{crit.id} lấy từ năm trước ({crit.head.file}); sửa trong bộ quy tắc năm nay, "
                    f"vd `override {crit.id}: max {plain(total)}`"
                )
            at, added = crit.head, ""
            new = [k for k in kids if k.head.file not in rules.inherited_files]
            if crit.head.file in rules.inherited_files and new:
                # This year's new child tipped last year's sum: said at it, in the file being written, and the
                # two ways out named (rather than an arbitrary one of last year's children).
                at = new[0].head
                added = f" (có tiêu chí con mới của năm nay: {', '.join(k.id for k in new)})"
                hint = (
                    f"bớt điểm tối đa của các tiêu chí con khác (`override ID: max ...`) cho cộng lại "
                    f"{vi(crit.max)}, hoặc nâng điểm tối đa của {crit.id}: `override {crit.id}: max {plain(total)}`"
                    + (" và `total` ở phần đầu" if crit.parent_id is None else "")
                )
            below = [k.id for k in kids if k.id in wrong]
            if below:  # a child's own sum is wrong too: fixing it may be all that is needed
                hint = f"sửa trước tiêu chí con {', '.join(below)}, cũng không khớp; có thể chỉ cần vậy"
            out.append(
                rules.diag(
                    "E123",
                    "error",
                    at,
                    f"điểm tối đa của {crit.id} là {vi(crit.max)} nhưng các tiêu chí con cộng lại "
                    f"{vi(total)}: {listed}{added}",
                    hint,
                )
            )
    if header is not None and header.total is not None:
        if not areas:  # nothing to score: a file cut short after its header, or the wrong file
            out.append(
                rules.diag(
                    "E124",
                    "error",
                    header.span,
                    f"bộ quy tắc chưa có lĩnh vực nào, nhưng khai báo tổng điểm {vi(header.total)}",
                    'thêm các lĩnh vực và tiêu chí, vd 1 "Công tác chỉ đạo, điều hành CCHC": max 15',
                )
            )
        if areas and all(a.max is not None for a in areas):
            total = sum((Fraction(a.max) for a in areas if a.max is not None), Fraction(0))
            if total != header.total:
                hint = "sửa `total` hoặc điểm tối đa của các lĩnh vực"
                # Areas whose children add up otherwise (E123): with their children's sums, does `total` hold?
                off = [a for a in areas if a.id in wrong]
                if off and total - sum(Fraction(a.max) for a in off if a.max is not None) + sum(
                    wrong[a.id] for a in off
                ) == Fraction(header.total):
                    hint = (
                        "giữ `total`; sửa điểm tối đa của "
                        + ", ".join(f"lĩnh vực {a.id} thành {vi(wrong[a.id])}" for a in off)
                        + " (tổng các tiêu chí con, xem lỗi E123) là khớp"
                    )
                out.append(
                    rules.diag(
                        "E124",
                        "error",
                        header.span,
                        f"tổng điểm khai báo là {vi(header.total)} nhưng các lĩnh vực cộng lại {vi(total)}",
                        hint,
                    )
                )
    return out
