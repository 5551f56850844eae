"""`cchc fmt [--check] PATHS...`: rewrite rule files in the canonical layout (comments kept)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK


def register(sub: Any) -> None:
    """Add the `fmt` parser."""
    p = sub.add_parser("fmt", help="trình bày lại tệp quy tắc theo một bố cục chuẩn (giữ chú thích)")
    p.add_argument("paths", metavar="PATHS", nargs="+", help="tệp .cchc hoặc thư mục")
    p.add_argument("--check", action="store_true", help="không ghi; liệt kê tệp cần trình bày lại, thoát 1 nếu có")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Format every file; with --check, only list those that would change."""
    from cchc_rules.errors import CchcError
    from cchc_rules.formatter import format_source
    from cchc_rules.loader import RULE_SUFFIX, read_source
    from cchc_rules.output import write_atomic
    from cchc_rules.paths import missing_path_hint

    files: list[Path] = []
    for item in map(Path, args.paths):
        if item.is_dir():
            files += sorted(p for p in item.rglob(f"*{RULE_SUFFIX}") if p.is_file())
        elif item.exists():
            files.append(item)
        else:
            hint = missing_path_hint(item, (RULE_SUFFIX,))
            # Said as `cchc check` says it: the same error for the same mistake.
            sys.stderr.write(
                f"lỗi [E000]: {item}: không có tệp hay thư mục này\n" + (f"    gợi ý: {hint}\n" if hint else "")
            )
            return EXIT_BAD_INPUT
    failed = False
    changed = []
    for path in files:
        try:
            source = read_source(path)
            formatted = format_source(source)
        except CchcError as exc:
            sys.stderr.write(exc.render() + "\n")
            failed = True
            continue
        if formatted.encode("utf-8") != path.read_bytes():
            changed.append(path)
            if not args.check:
                write_atomic(path, formatted)
    for path in changed:
        sys.stdout.write(f"{'cần trình bày lại' if args.check else 'đã trình bày lại'}: {path}\n")
    if failed or (args.check and changed):
        return EXIT_BAD_INPUT
    return EXIT_OK
