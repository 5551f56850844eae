"""`cchc eval RULES FACTS`: one unit's scores, as text or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from cchc_rules.commands.common import EXIT_OK, emit, load


def register(sub: Any) -> None:
    """Add the `eval` parser."""
    p = sub.add_parser("eval", help="chấm điểm một đơn vị từ tệp dữ kiện")
    p.add_argument("rules", metavar="RULES")
    p.add_argument("facts", metavar="FACTS", help="tệp dữ kiện YAML hoặc JSON")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.add_argument("--trace", action="store_true", help="(JSON) kèm dấu vết tính điểm của từng mục")
    p.add_argument("-o", "--output", metavar="FILE", help="ghi ra tệp thay vì màn hình")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print (or write) the result."""
    result = load(args.rules).evaluate(args.facts, trace=args.trace)
    if args.format == "json":
        text = result.to_json(trace=args.trace)
    else:
        from cchc_rules.render.text import render_text

        text = render_text(result)
    emit(text, args.output, (args.rules, args.facts))
    return EXIT_OK
