"""The `cchc` command: check rule sets, evaluate units, explain scores.

Exit codes: 0 success, 1 bad input (rules, facts, an unknown criterion),
2 usage errors. No traceback is shown for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE

# The subcommands, each a module of cchc_rules.commands, in the order `--help` lists them.
COMMANDS = (
    "check",
    "evaluate",
    "explain",
    "report",
    "table",
    "audit",
    "whatif",
    "show",
    "diff",
    "fmt",
    "test",
    "docs",
    "template",
    "rank",
)


class _Parser(argparse.ArgumentParser):
    """argparse with Vietnamese usage errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi cách dùng: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (kept importable for the docs and the tests)."""
    parser = _Parser(
        prog="cchc",
        description="Chấm điểm Chỉ số cải cách hành chính (CCHC) theo bộ quy tắc.",
    )
    parser.add_argument("--version", action="store_true", help="in phiên bản rồi thoát")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"cchc_rules.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from cchc_rules import __version__

        sys.stdout.write(f"cchc {__version__}\n")
        return EXIT_OK
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from cchc_rules.errors import CchcError

    try:
        code: int = args.handler(args)
        return code
    except CchcError as exc:
        sys.stderr.write(exc.render() + "\n")
        return EXIT_BAD_INPUT
    except RecursionError:
        sys.stderr.write("lỗi: dữ liệu lồng nhau quá sâu để xử lý\n")
        return EXIT_BAD_INPUT
    except Exception as exc:  # an internal error: no traceback for users, unless asked for
        if os.environ.get("CCHC_DEBUG"):
            raise
        sys.stderr.write(
            f"lỗi nội bộ của cchc ({type(exc).__name__}: {exc}).\n"
            "Đây là lỗi của chương trình, không phải của dữ liệu; đặt CCHC_DEBUG=1 để xem chi tiết và báo lại.\n"
        )
        return 70


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
