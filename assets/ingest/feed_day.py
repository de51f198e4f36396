"""Ingest one feed's delivery day: landing files -> pending lake partition + quarantine.

Counts reconcile exactly: lines_read = valid + quarantined + duplicates_skipped, where lines of
re-delivered files (already committed by another day, or twice in this delivery) and exact
duplicate records within the delivery count as duplicates skipped.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.feeds import FEEDS
from assets.ingest.lake import PART, Lake
from assets.ingest.landing import DataFile, first_listings, printable, read_delivery
from assets.ingest.lines import POOL, UNSAFE_LINE_REASONS, Lines
from assets.ingest.validate import validation_sql
from assets.settings import InputLimits


@dataclass
class IngestResult:
    feed: str
    dt: str
    files: int = 0
    files_rejected: int = 0
    files_redelivered: int = 0
    lines_read: int = 0
    valid: int = 0
    quarantined: int = 0
    duplicates_skipped: int = 0
    unsafe_records: int = 0  # lines refused before parsing (UNSAFE_LINE_REASONS): they block the day
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    record_errors: list[str] = field(default_factory=list)  # where the unsafe records are (first few)
    ledger_files: list[dict] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.lines_read == self.valid + self.quarantined + self.duplicates_skipped

    def as_metadata(self) -> dict:
        d = asdict(self)
        d.pop("ledger_files")
        return d


def _lines_table(files: dict[str, Lines]) -> pa.Table:
    """(file, line, text, refused) for every line of the files, built column-wise (no per-line Python objects)."""
    tables = [
        pa.table(
            {
                "file": pc.take(pa.array([name], pa.string()), np.zeros(len(lines), dtype=np.int64), memory_pool=POOL),
                "line": pa.array(np.arange(1, len(lines) + 1, dtype=np.int64)),
                "text": lines.text,
                "refused": lines.refused,
            }
        )
        for name, lines in files.items()
    ]
    empty = pa.table(
        {
            "file": pa.array([], pa.string()),
            "line": pa.array([], pa.int64()),
            "text": pa.array([], pa.string()),
            "refused": pa.array([], pa.string()),
        }
    )
    return pa.concat_tables(tables) if tables else empty


# DuckDB's JSON reader accepts a few things standard JSON forbids (trailing commas, NaN, Infinity).
# The few lines that could hold one are re-checked with a strict parser.
_LENIENT_JSON = r",\s*[}\]]|NaN|Infinity"


def _strict_json_ok(text: str) -> bool:
    def no_constants(name):
        raise ValueError(name)

    try:
        json.loads(text, parse_constant=no_constants)
        return True
    except (ValueError, RecursionError):
        return False


def _reject_lenient_json(con: duckdb.DuckDBPyConnection, feed) -> None:
    suspects = con.execute(
        "SELECT file, line, text FROM judged WHERE reason IS NULL AND regexp_matches(text, ?)", [_LENIENT_JSON]
    ).fetchall()
    bad = [(file, line) for file, line, text in suspects if not _strict_json_ok(text)]
    if bad:
        cleared = ", ".join(f'"{n}" = NULL' for n in feed.field_names)
        con.executemany(
            f"UPDATE judged SET reason = 'invalid_json', field = NULL, _extra = NULL, {cleared} "
            "WHERE file = ? AND line = ?",
            bad,
        )


def _to_load(f, earlier_days: set[str], loaded: dict[str, str], result: IngestResult) -> bool:
    """Count a delivered file; whether to load it (False: a re-delivery, counted, not loaded).
    `loaded`: name -> sha256 of the delivery's files loaded so far."""
    result.lines_read += f.rows
    if f.sha256 in earlier_days or f.sha256 in loaded.values():  # a re-delivered file adds nothing
        result.files_redelivered += 1
        result.duplicates_skipped += f.rows
        return False
    result.files += 1
    result.ledger_files.append({"name": f.name, "sha256": f.sha256, "rows": f.rows})
    loaded[f.name] = f.sha256
    return True


def ingest_feed_day(
    lake: Lake,
    landing: Path,
    feed_name: str,
    dt: str,
    memory_limit: str = "800MiB",
    limits: InputLimits = InputLimits(),
) -> IngestResult:
    """Read, verify, validate and write a feed-day into the lake's pending area and quarantine.

    DuckDB keeps within `memory_limit`, spilling to the lake's scratch folder beyond it; `limits`
    bound the work any one file or line can cause. Nothing is ever written into the landing zone.
    """
    feed = FEEDS[feed_name]
    result = IngestResult(feed=feed_name, dt=dt)
    listed_earlier = first_listings(landing, feed_name, dt)
    earlier_days = lake.files_committed_earlier(feed_name, dt)
    # Memory stays bounded whatever the delivery's size: each file's lines go into DuckDB as soon
    # as the file is read and checked (then only DuckDB holds them, spilling to the lake's scratch
    # folder beyond memory_limit), so at most one file's bytes are held in Python at a time.
    scratch = lake.root / "_tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": str(scratch)})
    try:
        return _ingest(con, lake, landing, feed, dt, limits, result, listed_earlier, earlier_days)
    finally:
        con.close()


def _ingest(con, lake, landing, feed, dt, limits, result, listed_earlier, earlier_days) -> IngestResult:
    feed_name = feed.name
    con.execute("SET enable_progress_bar = false")
    con.register("no_lines", _lines_table({}))
    con.execute("CREATE TEMP TABLE lines AS SELECT * FROM no_lines")
    con.unregister("no_lines")
    sha_of: dict[str, str] = {}

    def load(f: DataFile) -> DataFile:
        if _to_load(f, earlier_days, sha_of, result):
            con.register("file_lines", _lines_table({f.name: f.lines}))
            con.execute("INSERT INTO lines SELECT * FROM file_lines")
            con.unregister("file_lines")
        return replace(f, lines=Lines.empty())

    delivery = read_delivery(landing, feed_name, dt, limits, on_file=load)
    names = list(sha_of)

    # Files rejected whole: every readable line is quarantined with the file's reason.
    rejected_rows: list[tuple[str, int | None, str | None, str, str, str | None]] = []
    for rej in delivery.rejected:
        result.files_rejected += 1
        result.file_errors.append(f"{rej.reason}: {rej.detail}")
        lines = rej.lines or Lines.empty()
        result.lines_read += lines.rows
        rejected_rows += [
            (rej.file, n, text, rej.reason, rej.detail, rej.sha256)
            for n, text in enumerate(lines.text.to_pylist(), start=1)
            if text.strip()
        ] or [(rej.file, None, None, rej.reason, rej.detail, rej.sha256)]

    pending = lake.fresh_pending(feed_name, dt)
    qdir = lake.quarantine_dir(feed_name, dt)
    shutil.rmtree(qdir, ignore_errors=True)
    qdir.mkdir(parents=True)
    # Copies of rejected files, from the bytes already read (the landing zone is not opened again),
    # under names the warehouse chooses: files/<sha256>.jsonl(.gz); quarantine rows carry the sha256.
    for rej in delivery.rejected:
        if rej.raw is not None:
            (qdir / "files").mkdir(exist_ok=True)
            suffix = ".jsonl.gz" if rej.file.endswith(".gz") else ".jsonl"
            (qdir / "files" / f"{rej.sha256}{suffix}").write_bytes(rej.raw)

    con.register(
        "rejected_files",
        pa.table(
            {
                "file": pa.array([r[0] for r in rejected_rows], pa.string()),
                "line": pa.array([r[1] for r in rejected_rows], pa.int64()),
                "raw": pa.array([r[2] for r in rejected_rows], pa.string()),
                "reason": pa.array([r[3] for r in rejected_rows], pa.string()),
                "detail": pa.array([r[4] for r in rejected_rows], pa.string()),
                "file_sha256": pa.array([r[5] for r in rejected_rows], pa.string()),
            }
        ),
    )
    # Per loaded file: its sha256 (a quarantined line re-delivered in a file with the same
    # bytes is then recognisably the same line) and its first delivery (_order_dt,
    # _order_file), which staging ranks records by, so a copy loaded before its original
    # ranks as the original does, whatever order the days run in.
    firsts = [listed_earlier.get(sha_of[name], (dt, name)) for name in names]
    con.register(
        "file_hashes",
        pa.table(
            {
                "file": pa.array(names, pa.string()),
                "file_sha256": pa.array([sha_of[name] for name in names], pa.string()),
                "_order_dt": pa.array([date.fromisoformat(d) for d, _ in firsts], pa.date32()),
                "_order_file": pa.array([n for _, n in firsts], pa.string()),
            }
        ),
    )
    con.execute(f"CREATE TEMP TABLE judged AS {validation_sql(feed, 'lines')}")
    con.execute("DROP TABLE lines")
    _reject_lenient_json(con, feed)
    # Exact duplicate records within the delivery: keep the first by (file, line). Only texts
    # seen twice (by a 128-bit hash, then compared in full) need ranking, which keeps this cheap.
    # Only the later copies are kept in a table (a few rows), not a second copy of the records.
    con.execute("""
        CREATE TEMP TABLE later_copies AS
        WITH hashed AS (SELECT file, line, md5_number(text) AS h FROM judged WHERE reason IS NULL),
             repeated AS (SELECT h FROM hashed GROUP BY h HAVING count(*) > 1),
             ranks AS (SELECT file, line, row_number() OVER (PARTITION BY text ORDER BY file, line) AS copy_no
                       FROM judged WHERE reason IS NULL
                         AND (file, line) IN (SELECT file, line FROM hashed WHERE h IN (SELECT h FROM repeated)))
        SELECT file, line FROM ranks WHERE copy_no > 1
    """)
    cols = ", ".join(f'"{n}"' for n in feed.field_names)
    con.execute(f"""
        COPY (SELECT {cols}, DATE '{dt}' AS _dt, file AS _file, line AS _line, _extra, _order_dt, _order_file
              FROM judged JOIN file_hashes USING (file)
              WHERE reason IS NULL AND NOT EXISTS (SELECT 1 FROM later_copies c WHERE c.file = judged.file AND c.line = judged.line)
              ORDER BY file, line)
        TO '{pending / PART}' (FORMAT parquet, COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (
          SELECT '{feed_name}' AS feed, DATE '{dt}' AS dt, file, line, reason, field,
                 NULL::VARCHAR AS detail, text AS raw, file_sha256
          FROM judged LEFT JOIN file_hashes USING (file) WHERE reason IS NOT NULL
          UNION ALL
          SELECT '{feed_name}', DATE '{dt}', file, line, reason, NULL, detail, raw, file_sha256 FROM rejected_files
          ORDER BY file, line NULLS FIRST
        ) TO '{qdir / PART}' (FORMAT parquet, COMPRESSION zstd)
    """)
    copies = con.execute("SELECT count(*) FROM later_copies").fetchone()[0]
    result.valid = con.execute("SELECT count(*) FROM judged WHERE reason IS NULL").fetchone()[0] - copies
    result.duplicates_skipped += copies
    unsafe = ", ".join(f"'{r}'" for r in UNSAFE_LINE_REASONS)
    result.unsafe_records = con.execute(f"SELECT count(*) FROM judged WHERE reason IN ({unsafe})").fetchone()[0]
    if result.unsafe_records:
        first = con.execute(
            f"SELECT reason, file, line FROM judged WHERE reason IN ({unsafe}) ORDER BY file, line LIMIT 5"
        ).fetchall()
        result.record_errors = [
            f"{reason}: {delivery.folder / printable(file)} line {line}" for reason, file, line in first
        ]
        if result.unsafe_records > len(first):
            result.record_errors.append(f"... and {result.unsafe_records - len(first):,} more such records")
    by_reason = con.execute(f"""
        SELECT reason, count(*) FROM read_parquet('{qdir / PART}') WHERE line IS NOT NULL GROUP BY 1 ORDER BY 1
    """).fetchall()
    result.quarantined_by_reason = dict(by_reason)
    result.quarantined = sum(result.quarantined_by_reason.values())
    return result
