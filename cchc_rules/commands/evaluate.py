"""`cchc eval RULES FACTS`: one unit's scores, as text or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from cchc_rules.commands.common import EXIT_OK, RULES_HELP, emit, inputs_of, load, output_format, unit_rounds

FORMATS = ("text", "json", "html")


def register(sub: Any) -> None:
    """Add the `eval` parser."""
    p = sub.add_parser("eval", help="chấm điểm một đơn vị từ tệp dữ kiện")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument(
        "facts",
        metavar="FACTS",
        nargs="+",
        help="tệp dữ kiện YAML hoặc JSON; thêm tệp thẩm định để so sánh các vòng",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="định dạng kết quả (mặc định: theo đuôi tệp -o, không có thì text); "
        "html: trang kiểm tra một tệp, mở được không cần mạng",
    )
    p.add_argument("--trace", action="store_true", help="(JSON) kèm dấu vết tính điểm của từng mục")
    p.add_argument("-o", "--output", metavar="FILE", help="ghi ra tệp thay vì màn hình")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print (or write) the result; with several rounds, side by side."""
    from cchc_rules.rounds import differences, evaluate_rounds

    args.format = output_format(args, FORMATS, "text")
    rules = load(args.rules, args)
    rounds = unit_rounds(args, rules)
    inputs = inputs_of(rules, args.rules, *args.facts)
    if len(rounds) == 1:
        result = rules.evaluate(rounds[0].facts, trace=args.trace)
        if args.format == "json":
            text = result.to_json(trace=args.trace)
        elif args.format == "html":
            from cchc_rules.render.html import render_html

            text = render_html(rules.evaluate(rounds[0].facts, trace=True))
        else:
            from cchc_rules.render.text import render_text

            text = render_text(result)
        emit(text, args.output, inputs)
        return EXIT_OK
    results = evaluate_rounds(rules, rounds, trace=args.trace)
    diffs = differences(rules, results)
    if args.format == "html":
        from cchc_rules.render.html import render_html

        text = render_html(
            rules.evaluate(rounds[-1].facts, trace=True),
            [(r.round.name, r.result) for r in results],
            [r.round.notes for r in results],
        )
    elif args.format == "json":
        import json

        from cchc_rules.render.rounds import rounds_json

        text = json.dumps(rounds_json(results, diffs, args.trace), ensure_ascii=False, indent=2) + "\n"
    else:
        from cchc_rules.render.rounds import render_rounds_text

        text = render_rounds_text(results, diffs)
    emit(text, args.output, inputs)
    return EXIT_OK
