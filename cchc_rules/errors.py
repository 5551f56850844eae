"""Errors a user can cause, each owning its Vietnamese message.

Every error shows where it happened (file:line:column), the line with a caret,
what was expected and, where we can tell, a hint. The CLI prints `str(error)`
and exits 1; no traceback reaches a user for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cchc_rules.source import Span, caret_snippet

Severity = Literal["error", "warning"]


class Diagnostic(BaseModel):
    """One problem found in a rule file or a facts file."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built when a first problem is found

    code: str
    severity: Severity
    message: str
    span: Span | None = None
    line_text: str = ""
    hint: str = ""
    # Facts that show the problem (a counterexample), written as in a facts file.
    example: dict[str, str] = {}
    # The facts a facts file lacks (F002), as data: a caller acts on them without reading the message back,
    # whose words may change. Left out of JSON output (`model_dump`), which says them in the message.
    missing: tuple[str, ...] = Field(default=(), exclude=True)

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
        # Written when shown (`str`), not when raised: a ranking of every commune may raise and catch
        # thousands, of which it shows fifty. The diagnostics as its argument: copied and pickled whole.
        super().__init__(self.diagnostics)

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

    Names are compared without case or Vietnamese marks (`hồ_sơ_đúng_hạn` is `ho_so_dung_han`: an input
    method left on). A name that is the beginning of exactly one candidate is that candidate
    (`ho_so_truc_tuyen` for `ho_so_truc_tuyen_den_31_10`): a name cut short is a likelier slip than a
    similar-looking one. So is a name with the same words, separated otherwise or in another order
    (`1,5,2` for `1.5.2`, `chuc_cong` for `cong_chuc`), or with one word left out or added
    (`nhiem_vu_thanh` for `nhiem_vu_hoan_thanh`, `round_half_up` for `half_up`). Otherwise the candidate
    fewest edits away (a letter added, dropped, changed, or two swapped), if at most a third of the
    name's letters need editing (the likeliest-looking first among equals): `cong_chu` and `cnog_chuc`
    are `cong_chuc`, while `ghi_chu` (a notes column), four edits away, is no fact's name, however alike
    the two look, and `8` is not `7`.
    """
    bare = _bare(name)
    others = [(c, _bare(c)) for c in candidates if c != name]
    words = _words(bare)
    named = not all(w.isdigit() for w in words)  # ids: 7.3.2 is no slip for 7.2.3, nor 7.2 for 7.2.3
    tests: list[Callable[[str], bool]] = [
        lambda b: b == bare,  # the same name but for case and marks
        lambda b: len(bare) >= 4 and b.startswith(bare),
        # The same words, whatever separates them or in whatever order ("1,5,2" for "1.5.2", "cong-chuc"
        # and "chuc_cong" for "cong_chuc"), or one of them left out or added: a slip, not another name.
        lambda b: _words(b) == words,
        lambda b: named and len(words) > 1 and sorted(_words(b)) == sorted(words),
        lambda b: named and _one_word_apart(_words(b), words),
    ]
    for test in tests:
        found = [c for c, b in others if test(b)]
        if len(found) == 1:
            return found[0]
    import difflib

    limit = max(len(bare), 3) // 3 if len(bare) > 1 else 0
    best: tuple[int, float, str] | None = None
    for candidate, b in others:
        if abs(len(b) - len(bare)) > limit:
            continue
        distance = _edits(bare, b, limit)
        if distance > limit or (best is not None and distance > best[0]):
            continue
        # Among the fewest edits, the likeliest-looking ("1.1" rather than "1" for "11"), then the last in
        # order ("2024.cchc" rather than "2023.cchc" for "2025.cchc"), as difflib ranks its matches.
        looks = difflib.SequenceMatcher(None, bare, b).ratio()
        if best is None or (-distance, looks, candidate) > (-best[0], best[1], best[2]):
            best = (distance, looks, candidate)
    return best[2] if best else None


def unaccented(text: str) -> str:
    """Vietnamese without its marks, as typed on a keyboard without Vietnamese input (`tối đa` -> `toi da`)."""
    import unicodedata

    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def _bare(name: str) -> str:
    """A name without case or Vietnamese marks, as names are compared for a suggestion."""
    return unaccented(name.casefold())


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s.,;:_\-/]+", name) if w]


def _one_word_apart(a: list[str], b: list[str]) -> bool:
    """Whether one of two names of several words is the other with one word left out."""
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if len(longer) != len(shorter) + 1 or len(shorter) < 2:
        return False
    return any(longer[:k] + longer[k + 1 :] == shorter for k in range(len(longer)))


def _edits(a: str, b: str, limit: int) -> int:
    """Edits from `a` to `b`: letters inserted, deleted, changed or two neighbours swapped (optimal string
    alignment); anything over `limit` is reported as `limit + 1`."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[len(b)], limit + 1)


def did_you_mean(name: str, candidates: Sequence[str], otherwise: str = "") -> str:
    """A hint naming the closest candidate ("có phải ý bạn là `x`?"), or `otherwise`."""
    close = suggest(name, candidates)
    return f"có phải ý bạn là `{close}`?" if close else otherwise


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
