"""Writing output files safely: atomically, and never over one of the command's inputs."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cchc_rules.errors import CchcError, Diagnostic, os_error_text
from cchc_rules.facts import FACTS_SUFFIXES
from cchc_rules.loader import RULE_SUFFIX
from cchc_rules.ooxml import CREATOR, core_property
from cchc_rules.source import file_text
from cchc_rules.units import JSONL_SUFFIXES, XLSX_SUFFIXES, is_ranking, template_contents

# The files a folder given as input is read for: rule files; facts files, JSON lines and workbooks of units.
# (A ranking workbook is passed over when a folder is read: one may be written there, and written again.)
_READ_IN_FOLDERS = (RULE_SUFFIX, *FACTS_SUFFIXES, *JSONL_SUFFIXES)


def refuse_inputs(target: Path, inputs: Iterable[Path | str]) -> None:
    """Raise a `CchcError` when `target` is one of `inputs`, or a file an input folder is read for
    (a facts file of a folder of units, a rule file of a rule-set folder): overwritten, or read back
    as input the next time."""
    for item in inputs:
        source = Path(item)
        message = ""
        if source.exists() and target.exists() and os.path.samefile(source, target):
            message = f"{target}: không ghi đè lên tệp đầu vào"
        elif source.is_dir() and target.resolve().is_relative_to(source.resolve()):
            suffix = target.suffix.lower()
            if suffix in _READ_IN_FOLDERS:
                message = (
                    f"{target}: không ghi đè lên tệp đầu vào"
                    if target.exists()
                    else f"{target}: tệp nằm trong thư mục đầu vào {source}, sẽ bị đọc như dữ liệu vào ở lần chạy sau"
                )
            elif suffix in XLSX_SUFFIXES and target.is_file() and not is_ranking(target):
                message = f"{target}: không ghi đè lên tệp đầu vào (bảng tính dữ kiện trong thư mục {source})"
        if message:
            raise CchcError(
                [Diagnostic(code="O001", severity="error", message=message, hint="chọn một tên tệp khác cho `-o`")]
            )


def refuse_data(target: Path) -> None:
    """Raise a `CchcError` (O001) when `-o` names a file that holds what cchc reads, not what it writes:
    a rule file, a workbook or JSON lines of units' facts, a facts file. Not this run's input, but
    another district's figures or another commune's facts, which a slip of the name would replace."""
    try:
        if not target.is_file() or target.stat().st_size == 0:
            return
    except OSError:  # unreadable: writing will say why
        return
    suffix = target.suffix.lower()
    what = ""
    if suffix == RULE_SUFFIX:
        what = "một tệp quy tắc"
    elif suffix in XLSX_SUFFIXES:
        template = template_contents(target)  # None for a ranking: its sheet is no template's
        if template is not None and template[0]:
            what = f"bảng tính đã có số liệu của {template[0]} đơn vị"
        elif template is not None and template[1]:  # cchc wrote the template, someone added to it
            sheets = ", ".join(f"`{title}`" for title in template[1])
            what = f"một mẫu dữ kiện có thêm trang tính {sheets} không do cchc ghi ra"
        elif template is None and not (written_by_cchc(target) or is_ranking(target)):
            what = "một bảng tính không do cchc ghi ra"
    elif suffix in (".yaml", ".yml"):  # cchc writes no YAML: it is one cchc reads (facts, claims, a round, cases)
        if re.search(r"(?m)^facts\s*:", _head(target)):
            what = "một tệp dữ kiện"
        else:
            what = "một tệp YAML (dữ kiện, điểm khai, kết quả thẩm định hay ca kiểm thử); cchc không ghi ra YAML"
    elif suffix == ".json" and not _OUR_JSON.match(_head(target)):
        what = "một tệp JSON không do cchc ghi ra (có thể là dữ kiện của một đơn vị)"
    elif _units_line(_head(target)):
        what = "tệp dữ kiện của các đơn vị (JSON lines, mỗi dòng một đơn vị)"
    if what:
        raise CchcError(
            [
                Diagnostic(
                    code="O001",
                    severity="error",
                    message=f"{target}: đây là {what}; không ghi đè",
                    hint="chọn một tên tệp khác cho `-o`; hoặc xoá tệp này trước nếu đúng là muốn bỏ nó",
                )
            ]
        )


def written_by_cchc(path: Path) -> bool:
    """Whether an Office file names cchc as its author (`ooxml.CREATOR`): a ranking, a scoring table or a
    template it wrote, which it may write again. Excel keeps the author when it saves the file again."""
    return core_property(path, "creator") == CREATOR


# How every JSON file cchc writes begins (`eval --format json`, `rank -o x.json`): one of these may be replaced.
_OUR_JSON = re.compile(r'\A\s*\{\s*"ruleset"\s*:')


def _head(path: Path) -> str:
    """The first 64 KiB of a file as text (what cannot be decoded replaced)."""
    try:
        with path.open("rb") as handle:
            return handle.read(65536).decode("utf-8", "replace")
    except OSError:
        return ""


def _units_line(text: str) -> bool:
    """Whether the first line that is not blank is a JSON line of a unit: `{"unit": ..., "facts": ...}`."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        value = json.loads(line)
    except ValueError:
        return False
    return isinstance(value, dict) and "unit" in value and "facts" in value


def output_folder(path: Path | str) -> Path:
    """The folder `-o` names, made with its parents if missing; an O002 error when it cannot be
    (a file of that name is in the way, no permission)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        reason = "đã có một tệp trùng tên, không phải thư mục"
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        except OSError as exc:
            reason = os_error_text(exc)
    raise CchcError(
        [
            Diagnostic(
                code="O002",
                severity="error",
                message=f"{folder}: không tạo được thư mục: {reason}",
                hint="`-o` cần tên một thư mục (có thể chưa có), vd `-o so-tay`",
            )
        ]
    )


@contextlib.contextmanager
def atomic_writer(path: Path | str, inputs: Iterable[Path | str] = (), keep_data: bool = False) -> Iterator[BinaryIO]:
    """A file to write piece by piece, which replaces `path` atomically when the block ends without error.

    For output too large to hold in memory (a ranking of every commune); the
    same refusals as `write_atomic`.
    """
    target = Path(path)
    refuse_inputs(target, inputs)
    if keep_data:
        refuse_data(target)
    stream = _STREAMS.get(str(target))
    if stream is not None:  # `-o /dev/stdout`: the stream the shell opened (appending with `>>`, say), as it is
        with _cannot_write(target):
            handle = getattr(sys, stream).buffer
            yield handle
            handle.flush()
        return
    try:
        found = target.stat()
    except OSError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):  # /dev/null, a pipe: written into
        with _cannot_write(target), target.open("wb") as handle:
            yield handle
        return
    if found is not None and not found.st_mode & 0o222:
        raise CchcError([_not_written(target, "tệp chỉ đọc", "bỏ thuộc tính chỉ đọc của tệp, hoặc chọn tên khác")])
    if target.is_symlink():  # a link to a file: the file it points to is replaced, not the link
        target = target.resolve()
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CchcError([_not_written(target, os_error_text(exc))]) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600): give it the mode of the file it replaces, or else
        # the mode a plain open() would.
        if found is not None:
            mode = stat.S_IMODE(found.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CchcError([_not_written(target, os_error_text(exc))]) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Names of the command's own standard streams: written through the open stream, never replaced by a file
# (the shell may have opened a file there to append to, or a pipe).
_STREAMS = {
    "/dev/stdout": "stdout",
    "/dev/fd/1": "stdout",
    "/proc/self/fd/1": "stdout",
    "/dev/stderr": "stderr",
    "/dev/fd/2": "stderr",
    "/proc/self/fd/2": "stderr",
}


def _not_written(target: Path, reason: str, hint: str = "") -> Diagnostic:
    if not hint:
        folder = target.parent if str(target.parent) else Path(".")
        hint = (
            f"thư mục `{folder}` chưa có: tạo nó trước, hoặc chọn tệp ở thư mục khác"
            if not folder.exists()
            else f"`{target}` là một thư mục: `-o` cần tên một tệp, vd `-o {target}/ket-qua{target.suffix or '.csv'}`"
            if target.is_dir()
            else "kiểm tra quyền ghi vào thư mục, và ổ đĩa còn chỗ"
        )
    return Diagnostic(code="O002", severity="error", message=f"{target}: không ghi được tệp: {reason}", hint=hint)


@contextlib.contextmanager
def _cannot_write(target: Path) -> Iterator[None]:
    """An OSError while writing into a device or a pipe, as O002."""
    try:
        yield
    except BrokenPipeError:  # the reader closed the pipe: the command's usual exit for it, not O002
        raise
    except OSError as exc:
        raise CchcError([_not_written(target, os_error_text(exc))]) from None


def write_atomic(
    path: Path | str, data: str | bytes, inputs: Iterable[Path | str] = (), keep_data: bool = False
) -> None:
    """Write `data` to `path` through a temporary file and a rename.

    Refuses (with a `CchcError`) to write over any of `inputs`, so a command can
    never destroy what the user gave it; with `keep_data`, over any file that
    holds what cchc reads either (`refuse_data`: a command's `-o`, where `fmt`
    rewrites rule files).
    """
    # A path that is not UTF-8 (lone surrogates) may be quoted in a page: shown as U+FFFD, never a crash.
    payload = file_text(data).encode("utf-8") if isinstance(data, str) else data
    with atomic_writer(path, inputs, keep_data) as handle:
        handle.write(payload)
