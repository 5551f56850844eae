"""Reading a rule set from disk: one .cchc file or a folder of them, parsed into ASTs."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.build import build_module
from cchc_rules.errors import (
    CchcError,
    Diagnostic,
    RuleLoadError,
    RuleSyntaxError,
    os_error_text,
)
from cchc_rules.limits import MAX_RULE_FILES, vi_count
from cchc_rules.parser import TokenBudget, parse_tree
from cchc_rules.paths import missing_path_hint
from cchc_rules.source import FileTooLarge, NotUtf8, SourceFile, Span

RULE_SUFFIX = ".cchc"


class RuleSource(BaseModel):
    """Every file of a rule set, read and parsed, not yet checked."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # holds syntax nodes: see ast.py

    sources: tuple[SourceFile, ...]
    modules: tuple[ast.Module, ...]
    # Facts an earlier year declared and a later one removed (`remove fact`): last year's facts
    # files still carry them, and they are set aside, not refused as undeclared.
    retired_facts: frozenset[str] = frozenset()
    # Criteria an earlier year had and a later one removed (`remove ID`), to say so when one is named again.
    retired_criteria: frozenset[str] = frozenset()
    # The files of earlier years (`extends`), whose items a problem may point into.
    inherited_files: frozenset[str] = frozenset()
    # What applying this year's changes found worth a warning (W215), reported with the checker's.
    warnings: tuple[Diagnostic, ...] = ()


def _load_error(path: Path, message: str, hint: str = "", code: str = "E000") -> RuleLoadError:
    return RuleLoadError([Diagnostic(code=code, severity="error", message=f"{path}: {message}", hint=hint)])


def read_source(path: Path) -> SourceFile:
    """Read one rule file as NFC text, turning OS and encoding failures into our errors."""
    try:
        return SourceFile.read(path)
    except NotUtf8 as exc:
        raise RuleLoadError(
            [
                Diagnostic(
                    code="E000",
                    severity="error",
                    message=f"tệp không phải UTF-8 (byte lỗi thứ {exc.offset + 1})",
                    span=Span(
                        file=str(path), line=exc.line, column=exc.column, end_line=exc.line, end_column=exc.column
                    ),
                    hint=exc.hint,
                )
            ]
        ) from None
    except FileTooLarge as exc:
        raise _load_error(
            path,
            f"tệp lớn hơn {vi_count(exc.limit // 1024)} KB; không đọc",
            "một tệp quy tắc thật chỉ vài chục KB; kiểm tra lại đường dẫn",
            code="E004",
        ) from None
    except OSError as exc:
        raise _load_error(path, f"không đọc được tệp: {os_error_text(exc)}") from None


def parse_source(source: SourceFile, budget: TokenBudget | None = None) -> ast.Module:
    """Parse and build one file's AST; `budget` is shared by the files of one rule set."""
    return build_module(source, parse_tree(source, budget))


def rule_files(path: Path) -> list[Path]:
    """The .cchc files a RULES argument names, in a stable order.

    In a folder, a file that is a link to somewhere outside the folder is an
    error, not read: a rule set is exactly what its folder holds. (Links to
    folders are never followed.)
    """
    if path.is_dir():
        root = path.resolve()
        files: list[Path] = []
        for file in path.rglob(f"*{RULE_SUFFIX}"):
            if not file.is_file():
                continue
            if not file.resolve().is_relative_to(root):
                raise _load_error(
                    file,
                    "tệp là liên kết trỏ ra ngoài thư mục quy tắc; không đọc",
                    "chép tệp vào thư mục quy tắc thay vì dùng liên kết",
                )
            files.append(file)
            if len(files) > MAX_RULE_FILES:
                raise _load_error(
                    path,
                    f"thư mục có hơn {vi_count(MAX_RULE_FILES)} tệp {RULE_SUFFIX}",
                    "chỉ ra đúng thư mục của một bộ quy tắc",
                    code="E004",
                )
        if not files:
            raise _load_error(path, f"thư mục không có tệp {RULE_SUFFIX} nào")
        return sorted(files)
    if not path.exists():
        raise _load_error(path, "không có tệp hay thư mục này", missing_path_hint(path, (RULE_SUFFIX,)))
    return [path]


def load_source(path: Path | str, budget: TokenBudget | None = None) -> RuleSource:
    """Read and parse a rule file or folder; syntax errors of every file are reported together.

    `budget` is shared with the rule sets this one extends, so a chain of them is as bounded as one.
    """
    files = rule_files(Path(path))
    sources: list[SourceFile] = []
    modules: list[ast.Module] = []
    problems: list[Diagnostic] = []
    budget = budget or TokenBudget()
    for file in files:
        source = read_source(file)
        sources.append(source)
        try:
            modules.append(parse_source(source, budget))
        except CchcError as exc:
            problems.extend(exc.diagnostics)
            if budget.used > budget.limit:  # the rest of the files would only repeat it
                break
    if problems:
        raise RuleSyntaxError(problems)
    return RuleSource.model_construct(sources=tuple(sources), modules=tuple(modules))
