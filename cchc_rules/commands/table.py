"""`cchc table RULES FACTS [ROUNDS...] --format xlsx|docx -o FILE`: the scoring table (bảng chấm điểm)."""

from __future__ import annotations

import argparse
from typing import Any

from cchc_rules.commands.common import EXIT_OK, RULES_HELP, emit, inputs_of, load, output_format, unit_rounds

FORMATS = ("xlsx", "docx")


def register(sub: Any) -> None:
    """Add the `table` parser."""
    p = sub.add_parser("table", help="xuất bảng chấm điểm (mọi mục, điểm tối đa, điểm từng vòng, ghi chú)")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument("facts", metavar="FACTS", nargs="+", help="tệp dữ kiện, rồi các tệp thẩm định nếu có")
    p.add_argument("--format", choices=FORMATS, help="định dạng tệp (mặc định: theo đuôi tệp -o, không có thì xlsx)")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="tệp ghi ra (.xlsx hoặc .docx)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate every round and write the table."""
    from cchc_rules.render.table import headers, table_rows
    from cchc_rules.rounds import evaluate_rounds

    args.format = output_format(args, FORMATS, "xlsx")
    rules = load(args.rules, args)
    rounds = unit_rounds(args, rules)
    results = evaluate_rounds(rules, rounds, trace=False)
    first = results[0].result
    title = f"BẢNG CHẤM ĐIỂM {first.ruleset.upper()}"
    if first.unit:
        title += f" — {first.unit}"
    if args.format == "docx":
        from cchc_rules.render.docx import table_docx

        data = table_docx(title, headers(results), table_rows(results))
    else:
        from cchc_rules.render.xlsx import table_xlsx

        data = table_xlsx(title, headers(results), table_rows(results))
    emit(data, args.output, inputs_of(rules, args.rules, *args.facts))
    return EXIT_OK
