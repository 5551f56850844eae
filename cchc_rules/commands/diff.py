"""`cchc diff OLD NEW [--facts F]`: what changed between two rule sets, and how a unit's score moves."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_OK, load


def register(sub: Any) -> None:
    """Add the `diff` parser."""
    p = sub.add_parser("diff", help="so sánh hai bộ quy tắc (vd năm trước và năm nay)")
    p.add_argument("old", metavar="OLD", help="bộ quy tắc cũ")
    p.add_argument("new", metavar="NEW", help="bộ quy tắc mới")
    p.add_argument("--facts", metavar="F", help="tệp dữ kiện của một đơn vị: điểm thay đổi ra sao và vì sao")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the differences (and, with --facts, the score movements)."""
    from cchc_rules.diff import diff_json, diff_rules, movements, render_diff
    from cchc_rules.facts import read_facts

    old, new = load(args.old), load(args.new)
    changes = diff_rules(old.checked, new.checked)
    moved = None
    totals = None
    if args.facts:
        raw = read_facts(args.facts)
        # The same unit under both years' rules: each side reads the facts it declares.
        before = old.evaluate(
            raw.model_copy(update={"facts": {k: v for k, v in raw.facts.items() if k in old.checked.facts}})
        )
        after = new.evaluate(
            raw.model_copy(update={"facts": {k: v for k, v in raw.facts.items() if k in new.checked.facts}})
        )
        moved = movements(changes, before, after)
        totals = (before.score, after.score)
    if args.format == "json":
        payload = diff_json(old.checked, new.checked, changes, moved, totals)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_diff(old.checked, new.checked, changes, moved, totals))
    return EXIT_OK
