"""`cchc show RULES`: the resolved rule set (after `extends`), printed in the canonical layout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_OK, RULES_HELP, load


def register(sub: Any) -> None:
    """Add the `show` parser."""
    p = sub.add_parser("show", help="in bộ quy tắc sau khi kế thừa (extends, override, remove)")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument("--tree", action="store_true", help="chỉ in cây tiêu chí với điểm tối đa")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Resolve, check, and print."""
    from cchc_rules import printer
    from cchc_rules.numbers import vi

    rules = load(args.rules, args)  # checked: what is shown is what is evaluated
    checked = rules.checked
    if args.tree:
        lines = [checked.header.name]
        for node_id in (*checked.order, *checked.adjustments):
            crit = checked.nodes[node_id]
            depth = node_id.count(".") if crit.kind == "criterion" else 0
            maximum = vi(crit.max) if crit.max is not None else "?"
            lines.append(f"{'  ' * depth}{node_id} {crit.title} ({maximum})")
        sys.stdout.write("\n".join(lines) + "\n")
        return EXIT_OK
    from cchc_rules import ast

    module = ast.Module.model_construct(
        span=checked.header.span,
        file=checked.header.span.file,
        header=checked.header,
        facts=tuple(checked.facts.values()),
        criteria=tuple(checked.nodes[i] for i in (*checked.order, *checked.adjustments)),
    )
    sys.stdout.write(printer.module(module))
    return EXIT_OK
