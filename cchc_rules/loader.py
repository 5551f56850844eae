"""Reading a rule set from disk: one .cchc file or a folder of them, parsed into ASTs."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cchc_rules import ast
from cchc_rules.build import build_module
from cchc_rules.errors import CchcError, Diagnostic, RuleLoadError, RuleSyntaxError
from cchc_rules.parser import parse_tree
from cchc_rules.source import SourceFile

RULE_SUFFIX = ".cchc"


class RuleSource(BaseModel):
    """Every file of a rule set, read and parsed, not yet checked."""

    model_config = ConfigDict(frozen=True)

    sources: tuple[SourceFile, ...]
    modules: tuple[ast.Module, ...]


def _load_error(path: Path, message: str, hint: str = "") -> RuleLoadError:
    return RuleLoadError([Diagnostic(code="E000", severity="error", message=f"{path}: {message}", hint=hint)])


def read_source(path: Path) -> SourceFile:
    """Read one rule file as NFC text, turning OS and encoding failures into our errors."""
    try:
        return SourceFile.read(path)
    except UnicodeDecodeError as exc:
        raise _load_error(
            path,
            f"tệp không phải UTF-8 (byte lỗi ở vị trí {exc.start})",
            "lưu lại tệp với bảng mã UTF-8",
        ) from None
    except OSError as exc:
        raise _load_error(path, f"không đọc được tệp: {exc.strerror or exc}") from None


def parse_source(source: SourceFile) -> ast.Module:
    """Parse and build one file's AST."""
    return build_module(source, parse_tree(source))


def rule_files(path: Path) -> list[Path]:
    """The .cchc files a RULES argument names, in a stable order."""
    if path.is_dir():
        files = sorted(p for p in path.rglob(f"*{RULE_SUFFIX}") if p.is_file())
        if not files:
            raise _load_error(path, f"thư mục không có tệp {RULE_SUFFIX} nào")
        return files
    if not path.exists():
        raise _load_error(path, "không có tệp hay thư mục này")
    return [path]


def load_source(path: Path | str) -> RuleSource:
    """Read and parse a rule file or folder; syntax errors of every file are reported together."""
    files = rule_files(Path(path))
    sources: list[SourceFile] = []
    modules: list[ast.Module] = []
    problems: list[Diagnostic] = []
    for file in files:
        source = read_source(file)
        sources.append(source)
        try:
            modules.append(parse_source(source))
        except CchcError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise RuleSyntaxError(problems)
    return RuleSource(sources=tuple(sources), modules=tuple(modules))
