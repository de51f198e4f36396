"""Watch folders for any open, read or write by any process (Linux inotify), and fingerprint trees.

Used by the hostile-delivery tests to prove that nothing outside the landing zone is opened and
nothing outside the data dir is created or changed. inotify sees every process's file access,
DuckDB's and dbt's included, not only Python's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import struct
from pathlib import Path

IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x1, 0x2, 0x4, 0x8
IN_OPEN, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x20, 0x40, 0x80, 0x100, 0x200
IN_NONBLOCK = 0o4000
_WATCHED = (
    IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_OPEN | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
)
_NAMES = {
    IN_ACCESS: "access",
    IN_MODIFY: "modify",
    IN_ATTRIB: "attrib",
    IN_CLOSE_WRITE: "close_write",
    IN_OPEN: "open",
    IN_MOVED_FROM: "moved_from",
    IN_MOVED_TO: "moved_to",
    IN_CREATE: "create",
    IN_DELETE: "delete",
}


class FolderWatch:
    """Every open/read/write/create event under the given folders (not recursive) from now on."""

    def __init__(self, *folders: Path):
        self._libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = self._libc.inotify_init1(IN_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.folders = {}
        for folder in folders:
            wd = self._libc.inotify_add_watch(self.fd, str(folder).encode(), _WATCHED)
            if wd < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {folder} failed")
            self.folders[wd] = Path(folder)

    def events(self) -> list[tuple[str, str]]:
        """(event, path) seen so far; `path` is the folder itself when the event concerns it."""
        out = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return out
            pos = 0
            while pos < len(data):
                wd, mask, _cookie, size = struct.unpack_from("iIII", data, pos)
                name = data[pos + 16 : pos + 16 + size].rstrip(b"\0").decode(errors="replace")
                pos += 16 + size
                path = str(self.folders.get(wd, "?") / name) if name else str(self.folders.get(wd, "?"))
                out += [(label, path) for bit, label in _NAMES.items() if mask & bit]

    def close(self) -> None:
        os.close(self.fd)


def fingerprint(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """path -> (kind, size, sha256 or link target, mtime_ns) of everything under `root` (symlinks not followed)."""
    out = {}
    skip = tuple(Path(s) for s in skip)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in dirnames + filenames:
            p = here / name
            if p in skip:
                continue
            st = os.lstat(p)
            if p.is_symlink():
                out[str(p)] = ("link", os.readlink(p))
            elif p.is_file():
                out[str(p)] = ("file", st.st_size, hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mtime_ns)
            elif p.is_dir():
                out[str(p)] = ("dir",)
            else:
                out[str(p)] = ("other", st.st_mode)
    return out
