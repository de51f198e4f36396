"""`cwh query`: SQL against the published marts, through a connection that can only read them.

The connection (assets/publish/reader.py) is read-only and external access is off, with the
configuration locked: a query cannot write the marts, ATTACH another database, read or write any
file (read_text, read_csv, COPY, EXPORT), nor install or load extensions. Each query opens the
published file once, so a publish renaming a new file over it meanwhile is never seen half-done:
the query reads the file that was there when it opened.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from uuid import UUID

import duckdb

from assets.publish.reader import PublishedMartsError, connect_read_only

FORMATS = ("table", "csv", "json")

# A failed query: DuckDB's own message, or a missing marts file.
QueryError = PublishedMartsError


def run_query(path: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the last statement of `sql` (none for a statement without result)."""
    con = connect_read_only(path)
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from None
    finally:
        con.close()


def _text(value, null: str = "") -> str:
    if value is None:
        return null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _json_value(value):
    if isinstance(value, Decimal):
        # Money as a JSON number: a double prints DECIMAL(18,2)'s digits back unchanged below ~10^13.
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID | bytes):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def write_table(columns: Sequence[str], rows: Iterable[tuple], out: TextIO) -> None:
    """An aligned text table, numbers right-aligned."""
    rows = list(rows)
    cells = [[_text(v, null="NULL") for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(
            isinstance(row[i], int | float | Decimal) and not isinstance(row[i], bool)
            for row in rows
            if row[i] is not None
        )
        for i in range(len(columns))
    ]

    def line(values):
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    print(line(columns), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in cells:
        print(line(r), file=out)
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=out)


def write_csv(columns: Sequence[str], rows: Iterable[tuple], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_text(v) for v in row] for row in rows)


def write_json(columns: Sequence[str], rows: Iterable[tuple], out: TextIO) -> None:
    """A JSON array of objects, one row per line."""
    records = [
        json.dumps({c: _json_value(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False) for row in rows
    ]
    out.write("[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n")


WRITERS = {"table": write_table, "csv": write_csv, "json": write_json}


def query(path: Path, sql: str, fmt: str = "table", out: TextIO | None = None) -> None:
    columns, rows = run_query(path, sql)
    if columns:
        WRITERS[fmt](columns, rows, out or sys.stdout)
