"""`cchc docs RULES -o DIR`: the rulebook of a rule set in Markdown."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cchc_rules.commands.common import EXIT_OK, RULES_HELP, inputs_of, load


def register(sub: Any) -> None:
    """Add the `docs` parser."""
    p = sub.add_parser("docs", help="viết sổ tay bộ quy tắc (Markdown): mỗi tiêu chí, cách chấm, căn cứ, dữ kiện")
    p.add_argument("rules", metavar="RULES", help=RULES_HELP)
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="thư mục ghi sổ tay")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write DIR/<rule set>.md."""
    from cchc_rules.output import output_folder, write_atomic
    from cchc_rules.render.rulebook import rulebook

    rules = load(args.rules, args)
    folder = output_folder(args.output)
    target = folder / (Path(args.rules).stem + ".md")
    write_atomic(target, rulebook(rules.checked), inputs_of(rules, args.rules))
    sys.stdout.write(f"đã viết {target}\n")
    return EXIT_OK
