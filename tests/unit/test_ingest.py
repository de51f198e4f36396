"""Ingesting one feed-day: manifest checks, quarantine, ledger, idempotence, the raw gate."""

import hashlib
from pathlib import Path

import duckdb
import pytest
from landing_builder import link, order, write_delivery

from assets.ingest.feed_day import ingest_feed_day
from assets.ingest.lake import PART, Lake
from assets.ingest.landing import DeliveryError
from assets.ingest.raw_gate import audit_pending

DT = "2026-11-01"


def rows(path):
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}', hive_partitioning = false) ORDER BY ALL").fetchall()


def ingest_and_gate(lake, landing, feed, dt=DT, max_rate=0.01, min_records=10):
    result = ingest_feed_day(lake, landing, feed, dt)
    gate = audit_pending(lake, result, max_rate, min_records)
    if gate.passed:
        lake.commit(feed, dt, result.ledger_files)
    assert result.reconciles, result
    return result, gate


@pytest.fixture
def lake(tmp_path):
    return Lake(tmp_path / "lake")


def test_counts_reconcile_and_quarantine_keeps_raw_line(lake, tmp_path):
    landing = tmp_path / "landing"
    good = [link(link_id=f"l{i}") for i in range(30)]
    write_delivery(
        landing,
        "links",
        DT,
        {"a.jsonl": good + [good[0], "{broken", ""], "b.jsonl.gz": [link(link_id="z", channel="tv")]},
    )
    result, gate = ingest_and_gate(lake, landing, "links")
    assert (result.lines_read, result.valid, result.quarantined, result.duplicates_skipped) == (33, 30, 2, 1)
    assert result.quarantined_by_reason == {"invalid_json": 1, "invalid_enum": 1}
    assert gate.passed  # 2 bad records: under the 10-record floor
    q = duckdb.sql(
        f"SELECT file, line, reason, field, raw FROM read_parquet('{lake.quarantine_dir('links', DT) / PART}') ORDER BY file"
    ).fetchall()
    assert q == [
        ("a.jsonl", 32, "invalid_json", None, "{broken"),
        (
            "b.jsonl.gz",
            1,
            "invalid_enum",
            "channel",
            '{"link_id": "z", "creator_open_id": "c1", "product_id": "p1", "channel": "tv", "created_at": 1761998400}',
        ),
    ]
    assert len(rows(lake.raw_dir("links", DT) / PART)) == 30


def test_quarantine_flood_blocks_the_day(lake, tmp_path):
    landing = tmp_path / "landing"
    write_delivery(
        landing, "links", DT, {"a.jsonl": [link(link_id=f"l{i}") for i in range(100)] + [link(channel="x")] * 11}
    )
    result, gate = ingest_and_gate(lake, landing, "links")
    assert result.quarantined == 11 and not gate.passed
    assert "quarantined records within policy" in gate.summary()
    assert not lake.raw_dir("links", DT).exists()  # never committed: invisible to dbt and later days
    # The thresholds are policy: a looser one lets the same day through.
    _, gate = ingest_and_gate(lake, landing, "links", max_rate=0.2)
    assert gate.passed and lake.raw_dir("links", DT).exists()


@pytest.mark.parametrize(
    "fault, reason",
    [
        ("truncated", "sha256_mismatch"),
        ("bad_gzip", "unreadable_file"),
        ("row_count", "row_count_mismatch"),
        ("unlisted", "file_not_in_manifest"),
    ],
)
def test_bad_file_is_rejected_whole_and_blocks_the_feed_day(lake, tmp_path, fault, reason):
    landing = tmp_path / "landing"
    records = [link(link_id=f"l{i}") for i in range(5)]
    if fault == "unlisted":
        folder = write_delivery(landing, "links", DT, {"a.jsonl": records}, unlisted={"extra.jsonl": records[:2]})
    elif fault == "row_count":
        folder = write_delivery(landing, "links", DT, {"a.jsonl": records}, manifest_overrides={"a.jsonl": {"rows": 6}})
    else:
        name = "a.jsonl" if fault == "truncated" else "a.jsonl.gz"
        folder = write_delivery(landing, "links", DT, {name: records})
        data = (folder / name).read_bytes()
        if fault == "truncated":
            (folder / name).write_bytes(data[: len(data) // 2])
        else:  # a corrupted gzip whose bytes still match the manifest: unreadable
            bad = data[:20] + b"\x00" * 10 + data[30:]
            (folder / name).write_bytes(bad)
            import json

            m = json.loads((folder / "_manifest.json").read_text())
            m["files"][0]["sha256"] = hashlib.sha256(bad).hexdigest()
            (folder / "_manifest.json").write_text(json.dumps(m))
    result, gate = ingest_and_gate(lake, landing, "links")
    assert not gate.passed and result.files_rejected == 1
    message = gate.summary()
    assert reason in message and str(folder) in message  # names the file and the check
    assert reason in "\n".join(result.file_errors)
    q = duckdb.sql(f"SELECT DISTINCT reason FROM read_parquet('{lake.quarantine_dir('links', DT) / PART}')").fetchall()
    assert (reason,) in q
    assert not lake.raw_dir("links", DT).exists()


def test_redelivered_file_adds_nothing(lake, tmp_path):
    landing = tmp_path / "landing"
    records = [order(order_id=f"o{i}") for i in range(20)]
    write_delivery(landing, "affiliate_orders", DT, {"a.jsonl": records})
    ingest_and_gate(lake, landing, "affiliate_orders")
    # The same bytes again, under another name, on a later delivery day.
    write_delivery(
        landing, "affiliate_orders", "2026-11-02", {"again.jsonl": records, "new.jsonl": [order(order_id="o99")]}
    )
    result, gate = ingest_and_gate(lake, landing, "affiliate_orders", dt="2026-11-02")
    assert gate.passed
    assert (result.files_redelivered, result.duplicates_skipped, result.valid) == (1, 20, 1)
    assert len(rows(lake.raw_dir("affiliate_orders", "2026-11-02") / PART)) == 1


def test_a_file_belongs_to_its_first_delivery_day_whatever_the_run_order(lake, tmp_path):
    landing = tmp_path / "landing"
    records = [order(order_id=f"o{i}") for i in range(5)] + ["not json"]
    write_delivery(landing, "affiliate_orders", DT, {"a.jsonl": records})
    write_delivery(landing, "affiliate_orders", "2026-11-02", {"again.jsonl": records})
    # The later day runs first: nothing earlier holds the file, so it loads it.
    later, _ = ingest_and_gate(lake, landing, "affiliate_orders", dt="2026-11-02")
    assert (later.files_redelivered, later.valid, later.quarantined) == (0, 5, 1)
    # The first delivery day still loads its own file: a later day's copy does not count.
    first, _ = ingest_and_gate(lake, landing, "affiliate_orders")
    assert (first.files_redelivered, first.valid, first.quarantined) == (0, 5, 1)
    # Both quarantine rows carry the file's sha256, so the rejected line is recognisably one line.
    shas = [
        duckdb.sql(
            f"SELECT file, line, file_sha256 FROM read_parquet('{lake.quarantine_dir('affiliate_orders', d) / PART}')"
        ).fetchall()
        for d in (DT, "2026-11-02")
    ]
    assert (
        shas[0][0][2]
        == shas[1][0][2]
        == hashlib.sha256(Path(landing / "affiliate_orders" / f"dt={DT}" / "a.jsonl").read_bytes()).hexdigest()
    )
    # Both copies rank as the first delivery (staging orders records by it), so a record delivered
    # in between outranks the copy in every run order.
    order_cols = [
        duckdb.sql(
            f"SELECT DISTINCT _dt, _order_dt, _order_file FROM read_parquet('{lake.raw_dir('affiliate_orders', d) / PART}')"
        ).fetchall()
        for d in (DT, "2026-11-02")
    ]
    assert [(str(a), str(b), c) for a, b, c in order_cols[1]] == [("2026-11-02", DT, "a.jsonl")]
    assert [(str(a), str(b), c) for a, b, c in order_cols[0]] == [(DT, DT, "a.jsonl")]
    # Re-running the later day now finds the file committed earlier and adds nothing.
    again, _ = ingest_and_gate(lake, landing, "affiliate_orders", dt="2026-11-02")
    assert (again.files_redelivered, again.valid, again.quarantined) == (1, 0, 0)


def test_rerunning_a_day_yields_identical_partitions(lake, tmp_path):
    landing = tmp_path / "landing"
    write_delivery(
        landing,
        "affiliate_orders",
        DT,
        {
            "a.jsonl": [order(order_id=f"o{i}") for i in range(50)] + ["nope"],
            "b.jsonl.gz": [order(order_id="x", update_time=1761998400000)],
        },
    )
    ingest_and_gate(lake, landing, "affiliate_orders")
    first = (
        (lake.raw_dir("affiliate_orders", DT) / PART).read_bytes(),
        (lake.quarantine_dir("affiliate_orders", DT) / PART).read_bytes(),
    )
    result, _ = ingest_and_gate(lake, landing, "affiliate_orders")
    assert result.files_redelivered == 0  # its own ledger entry does not make a re-run a re-delivery
    again = (
        (lake.raw_dir("affiliate_orders", DT) / PART).read_bytes(),
        (lake.quarantine_dir("affiliate_orders", DT) / PART).read_bytes(),
    )
    assert first == again


def test_missing_manifest_is_a_clear_error(lake, tmp_path):
    (tmp_path / "landing" / "links" / f"dt={DT}").mkdir(parents=True)
    with pytest.raises(DeliveryError, match="no manifest"):
        ingest_feed_day(lake, tmp_path / "landing", "links", DT)


def test_ingestion_leaves_a_quarter_of_the_memory_limit_for_the_file_it_holds_in_python():
    from assets.settings import Settings

    def limit(text):
        return Settings(Path("l"), Path("d"), duckdb_memory_limit=text).ingest_memory_limit

    assert limit("1GiB") == "768MiB" and limit("2GB") == "1430MiB"
    with pytest.raises(ValueError, match="not a size"):
        limit("lots")
