"""`cchc explain RULES FACTS... ID [--round R]`: one node's derivation down to its facts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_OK, RULES_HELP, load, unit_rounds


def register(sub: Any) -> None:
    """Add the `explain` parser."""
    p = sub.add_parser("explain", help="giải thích cách tính điểm một mục, đến từng dữ kiện")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument(
        "facts",
        metavar="FACTS",
        nargs="+",
        help="tệp dữ kiện của đơn vị (.yaml hoặc .json); thêm tệp thẩm định để giải thích điểm sau thẩm định",
    )
    p.add_argument("id", metavar="ID", help="mã tiêu chí, vd 7.2.2")
    p.add_argument(
        "--round",
        metavar="R",
        help="vòng cần giải thích: số thứ tự (1 là tự đánh giá, 2 là thẩm định vòng 1, ...) hoặc tên; "
        "mặc định: vòng cuối cùng",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the derivation in the chosen round, or name the closest id when ID is unknown."""
    from cchc_rules.errors import CchcError, Diagnostic, did_you_mean
    from cchc_rules.render.explain import explain
    from cchc_rules.rounds import evaluate_rounds, select

    rules = load(args.rules, args)
    rounds = unit_rounds(args, rules)
    # The score in force is the last round's: an appraiser who gives the appraisal file means it.
    chosen = select(rounds, args.round) if args.round is not None else rounds[-1]
    upto = rounds[: next(i for i, r in enumerate(rounds) if r is chosen) + 1]
    if args.id not in rules.checked.nodes:
        raise CchcError(
            [
                Diagnostic(
                    code="E111",
                    severity="error",
                    message=f"bộ quy tắc không có mục `{args.id}`",
                    hint=did_you_mean(args.id, list(rules.checked.nodes), "các mục: " + ", ".join(rules.checked.areas)),
                )
            ]
        )
    results = evaluate_rounds(rules, upto)
    sys.stdout.write(explain(results[-1].result, args.id, results, of=len(rounds)))
    return EXIT_OK
