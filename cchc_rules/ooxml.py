"""What Office files need of us: text XML can hold, and the same bytes for the same inputs.

Office files are zip archives: they are rewritten with fixed timestamps.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

# The author every Office file cchc writes names (its document properties): how `-o` knows a workbook it
# may write over from someone else's.
CREATOR = "cchc_rules"
# The earliest date a zip entry can carry; any fixed value would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Writers stamp the save time into the document properties; pin it too.
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


# Characters XML 1.0 cannot hold: C0 controls other than tab and line breaks, U+FFFE/U+FFFF, lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text a Word or Excel file can hold: Word's line and page breaks pasted into a note (\\v, \\f) become
    line breaks, any other control character is dropped (the writers refuse them, and none is visible)."""
    return _NOT_XML.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text) if _NOT_XML.search(text) else text


def core_property(path: Path, name: str) -> str | None:
    """A document property of an Office file (`creator`, `title`), read from its docProps/core.xml without
    opening the workbook (openpyxl would read every row of a sheet that records no size); None when the
    file has no such property or is no Office file."""
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(rf"<(?:\w+:)?{name}\b[^>]*>([^<]*)</(?:\w+:)?{name}>", core)
    return html.unescape(found.group(1)) if found else None


def stable_zip(data: bytes) -> bytes:
    """The same archive, entries in the same order, every timestamp fixed (zip entries and properties)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            target.writestr(entry, data)
    return out.getvalue()
