"""`cchc audit RULES FACTS CLAIMS`: where a unit's claimed scores do not follow from its facts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK, FACTS_HELP, RULES_HELP, load, unit_rounds


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
    from cchc_rules.audit import ComparedRound, audit, audit_json, check_unit, read_claims, render_audit
    from cchc_rules.rounds import SELF_ASSESSMENT, evaluate_rounds

    rules = load(args.rules, args)
    # The facts first: a claims file given as FACTS (the two swapped) is said so by the facts reader, where
    # reading the facts file as claims would only find a key it does not know (`facts`).
    rounds = unit_rounds(args, rules)
    raw = rounds[0].facts
    claims = read_claims(args.claims)
    check_unit(claims, raw.unit)
    # Claims are what the unit says it scored: compared with the first round, the unit's own. A file with
    # rounds (or naming its own round) has the header say so, naming the round as the rounds feature does.
    compared = None
    if len(rounds) > 1 or rounds[0].name != SELF_ASSESSMENT:
        compared = ComparedRound(name=rounds[0].name, number=1, of=len(rounds))
    result, findings = audit(rules, rules.facts(raw), claims)
    # Every later round is evaluated too, as `cchc report` does: a bad value in one is said now, not when
    # the appraisers come to use the file.
    evaluate_rounds(rules, rounds[1:], trace=False)
    if args.format == "json":
        data = audit_json(claims, result, findings, compared)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_audit(claims, result, findings, compared))
    return EXIT_BAD_INPUT if findings else EXIT_OK
