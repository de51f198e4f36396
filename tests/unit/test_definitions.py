"""The code location loads, and its graph, checks, schedule and sensor are wired as designed."""

from datetime import UTC, datetime

import pytest
from dagster import AssetKey, build_schedule_context, build_sensor_context
from landing_builder import write_delivery

from assets.feeds import FEEDS


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def test_lineage_runs_from_landing_to_publish(defs):
    graph = defs.resolve_asset_graph()
    for feed in FEEDS:
        assert AssetKey(["landing", feed]) in graph.get(AssetKey(["raw", feed])).parent_keys
    staging = [k for k in graph.get_all_asset_keys() if k.path[0].startswith("stg_")]
    assert len(staging) >= len(FEEDS)
    assert AssetKey(["raw", "affiliate_orders"]) in graph.get(AssetKey(["stg_tiktok__affiliate_orders"])).parent_keys
    marts = {
        "dim_creators",
        "fct_order_items",
        "creator_daily",
        "link_funnel_daily",
        "fct_violations",
        "governance_daily",
        "offsite_program_daily",
        "quarantine_summary",
    }
    published = graph.get(AssetKey("published_marts"))
    assert {k.path[0] for k in published.parent_keys} >= marts


def test_every_stage_is_gated_by_a_blocking_check(defs):
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.path[-1], c.name) for c in graph.asset_check_keys}
    for feed in FEEDS:
        assert (feed, "raw_contract") in checks
    for name in ["fct_order_items", "creator_daily", "stg_tiktok__link_clicks", "dim_creators"]:
        assert (name, "soda_contract") in checks
    job = defs.resolve_job_def("daily_warehouse")
    blocking = {
        c.asset_key.path[-1]
        for c in job.asset_layer.asset_graph.asset_check_keys
        if job.asset_layer.asset_graph.get_check_spec(c).blocking
    }
    assert {"fct_order_items", "links", "stg_tiktok__links"} <= blocking


def test_schedule_runs_yesterday(defs):
    schedule = defs.resolve_schedule_def("daily_delivery_schedule")
    ctx = build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 3, 6, tzinfo=UTC), repository_def=defs.get_repository_def()
    )
    [request] = schedule.evaluate_tick(ctx).run_requests
    assert request.partition_key == "2026-11-02" and request.run_key == "2026-11-02"


def test_sensor_requests_a_day_once_every_manifest_landed(defs, tmp_path, monkeypatch):
    monkeypatch.setenv("CWH_LANDING_DIR", str(tmp_path))
    sensor = defs.resolve_sensor_def("complete_delivery_sensor")
    day = defs.resolve_job_def("daily_warehouse").partitions_def.get_last_partition_key()
    for feed in list(FEEDS)[:-1]:
        write_delivery(tmp_path, feed, day, {"a.jsonl": []})
    assert not sensor.evaluate_tick(
        build_sensor_context(repository_def=defs.get_repository_def())
    ).run_requests  # one feed still missing
    write_delivery(tmp_path, list(FEEDS)[-1], day, {"a.jsonl": []})
    [request] = sensor.evaluate_tick(build_sensor_context(repository_def=defs.get_repository_def())).run_requests
    assert request.run_key == day and request.partition_key == day
