"""A small JSON record beside the data (the ingest journal, the pending days): read freely,
changed under a file lock, and replaced atomically (write, fsync, rename), so a process killed at
any point leaves either the old record or the new one."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path


def read(path: Path, key: str) -> dict:
    """The record's `key` mapping; empty when there is no record yet."""
    try:
        return json.loads(path.read_text())[key]
    except FileNotFoundError:
        return {}


@contextlib.contextmanager
def update(path: Path, key: str) -> Iterator[dict]:
    """The record's `key` mapping, to change in place; written back when the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        value = read(path, key)
        yield value
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            json.dump({key: value}, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
