"""The `cchc` command: check rule sets, evaluate units, explain scores.

Exit codes: 0 success, 1 bad input (rules, facts, an unknown criterion),
2 usage errors. No traceback is shown for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cchc_rules.ruleset import RuleSet

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


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

    p = sub.add_parser("check", help="kiểm tra một bộ quy tắc (tệp .cchc hoặc thư mục)")
    p.add_argument("rules", metavar="RULES", help="tệp .cchc hoặc thư mục chứa các tệp .cchc")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.add_argument("--strict", action="store_true", help="coi cảnh báo là lỗi")

    p = sub.add_parser("eval", help="chấm điểm một đơn vị từ tệp dữ kiện")
    p.add_argument("rules", metavar="RULES")
    p.add_argument("facts", metavar="FACTS", help="tệp dữ kiện YAML hoặc JSON")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng kết quả")
    p.add_argument("--trace", action="store_true", help="(JSON) kèm dấu vết tính điểm của từng mục")
    p.add_argument("-o", "--output", metavar="FILE", help="ghi ra tệp thay vì màn hình")

    p = sub.add_parser("explain", help="giải thích cách tính điểm một mục, đến từng dữ kiện")
    p.add_argument("rules", metavar="RULES")
    p.add_argument("facts", metavar="FACTS")
    p.add_argument("id", metavar="ID", help="mã tiêu chí, vd 7.2.2")
    return parser


def _emit(text: str, output: str | None, inputs: Sequence[str]) -> None:
    if output:
        from cchc_rules.output import write_atomic

        write_atomic(output, text, inputs)
    else:
        sys.stdout.write(text)


def _load(path: str) -> RuleSet:
    from cchc_rules.ruleset import load

    return load(path)


def cmd_check(args: argparse.Namespace) -> int:
    """`cchc check RULES`: every error and warning, at once."""
    from cchc_rules.analysis import check_and_prove
    from cchc_rules.loader import load_source

    found, checked = check_and_prove(load_source(args.rules))
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
            sys.stdout.write(
                f"{args.rules}: hợp lệ ({summary}): {checked.header.name}; "
                f"{len(checked.order)} mục, {len(checked.facts)} dữ kiện, tổng điểm {checked.header.total}\n"
            )
    return EXIT_BAD_INPUT if failed else EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """`cchc eval RULES FACTS`: the unit's scores, as text or JSON."""
    result = _load(args.rules).evaluate(args.facts, trace=args.trace)
    if args.format == "json":
        text = result.to_json(trace=args.trace)
    else:
        from cchc_rules.render.text import render_text

        text = render_text(result)
    _emit(text, args.output, (args.rules, args.facts))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    """`cchc explain RULES FACTS ID`: one node's derivation down to its facts."""
    from cchc_rules.errors import CchcError, Diagnostic, suggest
    from cchc_rules.render.explain import explain

    result = _load(args.rules).evaluate(args.facts)
    if args.id not in result:
        close = suggest(args.id, list(result.nodes))
        raise CchcError(
            [
                Diagnostic(
                    code="E111",
                    severity="error",
                    message=f"bộ quy tắc không có mục `{args.id}`",
                    hint=f"có phải ý bạn là `{close}`?" if close else "các mục: " + ", ".join(result.areas),
                )
            ]
        )
    sys.stdout.write(explain(result, args.id))
    return EXIT_OK


COMMANDS = {"check": cmd_check, "eval": cmd_eval, "explain": cmd_explain}


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
        return COMMANDS[args.command](args)
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
