"""`cchc template RULES -o facts.xlsx`: the workbook a province fills in, one row per unit."""

from __future__ import annotations

import argparse
import io
from typing import Any

from cchc_rules.commands.common import EXIT_OK, emit, inputs_of, load


def register(sub: Any) -> None:
    """Add the `template` parser."""
    p = sub.add_parser(
        "template",
        help="tạo bảng tính Excel để nhập dữ kiện nhiều đơn vị (mỗi đơn vị một dòng)",
        description="Tạo bảng tính Excel từ các khai báo `fact` của bộ quy tắc: dòng 1 là tên dữ kiện, "
        "dòng 2 mô tả, dòng 3 đơn vị tính và giới hạn; mỗi cột có kiểm tra dữ liệu (data validation).",
    )
    p.add_argument("rules", metavar="RULES", help="tệp .cchc hoặc thư mục chứa các tệp .cchc")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="tệp .xlsx sẽ tạo")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the facts workbook of a rule set."""
    from cchc_rules.template import write_workbook

    rules = load(args.rules)
    buffer = io.BytesIO()
    write_workbook(rules.checked, buffer)
    emit(buffer.getvalue(), args.output, inputs_of(rules, args.rules))
    return EXIT_OK
