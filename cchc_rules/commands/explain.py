"""`cchc explain RULES FACTS ID`: one node's derivation down to its facts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_OK, FACTS_HELP, RULES_HELP, load


def register(sub: Any) -> None:
    """Add the `explain` parser."""
    p = sub.add_parser("explain", help="giải thích cách tính điểm một mục, đến từng dữ kiện")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument("facts", metavar="FACTS", help=FACTS_HELP)
    p.add_argument("id", metavar="ID", help="mã tiêu chí, vd 7.2.2")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the derivation, or name the closest id when ID is unknown."""
    from cchc_rules.errors import CchcError, Diagnostic, did_you_mean
    from cchc_rules.render.explain import explain

    result = load(args.rules).evaluate(args.facts)
    if args.id not in result:
        raise CchcError(
            [
                Diagnostic(
                    code="E111",
                    severity="error",
                    message=f"bộ quy tắc không có mục `{args.id}`",
                    hint=did_you_mean(args.id, list(result.nodes), "các mục: " + ", ".join(result.areas)),
                )
            ]
        )
    sys.stdout.write(explain(result, args.id))
    return EXIT_OK
