"""A backfill of any length runs within memory: its range is cut into runs of a bounded number of
days (what one run's dbt statements hold grows with its days), and every DuckDB database the run
opens (ingestion, raw gates, dbt, warehouse gates, publish) keeps to CWH_DUCKDB_MEMORY_LIMIT."""

import duckdb
import pytest
from conftest import generate, run_days

pytestmark = pytest.mark.integration

START, END = "2026-11-01", "2026-11-03"


def test_a_backfill_runs_in_bounded_runs_under_a_low_memory_limit(tmp_path, monkeypatch):
    landing, data = tmp_path / "landing", tmp_path / "data"
    generate(landing, START, 3, seed=11)
    # A small-scale day needs a few tens of MB (DuckDB's per-thread buffers dominate at this size).
    monkeypatch.setenv("CWH_DUCKDB_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("CWH_MAX_DAYS_PER_RUN", "2")
    assert run_days(landing, data, START, END) == 0

    con = duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)
    try:
        runs = con.execute(
            "SELECT delivery_day::VARCHAR, len(delivery_days) FROM publish_log ORDER BY published_at"
        ).fetchall()
        activity_days = con.execute("SELECT count(DISTINCT activity_date) FROM kpi_daily").fetchone()[0]
    finally:
        con.close()
    # Two runs, in order, of at most two days each (a publish names its run's last day and every
    # day published so far); together they published the whole range.
    assert runs == [("2026-11-02", 2), ("2026-11-03", 3)]
    assert activity_days >= 3


def test_a_zero_day_batch_size_is_refused(monkeypatch):
    from assets.settings import Settings, SettingsError

    monkeypatch.setenv("CWH_MAX_DAYS_PER_RUN", "0")
    with pytest.raises(SettingsError, match="CWH_MAX_DAYS_PER_RUN"):
        Settings.from_env()
