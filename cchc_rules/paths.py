"""What to say about a path that is not there: the name meant, when the one typed is a slip away.

Only slips are guessed: another suffix or case (`facts` or `Facts.yml` for `facts.yaml`), a name cut
short or lengthened at a separator (`cac-xa`, `cac-xa-2023`), a letter or two, two letters swapped.
Another commune's file (`xa-thanh-son.yaml` for `xa-thanh-binh.yaml`) is not a slip, nor is one of
several names as close as each other. A name that differs in its numbers only is another year or another
file of a series, said as such. A hint is an extra: it never fails and never takes long.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

# How many entries of a folder are looked at (a units folder may hold 100,000 facts files): past this many,
# nothing is guessed.
MAX_ENTRIES = 20_000
_SEPARATORS = "-_ ."
_DIGITS = re.compile(r"\d+")


def missing_path_hint(path: object, suffixes: Sequence[str] = (), *, files_only: bool = False) -> str:
    """For a path that is not there, what is: the name beside it a slip away (of one of `suffixes`, when
    given; a file, when `files_only`), or, when a folder on the way is missing, the folder meant in its
    place (`examples/thanh-thuy-2023` for `examples/thanh-thuy`), with the whole path mended when that
    one exists. "" when nothing is close, or when the folders cannot be read."""
    try:
        return _hint(str(path), suffixes, files_only)
    except (OSError, RuntimeError, ValueError):  # no permission, a name too long, `~nobody`: say nothing
        return ""


def close_path_name(given: str, names: Sequence[str]) -> str | None:
    """The entry of `names` a missing name most likely meant, or None when no single one stands out."""
    want = _key(given)
    stem = _stem(want)
    others = [(_key(n), n) for n in names if n != given]
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
    # A name of three letters or fewer (`a`, `b`) is too short to tell a slip from another name.
    limit = 0 if len(want) <= 3 else 1 if len(want) <= 5 else 2
    best, found = limit + 1, []
    for k, n in others:
        slips = _slips(want, k, limit)
        if slips < best:
            best, found = slips, [n]
        elif slips == best:
            found.append(n)
    return found[0] if best <= limit and len(found) == 1 else None


def _hint(path: str, suffixes: Sequence[str], files_only: bool) -> str:
    if path.startswith("~") and not Path(Path(path).parts[0]).exists():
        home = str(Path(path).expanduser())
        said = f"`~` chỉ được hiểu là thư mục nhà khi không nằm trong dấu nháy; viết `{home}`"
        if Path(home).exists():
            return said
        more = _hint(home, suffixes, files_only) if home != path else ""
        return f"`~` chỉ được hiểu là thư mục nhà khi không nằm trong dấu nháy; {more}" if more else ""
    forward = path.replace("\\", "/")  # a path copied from Windows Explorer
    if forward != path and os.sep == "/":
        if Path(forward).exists():
            return f"đường dẫn dùng `/`, không dùng `\\`: viết `{forward}`"
        more = _hint(forward, suffixes, files_only)
        return f"đường dẫn dùng `/`, không dùng `\\`; {more}" if more else ""
    return _mended(path, suffixes, files_only)


def _mended(path: str, suffixes: Sequence[str], files_only: bool) -> str:
    """The path with each missing name replaced by the one it most likely meant."""
    parts = list(Path(path).parts)
    first_missing: Path | None = None  # the first name not there, as typed
    numbers_apart = unicode_form = False
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
        unicode_form = unicode_form or _nfc(parts[depth]) == _nfc(close)
        parts[depth] = close
    if first_missing is None:
        return ""
    mended = Path(*parts)
    if numbers_apart:  # another year, another file of a series: not a slip
        return f"tên gần nhất là `{mended}`, khác ở phần số: kiểm tra lại năm hay số thứ tự"
    if unicode_form:  # the same letters, their tone marks stored apart (a Mac's way): it looks the same
        return (
            f"có `{mended}`, nhưng tên trên đĩa lưu dấu tiếng Việt theo cách khác (tách rời, như máy Mac lưu): "
            "gõ tên bằng phím Tab để máy tự điền, hoặc đổi tên tệp"
        )
    return f"có phải ý bạn là `{mended}`?"


def _entries(folder: Path, *, folders: bool, files: bool, suffixes: Sequence[str]) -> list[str]:
    """The names in `folder` a missing name may have meant: folders, files (of `suffixes`, when given),
    hidden ones left out; none from a folder too big to look through for a hint."""
    with os.scandir(folder) as entries:
        seen = list(itertools.islice(entries, MAX_ENTRIES + 1))
    if len(seen) > MAX_ENTRIES:
        return []
    out = []
    for entry in seen:
        if entry.name.startswith("."):
            continue
        try:
            wanted = (folders and entry.is_dir()) or (
                files and entry.is_file() and (not suffixes or os.path.splitext(entry.name)[1].lower() in suffixes)
            )
        except OSError:  # a link looping on itself: that entry is no candidate, the others still are
            continue
        if wanted:
            out.append(entry.name)
    return out


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _key(name: str) -> str:
    """A name as compared: NFC (a name typed matches one a Mac wrote decomposed), whatever the case."""
    return _nfc(name).casefold()


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name[1:] else name


def _cut_at_separator(a: str, b: str) -> bool:
    """Whether one name is the other with more after a separator (`cac-xa`, `cac-xa-2023`)."""
    short, long = sorted((a, b), key=len)
    return 3 <= len(short) < len(long) and long.startswith(short) and long[len(short)] in _SEPARATORS


def _numbers_apart(a: str, b: str) -> bool:
    """Whether two names differ in their numbers only (`xa-2023.yaml`, `Xa-2024.yaml`)."""
    a, b = _key(a), _key(b)
    return a != b and _DIGITS.sub("0", a) == _DIGITS.sub("0", b)


def _slips(a: str, b: str, limit: int) -> int:
    """The edit distance from `a` to `b` (insert, delete, change, swap two neighbours), or `limit + 1`
    once it is past `limit`.

    What the names share at their start and end is set aside first, so that names of a long series
    (`xa-don-vi-so-01234-huyen-thanh-mien.yaml`) compare by what differs, and most names are told apart
    by their letters alone; only cells within `limit` of the diagonal are computed, since the others
    cannot lead to `limit` or less.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    head = _shared(a, b, lambda text, n: text[:n], min(len(a), len(b)))
    a, b = a[head:], b[head:]
    tail = _shared(a, b, lambda text, n: text[len(text) - n :], min(len(a), len(b)))
    a, b = a[: len(a) - tail], b[: len(b) - tail]
    # One edit takes away at most two of the letters only one of them has: a cheap way out for most names.
    if len(set(a) ^ set(b)) > 2 * limit:
        return limit + 1
    far = limit + 1
    before: list[int] = []
    row = [j if j <= limit else far for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [i if i <= limit else far] + [far] * len(b)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before[j - 2] + 1)
            current[j] = min(cost, far)
        if min(current) > limit:
            return far
        before, row = row, current
    return row[-1]


def _shared(a: str, b: str, part: Callable[[str, int], str], most: int) -> int:
    """How long a start (or end, by `part`) `a` and `b` share: found by halving, each step one comparison
    of two slices, not a comparison per letter."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if part(a, middle) == part(b, middle):
            low = middle
        else:
            high = middle - 1
    return low
