"""Find the files to ingest in paths given on the command line or uploaded: files, folders, zips.

Nothing is extracted to disk: archive members are read into memory one at a time, under
the limits in ``limits.py``, so a hostile archive can neither write outside a folder nor
exhaust memory or disk.
"""

from __future__ import annotations

import logging
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from . import limits
from .limits import human_bytes

log = logging.getLogger(__name__)

EXPORT_SUFFIX = ".json"
APPOINTMENTS_SUFFIX = ".csv"
CALENDAR_SUFFIX = ".ics"  # appointments too: ingest tells CSV from iCalendar by content
APPOINTMENTS_SUFFIXES = (APPOINTMENTS_SUFFIX, CALENDAR_SUFFIX)
ARCHIVE_SUFFIX = ".zip"


@dataclass(frozen=True)
class Source:
    """One file to ingest, or a file-level problem found before reading it.

    ``kind`` is ``export`` (JSON), ``appointments`` (CSV or .ics), ``rejected`` or ``skipped``;
    ``note`` says why for the last two (no file content, ever).
    """
    name: str
    kind: str
    read: Callable[[], bytes] | None = None
    note: str | None = None
    # A file on disk can be read by a parsing worker process instead: (path, size at listing).
    disk: tuple[str, int] | None = None


class SourceRejected(ValueError):
    """Reading a file broke a limit or found it damaged; the message is for the admin."""


def iter_sources(paths) -> Iterator[Source]:
    """Every file under ``paths`` in a stable order; folders are walked, zips opened."""
    for raw in paths:
        try:
            yield from _path_sources(Path(raw), str(raw))
        except Exception as error:  # e.g. a folder or archive that cannot be read: its verdict
            log.error("listing %s failed (%s)", raw, type(error).__name__)
            yield Source(str(raw), "rejected", note="could not be read (listing it failed)")


def _path_sources(path: Path, shown: str) -> Iterator[Source]:
    if path.is_symlink():
        yield Source(shown, "skipped", note="symbolic links are not followed")
    elif path.is_dir():
        yield from _folder_sources(path, shown)
    elif path.is_file():
        yield from _file_sources(path, shown)
    else:
        yield Source(shown, "rejected", note="no such file or folder")


def _folder_sources(folder: Path, shown: str) -> Iterator[Source]:
    """Files under ``folder`` in sorted path order (os.walk: a tenth of rglob's cost; one
    lstat per file, paths handled as strings: Path objects and relpath cost more than the walk)."""
    found = []
    for root, dirs, files in os.walk(folder):  # does not descend into symlinked folders
        for entry in dirs:
            if os.path.islink(os.path.join(root, entry)):
                found.append(os.path.join(root, entry))
        found.extend(os.path.join(root, entry) for entry in files)
    prefix = os.path.join(str(folder), "")
    relative = {full: full[len(prefix):] if full.startswith(prefix) else os.path.relpath(full, folder)
                for full in found}
    for full in sorted(found, key=lambda f: relative[f].split(os.sep)):
        name = os.path.join(shown, relative[full])
        try:
            info = os.lstat(full)
        except OSError:
            continue  # gone since the walk, as Path.is_file() would say
        if stat.S_ISLNK(info.st_mode):
            yield Source(name, "skipped", note="symbolic links are not followed")
        elif stat.S_ISREG(info.st_mode) and not os.path.basename(full).startswith("."):
            yield from _file_sources(Path(full), name, info.st_size)


def _file_sources(path: Path, name: str, size: int | None = None) -> Iterator[Source]:
    suffix = path.suffix.lower()
    if suffix == ARCHIVE_SUFFIX:
        yield from _archive_sources(path, name)
    elif suffix == EXPORT_SUFFIX:
        yield _disk_source(path, name, "export", limits.MAX_EXPORT_BYTES, "MAX_EXPORT_BYTES", size)
    elif suffix in APPOINTMENTS_SUFFIXES:
        yield _disk_source(path, name, "appointments", limits.MAX_APPOINTMENTS_BYTES,
                           "MAX_APPOINTMENTS_BYTES", size)
    else:
        yield Source(name, "skipped", note="not an export (.json), appointments (.csv, .ics) or .zip file")


def _disk_source(path: Path, name: str, kind: str, limit: int, limit_name: str,
                 size: int | None = None) -> Source:
    size = path.stat().st_size if size is None else size
    if size > limit:
        return Source(name, "rejected",
                      note=f"file is {human_bytes(size)}, over the {human_bytes(limit)} limit ({limit_name})")
    return Source(name, kind, lambda: read_disk_file(str(path), limit, limit_name), disk=(str(path), size))


def read_disk_file(path: str, limit: int = limits.MAX_EXPORT_BYTES, limit_name: str = "MAX_EXPORT_BYTES") -> bytes:
    """A file's bytes, or SourceRejected if it grew past ``limit`` since it was listed."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SourceRejected(f"file is over the {human_bytes(limit)} limit ({limit_name})")
    return data


def _archive_sources(path: Path, name: str) -> Iterator[Source]:
    size = path.stat().st_size
    if size > limits.MAX_ARCHIVE_BYTES:
        yield Source(name, "rejected", note=(
            f"archive is {human_bytes(size)}, over the {human_bytes(limits.MAX_ARCHIVE_BYTES)} "
            "limit (MAX_ARCHIVE_BYTES)"))
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield Source(name, "rejected", note="not a readable zip archive")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        problem = _archive_problem(members)
        if problem:
            yield Source(name, "rejected", note=problem)
            return
        budget = _Budget(limits.MAX_ARCHIVE_UNCOMPRESSED_BYTES)
        for info in members:
            yield _member_source(archive, info, f"{name}:{info.filename}", budget)


def _archive_problem(members: list[zipfile.ZipInfo]) -> str | None:
    if len(members) > limits.MAX_ARCHIVE_MEMBERS:
        return (f"archive has {len(members):,} files, over the limit of "
                f"{limits.MAX_ARCHIVE_MEMBERS:,} (MAX_ARCHIVE_MEMBERS)")
    declared = sum(info.file_size for info in members)
    if declared > limits.MAX_ARCHIVE_UNCOMPRESSED_BYTES:
        return (f"archive unpacks to {human_bytes(declared)}, over the "
                f"{human_bytes(limits.MAX_ARCHIVE_UNCOMPRESSED_BYTES)} limit "
                "(MAX_ARCHIVE_UNCOMPRESSED_BYTES)")
    return None


class _Budget:
    """Bytes actually read from one archive; headers can lie about sizes."""

    def __init__(self, total: int):
        self.left = total

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise SourceRejected(
                f"archive unpacks to more than {human_bytes(limits.MAX_ARCHIVE_UNCOMPRESSED_BYTES)} "
                "(MAX_ARCHIVE_UNCOMPRESSED_BYTES)")


def _member_source(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
                   budget: _Budget) -> Source:
    if not is_safe_member_name(info.filename):
        return Source(name, "rejected", note="unsafe path in archive (absolute or with '..'); not read")
    if stat.S_ISLNK(info.external_attr >> 16):
        return Source(name, "rejected", note="symbolic link in archive; not read")
    suffix = PurePosixPath(info.filename).suffix.lower()
    base = PurePosixPath(info.filename).name
    if base.startswith(".") or "__MACOSX" in info.filename:
        return Source(name, "skipped", note="hidden or system file")
    if suffix == ARCHIVE_SUFFIX:
        return Source(name, "skipped", note="archives inside archives are not opened")
    if suffix == EXPORT_SUFFIX:
        kind, limit, limit_name = "export", limits.MAX_EXPORT_BYTES, "MAX_EXPORT_BYTES"
    elif suffix in APPOINTMENTS_SUFFIXES:
        kind, limit, limit_name = "appointments", limits.MAX_APPOINTMENTS_BYTES, "MAX_APPOINTMENTS_BYTES"
    else:
        return Source(name, "skipped", note="not an export (.json) or appointments (.csv, .ics) file")
    if info.flag_bits & 0x1:
        return Source(name, "rejected", note="password-protected archive member; not read")
    if info.file_size > limit:
        return Source(name, "rejected", note=(
            f"unpacks to {human_bytes(info.file_size)}, over the {human_bytes(limit)} limit ({limit_name})"))
    if (info.file_size >= limits.RATIO_CHECK_MIN_BYTES
            and info.file_size > limits.MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
        ratio = info.file_size // max(info.compress_size, 1)
        return Source(name, "rejected", note=(
            f"compressed {ratio:,}:1, over the {limits.MAX_COMPRESSION_RATIO}:1 limit "
            "(MAX_COMPRESSION_RATIO): possible zip bomb"))

    def read() -> bytes:
        try:
            with archive.open(info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise SourceRejected("archive member is damaged or uses an unsupported compression") from None
        if len(data) > limit:
            raise SourceRejected(f"unpacks to more than the {human_bytes(limit)} limit ({limit_name})")
        budget.spend(len(data))
        return data

    return Source(name, kind, read)


def is_safe_member_name(filename: str) -> bool:
    """False for absolute paths, drive letters, '..' components and backslash tricks."""
    normalized = filename.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return False
    return ".." not in PurePosixPath(normalized).parts and "\x00" not in normalized
