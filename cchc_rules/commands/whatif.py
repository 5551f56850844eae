"""`cchc whatif RULES FACTS [--set fact=value ...]`: points recoverable, or one scenario."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_OK, RULES_HELP, load, unit_rounds


def register(sub: Any) -> None:
    """Add the `whatif` parser."""
    p = sub.add_parser("whatif", help="tìm thay đổi dữ kiện nhỏ nhất để gỡ lại điểm, hoặc thử một kịch bản")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument(
        "facts",
        metavar="FACTS",
        nargs="+",
        help="tệp dữ kiện của đơn vị (.yaml hoặc .json); thêm tệp thẩm định để xét điểm sau thẩm định",
    )
    p.add_argument(
        "--set",
        metavar="TÊN=GIÁ_TRỊ",
        type=_setting,
        action="append",
        default=[],
        help="đặt một dữ kiện giá trị khác rồi xem điểm từng mục đổi ra sao (lặp lại được)",
    )
    p.add_argument(
        "--round",
        metavar="R",
        help="với tệp thẩm định hay tệp dữ kiện có `rounds:`, vòng cần xét: số thứ tự (1 là tự đánh giá) hoặc tên; "
        "mặc định: vòng cuối cùng, vòng đang có hiệu lực",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.set_defaults(handler=run)


def _setting(pair: str) -> tuple[str, str]:
    """`--set TÊN=GIÁ_TRỊ`; a usage error (exit 2) when it is not of that form."""
    from cchc_rules.whatif import setting

    try:
        return setting(pair)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """The ranked opportunities, or the scenario's changes per node."""
    from cchc_rules.rounds import select
    from cchc_rules.whatif import (
        check_settings,
        opportunities,
        opportunities_json,
        render_opportunities,
        scenario_text,
    )

    rules = load(args.rules, args)
    rounds = unit_rounds(args, rules)
    # As `cchc explain`: the score in force is the last round's; the facts tried are that round's.
    chosen = select(rounds, args.round) if args.round is not None else rounds[-1]
    raw = chosen.facts
    facts = rules.facts(raw)
    if len(rounds) > 1 and args.format == "text":
        number = rounds.index(chosen) + 1
        sys.stdout.write(f"Vòng: {chosen.name} (vòng {number} trong {len(rounds)}; chọn vòng khác bằng --round)\n\n")
    before = rules.evaluate(facts, trace=False)
    if args.set:
        settings = dict(args.set)
        check_settings(rules.checked, settings)
        from cchc_rules.errors import FactsError
        from cchc_rules.facts import RawFact

        changed = {**raw.facts, **{k: RawFact(value=v) for k, v in settings.items()}}
        try:
            after = rules.evaluate(raw.model_copy(update={"facts": changed}), trace=False)
        except FactsError as exc:  # a value given with --set: named as such, not as the file's
            raise FactsError(
                [
                    d.model_copy(update={"message": "--set: " + d.message.removeprefix(f"{raw.name}: ")})
                    if any(f"`{name}`" in d.message for name in settings)
                    else d
                    for d in exc.diagnostics
                ]
            ) from None
        if args.format == "json":
            payload = {
                "before": before.to_dict(),
                "after": after.to_dict(),
                "changed": [n for n in before.nodes if before[n].score != after[n].score],
            }
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(scenario_text(before, after, settings))
        return EXIT_OK
    items = opportunities(rules, facts, rules.evaluate(facts))
    if args.format == "json":
        sys.stdout.write(json.dumps(opportunities_json(before, items), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_opportunities(before, items))
    return EXIT_OK
