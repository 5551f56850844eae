"""Errors a user can cause, each owning its Vietnamese message.

Every error shows where it happened (file:line:column), the line with a caret,
what was expected and, where we can tell, a hint. The CLI prints `str(error)`
and exits 1; no traceback reaches a user for bad input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cchc_rules.source import Span, caret_snippet

Severity = Literal["error", "warning"]


class Diagnostic(BaseModel):
    """One problem found in a rule file or a facts file."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    span: Span | None = None
    line_text: str = ""
    hint: str = ""
    # Facts that show the problem (a counterexample), written as in a facts file.
    example: dict[str, str] = {}

    def render(self) -> str:
        """The diagnostic as a user reads it."""
        where = f"{self.span}: " if self.span else ""
        label = "lỗi" if self.severity == "error" else "cảnh báo"
        out = [f"{where}{label} [{self.code}]: {self.message}"]
        if self.span and self.line_text:
            width = self.span.end_column - self.span.column if self.span.end_line == self.span.line else 1
            out.append(caret_snippet(self.line_text, self.span.column, width))
        if self.hint:
            out.append(f"    gợi ý: {self.hint}")
        return "\n".join(out)


class CchcError(Exception):
    """Base of every error cchc_rules raises for bad input."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        """All diagnostics, one after another."""
        return "\n".join(d.render() for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()


class RuleSyntaxError(CchcError):
    """A rule file that does not follow the grammar."""


class RuleLoadError(CchcError):
    """A rule file or folder that cannot be read."""


class CheckError(CchcError):
    """A rule set the checker rejects; holds every diagnostic found."""


class FactsError(CchcError):
    """A facts file that cannot be read, or facts that do not fit the declarations."""


class EvaluationError(CchcError):
    """A rule that cannot be evaluated on these facts (division by zero, no tier matches...)."""


def suggest(name: str, candidates: Sequence[str]) -> str | None:
    """The closest candidate to a misspelt name, if one is close enough.

    A name that is the beginning of exactly one candidate is that candidate (`ho_so_truc_tuyen` for
    `ho_so_truc_tuyen_den_31_10`): a name cut short is a likelier slip than a similar-looking one.
    """
    import difflib

    starting = [c for c in candidates if c.startswith(name) and c != name] if len(name) >= 4 else []
    if len(starting) == 1:
        return starting[0]
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(name: str, candidates: Sequence[str], otherwise: str = "") -> str:
    """A hint naming the closest candidate ("có phải ý bạn là `x`?"), or `otherwise`."""
    close = suggest(name, candidates)
    return f"có phải ý bạn là `{close}`?" if close else otherwise


# How many entries of a folder are looked at for a suggestion: a units folder may hold 100,000 facts
# files, and a hint is not worth seconds; past this many, nothing is guessed.
_MAX_ENTRIES = 20_000
_SEPARATORS = "-_ ."


def _slips(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap two neighbours) from `a` to `b`; `limit + 1` once past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name[1:] else name


def _numbers_apart(a: str, b: str) -> bool:
    """Whether two names differ in their numbers only (`xa-2023.yaml`, `xa-2024.yaml`): another year or
    another file of a series, not a slip of the keyboard."""
    import re

    return a != b and re.sub(r"\d+", "0", a) == re.sub(r"\d+", "0", b)


def close_path_name(given: str, names: Sequence[str]) -> str | None:
    """The entry a missing name most likely meant, or None when no single one stands out.

    Only slips are guessed: the same name with another suffix or case (`facts` or `Facts.yml` for
    `facts.yaml`), a name cut short or lengthened at a separator (`cac-xa` and `cac-xa-2023`), or a
    name one or two keystrokes away (`fact.yml`, `2023.ccch`). Another commune's file two letters
    apart in a longer name (`xa-thanh-son` for `xa-thanh-binh`) is not one: several candidates as
    close as each other mean none is.
    """
    import unicodedata

    def key(name: str) -> str:  # a name typed in NFC matches one a Mac wrote in NFD
        return unicodedata.normalize("NFC", name).casefold()

    want = key(given)
    stem = _stem(want)
    others = [(key(n), n) for n in names if n != given]
    for pick in (
        lambda k: k == want,
        lambda k: _stem(k) == stem,
        lambda k: _cut_at_separator(_stem(k), stem),
    ):
        found = [n for k, n in others if pick(k)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    limit = 1 if len(want) <= 5 else 2
    scored = [(_slips(want, k, limit), n) for k, n in others]
    best = min((s for s, _ in scored), default=limit + 1)
    found = [n for s, n in scored if s == best]
    return found[0] if best <= limit and len(found) == 1 else None


def _cut_at_separator(a: str, b: str) -> bool:
    """Whether one name is the other with more after a separator (`cac-xa`, `cac-xa-2023`)."""
    short, long = sorted((a, b), key=len)
    return 3 <= len(short) < len(long) and long.startswith(short) and long[len(short)] in _SEPARATORS


def missing_path_hint(path: object, suffixes: Sequence[str] = (), *, files_only: bool = False) -> str:
    """For a path that is not there, what is: the name beside it a slip away (of one of `suffixes`, when
    given; a file, when `files_only`), or, when a folder on the way is missing, the folder meant in its
    place (`examples/thanh-thuy-2023` for `examples/thanh-thuy`), with the whole path mended when that
    one exists. "" when nothing is close, or when the folders cannot be read: a hint never fails."""
    try:
        return _missing_path_hint(str(path), suffixes, files_only)
    except OSError:  # a folder without permission, a name too long: say nothing rather than guess
        return ""


def _missing_path_hint(path: str, suffixes: Sequence[str], files_only: bool) -> str:
    import os
    from pathlib import Path

    if path.startswith("~") and not Path(Path(path).parts[0]).exists():
        home = str(Path(path).expanduser())
        said = f"`~` chỉ được hiểu là thư mục nhà khi không nằm trong dấu nháy; viết `{home}`"
        if home == path or Path(home).exists():
            return said
        more = _missing_path_hint(home, suffixes, files_only)
        return f"{said}; {more}" if more else said
    forward = path.replace("\\", "/")  # a path copied from Windows Explorer
    if forward != path and os.sep == "/" and Path(forward).exists():
        return f"đường dẫn dùng `/`, không dùng `\\`: viết `{forward}`"
    parts = list(Path(path).parts)
    first_missing: Path | None = None  # the first name not there, as typed
    numbers_apart = False
    for depth in range(len(parts)):
        here = Path(*parts[: depth + 1])
        if here.exists():
            continue
        last = depth == len(parts) - 1
        names = _entries(here.parent, folders=not (last and files_only), files=last, suffixes=suffixes)
        close = close_path_name(parts[depth], names)
        if close is None:
            if first_missing is None:
                return "" if last else f"không có thư mục `{here}`"
            # the folder meant is there, but not what the rest of the path names inside it
            return f"không có thư mục `{first_missing}`; có `{here.parent}`, nhưng trong đó không có `{parts[depth]}`"
        first_missing = first_missing or here
        numbers_apart = numbers_apart or _numbers_apart(parts[depth], close)
        parts[depth] = close
    if first_missing is None:
        return ""
    if numbers_apart:  # another year, another file of a series: not a slip
        return f"tên gần nhất là `{Path(*parts)}`, khác ở phần số: kiểm tra lại năm hay số thứ tự"
    return f"có phải ý bạn là `{Path(*parts)}`?"


def _entries(folder: object, *, folders: bool, files: bool, suffixes: Sequence[str]) -> list[str]:
    """The names in `folder` a missing name may have meant: folders, files (of `suffixes`, when given),
    hidden ones left out; none from a folder too big to look through for a hint."""
    import itertools
    import os

    with os.scandir(str(folder)) as entries:
        seen = list(itertools.islice(entries, _MAX_ENTRIES + 1))
    if len(seen) > _MAX_ENTRIES:
        return []
    return [
        entry.name
        for entry in seen
        if not entry.name.startswith(".")
        and (
            (folders and entry.is_dir())
            or (files and entry.is_file() and (not suffixes or os.path.splitext(entry.name)[1].lower() in suffixes))
        )
    ]


# What the system says when a file cannot be opened, in Vietnamese (its own, English, words otherwise).
_OS_ERRORS = {
    "ENOENT": "không có tệp hay thư mục này",
    "EACCES": "không có quyền truy cập",
    "EPERM": "không được phép",
    "EISDIR": "đây là một thư mục, không phải một tệp",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "ENOSPC": "hết chỗ trên ổ đĩa",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "ENAMETOOLONG": "tên tệp quá dài",
}


def os_error_text(exc: OSError) -> str:
    """Why a file could not be read or written, in Vietnamese when the reason is a common one."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_ERRORS.get(name) or str(exc.strerror or exc)
