"""`cchc audit RULES FACTS CLAIMS`: where a unit's claimed scores do not follow from its facts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK, FACTS_HELP, RULES_HELP, load, warn


def register(sub: Any) -> None:
    """Add the `audit` parser."""
    p = sub.add_parser("audit", help="đối chiếu điểm đơn vị khai với điểm tính từ dữ kiện")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument("facts", metavar="FACTS", help=FACTS_HELP)
    p.add_argument("claims", metavar="CLAIMS", help="tệp YAML ghi điểm đơn vị khai và các khoản mất điểm")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print every discrepancy; exit 1 when there is any, for scripts."""
    from cchc_rules.audit import audit, audit_json, check_unit, read_claims, render_audit
    from cchc_rules.facts import read_facts, year_warning

    rules = load(args.rules)
    claims = read_claims(args.claims)
    raw = read_facts(args.facts)
    warn(year_warning(raw, rules.checked))
    check_unit(claims, raw.unit)
    result, findings = audit(rules, rules.facts(raw), claims)
    if args.format == "json":
        sys.stdout.write(json.dumps(audit_json(claims, result, findings), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_audit(claims, result, findings))
    return EXIT_BAD_INPUT if findings else EXIT_OK
