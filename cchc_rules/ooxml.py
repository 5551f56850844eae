"""Office files are zip archives: rewrite them with fixed timestamps so the same inputs give the same bytes."""

from __future__ import annotations

import io
import re
import zipfile

# The earliest date a zip entry can carry; any fixed value would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Writers stamp the save time into the document properties; pin it too.
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


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
