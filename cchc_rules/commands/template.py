"""`cchc template RULES -o facts.xlsx`: the workbook a province fills in, one row per unit."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from cchc_rules.commands.common import EXIT_OK, emit, inputs_of, load, output_format, usage_error


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
    from cchc_rules.output import refuse_inputs
    from cchc_rules.template import write_workbook

    rules = load(args.rules, args)
    inputs = inputs_of(rules, args.rules)
    refuse_inputs(Path(args.output), inputs)  # first: never over a rule file, whatever its name says
    args.format = None  # `template` has no --format: the suffix alone says it, and only .xlsx is written
    output_format(args, ("xlsx",), "xlsx")  # a known suffix of another format (.csv, .docx): its usage error
    suffix = Path(args.output).suffix.lower()
    if suffix != ".xlsx":  # an xlsx inside facts.xls or facts.xlsm is refused by Excel, far from here
        said = f"tệp {suffix}" if suffix else "tệp không có đuôi"
        usage_error(args, f"không ghi được {said} (`{args.output}`); dùng .xlsx")
    _refuse_filled(Path(args.output), rules)
    buffer = io.BytesIO()
    write_workbook(rules.checked, buffer)
    emit(buffer.getvalue(), args.output, inputs, keep_data=False)  # `_refuse_filled` checked, stricter
    sys.stderr.write(
        f"{args.output}: đã ghi mẫu dữ kiện, {len(rules.checked.facts)} cột dữ kiện; "
        "mỗi đơn vị ghi một dòng, từ dòng 4\n"
    )
    return EXIT_OK


def _refuse_filled(target: Path, rules: Any) -> None:
    """An O001 error when `target` is a workbook holding units (the communes' figures, collected), or one
    that is not a template at all: an empty template may be written over (of last year's rules too)."""
    from cchc_rules.errors import CchcError, Diagnostic

    if not target.is_file():
        return
    from cchc_rules.units import filled_unit_rows

    filled = filled_unit_rows(target)
    if filled == 0:
        return
    what = f"đã có số liệu của {filled} đơn vị" if filled else "không phải một mẫu dữ kiện trống"
    raise CchcError(
        [
            Diagnostic(
                code="O001",
                severity="error",
                message=f"{target}: bảng tính {what}; không ghi đè bằng mẫu mới",
                hint="ghi mẫu ra tệp khác, vd `-o mau-moi.xlsx`; hoặc xoá tệp này trước nếu đúng là muốn bỏ nó",
            )
        ]
    )
