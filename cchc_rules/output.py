"""Writing output files safely: atomically, and never over one of the command's inputs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cchc_rules.errors import CchcError, Diagnostic


def write_atomic(path: Path | str, data: str | bytes, inputs: Iterable[Path | str] = ()) -> None:
    """Write `data` to `path` through a temporary file and a rename.

    Refuses (with a `CchcError`) to write over any of `inputs`, so a command can
    never destroy what the user gave it.
    """
    target = Path(path)
    for item in inputs:
        source = Path(item)
        if (source.exists() and target.exists() and os.path.samefile(source, target)) or (
            source.is_dir() and target.resolve().is_relative_to(source.resolve()) and target.suffix == ".cchc"
        ):
            raise CchcError(
                [
                    Diagnostic(
                        code="O001",
                        severity="error",
                        message=f"{target}: không ghi đè lên tệp đầu vào",
                        hint="chọn một tên tệp khác cho `-o`",
                    )
                ]
            )
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CchcError(
            [Diagnostic(code="O002", severity="error", message=f"{target}: không ghi được tệp: {exc.strerror or exc}")]
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CchcError(
            [Diagnostic(code="O002", severity="error", message=f"{target}: không ghi được tệp: {exc.strerror or exc}")]
        ) from None
