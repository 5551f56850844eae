"""What the subcommands share: exit codes, writing output, loading rules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from cchc_rules.errors import Diagnostic, FactsError
    from cchc_rules.rounds import Round
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


def usage_error(args: argparse.Namespace, message: str, hint: str = "") -> NoReturn:
    """A usage error (exit 2) found once the arguments are read: said, as argparse's own are, by the
    command under its usage line (`cli` leaves the command's parser in `args.usage`)."""
    parser = getattr(args, "usage", None)
    if parser is not None:
        parser.refuse(message, hint)
    sys.stderr.write(f"cchc {args.command}: lỗi cách dùng: {message}\n" + (f"    gợi ý: {hint}\n" if hint else ""))
    raise SystemExit(EXIT_USAGE)


def require_output(args: argparse.Namespace, what: str) -> None:
    """Binary formats go to a file: a usage error (exit 2) when `-o` is missing."""
    if not args.output:
        usage_error(args, f"định dạng {what} cần tệp ghi ra, thêm `-o TỆP.{what}`")


def load(path: str, args: argparse.Namespace | None = None) -> RuleSet:
    """Load and check a rule set (raises CchcError on bad input); given the command's `args`, a file in
    the wrong slot is a usage error first (`check_slots`)."""
    from cchc_rules.ruleset import load as load_rules

    if args is not None:
        check_slots(args)
    return load_rules(path)


# ---- files given in the wrong slot ---------------------------------------------------------------------

# The arguments that name a rule set, and those that name data, with what each slot is called in the usage
# line and, for data, what it takes.
_RULE_SLOTS = {"rules": "RULES", "old": "OLD", "new": "NEW"}
_DATA_SLOTS = {
    "facts": ("FACTS", "tệp dữ kiện (.yaml hoặc .json)"),
    "claims": ("CLAIMS", "tệp điểm tự khai (.yaml)"),
    "input": ("INPUT", "thư mục tệp dữ kiện, tệp .jsonl hoặc bảng tính .xlsx"),
}
# What cchc reads as data, never as rules, by suffix: what the file is, and what it holds.
_YAML = ("tệp dữ liệu YAML", "dữ kiện, thẩm định hay điểm tự khai")
_UNITS = "dữ kiện của nhiều đơn vị, cho `cchc rank`"
_DATA_KINDS = {
    ".yaml": _YAML,
    ".yml": _YAML,
    ".json": ("tệp dữ liệu JSON", "dữ kiện"),
    ".jsonl": ("tệp dữ liệu JSON Lines", _UNITS),
    ".ndjson": ("tệp dữ liệu JSON Lines", _UNITS),
    ".xlsx": ("bảng tính dữ liệu", _UNITS),
    ".xlsm": ("bảng tính dữ liệu", _UNITS),
}


def _slots(args: argparse.Namespace, names: Sequence[str]) -> list[tuple[str, str]]:
    """Each (attribute, path) of `args` among `names`, a list argument (FACTS...) giving one pair per path."""
    out: list[tuple[str, str]] = []
    for name in names:
        value = getattr(args, name, None)
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, str):
                out.append((name, path))
    return out


def _data_kind(path: str) -> tuple[str, str] | None:
    """What a file that cchc reads as data is, and holds (`_DATA_KINDS`); None for anything else, or no file."""
    kind = _DATA_KINDS.get(Path(path).suffix.lower())
    try:
        return kind if kind is not None and Path(path).is_file() else None
    except OSError:
        return None


def _holds_rules(path: str) -> bool:
    """A .cchc file, or a folder with one in it (only asked once a slot already looks wrong: a walk)."""
    try:
        found = Path(path)
        if found.is_dir():
            return next(found.rglob("*.cchc"), None) is not None
        return found.suffix.lower() == ".cchc" and found.is_file()
    except OSError:
        return False


def _is_dir(path: str) -> bool:
    try:
        return Path(path).is_dir()
    except OSError:
        return False


def _slot_name(args: argparse.Namespace, name: str) -> str:
    if name in _RULE_SLOTS:
        return _RULE_SLOTS[name]
    return "--facts" if args.command == "diff" and name == "facts" else _DATA_SLOTS[name][0]


def check_slots(args: argparse.Namespace) -> None:
    """A data file given where the rule set goes, or a rule file where data goes: a usage error (exit 2)
    naming what the file is and where it belongs, said before anything is read. Without it a facts file
    read as rules fails on its first line (E001), a rule file read as facts on a `:` (F001).

    Only names and kinds of paths are looked at (the suffix, file or folder): a file whose suffix fits its
    slot is not even looked up. What a YAML file holds (claims, an appraisal) is the facts reader's to say."""
    rules = _slots(args, list(_RULE_SLOTS))
    data = _slots(args, list(_DATA_SLOTS))
    for name, path in rules:
        kind = _data_kind(path)
        if kind is None:
            continue
        swapped = next(((other, p) for other, p in data if _holds_rules(p)), None)
        if swapped is not None:
            _swapped(args, (name, path, kind[0]), swapped)
        slot = _slot_name(args, name)
        usage_error(
            args,
            f"{slot} là `{path}`, một {kind[0]} ({kind[1]}), không phải tệp quy tắc",
            f"{slot} là tệp .cchc hoặc thư mục chứa các tệp .cchc",
        )
    for name, path in data:
        if Path(path).suffix.lower() != ".cchc" or not _holds_rules(path):
            continue
        for rule_name, rule_path in rules:
            # a data file there, or a folder without rules (`rank`'s folder of facts files); a file of another
            # name may be a rule file all the same, and is left to be read
            known = _data_kind(rule_path)
            if known is not None:
                _swapped(args, (rule_name, rule_path, known[0]), (name, path))
            if _is_dir(rule_path) and not _holds_rules(rule_path):
                _swapped(args, (rule_name, rule_path, "thư mục không có tệp .cchc"), (name, path))
        slot = _slot_name(args, name)
        usage_error(
            args,
            f"{slot} là `{path}`, một tệp quy tắc, không phải {_DATA_SLOTS[name][1]}",
            "tệp quy tắc chỉ đặt ở chỗ " + (", ".join(_slot_name(args, n) for n, _ in rules) or "RULES"),
        )


def _swapped(args: argparse.Namespace, rule: tuple[str, str, str], data: tuple[str, str]) -> NoReturn:
    """Data where the rules go and rules where the data goes: most likely the two typed in each other's place."""
    (rule_name, rule_path, kind), (data_name, data_path) = rule, data
    rule_slot, data_slot = _slot_name(args, rule_name), _slot_name(args, data_name)
    message = (
        f"có vẻ {rule_slot} và {data_slot} bị đổi chỗ: {rule_slot} là `{rule_path}` ({kind}), "
        f"{data_slot} là `{data_path}` (tệp quy tắc)"
    )
    want = _DATA_SLOTS[data_name][1]
    hint = f"tệp quy tắc (.cchc) ở chỗ {rule_slot}, {want} ở chỗ {data_slot}"
    positional = [p for _, p in _slots(args, ["rules", "facts", "claims", "input", "id"])]
    if args.command != "diff" and rule_name == "rules" and positional[:2] == [rule_path, data_path]:
        # the line as it should have been typed, when the two are the first two arguments: the whole line,
        # options included, so that it can be pasted as it is
        import shlex  # only on this error: not on every start

        words = getattr(args, "words", None)
        if words is not None and rule_path in words and data_path in words:
            fixed = [data_path if w == rule_path else rule_path if w == data_path else w for w in words]
            line = shlex.join(fixed)
        else:  # parsed elsewhere than `cli.main`: the two alone, the rest marked
            line = f"{args.command} {data_path} {rule_path}" + (" …" if len(positional) > 2 else "")
        hint = f"tệp quy tắc (.cchc) đứng trước, {want} sau: `cchc {line}`"
    usage_error(args, message, hint)


# ---- an appraisal file given alone ---------------------------------------------------------------------


def unit_rounds(args: argparse.Namespace, rules: RuleSet) -> list[Round]:
    """The rounds of the unit that FACTS names (`rounds.read_rounds`), with the year warning said and an
    appraisal file given alone said so (`_appraisal_alone`)."""
    from cchc_rules.errors import FactsError
    from cchc_rules.facts import read_facts, year_warning
    from cchc_rules.rounds import read_rounds

    paths = args.facts if isinstance(args.facts, list) else [args.facts]
    try:
        rounds = read_rounds(paths, rules)
    except FactsError as exc:
        if len(paths) != 1 or not any(d.code == "F002" for d in exc.diagnostics):
            raise
        raise _appraisal_alone(exc, read_facts(paths[0]).round, args) from None  # read again: only on error
    warn(year_warning(rounds[0].facts, rules.checked))
    return rounds


def _appraisal_alone(exc: FactsError, round_name: str, args: argparse.Namespace) -> FactsError:
    """One facts file that names its own round (`round: Thẩm định vòng 1`) and lacks facts (F002) is most
    likely an appraisal file, which writes only the facts the appraisers changed: the hint says where it
    goes instead of asking for every fact. Several files are `rounds.read_rounds`'s to order."""
    from cchc_rules.errors import FactsError
    from cchc_rules.rounds import SELF_ASSESSMENT, appraisal_first
    from cchc_rules.source import name_key

    if not round_name or name_key(round_name) == name_key(SELF_ASSESSMENT):
        return exc
    several = isinstance(args.facts, list)
    path = args.facts[0] if several else args.facts
    said = f"tệp có `round: {round_name}`: có vẻ là tệp thẩm định, chỉ ghi các dữ kiện được sửa"
    if several:
        line = f"cchc {args.command} RULES FACTS {path}" + (" ID" if args.command == "explain" else "")
        said += f"; đặt nó sau tệp dữ kiện đủ của đơn vị (tệp tự đánh giá): `{line}`"
    else:
        said += f"; `cchc {args.command}` cần tệp dữ kiện đủ của đơn vị (tệp tự đánh giá)"
    return FactsError([appraisal_first(d, said) if d.code == "F002" else d for d in exc.diagnostics])
