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
    from cchc_rules.diff import diff_json, diff_rules, movements, render_diff, score
    from cchc_rules.facts import read_facts

    old, new = load(args.old, args), load(args.new, args)
    changes = diff_rules(old.checked, new.checked)
    moved = None
    sides = None
    if args.facts:
        raw = read_facts(args.facts)
        # The same unit under both years' rules: each side reads the facts it declares, and a fact the
        # file lacks leaves unknown only the scores that need it.
        before, after = score(old, raw, args.old), score(new, raw, args.new)
        moved = movements(changes, old.checked, new.checked, before, after)
        sides = (before, after)
    if args.format == "json":
        payload = diff_json(old.checked, new.checked, changes, moved, sides)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_diff(old.checked, new.checked, changes, moved, sides))
    return EXIT_OK
