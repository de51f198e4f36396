"""Reading the published marts: one way, for `cwh query` and the daily review alike.

The connection is read-only and external access is off, with the configuration locked: it cannot
write the marts, ATTACH another database, read or write any file (read_text, read_csv, COPY,
EXPORT), nor install or load extensions. Opening the file once per reader means a publish renaming
a new file over it meanwhile is never seen half-done: the reader keeps the file it opened.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Settings fixed at connect time. Security settings lock themselves once restricted; lock_configuration
# also freezes every other setting (temp_directory, memory_limit, ...) against SET and RESET.
LOCKED_DOWN = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "lock_configuration": True,
}


class PublishedMartsError(Exception):
    """The published marts cannot be read: DuckDB's own message, or a missing file."""


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.is_file():
        raise PublishedMartsError(f"no published marts at {path} (a successful `cwh run` publishes them)")
    try:
        return duckdb.connect(str(path), read_only=True, config=dict(LOCKED_DOWN))
    except duckdb.Error as exc:
        raise PublishedMartsError(str(exc)) from None
