"""The `cchc` command: check rule sets, evaluate units, explain scores.

Exit codes: 0 success, 1 bad input (rules, facts, an unknown criterion),
2 usage errors. No traceback is shown for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from cchc_rules.commands.common import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_PIPE_CLOSED, EXIT_USAGE

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


# argparse's own messages, in Vietnamese (matched on its English text, which is stable across versions).
_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), r"thiếu tham số bắt buộc: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"không hiểu tham số: \1"),
    (re.compile(r"ambiguous option: (\S+) could match (.*)"), r"tuỳ chọn \1 chưa rõ: có thể là \2"),
    (re.compile(r"one of the arguments (.*) is required"), r"cần một trong các tham số \1"),
    (
        re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"),
        r"tham số \1: không có \2; chọn một trong: \3",
    ),
    (re.compile(r"argument (\S+): expected one argument"), r"tham số \1 cần một giá trị"),
    (re.compile(r"argument (\S+): expected at least one argument"), r"tham số \1 cần ít nhất một giá trị"),
    (re.compile(r"argument (\S+): invalid \S+ value: (.*)"), r"tham số \1: giá trị \2 không hợp lệ"),
    (re.compile(r"argument (\S+): not allowed with argument (.*)"), r"tham số \1 không dùng cùng \2"),
    (re.compile(r"argument (\S+): ignored explicit argument '(.*)'"), r"tham số \1 không nhận giá trị: bỏ `=\2`"),
    (re.compile(r"argument (\S+): (.*)"), r"tham số \1: \2"),
)


def vietnamese(message: str) -> str:
    """One of argparse's error messages in Vietnamese (as it is when none matches), with a suggestion
    for a misspelt choice."""
    from cchc_rules.errors import suggest

    for pattern, replacement in _MESSAGES:
        found = pattern.fullmatch(message)
        if found:
            out = pattern.sub(replacement, message)
            if found.re.groups == 3:  # an invalid choice: the value and the choices, quoted as cchc quotes
                choices = re.findall(r"'([^']*)'", found.group(3)) or found.group(3).split(", ")
                given = found.group(2).strip("'")
                listed = ", ".join(f"`{c}`" for c in choices)
                out = f"tham số {found.group(1)}: không có `{given}`; chọn một trong: {listed}"
                close = suggest(given, choices)
                out += f"\n    gợi ý: có phải ý bạn là `{close}`?" if close else ""
            return out
    return message


class _Formatter(argparse.HelpFormatter):
    """Help with a Vietnamese "usage" line."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "cách dùng: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with Vietnamese help, Vietnamese usage errors and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tuỳ chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.refuse(vietnamese(message))

    def refuse(self, message: str, hint: str = "") -> None:
        """A usage error (exit 2) under this parser's usage line, said in Vietnamese, with a hint."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi cách dùng: {message}\n" + (f"    gợi ý: {hint}\n" if hint else ""))


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


def _command_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The parser of `command` (the top one when there is none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return parser


def _options_before_the_command(parser: argparse.ArgumentParser, words: list[str]) -> None:
    """`cchc --strict check R`, `cchc --format json check R`: a command's options typed before its name,
    which argparse would report as not understood, or take `json` for the command. Said by `cchc`, with
    the line as it should be typed."""
    commands = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    at = next((i for i, word in enumerate(words) if word in commands), 0)
    early = words[:at]
    if not any(word.startswith("-") and word not in _TOP_OPTIONS for word in early):
        return
    own: argparse.ArgumentParser = commands[words[at]]
    hint = ""
    actions = own._option_string_actions
    if all(word.split("=")[0] in actions for word in early if word.startswith("-")):
        # `--strict=1`: a switch takes no value, so the line shown drops it rather than fail again.
        typed = [w.split("=")[0] if w.startswith("-") and actions[w.split("=")[0]].nargs == 0 else w for w in early]
        hint = f"tuỳ chọn của lệnh phải đặt sau tên lệnh: `{' '.join(['cchc', words[at], *typed, '…'])}`"
    assert isinstance(parser, _Parser)
    parser.refuse(f"không hiểu tham số: {' '.join(early)}", hint)


def _intermixed(
    own: argparse.ArgumentParser, args: argparse.Namespace, words: list[str], extra: list[str]
) -> tuple[argparse.Namespace, list[str]]:
    """A command's words read again with its options anywhere among its files: argparse takes the files
    in runs between options, so `explain R F A --round 2 7.2.2` left `7.2.2` over, "not understood"."""
    at = words.index(args.command)
    try:
        again, left = own.parse_known_intermixed_args(words[at + 1 :])
    except TypeError:  # a parser argparse cannot read intermixed: the first reading stands
        return args, extra
    for name in ("command", "version", "usage"):
        setattr(again, name, getattr(args, name))
    return again, left


# The options of `cchc` itself; every other option belongs to a command.
_TOP_OPTIONS = ("-h", "--help", "--version")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    # A file name that is not UTF-8 (unpacked from a Windows-1258 zip) reaches us as lone surrogates:
    # messages give its bytes back as they are, results on stdout stay valid UTF-8 ("?" for them).
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "surrogateescape")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors=errors)
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    _options_before_the_command(parser, words)
    args, extra = parser.parse_known_args(words)
    # Usage errors are said by the command's own parser, under its usage line, not the top one's; so are
    # those the command finds later (`commands.common.usage_error`).
    said_by = args.usage = _command_parser(parser, args.command)
    assert isinstance(said_by, _Parser)
    if extra and args.command is not None and not any(w.startswith("-") for w in extra):
        args, extra = _intermixed(said_by, args, words, extra)
    args.words = words  # the line as typed (a hint may give it back corrected)
    if extra:
        from cchc_rules.errors import suggest

        # `--fromat json`: the command's own option most like a misspelt one, as for commands and choices
        options = [o for o in said_by._option_string_actions if o.startswith("--")]
        typed = [w.split("=")[0] for w in extra if w.startswith("--")]
        close = next((c for w in typed if (c := suggest(w, options))), None)
        hint = f"có phải ý bạn là `{close}`?" if close else ""
        said_by.refuse(vietnamese(f"unrecognized arguments: {' '.join(extra)}"), hint)
    output = getattr(args, "output", None)
    if isinstance(output, str) and not output.strip():  # `-o ""`, a variable left unset: not the screen, not "."
        what = "tên thư mục" if args.command == "docs" else "tên tệp"  # docs writes a site, a folder
        empty = "trống" if output == "" else "chỉ có dấu cách"
        said_by.error(f"argument -o/--output: {what} {empty}")
    if output == "-":  # the screen, in many tools; here it would be a file named `-`
        screen = "dùng `-o /dev/stdout`" if args.command in ("rank", "template", "docs", "table") else "bỏ `-o`"
        said_by.refuse(
            "tham số -o/--output: `-` không phải màn hình ở đây mà sẽ là một tệp tên `-`",
            f"để in ra màn hình, {screen}; để ghi ra tệp, đặt tên có đuôi, vd `-o ket-qua.json`",
        )
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
    except BrokenPipeError:
        # `cchc ... | head`: the reader closed the pipe. Not cchc's fault, so no "internal error"; but
        # the command did not finish (a failing `test` must not pass for a success under pipefail):
        # 141, as a program the pipe's signal stopped. What is left goes nowhere, so that flushing at
        # exit does not fail again (Python's signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
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
    try:
        code = main()
    except KeyboardInterrupt:  # Ctrl-C, even while loading: the user's wish, not a crash; no file is left half written
        sys.stderr.write("\nđã dừng (Ctrl-C) trước khi lệnh chạy xong\n")
        code = EXIT_INTERRUPTED
    sys.exit(code)


if __name__ == "__main__":
    run()
