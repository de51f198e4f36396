"""The raw-stage data contracts, rendered from the feed registry into soda/contracts/raw/.

The YAML files are committed so that a reader sees each feed's contract; a unit test keeps them
equal to what this module renders. Regenerate with `python -m assets.gates.raw_contracts`.

A raw contract audits one pending feed-day (a view named after the feed) plus the day's ingest
figures (a one-row table `ingest_stats`) on an in-memory DuckDB connection.
"""

from __future__ import annotations

from assets.feeds import BOOL, DEC, FEEDS, INT, LOCAL_TS, STR, STR_LIST, TS, Feed
from assets.gates.soda import CONTRACTS_DIR

RAW_CONTRACTS_DIR = CONTRACTS_DIR / "raw"
DATA_SOURCE = "raw"

_SQL_TYPES = {
    STR: "varchar",
    LOCAL_TS: "varchar",
    INT: "bigint",
    TS: "timestamp",
    BOOL: "boolean",
    DEC: "decimal",
    STR_LIST: "varchar[]",
}
_META_TYPES = {
    "_dt": "date",
    "_file": "varchar",
    "_line": "bigint",
    "_extra": "varchar",
    "_order_dt": "date",
    "_order_file": "varchar",
}


def render(feed: Feed) -> str:
    out = [
        "# Generated from assets/feeds.py by `python -m assets.gates.raw_contracts`; do not edit by hand.",
        f"# Raw gate for one delivery day of `{feed.name}`, audited before it is committed to the lake.",
        f"dataset: {DATA_SOURCE}/main/{feed.name}",
        "columns:",
    ]
    for f in feed.fields:
        out += [f"  - name: {f.name}", f"    data_type: {_SQL_TYPES[f.type]}"]
        checks = []
        if f.name in feed.key or (f.required and f.name == feed.version):
            checks.append("      - missing:")
        if f.enum:
            checks += ["      - invalid:", f"          valid_values: [{', '.join(f.enum)}]"]
        if checks:
            out += ["    checks:"] + checks
    for name, sql_type in _META_TYPES.items():
        out += [f"  - name: {name}", f"    data_type: {sql_type}"]
    out += [
        "checks:",
        "  - schema:",
        "  - metric:",
        "      name: no file rejected by its manifest check",
        "      qualifier: files",
        "      query: SELECT files_rejected FROM ingest_stats",
        "      threshold:",
        "        must_be: 0",
        "  - metric:",
        "      name: no record refused unread (invalid_utf8, line_too_long, too_deeply_nested)",
        "      qualifier: unsafe",
        "      query: SELECT unsafe_records FROM ingest_stats",
        "      threshold:",
        "        must_be: 0",
        "  - metric:",
        "      name: quarantined records within policy (CWH_QUARANTINE_MAX_RATE and CWH_QUARANTINE_MIN_RECORDS)",
        "      qualifier: quarantine",
        "      query: >-",
        "        SELECT CASE WHEN quarantined > min_records AND quarantined > max_rate * lines_read",
        "        THEN quarantined ELSE 0 END FROM ingest_stats",
        "      threshold:",
        "        must_be: 0",
    ]
    return "\n".join(out) + "\n"


def contract_path(feed_name: str):
    return RAW_CONTRACTS_DIR / f"{feed_name}.yml"


def write_all() -> None:
    RAW_CONTRACTS_DIR.mkdir(parents=True, exist_ok=True)
    for feed in FEEDS.values():
        contract_path(feed.name).write_text(render(feed))


if __name__ == "__main__":
    write_all()
    print(f"wrote {len(FEEDS)} raw contracts to {RAW_CONTRACTS_DIR}")
