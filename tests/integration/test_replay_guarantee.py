"""The one guarantee: run order, repeats and late data never change the published marts."""

from datetime import date, timedelta

import duckdb
import pytest
from conftest import generate, published_tables, run_days
from landing_builder import link, write_delivery

from assets.feeds import FEEDS

pytestmark = pytest.mark.integration

START = "2026-10-30"  # the week spans the end of daylight saving time (2026-11-01)
DAYS = [(date.fromisoformat(START) + timedelta(days=i)).isoformat() for i in range(7)]


def test_a_week_forward_equals_the_week_in_reverse_with_repeats(tmp_path):
    landing = tmp_path / "landing"
    generate(landing, START, len(DAYS), seed=23)

    forward = tmp_path / "forward"  # the week forward, as one backfill run
    assert run_days(landing, forward, DAYS[0], DAYS[-1]) == 0

    replayed = tmp_path / "replayed"  # day by day in reverse order, then re-runs of days already done
    for day in [*reversed(DAYS), DAYS[3], DAYS[0]]:
        assert run_days(landing, replayed, day) == 0, day

    # Every mart but publish_log (which records the runs themselves). quarantine_summary included:
    # a re-delivered file's rejected lines count once, on the earliest day, in either order.
    expected, got = published_tables(forward), published_tables(replayed)
    assert expected["fct_order_items"] and expected["creator_daily"] and expected["fct_violations"]
    assert expected["kpi_daily"] and any(row[-1] is not None for row in expected["kpi_daily"])  # overturn_rate
    assert expected["quarantine_summary"]
    for name in expected:
        assert got[name] == expected[name], f"{name} differs between forward and reversed runs"

    # A full rebuild from the whole lake (what `--full-refresh` does after a model change) gives
    # the same marts as the incremental runs.
    assert run_days(landing, replayed, DAYS[-1], full_refresh=True) == 0
    rebuilt = published_tables(replayed)
    for name in expected:
        assert rebuilt[name] == expected[name], f"{name} differs after a full rebuild"


def test_a_copy_loaded_before_its_original_does_not_outrank_a_record_delivered_in_between(tmp_path):
    """Day 1 sends link l1 on INSTAGRAM, day 2 moves it to BLOG, day 3 re-sends day 1's file.

    Forward, day 3's copy adds nothing and l1 is on BLOG. In reverse, day 3 runs first and loads
    the copy (its original is not in the lake yet); it must still rank as day 1's delivery, so day
    2's record wins there too.
    """
    landing = tmp_path / "landing"
    days = ["2026-11-02", "2026-11-03", "2026-11-04"]
    click = {
        "event_id": "e1",
        "link_id": "l1",
        "clicked_at": 1762077600,
        "device_type": 1,
        "device_id": "d1",
        "app_installed": True,
    }
    content = {
        days[0]: {"links": {"links-a.jsonl": [link(channel="INSTAGRAM")]}, "link_clicks": {"clicks.jsonl": [click]}},
        days[1]: {"links": {"links-b.jsonl": [link(channel="BLOG")]}},
        days[2]: {"links": {"links-again.jsonl": [link(channel="INSTAGRAM")]}},  # the same bytes as links-a.jsonl
    }
    for day in days:
        for feed in FEEDS:
            write_delivery(landing, feed, day, content[day].get(feed, {f"{feed}.jsonl": []}))
    same = [
        (landing / "links" / f"dt={d}" / n).read_bytes()
        for d, n in [(days[0], "links-a.jsonl"), (days[2], "links-again.jsonl")]
    ]
    assert same[0] == same[1]

    forward, replayed = tmp_path / "forward", tmp_path / "replayed"
    assert run_days(landing, forward, days[0], days[-1]) == 0
    for day in reversed(days):
        assert run_days(landing, replayed, day) == 0, day

    expected, got = published_tables(forward), published_tables(replayed)
    assert got == expected
    con = duckdb.connect(str(replayed / "published" / "marts.duckdb"), read_only=True)
    assert con.execute("SELECT link_id, channel, clicks FROM link_funnel_daily").fetchall() == [("l1", "BLOG", 1)]
    con.close()


def test_a_late_link_fills_its_old_rows_and_an_unchanged_re_delivery_sends_no_work(tmp_path):
    """Day 1 clicks on link l1, still unknown; day 2 delivers l1; day 3 re-delivers it unchanged
    (the feed re-sends every recent link daily); day 4 moves it to BLOG.

    The funnel row of day 1 gets l1's channel on day 2 and BLOG on day 4, as a full rebuild has it;
    day 3's run puts none of l1's rows in its scope (the re-delivery changes nothing).
    """
    landing = tmp_path / "landing"
    days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    click = {
        "event_id": "e1",
        "link_id": "l1",
        "clicked_at": 1793613600,  # 2026-11-02 10:00 UTC
        "device_type": 1,
        "device_id": "d1",
        "app_installed": True,
    }
    content = {
        days[0]: {  # l0 gives day 1 a creator: an empty dim_creators fails its gate
            "links": {"links-a.jsonl": [link(link_id="l0", creator_open_id="c0")]},
            "link_clicks": {"clicks.jsonl": [click]},
        },
        days[1]: {"links": {"links-b.jsonl": [link(channel="INSTAGRAM")]}},
        days[2]: {"links": {"links-c.jsonl": [link(channel="INSTAGRAM")]}},
        days[3]: {"links": {"links-d.jsonl": [link(channel="BLOG")]}},
    }
    for day in days:
        for feed in FEEDS:
            write_delivery(landing, feed, day, content[day].get(feed, {f"{feed}.jsonl": []}))

    def funnel(data_dir):
        con = duckdb.connect(str(data_dir / "published" / "marts.duckdb"), read_only=True)
        rows = con.execute("SELECT link_id, click_date::varchar, channel, clicks FROM link_funnel_daily").fetchall()
        con.close()
        return rows

    def scope(data_dir):
        con = duckdb.connect(str(data_dir / "warehouse" / "warehouse.duckdb"), read_only=True)
        rows = con.execute("SELECT link_id, click_date::varchar FROM int_link_days_affected").fetchall()
        con.close()
        return rows

    forward = tmp_path / "forward"
    for day in days[:2]:
        assert run_days(landing, forward, day) == 0, day
    assert funnel(forward) == [("l1", days[0], "INSTAGRAM", 1)]
    assert scope(forward) == [("l1", days[0])]  # the new link's old row
    assert run_days(landing, forward, days[2]) == 0
    assert scope(forward) == []  # unchanged re-delivery: nothing to recompute
    assert run_days(landing, forward, days[3]) == 0
    assert scope(forward) == [("l1", days[0])]  # the link changed channel
    assert funnel(forward) == [("l1", days[0], "BLOG", 1)]

    # What the incremental runs published equals a full rebuild from the whole lake (the week test
    # above covers run order).
    incremental = published_tables(forward)
    assert run_days(landing, forward, days[-1], full_refresh=True) == 0
    assert published_tables(forward) == incremental
