"""Publish: build the marts' new DuckDB file beside the old one, then rename it over published/marts.duckdb.

Readers never block the pipeline and never see half a publish: they open either the previous
file or the new one. Nothing here runs unless every gate before it passed, so a blocked day leaves
the previous file byte-for-byte untouched.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets import marts_builds
from assets.settings import Settings

# Clear PII must never reach analysts: these shapes fail the publish if found in any text column.
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE = r"\+?[0-9]{0,3}[ .-]?\(?[0-9]{3}\)?[ .-][0-9]{3}[ .-][0-9]{4}"


class PublishError(Exception):
    pass


@dataclass
class PublishResult:
    path: Path
    row_counts: dict[str, int]
    delivery_days: list[str]
    free_share: float = 0.0  # of the file's blocks, before compaction
    compacted: bool = False
    carried_forward: list[str] | None = None  # marts whose previous rows were kept outside the scope


# Carrying the previous file forward leaves the replaced rows' blocks free inside it. Once they are
# more than this share of the file, the publish writes a compact copy instead (same tables, same
# rows, same order); it is renamed over the old file like any publish.
COMPACT_FREE_SHARE = 0.25


def free_share(path: Path) -> float:
    """Share of a DuckDB file's blocks that hold nothing (dead space left by replaced rows)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        total, free = con.execute("SELECT total_blocks, free_blocks FROM pragma_database_size()").fetchone()
    finally:
        con.close()
    return free / total if total else 0.0


def compact(path: Path, config: dict[str, str] | None = None) -> None:
    """Rewrite the DuckDB file at `path` without its free blocks, table by table, rows in order.
    `config`: the DuckDB configuration (memory limit, spill folder; Settings.duckdb_config)."""
    fresh = path.with_name(path.name + ".compact")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect(config=config or {})
    try:
        con.execute(f"ATTACH {_sql_str(str(path))} AS src (READ_ONLY)")
        con.execute(f"ATTACH {_sql_str(str(fresh))} AS dst")
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = 'main' "
            "ORDER BY table_name"
        ).fetchall()
        for (table,) in tables:
            con.execute(f'CREATE TABLE dst.main."{table}" AS SELECT * FROM src.main."{table}" ORDER BY ALL')
        con.execute("DETACH dst")
        con.execute("DETACH src")
    except BaseException:
        con.close()
        fresh.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(fresh, path)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def pii_findings(con: duckdb.DuckDBPyConnection, relations: dict[str, str] | None = None) -> list[str]:
    """Columns of the database on `con` that hold something shaped like an email or phone number.

    One scan per table. `relations` maps a table to the relation to scan in its place (the rows a
    publish is adding: the rest was scanned when first published).
    """
    relations = relations or {}
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' "
        "AND data_type = 'VARCHAR' ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    findings = []
    for table, names in columns.items():
        findings += [f"{table}.{c}: a clear PII column" for c in names if c in ("email", "phone")]
        names = [c for c in names if c not in ("email", "phone")]
        if not names:
            continue
        relation = relations.get(table) or f'main."{table}"'
        tests = ", ".join(f'count_if(regexp_matches("{c}", ?) OR regexp_full_match("{c}", ?))' for c in names)
        counts = con.execute(f"SELECT {tests} FROM {relation}", [EMAIL, PHONE] * len(names)).fetchone()
        findings += [
            f"{table}.{c}: {n} value(s) shaped like an email or phone number"
            for c, n in zip(names, counts, strict=False)
            if n
        ]
    return findings


def _scope_predicate(scope: tuple[str, list[str]]) -> str:
    model, columns = scope
    key = ", ".join(f'"{c}"' for c in columns)
    return f'({key}) IN (SELECT {key} FROM wh.main."{model}")'


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _carry_forward(con: duckdb.DuckDBPyConnection, mart: str, scope: tuple[str, list[str]]) -> str | None:
    """Replace the rows of the run's scope in the previous file's copy of `mart`.

    Only called when the previous file was published from the build just before this run's
    (assets/marts_builds.py). Returns the temp table holding the rows added; None when the
    result has another row count than the warehouse's mart (a last guard): the caller then copies
    the mart whole.
    """
    in_scope = _scope_predicate(scope)
    incoming = f'temp."incoming_{mart}"'
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "incoming_{mart}" AS SELECT * FROM wh.main."{mart}" WHERE {in_scope} ORDER BY ALL'
    )
    con.execute(f'DELETE FROM main."{mart}" WHERE {in_scope}')
    con.execute(f'INSERT INTO main."{mart}" SELECT * FROM {incoming}')
    return incoming if _row_count(con, f'main."{mart}"') == _row_count(con, f'wh.main."{mart}"') else None


def publish(
    settings: Settings,
    marts: list[str],
    run_id: str,
    delivery_day: str,
    covered_days: list[str],
    gates: list[dict],
    scopes: dict[str, tuple[str, list[str]]] | None = None,
) -> PublishResult:
    """Publish the warehouse's marts.

    `scopes` (mart -> (scope model, key columns), as the dbt models' replace_scope config) lets a
    daily run carry the previous file forward and replace only the rows its dbt run rewrote, so
    publishing costs what the day changed, not the history; other marts, a first publish, a full
    refresh (scopes None) and a publish after another marts build (assets/marts_builds.py) copy
    whole tables. Rows are inserted in a fixed order (ORDER BY ALL).
    """
    target = settings.published_path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    log_path = target.with_name("publish_log.parquet")
    build = marts_builds.builds(settings)
    carried = bool(scopes) and marts_builds.may_carry_forward(settings)
    if carried:
        shutil.copyfile(target, tmp)
    config = settings.duckdb_config(settings.scratch_dir / "publish")
    con = duckdb.connect(str(tmp), config=config)
    try:
        con.execute(f"ATTACH {_sql_str(str(settings.warehouse_path))} AS wh (READ_ONLY)")
        existing = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema = 'main'"
            ).fetchall()
        }
        row_counts, added = {}, {}
        for mart in marts:
            scope = (scopes or {}).get(mart) if carried and mart in existing else None
            incoming = _carry_forward(con, mart, scope) if scope else None
            if incoming:
                added[mart] = incoming  # only these rows need a PII scan: the rest was scanned before
            else:
                con.execute(f'CREATE OR REPLACE TABLE main."{mart}" AS SELECT * FROM wh.main."{mart}" ORDER BY ALL')
            row_counts[mart] = con.execute(f'SELECT count(*) FROM main."{mart}"').fetchone()[0]
        findings = pii_findings(con, added)
        con.execute("DETACH wh")
        con.execute("DROP TABLE IF EXISTS main.publish_log")
        history = (
            f"SELECT * FROM read_parquet({_sql_str(str(log_path))})"
            if log_path.exists()
            else "SELECT NULL::TIMESTAMP AS published_at, NULL::VARCHAR AS run_id, NULL::DATE AS delivery_day, "
            "NULL::DATE[] AS delivery_days, NULL::JSON AS row_counts, NULL::JSON AS gates, "
            "NULL::BIGINT AS gates_passed WHERE false"
        )
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            f"""
            CREATE TABLE main.publish_log AS
            {history}
            UNION ALL
            SELECT ?::TIMESTAMP, ?, ?::DATE, ?::DATE[], ?::JSON, ?::JSON, ?::BIGINT
        """,
            [
                now,
                run_id,
                delivery_day,
                covered_days,
                json.dumps(row_counts, sort_keys=True),
                json.dumps(gates, sort_keys=True),
                sum(g["passed"] for g in gates),
            ],
        )
        if findings:
            raise PublishError("clear PII in the marts, publish refused:\n  " + "\n  ".join(findings))
        log_tmp = log_path.with_suffix(".tmp")
        con.execute(f"COPY main.publish_log TO {_sql_str(str(log_tmp))} (FORMAT parquet)")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    dead = free_share(tmp) if carried else 0.0
    if dead > COMPACT_FREE_SHARE:
        try:
            compact(tmp, config)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
    os.replace(log_tmp, log_path)
    marts_builds.record_published(settings, build)
    return PublishResult(
        target,
        row_counts,
        covered_days,
        free_share=dead,
        compacted=dead > COMPACT_FREE_SHARE,
        carried_forward=sorted(added),
    )
