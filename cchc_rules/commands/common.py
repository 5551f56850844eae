"""What the subcommands share: exit codes, writing output, loading rules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from cchc_rules.errors import Diagnostic
    from cchc_rules.ruleset import RuleSet

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
# The reader of the output closed the pipe before the command finished (128 + SIGPIPE, as shells report it).
EXIT_PIPE_CLOSED = 141
# Stopped with Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


RULES_HELP = "tệp .cchc hoặc thư mục chứa các tệp .cchc"
FACTS_HELP = "tệp dữ kiện của đơn vị (.yaml hoặc .json)"


def emit(data: str | bytes, output: str | None, inputs: Sequence[str], keep_data: bool = True) -> None:
    """Write to `output` atomically (never over one of `inputs`, nor, with `keep_data`, over a file of what
    cchc reads: `output.refuse_data`), or text to standard output."""
    if output:
        from cchc_rules.output import write_atomic

        write_atomic(output, data, inputs, keep_data=keep_data)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)


def warn(*found: Diagnostic | None) -> None:
    """Print warnings to standard error: the output goes on, to standard output or the file."""
    for diagnostic in found:
        if diagnostic is not None:
            sys.stderr.write(diagnostic.render() + "\n")


def inputs_of(rules: RuleSet, *paths: str) -> tuple[str, ...]:
    """What `-o` must never overwrite: the paths given, and every rule file the rule set was read from
    (the files it extends too)."""
    return (*paths, *(source.name for source in rules.checked.sources))


# What an output file's name says about its format.
_SUFFIX_FORMATS = {
    ".txt": "text",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".csv": "csv",
}


# What cchc reads and never writes: a result with one of these names would be taken for input next time.
_READ_ONLY_SUFFIXES = {".yaml": "dữ kiện, thẩm định", ".yml": "dữ kiện, thẩm định", ".cchc": "quy tắc"}


def _has_data(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def output_format(args: argparse.Namespace, choices: Sequence[str], default: str | None) -> str | None:
    """The format to write: `--format` if given, else what `-o FILE`'s suffix names, else `default`.

    A usage error (exit 2) when `--format` and the suffix disagree, or the suffix names a format the
    command does not write: a Word file holding a workbook is refused by Word, far from the command
    that wrote it.
    """
    output = getattr(args, "output", None)
    suffix = Path(output).suffix.lower() if output else ""
    said = _SUFFIX_FORMATS.get(suffix)
    if suffix in _READ_ONLY_SUFFIXES and not _has_data(Path(output or "")):
        # A file of that name that holds data is refused later, by what it holds (O001, `output.refuse_data`).
        usage_error(
            args,
            f"không ghi ra tệp {suffix} (`{output}`): đó là đuôi của tệp mà cchc đọc ({_READ_ONLY_SUFFIXES[suffix]}); "
            "chọn tên tệp khác",
        )
    if args.format:
        if said is not None and said != args.format:
            usage_error(
                args, f"--format {args.format} nhưng tệp `{output}` có đuôi {suffix}; bỏ --format, hoặc đổi tên tệp"
            )
        return str(args.format)
    if said is not None:
        if said not in choices:
            shown = ", ".join(".txt" if c == "text" else f".{c}" for c in choices)
            usage_error(args, f"không ghi được tệp {suffix} (`{output}`); dùng {shown}")
        return said
    return default


def usage_error(args: argparse.Namespace, message: str) -> NoReturn:
    """A usage error (exit 2) found once the arguments are read: said, as argparse's own are, by the
    command under its usage line (`cli` leaves the command's parser in `args.usage`)."""
    parser = getattr(args, "usage", None)
    if parser is not None:
        parser.refuse(message)
    sys.stderr.write(f"cchc {args.command}: lỗi cách dùng: {message}\n")
    raise SystemExit(EXIT_USAGE)


def require_output(args: argparse.Namespace, what: str) -> None:
    """Binary formats go to a file: a usage error (exit 2) when `-o` is missing."""
    if not args.output:
        usage_error(args, f"định dạng {what} cần tệp ghi ra, thêm `-o TỆP.{what}`")


def load(path: str) -> RuleSet:
    """Load and check a rule set (raises CchcError on bad input)."""
    from cchc_rules.ruleset import load as load_rules

    return load_rules(path)
