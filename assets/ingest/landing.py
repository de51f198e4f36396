"""Reading one feed's delivery for one day from the landing zone, and checking it against its manifest.

Whoever writes the landing zone must never make the warehouse read or write elsewhere, so the
delivery folder is opened once and every file is opened relative to it without following
symlinks (`O_NOFOLLOW`, and `O_NONBLOCK` so a FIFO cannot hang the run):
- a name listed in the manifest that is not a plain file name (a separator, `.` or `..`, a NUL
  or control character) is rejected (`unsafe_file_name`) and never opened;
- a symlink is never followed (`symlinked_file`), whatever it points at; neither is a symlinked
  `<feed>/` or `dt=` folder or manifest;
- an entry that is not a regular file (a folder, a FIFO, a device) is rejected
  (`not_a_regular_file`);
- a file larger than the limits is not read (`file_too_large`, `decompressed_too_large`).
A data file that fails its manifest check (not listed, sha256 or row-count mismatch, unreadable
gzip) is rejected whole. Each rejection is a `FileRejection` with its reason code; every one of
them blocks the feed's day at the raw gate.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingest.lines import Lines, TooLarge, decompress, split_lines
from assets.settings import InputLimits

MANIFEST = "_manifest.json"
MAX_MANIFEST_BYTES = 16 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class DeliveryError(Exception):
    """The delivery itself is unusable (no manifest, unreadable manifest, unsafe folder)."""


@dataclass(frozen=True)
class FileRejection:
    file: str  # printable: control characters escaped
    # file_not_in_manifest | sha256_mismatch | row_count_mismatch | unreadable_file | missing_file |
    # unsafe_file_name | symlinked_file | not_a_regular_file | file_too_large | decompressed_too_large
    reason: str
    detail: str
    sha256: str | None = None  # of the bytes read, when they were read
    raw: bytes | None = None  # the bytes read, kept for the quarantine copy
    lines: Lines | None = None  # its readable lines, quarantined with the file's reason


@dataclass
class DataFile:
    name: str
    sha256: str
    lines: Lines
    rows: int  # non-blank lines, what the manifest counts


@dataclass
class Delivery:
    feed: str
    dt: str
    folder: Path
    files: list[DataFile] = field(default_factory=list)
    rejected: list[FileRejection] = field(default_factory=list)


def printable(name: str) -> str:
    """A name as it may be shown: control characters and other unprintables escaped."""
    return name if name.isprintable() else repr(name)[1:-1]


def unsafe_name_reason(name: object) -> str | None:
    """Why `name` is not a plain file name of the delivery folder, or None when it is one."""
    if not isinstance(name, str) or not name:
        return "not a non-empty string"
    if name in (".", ".."):
        return f"{name!r} is not a file"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if not name.isprintable():
        return "contains a NUL or control character"
    if len(name.encode("utf-8", errors="surrogateescape")) > 255:
        return "longer than 255 bytes"
    return None


def delivery_folder(landing: Path, feed: str, dt: str) -> Path:
    return landing / feed / f"dt={dt}"


def manifest_exists(landing: Path, feed: str, dt: str) -> bool:
    """Whether the day's manifest has landed (a regular file, not a symlink; nothing is opened)."""
    try:
        return stat.S_ISREG(os.lstat(delivery_folder(landing, feed, dt) / MANIFEST).st_mode)
    except OSError:
        return False


def manifest_stamp(landing: Path, feed: str, dt: str) -> str | None:
    """Size and modification time of the day's manifest (nothing is opened); None when absent.

    A re-delivery rewrites the manifest, so a changed stamp means the day was delivered again.
    """
    try:
        st = os.lstat(delivery_folder(landing, feed, dt) / MANIFEST)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}" if stat.S_ISREG(st.st_mode) else None


class _Folder:
    """A delivery folder opened once; files are opened relative to it, never through a symlink."""

    def __init__(self, landing: Path, feed: str, dt: str):
        self.path = delivery_folder(landing, feed, dt)
        self.fd = None
        fds = []
        try:
            fds.append(os.open(landing, os.O_RDONLY | os.O_DIRECTORY))  # the landing root itself is the operator's
            for part in (feed, f"dt={dt}"):
                fds.append(os.open(part, _DIR_FLAGS, dir_fd=fds[-1]))
            self.fd = fds.pop()
        except FileNotFoundError:
            raise DeliveryError(
                f"{feed} dt={dt}: no manifest at {self.path / MANIFEST} (the delivery is not complete)"
            ) from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise DeliveryError(
                    f"{feed} dt={dt}: {self.path} is a symlink or not a folder: refused "
                    "(a delivery folder must be a real folder of the landing zone)"
                ) from None
            raise DeliveryError(f"{feed} dt={dt}: cannot open {self.path} ({exc.strerror})") from None
        finally:
            for fd in fds:
                os.close(fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def entries(self) -> list[os.DirEntry]:
        with os.scandir(self.fd) as it:
            return sorted(it, key=lambda e: e.name)

    def read(self, name: str, max_bytes: int) -> bytes:
        """The bytes of regular file `name`, or OSError/_Refused without reading anything else."""
        try:
            fd = os.open(name, _OPEN_FLAGS, dir_fd=self.fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _Refused("symlinked_file", "is a symlink: never followed") from None
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise _Refused("not_a_regular_file", "is not a regular file")
            if st.st_size > max_bytes:
                raise _Refused(
                    "file_too_large", f"is {st.st_size:,} bytes, beyond the {max_bytes:,}-byte cap (CWH_MAX_FILE_BYTES)"
                )
            chunks, size = [], 0
            while chunk := os.read(fd, min(1 << 24, max_bytes + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:  # grew while being read
                    raise _Refused("file_too_large", f"grew beyond the {max_bytes:,}-byte cap while read")
            return b"".join(chunks)
        finally:
            os.close(fd)


class _Refused(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _entry_refusal(entry: os.DirEntry, folder_fd: int) -> tuple[str, str] | None:
    """(reason, detail) when a folder entry must not be opened, judged without opening it."""
    why = unsafe_name_reason(entry.name)
    if why:
        return "unsafe_file_name", f"its name {why}: never opened"
    if entry.is_symlink():
        try:
            target = os.readlink(entry.name, dir_fd=folder_fd)
        except OSError:
            target = "?"
        return "symlinked_file", f"is a symlink (to {printable(target)}): never followed"
    if not entry.is_file(follow_symlinks=False):
        return "not_a_regular_file", "is not a regular file: never opened"
    return None


def _load_manifest(folder: _Folder, feed: str, dt: str) -> dict[str, dict]:
    """The manifest's entries by name, checked for shape; DeliveryError names what is wrong."""
    where = folder.path / MANIFEST
    try:
        raw = folder.read(MANIFEST, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        raise DeliveryError(f"{feed} dt={dt}: no manifest at {where} (the delivery is not complete)") from None
    except _Refused as exc:
        raise DeliveryError(f"{where}: {exc} ({exc.reason})") from None
    except OSError as exc:
        raise DeliveryError(f"{where}: cannot be read ({exc.strerror})") from None
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise DeliveryError(f"{where}: unreadable manifest ({str(exc)[:200]})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        raise DeliveryError(f"{where}: unreadable manifest (no list of files)")
    listed: dict[str, dict] = {}
    for i, entry in enumerate(files):
        if not isinstance(entry, dict):
            raise DeliveryError(f"{where}: unreadable manifest (files[{i}] is not an object)")
        name = entry.get("name")
        key = name if isinstance(name, str) else repr(name)
        if key in listed:
            raise DeliveryError(f"{where}: unreadable manifest (files[{i}]: {printable(key)} is listed twice)")
        listed[key] = entry
    return listed


def _entry_problem(entry: dict) -> str | None:
    if not isinstance(entry.get("rows"), int) or isinstance(entry.get("rows"), bool) or entry["rows"] < 0:
        return "its 'rows' is not a count"
    if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
        return "its 'sha256' is not 64 lowercase hex digits"
    return None


def read_delivery(landing: Path, feed: str, dt: str, limits: InputLimits = InputLimits(), on_file=None) -> Delivery:
    """The delivery's files, checked against its manifest. `on_file`, given, receives each accepted
    file as soon as it is read and returns what to keep of it in `files` (e.g. without its lines),
    so a caller that loads files one by one holds one file's bytes at a time."""
    folder = _Folder(landing, feed, dt)
    try:
        return _read(folder, feed, dt, limits, on_file)
    finally:
        folder.close()


def _read(folder: _Folder, feed: str, dt: str, limits: InputLimits, on_file) -> Delivery:
    listed = _load_manifest(folder, feed, dt)
    delivery = Delivery(feed=feed, dt=dt, folder=folder.path)
    reject = delivery.rejected.append

    # Listed names that are not plain file names are refused before anything is looked up.
    plain: dict[str, dict] = {}
    for name, entry in listed.items():
        why = unsafe_name_reason(name) if isinstance(entry.get("name"), str) else "is not a string"
        if why:
            reject(
                FileRejection(
                    printable(name),
                    "unsafe_file_name",
                    f"{folder.path}: the manifest lists '{printable(name)}', whose name {why}: never opened",
                )
            )
        elif problem := _entry_problem(entry):
            reject(FileRejection(name, "unreadable_file", f"{folder.path / name}: manifest entry unusable ({problem})"))
        else:
            plain[name] = entry

    present = set()
    for e in folder.entries():
        if e.name == MANIFEST or e.name.startswith("."):
            continue
        present.add(e.name)
        shown = printable(e.name)
        refusal = _entry_refusal(e, folder.fd)
        if refusal:
            reject(FileRejection(shown, refusal[0], f"{folder.path / shown} {refusal[1]}"))
            continue
        path = folder.path / e.name
        try:
            raw = folder.read(e.name, limits.max_file_bytes)
        except _Refused as exc:
            reject(FileRejection(shown, exc.reason, f"{path} {exc}"))
            continue
        except OSError as exc:
            reject(FileRejection(shown, "unreadable_file", f"{path}: cannot be read ({exc.strerror})"))
            continue
        sha = hashlib.sha256(raw).hexdigest()
        try:
            lines = split_lines(decompress(e.name, raw, limits), limits)
        except TooLarge as exc:
            reject(FileRejection(shown, "decompressed_too_large", f"{path} {exc}", sha, raw, Lines.empty()))
            continue
        except (OSError, EOFError, zlib.error) as exc:
            reject(FileRejection(shown, "unreadable_file", f"{path}: cannot be read ({exc})", sha, raw, Lines.empty()))
            continue
        if e.name not in listed:
            reject(FileRejection(shown, "file_not_in_manifest", f"{path} is not listed in {MANIFEST}", sha, raw, lines))
            continue
        if e.name not in plain:
            continue  # its manifest entry is unusable: already rejected
        entry = plain[e.name]
        if sha != entry["sha256"]:
            reject(
                FileRejection(
                    shown,
                    "sha256_mismatch",
                    f"{path}: sha256 {sha[:12]}… does not match the manifest's {entry['sha256'][:12]}… "
                    "(truncated or corrupted)",
                    sha,
                    raw,
                    lines,
                )
            )
            continue
        if lines.rows != entry["rows"]:
            reject(
                FileRejection(
                    shown,
                    "row_count_mismatch",
                    f"{path}: {lines.rows} rows but the manifest says {entry['rows']}",
                    sha,
                    raw,
                    lines,
                )
            )
            continue
        accepted = DataFile(name=e.name, sha256=sha, lines=lines, rows=lines.rows)
        delivery.files.append(on_file(accepted) if on_file else accepted)
        del raw, lines, accepted  # one file's bytes at a time
    for name in sorted(set(plain) - present):
        reject(FileRejection(name, "missing_file", f"{folder.path / name} is listed in {MANIFEST} but absent"))
    return delivery


def first_listings(landing: Path, feed: str, dt: str) -> dict[str, tuple[str, str]]:
    """sha256 -> (dt, name) of the earliest listing of those bytes in the feed's manifests before `dt`.

    Where a file was first delivered, as the landing zone tells it whatever has run yet: a
    re-delivered copy loaded before its original (days run out of order) still ranks as the
    original would. Manifests that cannot be read safely, and unsafe names, are skipped (their own
    day reports them).
    """
    first: dict[str, tuple[str, str]] = {}
    base = landing / feed
    try:
        if not stat.S_ISDIR(os.lstat(base).st_mode):
            return first
        days = sorted(p.name[3:] for p in base.iterdir() if p.name.startswith("dt="))
    except OSError:
        return first
    for day in days:
        if day >= dt:
            break
        for sha, name in _listing(landing, feed, day):
            first.setdefault(sha, (day, name))
    return first


# (landing, feed, day) -> (manifest stamp, [(sha256, name)]): each manifest is parsed once per
# process while it is unchanged, so a backfill's feed-days do not re-read every earlier manifest.
_listings: dict[tuple[str, str, str], tuple[str, list[tuple[str, str]]]] = {}


def _listing(landing: Path, feed: str, day: str) -> list[tuple[str, str]]:
    """(sha256, name) of a day's usable manifest entries, by name; [] when unreadable or unsafe."""
    key, stamp = (str(landing), feed, day), manifest_stamp(landing, feed, day)
    cached = _listings.get(key)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        folder = _Folder(landing, feed, day)
    except DeliveryError:
        return []
    try:
        listed = _load_manifest(folder, feed, day)
    except DeliveryError:
        return []
    finally:
        folder.close()
    entries = [
        (listed[name]["sha256"], name)
        for name in sorted(listed)
        if unsafe_name_reason(listed[name].get("name")) is None and _entry_problem(listed[name]) is None
    ]
    if stamp is not None:
        _listings[key] = (stamp, entries)
    return entries
