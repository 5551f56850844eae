"""`cchc test PATH [--coverage]`: run the rule-set test cases (.tests.yaml) with a clear diff on failure."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK


def register(sub: Any) -> None:
    """Add the `test` parser."""
    p = sub.add_parser("test", help="chạy các trường hợp kiểm thử của bộ quy tắc (tệp .tests.yaml)")
    p.add_argument(
        "path",
        metavar="PATH",
        help="tệp .tests.yaml hoặc thư mục (vd rules); với một tệp .cchc, tệp .tests.yaml cùng tên bên cạnh nó",
    )
    p.add_argument("--coverage", action="store_true", help="liệt kê tiêu chí và bậc chưa trường hợp nào kiểm tra")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run every case file found; exit 1 if any case fails."""
    from pathlib import Path

    from cchc_rules.cases import find_case_files, render_outcome, run_file, tier_rows

    files = find_case_files(args.path)
    if not Path(args.path).is_dir() and files and files[0] != Path(args.path):  # a rule file: its test cases
        sys.stderr.write(f"{args.path} là tệp quy tắc: chạy các trường hợp kiểm thử của nó, trong {files[0]}\n")
    if not files:
        sys.stderr.write(f"{args.path}: không có tệp *.tests.yaml nào\n")
        return EXIT_BAD_INPUT
    failed = passed = 0
    for path in files:
        cases, rules, outcomes = run_file(path)
        sys.stdout.write(f"{path} ({cases.rules}):\n")
        for outcome in outcomes:
            sys.stdout.write(render_outcome(outcome) + "\n")
            passed += outcome.passed
            failed += not outcome.passed
        if args.coverage:
            branches = tier_rows(rules)
            hit = set().union(*(o.tiers for o in outcomes)) if outcomes else set()
            expected = {k for c in cases.cases for k in c.expect}
            untested = [i for i in (*rules.checked.order, *rules.checked.adjustments) if i not in expected]
            order = {node_id: i for i, node_id in enumerate((*rules.checked.order, *rules.checked.adjustments))}
            missed = sorted((k for k in branches if k not in hit), key=lambda k: (order.get(k[0], len(order)), k))
            total = len(branches)
            sys.stdout.write(
                f"  Độ phủ: {total - len(missed)}/{total} bậc; "
                f"{len(expected & set(rules.checked.nodes))}/{len(rules.checked.nodes)} mục có giá trị mong đợi\n"
            )
            for node_id, file, line in missed:  # file:line: the rows of a rule set that `extends` are in two files
                row = branches[(node_id, file, line)]
                sys.stdout.write(f"    bậc chưa kiểm tra: {node_id} ({file}:{line}): {row}\n")
            if untested:
                sys.stdout.write("    mục chưa có giá trị mong đợi: " + ", ".join(untested) + "\n")
    sys.stdout.write(f"{passed} đạt, {failed} không đạt\n")
    return EXIT_BAD_INPUT if failed else EXIT_OK
