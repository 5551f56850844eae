"""The rule-set header: exactly one, with a total and a rounding policy."""

from __future__ import annotations

from cchc_rules.checks import Merged
from cchc_rules.errors import Diagnostic


def check_header(rules: Merged) -> list[Diagnostic]:
    """One `ruleset` header, declaring `total` and `rounding`."""
    out: list[Diagnostic] = []
    if not rules.headers:
        first = rules.sources[0].name if rules.sources else "?"
        out.append(
            rules.diag(
                "E100",
                "error",
                None,
                f"{first}: bộ quy tắc thiếu phần đầu `ruleset`",
                'thêm ở đầu tệp: ruleset "Tên bộ chỉ số" ... total 74 rounding 3 half_up',
            )
        )
        return out
    for extra in rules.headers[1:]:
        out.append(
            rules.diag(
                "E100",
                "error",
                extra.span,
                "bộ quy tắc có hơn một phần đầu `ruleset`",
                f"phần đầu đầu tiên ở {rules.headers[0].span}; giữ một phần đầu duy nhất",
            )
        )
    header = rules.headers[0]
    if header.rounding is None:
        out.append(
            rules.diag(
                "E101",
                "error",
                header.span,
                "phần đầu chưa khai báo cách làm tròn điểm",
                "thêm `rounding 3 half_up` (số chữ số thập phân và kiểu làm tròn)",
            )
        )
    if header.total is None:
        out.append(
            rules.diag(
                "E102",
                "error",
                header.span,
                "phần đầu chưa khai báo tổng điểm tối đa",
                "thêm `total 74` (tổng điểm tối đa của các lĩnh vực)",
            )
        )
    return out
