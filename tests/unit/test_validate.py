"""Record validation: each bad-record kind of SOURCES.md gets its reason code; valid ones normalise."""

import json

import duckdb
import pyarrow as pa
import pytest
from landing_builder import link, order

from assets.feeds import FEEDS
from assets.ingest.validate import validation_sql


def judge(feed: str, records: list) -> list[dict]:
    texts = [r if isinstance(r, str) else json.dumps(r) for r in records]
    con = duckdb.connect()
    con.register(
        "lines",
        pa.table(
            {
                "file": ["f.jsonl"] * len(texts),
                "line": list(range(1, len(texts) + 1)),
                "text": texts,
                "refused": pa.nulls(len(texts), pa.string()),
            }
        ),
    )
    cur = con.execute(validation_sql(FEEDS[feed], "lines"))
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=False)) for r in cur.fetchall()]
    return rows


@pytest.mark.parametrize(
    "record, reason, field",
    [
        ('{"order_id": "o1",', "invalid_json", None),
        ("[1, 2]", "not_object", None),
        (order(order_id=...), "missing_field", "order_id"),
        (order(sku_id=None), "missing_field", "sku_id"),
        (order(quantity="2"), "wrong_type", "quantity"),
        (order(quantity=True), "wrong_type", "quantity"),
        (order(quantity=2.5), "wrong_type", "quantity"),
        (order(unit_price=12.5), "wrong_type", "unit_price"),
        (order(unit_price="12.345"), "wrong_type", "unit_price"),
        (order(created_at="1761998400"), "wrong_type", "created_at"),
        (order(status="settled"), "invalid_enum", "status"),
        (order(content_type="TV"), "invalid_enum", "content_type"),
        (order(quantity=0), "quantity_lt_1", "quantity"),
        (order(unit_price="0.00"), "unit_price_not_positive", "unit_price"),
        (order(unit_price="-1.00"), "unit_price_not_positive", "unit_price"),
        (order(refunded_quantity=3), "refunded_gt_quantity", None),
        (order(commission_rate=99), "commission_out_of_range", "commission_rate"),
        (order(commission_rate=8001), "commission_out_of_range", "commission_rate"),
        (order(currency="EUR"), "currency_not_usd", "currency"),
        (order(content_id=7), "wrong_type", "content_id"),
        (link(channel="instagram"), "invalid_enum", "channel"),
    ],
)
def test_bad_records_get_their_reason(record, reason, field):
    feed = "links" if "link_id" in (record if isinstance(record, dict) else {}) else "affiliate_orders"
    [row] = judge(feed, [record])
    assert (row["reason"], row["field"]) == (reason, field)
    assert row["order_id" if feed == "affiliate_orders" else "link_id"] is None  # nothing typed leaks


def test_valid_record_is_typed_and_normalised():
    [row] = judge(
        "affiliate_orders",
        [order(created_at=1761998400123, unit_price="12.50", new_field={"a": 1}, content_id=None, trace_event_id=...)],
    )
    assert row["reason"] is None
    assert row["created_at"].isoformat() == "2025-11-01T12:00:00"  # milliseconds -> seconds, naive UTC
    assert str(row["unit_price"]) == "12.50"
    assert row["content_id"] is None and row["trace_event_id"] is None  # optional: null or absent
    assert json.loads(row["_extra"]) == {"new_field": {"a": 1}}  # schema drift kept, never fatal


def test_range_rules_of_other_feeds():
    creator = {
        "creator_open_id": "c1",
        "username": "u",
        "email": "a@b.c",
        "region": "US",
        "follower_count": -1,
        "chr_score": 500,
        "permissions": ["A"],
        "joined_at": 1,
        "snapshot_at": 2,
    }
    rows = judge(
        "creators",
        [
            creator,
            {**creator, "follower_count": 1, "chr_score": 1001},
            {**creator, "follower_count": 1, "permissions": ["A", 1]},
            {**creator, "follower_count": 1},
        ],
    )
    assert [(r["reason"], r["field"]) for r in rows] == [
        ("out_of_range", "follower_count"),
        ("out_of_range", "chr_score"),
        ("wrong_type", "permissions"),
        (None, None),
    ]
    assert rows[3]["permissions"] == ["A"] and rows[3]["creator_user_id"] is None


def test_local_time_and_violation_ranges():
    v = {
        "violation_id": "v1",
        "creator_open_id": "c1",
        "policy_category": "MEDICAL_CLAIM",
        "severity": 2,
        "chr_delta": -5,
        "enforcement_action": "WARNING",
        "detected_at": 1,
        "enforced_local": "2026-11-01 01:30:00",
    }
    rows = judge(
        "violations", [v, {**v, "severity": 5}, {**v, "chr_delta": 3}, {**v, "enforced_local": "2026-11-01T01:30:00Z"}]
    )
    assert [(r["reason"], r["field"]) for r in rows] == [
        (None, None),
        ("out_of_range", "severity"),
        ("out_of_range", "chr_delta"),
        ("wrong_type", "enforced_local"),
    ]
    assert rows[0]["enforced_local"] == "2026-11-01 01:30:00"  # converted to UTC in staging, not here


@pytest.mark.parametrize(
    "text",
    [
        '{"link_id": "l9", "creator_open_id": "c1", "product_id": "p1", "channel": "BLOG", "created_at": 1,}',
        '{"link_id": "l9", "creator_open_id": "c1", "product_id": "p1", "channel": "BLOG", "created_at": 1, "x": NaN}',
    ],
)
def test_json_that_only_a_lenient_parser_accepts_is_invalid(tmp_path, text):
    from landing_builder import write_delivery

    from assets.ingest.feed_day import ingest_feed_day
    from assets.ingest.lake import Lake

    write_delivery(tmp_path / "landing", "links", "2026-11-01", {"a.jsonl": [link(), text]})
    result = ingest_feed_day(Lake(tmp_path / "lake"), tmp_path / "landing", "links", "2026-11-01")
    assert (result.valid, result.quarantined_by_reason) == (1, {"invalid_json": 1})
