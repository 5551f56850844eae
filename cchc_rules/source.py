"""Source text: reading rule files as NFC text, and spans that point into them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """Where a piece of a rule file stands: file, 1-based line and column, and its end."""

    model_config = ConfigDict(frozen=True)

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


class SourceFile(BaseModel):
    """One rule file's name and normalised text."""

    model_config = ConfigDict(frozen=True)

    name: str
    text: str

    @classmethod
    def read(cls, path: Path, display_name: str | None = None) -> SourceFile:
        """Read a UTF-8 file; raises `UnicodeDecodeError` or `OSError` to the caller."""
        raw = path.read_bytes()
        return cls(name=display_name or str(path), text=normalise(raw.decode("utf-8")))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line end."""
        lines = self.text.split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def excerpt(self, span: Span) -> str:
        """The exact source text a span covers."""
        return self.text[span.start_pos : span.end_pos]


def caret_snippet(line_text: str, column: int, width: int = 1) -> str:
    """The source line and a caret under the given 1-based column."""
    expanded = line_text.replace("\t", " ")
    pad = " " * max(column - 1, 0)
    return f"    {expanded}\n    {pad}{'^' * max(width, 1)}"
