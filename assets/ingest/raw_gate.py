"""The raw gate: audit a pending feed-day with its Soda contract before it enters the lake."""

from __future__ import annotations

import duckdb

from assets.gates.raw_contracts import DATA_SOURCE, contract_path
from assets.gates.soda import GateResult, verify
from assets.ingest.feed_day import IngestResult
from assets.ingest.lake import PART, Lake


def audit_pending(
    lake: Lake, result: IngestResult, max_rate: float, min_records: int, memory_limit: str = "800MiB"
) -> GateResult:
    # Bounded like ingestion's database (DuckDB's default would be 80% of the machine's memory).
    con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": str(lake.root / "_tmp")})
    try:
        part = lake.pending_dir(result.feed, result.dt) / PART
        con.execute(f"CREATE VIEW {result.feed} AS SELECT * FROM read_parquet('{part}', hive_partitioning = false)")
        con.execute(
            "CREATE TABLE ingest_stats AS SELECT ?::BIGINT AS lines_read, ?::BIGINT AS quarantined, "
            "?::BIGINT AS files_rejected, ?::BIGINT AS unsafe_records, ?::DOUBLE AS max_rate, ?::BIGINT AS min_records",
            [
                result.lines_read,
                result.quarantined,
                result.files_rejected,
                result.unsafe_records,
                max_rate,
                min_records,
            ],
        )
        gate = verify(con, contract_path(result.feed), DATA_SOURCE)
    finally:
        con.close()
    gate.errors += result.file_errors + result.record_errors  # name the files and lines in the gate's own report
    return gate
