"""`cchc check RULES`: every error and warning of a rule set, at once."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK, check_slots


def register(sub: Any) -> None:
    """Add the `check` parser."""
    p = sub.add_parser("check", help="kiểm tra bộ quy tắc (tệp .cchc hoặc thư mục), một hay nhiều bộ")
    p.add_argument(
        "rules",
        metavar="RULES",
        nargs="+",
        help="tệp .cchc hoặc thư mục chứa các tệp của một bộ quy tắc; nhiều bộ thì kiểm tra từng bộ",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.add_argument("--strict", action="store_true", help="coi cảnh báo là lỗi")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check, prove, and report each rule set given; exit 1 when any has errors (or warnings with --strict).

    Each rule set is checked on its own, as if given alone. With one rule set the JSON is
    `{"ok", "diagnostics"}`; with several, `{"ok", "rule_sets": [...]}`, one such object per rule set,
    with its `rules` path.
    """
    check_slots(args)
    as_json = args.format == "json"
    reports = [_checked(path, args.strict, as_json) for path in args.rules]
    failed = any(not ok for ok, _ in reports)
    if as_json:
        sets = [
            {"rules": path, "ok": ok, "diagnostics": found}
            for path, (ok, found) in zip(args.rules, reports, strict=True)
        ]
        payload: dict[str, Any] = {"ok": not failed}
        if len(sets) == 1:
            payload["diagnostics"] = sets[0]["diagnostics"]
        else:
            payload["rule_sets"] = sets
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif len(reports) > 1:
        bad = sum(not ok for ok, _ in reports)
        summary = f"{len(reports)} bộ quy tắc: {len(reports) - bad} hợp lệ, {bad} không đạt"
        (sys.stderr if failed else sys.stdout).write(summary + "\n")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _checked(path: str, strict: bool, as_json: bool) -> tuple[bool, list[dict[str, Any]]]:
    """One rule set checked and proved: whether it passes, and its findings as JSON. In text its findings
    and verdict are written at once, before the next rule set is read."""
    from cchc_rules.analysis import check_and_prove
    from cchc_rules.errors import CchcError
    from cchc_rules.inherit import load_resolved
    from cchc_rules.numbers import vi

    try:
        found, checked = check_and_prove(load_resolved(path))
    except CchcError as exc:  # unreadable or not in the language: reported like every other finding
        found, checked = list(exc.diagnostics), None
    errors = [d for d in found if d.severity == "error"]
    warnings = [d for d in found if d.severity == "warning"]
    failed = bool(errors) or (strict and bool(warnings))
    if as_json:
        return not failed, [d.model_dump(mode="json") for d in found]
    for d in found:
        sys.stderr.write(d.render() + "\n")
    summary = f"{len(errors)} lỗi, {len(warnings)} cảnh báo"
    if failed:
        sys.stderr.write(f"{path}: không đạt ({summary})\n")
    elif checked is not None:
        total = "" if checked.header.total is None else vi(checked.header.total)
        sys.stdout.write(
            f"{path}: hợp lệ ({summary}): {checked.header.name}; "
            f"{len(checked.order)} mục, {len(checked.facts)} dữ kiện, tổng điểm {total}\n"
        )
    return not failed, []
