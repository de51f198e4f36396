"""dbt-duckdb plugin: the PII salt as a DuckDB session variable on every connection dbt opens.

The staging SQL reads the salt with `getvariable('pii_salt')` (dbt_project/macros/pii.sql) instead
of having it rendered in as a literal, so the secret is in no compiled model, no dbt log and no
partial-parse state on disk, and the parsed project does not depend on it (a salt that differs
from the last parse would otherwise make dbt re-parse the project, ~2 s).
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

from assets.settings import DEFAULT_PII_SALT


def set_pii_salt(connection) -> None:
    """Bound as a parameter: the value never appears in SQL text."""
    connection.execute("SET VARIABLE pii_salt = ?", [os.environ.get("CWH_PII_SALT", DEFAULT_PII_SALT)])


class Plugin(BasePlugin):
    # A DuckDB cursor is a connection of its own: variables are not shared, so each gets it.
    def configure_connection(self, conn) -> None:
        set_pii_salt(conn)

    def configure_cursor(self, cursor) -> None:
        set_pii_salt(cursor)
