"""`cchc report RULES FACTS... [--round R] --format md|html|docx -o FILE`: the self-assessment report."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cchc_rules.commands.common import (
    EXIT_OK,
    RULES_HELP,
    emit,
    inputs_of,
    load,
    output_format,
    require_output,
    unit_rounds,
    warn,
)

if TYPE_CHECKING:
    from cchc_rules.errors import Diagnostic

FORMATS = ("md", "html", "docx")


def register(sub: Any) -> None:
    """Add the `report` parser."""
    p = sub.add_parser("report", help="viết báo cáo tự đánh giá (hoặc thẩm định) theo mẫu báo cáo của xã")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument("facts", metavar="FACTS", nargs="+", help="tệp dữ kiện; thêm tệp thẩm định nếu có")
    p.add_argument(
        "--round",
        metavar="R",
        help="vòng cần báo cáo: số thứ tự (1 là tự đánh giá, 2 là thẩm định vòng 1, ...) hoặc tên; mặc định: vòng 1",
    )
    p.add_argument("--format", choices=FORMATS, help="định dạng tệp (mặc định: theo đuôi tệp -o, không có thì md)")
    p.add_argument("-o", "--output", metavar="FILE", help="tệp ghi ra (bắt buộc với docx)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the report of the chosen round and write it."""
    from cchc_rules.render.report import build_report, to_html, to_markdown
    from cchc_rules.rounds import select

    args.format = output_format(args, FORMATS, "md")
    rules = load(args.rules, args)
    rounds = unit_rounds(args, rules)
    chosen = select(rounds, args.round)
    warn(_unnamed(chosen.facts.name, chosen.facts.unit))
    # Every round is evaluated, not only the one reported: a bad value in a later round of the same file
    # is said now, not when the appraisers come to write their report.
    for other in rounds:
        if other is not chosen:
            rules.evaluate(other.facts, trace=False)
    result = rules.evaluate(chosen.facts)
    report = build_report(result, chosen.facts, chosen.name, appraisal=chosen is not rounds[0], notes=chosen.notes)
    data: str | bytes
    if args.format == "docx":
        require_output(args, "docx")
        from cchc_rules.render.docx import report_docx

        data = report_docx(report)
    else:
        data = to_html(report) if args.format == "html" else to_markdown(report)
    emit(data, args.output, inputs_of(rules, args.rules, *args.facts))
    return EXIT_OK


def _unnamed(file: str, unit: str) -> Diagnostic | None:
    """W009, a warning: the facts name no unit, so the report, an official paper, names none ("của đơn vị")."""
    from cchc_rules.errors import Diagnostic

    if unit.strip():
        return None
    return Diagnostic(
        code="W009",
        severity="warning",
        message=f'{file}: tệp dữ kiện không ghi tên đơn vị (`unit:`), nên báo cáo chỉ ghi "của đơn vị"',
        hint='thêm một dòng như `unit: "UBND xã Thanh Thủy, huyện Thanh Hà, tỉnh Hải Dương"` ở đầu tệp dữ kiện',
    )
