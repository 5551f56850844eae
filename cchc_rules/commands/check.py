"""`cchc check RULES`: every error and warning of a rule set, at once."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK, check_slots


def register(sub: Any) -> None:
    """Add the `check` parser."""
    p = sub.add_parser("check", help="kiểm tra một bộ quy tắc (tệp .cchc hoặc thư mục)")
    p.add_argument("rules", metavar="RULES", help="tệp .cchc hoặc thư mục chứa các tệp .cchc")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.add_argument("--strict", action="store_true", help="coi cảnh báo là lỗi")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check, prove, and report; exit 1 on errors (or warnings with --strict)."""
    from cchc_rules.analysis import check_and_prove
    from cchc_rules.errors import CchcError
    from cchc_rules.inherit import load_resolved
    from cchc_rules.numbers import vi

    check_slots(args)
    try:
        found, checked = check_and_prove(load_resolved(args.rules))
    except CchcError as exc:  # unreadable or not in the language: reported like every other finding
        found, checked = list(exc.diagnostics), None
    errors = [d for d in found if d.severity == "error"]
    warnings = [d for d in found if d.severity == "warning"]
    failed = bool(errors) or (args.strict and bool(warnings))
    if args.format == "json":
        payload = {"ok": not failed, "diagnostics": [d.model_dump(mode="json") for d in found]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for d in found:
            sys.stderr.write(d.render() + "\n")
        summary = f"{len(errors)} lỗi, {len(warnings)} cảnh báo"
        if failed:
            sys.stderr.write(f"{args.rules}: không đạt ({summary})\n")
        elif checked is not None:
            total = "" if checked.header.total is None else vi(checked.header.total)
            sys.stdout.write(
                f"{args.rules}: hợp lệ ({summary}): {checked.header.name}; "
                f"{len(checked.order)} mục, {len(checked.facts)} dữ kiện, tổng điểm {total}\n"
            )
    return EXIT_BAD_INPUT if failed else EXIT_OK
