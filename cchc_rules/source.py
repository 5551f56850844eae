"""Source text: reading rule files as NFC text, and spans that point into them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

# No input file is read past this size: a rule file or a facts file is a few
# tens of kilobytes, and reading stops here even on /dev/zero or a huge file.
MAX_FILE_BYTES = 1024 * 1024


class FileTooLarge(OSError):
    """A file larger than the limit given to `read_bytes`."""

    def __init__(self, path: Path, limit: int):
        super().__init__(f"{path}: larger than {limit} bytes")
        self.limit = limit


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, reading at most `limit` of them; raises `FileTooLarge` beyond, `OSError` otherwise."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(path, limit)
    return data


class NotUtf8(ValueError):
    """Bytes that are not UTF-8: where the first bad byte is, and what the file probably is."""

    def __init__(self, line: int, column: int, offset: int, hint: str):
        super().__init__(f"not UTF-8 at line {line}, column {column} (byte {offset})")
        self.line = line
        self.column = column
        self.offset = offset
        self.hint = hint


# How much of a file is looked at to tell UTF-16 written without a byte-order mark.
_SNIFF_BYTES = 4096


def utf16_without_bom(data: bytes) -> str | None:
    """ "LE" or "BE" when `data` looks like UTF-16 text saved without a byte-order mark, else None.

    Such text has a NUL in the high byte of every ASCII character (keys, digits, spaces, line breaks) and
    almost never in the low one; and its ASCII characters are text, not control codes. A binary file with
    NULs (an image, a table of small integers) has them at both places, or decodes to control codes.
    """
    sample = data[:_SNIFF_BYTES]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    for order, low, high in (("LE", 0, 1), ("BE", 1, 0)):
        nul_high, nul_low = sample[high::2].count(0), sample[low::2].count(0)
        units = len(sample) // 2
        # Low NULs are fewer, not absent: U+0300 (a grave accent written apart, NFD) has one.
        if nul_high * 10 < units * 3 or nul_low * 2 > nul_high:
            continue
        text = sample.decode(f"utf-16-{order.lower()}", errors="replace")
        ascii_ = [c for c in text if c < "\x80"]
        # the sample's last unit may be half of a surrogate pair cut off by the sample's end
        if "\ufffd" not in text[:-1] and all(c.isprintable() or c in "\t\n\r" for c in ascii_):
            return order
    return None


def decode(data: bytes) -> str:
    """UTF-8 bytes as normalised text (`normalise`); raises `NotUtf8` naming the first bad byte's place.

    UTF-16 is refused, with or without a byte-order mark, and said so (ASCII text in UTF-16 is valid
    UTF-8 with a NUL after every character, so it would otherwise be read as text full of NULs)."""
    if b"\x00" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        order = utf16_without_bom(data)
        if order is not None:
            hint = f"tệp được lưu bằng UTF-16 {order} (không có BOM); lưu lại bằng bảng mã UTF-8"
            raise NotUtf8(1, 1, 0, hint)
    try:
        return normalise(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "tệp được lưu bằng UTF-16; lưu lại bằng bảng mã UTF-8"
        elif b"\x00" in data[:1024]:
            hint = "tệp có vẻ là tệp nhị phân (ảnh, bảng tính, tệp nén), không phải văn bản"
        else:
            hint = "tệp có thể được lưu bằng bảng mã cũ (Windows-1258, TCVN3, VNI); lưu lại bằng bảng mã UTF-8"
        raise NotUtf8(line, column, exc.start, hint) from None


class Span(BaseModel):
    """Where a piece of a rule file stands: file, 1-based line and column, and its end."""

    # Deferred, as the syntax nodes are (see `ast`): the parser makes spans with `model_construct`, and
    # building the first validator of a process costs `cchc check` some 40 ms at every start.
    model_config = ConfigDict(frozen=True, defer_build=True)

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start_pos: int = 0
    end_pos: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def normalise(text: str) -> str:
    """Return `text` as users mean it: no byte-order mark, LF line ends, NFC."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def file_text(name: str) -> str:
    """A file name as text any output can hold: bytes that are not UTF-8 (a name from a Windows-1258 zip,
    which Python keeps as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# Characters no output can carry: lone surrogates (a YAML or JSON `\\ud800` escape) break every encoder, and
# control characters other than tab, line breaks and Word's line and page breaks (\\v, \\f, which Office
# outputs turn into line breaks) would reach a terminal as escape codes, and so would C1 ones (\\x9b is an
# 8-bit CSI), as the grammar's STRING refuses them in rule files.
_UNSHOWABLE = re.compile("[\\ud800-\\udfff\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f]")
# What a JSON line must hold for a decoded value to have one: the decoder refuses raw C0 characters and
# UTF-8 carries no lone surrogate, so an escape (a backslash), a raw DEL or a raw C1 character.
MAY_BE_UNSHOWABLE = re.compile("[\\\\\\x7f-\\x9f]")


def unshowable(value: object) -> str | None:
    """The first character of a text (in a value, or in a list or mapping of them) that no output can carry,
    written as its escape (`\\ud800`, `\\u001b`); None when there is none."""
    if isinstance(value, str):
        found = _UNSHOWABLE.search(value)
        return f"\\u{ord(found.group()):04x}" if found else None
    if isinstance(value, dict):
        return next((c for item in value.items() for v in item if (c := unshowable(v))), None)
    if isinstance(value, (list, tuple)):
        return next((c for v in value if (c := unshowable(v))), None)
    return None


def escaped(text: str) -> str:
    """`text` with each character no output can carry written as its escape (`\\ud800`), to be named."""
    return _UNSHOWABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def unshowable_entry(mapping: Mapping[Any, Any]) -> str | None:
    """The key, escaped, of the first entry whose key or value holds a character no output can carry."""
    return next((escaped(str(k)) for k, v in mapping.items() if unshowable(k) or unshowable(v)), None)


def unshowable_hint(escape: str) -> str:
    """What to do about a character `unshowable` found. A C1 character is most often Windows-1252 text
    read as Latin-1 (Word's curly quotes and dashes pasted through an old program): name the one meant."""
    code = int(escape[2:], 16)
    if 0x80 <= code <= 0x9F:
        try:
            meant = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: no character in Windows-1252 either
            meant = ""
        if meant:
            return f"`{escape}` là ký tự `{meant}` bị hỏng mã (chữ Windows-1252 bị đọc sai): thay bằng `{meant}`"
    return "xoá ký tự đó: thường do chép từ nơi khác, hoặc do viết mã `\\u...`, `\\e` trong chuỗi"


# Vietnamese tone marks as NFD writes them apart: grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def without_invisible(text: str) -> str:
    """`text` without the characters that show as nothing (format characters: a zero-width space, a soft
    hyphen, a word joiner, a byte-order mark), which pasting from the web or Word leaves in names."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def name_key(text: str) -> str:
    """A name as two are compared: case, spacing, the tone mark's place and characters that show as
    nothing do not matter ("Xã  Thanh Thuỷ" and "xã thanh thủy" are one unit; both placements are in
    use). Each word's tone goes last, so a different tone or letter still makes a different name."""
    words = []
    for word in unicodedata.normalize("NFD", without_invisible(text).casefold()).split():
        words.append("".join(c for c in word if c not in _TONES) + "".join(sorted(c for c in word if c in _TONES)))
    return " ".join(words)


class SourceFile(BaseModel):
    """One rule file's name and normalised text."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    text: str

    @classmethod
    def read(cls, path: Path, display_name: str | None = None) -> SourceFile:
        """Read a UTF-8 file; raises `NotUtf8` or `OSError` (`FileTooLarge`) to the caller."""
        return cls.model_construct(name=display_name or str(path), text=decode(read_bytes(path)))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line end."""
        lines = self.text.split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def excerpt(self, span: Span) -> str:
        """The exact source text a span covers."""
        return self.text[span.start_pos : span.end_pos]

    def inline_excerpt(self, span: Span) -> str:
        """The source text a span covers, on one line: an expression written over several lines has its
        line breaks, their indentation and the comments between them each made one space (trace steps)."""
        text = self.excerpt(span)
        if "\n" not in text:
            return text
        pieces = []
        for line in text.split("\n"):
            cut = comment_start(line)
            pieces.append((line if cut is None else line[:cut]).strip())
        return " ".join(piece for piece in pieces if piece)


def comment_start(line: str) -> int | None:
    """Where a `#` comment starts on a line of a rule file, skipping `#` inside strings (None: no comment)."""
    return next((index for index, char in outside_strings(line) if char == "#"), None)


def outside_strings(text: str) -> Iterator[tuple[int, str]]:
    """Each character of `text` outside double-quoted strings (backslash escapes, as rule files and JSON
    write them), with its index; the quotes themselves are left out."""
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        else:
            yield index, char


# A line longer than this is shown as a window around the column (a broken
# file can have a line of a million characters).
SNIPPET_WIDTH = 160
_BEFORE = 60


def caret_snippet(line_text: str, column: int, width: int = 1) -> str:
    """The source line and a caret under the given 1-based column."""
    # Tabs and other spaces (a no-break space from Word) as one space, invisible characters as U+FFFD,
    # so the caret stays under its column and a space never shows as a replacement sign.
    # Each character stays one column, so the window is cut first: a JSON line of a whole unit is long.
    start = 0
    shown = line_text
    if len(line_text) > SNIPPET_WIDTH:
        start = max(min(column - 1 - _BEFORE, len(line_text) - SNIPPET_WIDTH), 0)
        shown = line_text[start : start + SNIPPET_WIDTH]
    expanded = "".join(
        " " if ch == "\t" or (ch.isspace() and ch not in "\n\r") else ch if ch.isprintable() else "\ufffd"
        for ch in shown
    )
    if len(line_text) > SNIPPET_WIDTH:
        expanded = ("…" if start else "") + expanded + ("…" if start + SNIPPET_WIDTH < len(line_text) else "")
        if start:
            start -= 1  # the leading "…" takes one column
    pad = " " * max(column - 1 - start, 0)
    carets = max(min(width, SNIPPET_WIDTH - len(pad) + 1), 1)
    return f"    {expanded}\n    {pad}{'^' * carets}"
