"""The code location loads, and its graph, checks, schedule and sensor are wired as designed."""

from datetime import UTC, datetime, timedelta

import pytest
from dagster import AssetKey, build_schedule_context, build_sensor_context, instance_for_test
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
        "kpi_daily",
        "dim_products",
        "review_findings",
    }
    published = graph.get(AssetKey("published_marts"))
    assert {k.path[0] for k in published.parent_keys} >= marts
    # the daily review reads the published file only, after it, in the same daily job
    assert graph.get(AssetKey("ops_review")).parent_keys == {AssetKey("published_marts")}
    assert (
        AssetKey("ops_review") in defs.resolve_job_def("daily_warehouse").asset_layer.asset_graph.get_all_asset_keys()
    )


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


def test_schedule_runs_yesterday(defs, tmp_path, monkeypatch):
    monkeypatch.setenv("CWH_LANDING_DIR", str(tmp_path))
    schedule = defs.resolve_schedule_def("daily_delivery_schedule")
    with instance_for_test() as instance:
        ctx = build_schedule_context(
            instance=instance,
            scheduled_execution_time=datetime(2026, 11, 3, 6, tzinfo=UTC),
            repository_def=defs.get_repository_def(),
        )
        [request] = schedule.evaluate_tick(ctx).run_requests
    assert request.partition_key == "2026-11-02" and request.run_key.startswith("2026-11-02@")


def test_sensor_requests_a_day_once_every_manifest_landed_and_again_when_re_delivered(defs, tmp_path, monkeypatch):
    monkeypatch.setenv("CWH_LANDING_DIR", str(tmp_path))
    sensor = defs.resolve_sensor_def("complete_delivery_sensor")
    day = defs.resolve_job_def("daily_warehouse").partitions_def.get_last_partition_key()
    with instance_for_test() as instance:

        def tick():
            ctx = build_sensor_context(instance=instance, repository_def=defs.get_repository_def())
            return sensor.evaluate_tick(ctx).run_requests

        for feed in list(FEEDS)[:-1]:
            write_delivery(tmp_path, feed, day, {"a.jsonl": []})
        assert not tick()  # one feed still missing
        write_delivery(tmp_path, list(FEEDS)[-1], day, {"a.jsonl": []})
        [request] = tick()
        assert request.partition_key == day and request.run_key.startswith(f"{day}@")
        assert request.tags[f"cwh/delivery.{day}"] == request.run_key.split("@")[1]
        write_delivery(tmp_path, list(FEEDS)[0], day, {"a.jsonl": [], "b.jsonl": []})  # a re-delivery
        [again] = tick()
        assert again.partition_key == day and again.run_key != request.run_key


def test_the_schedule_and_the_sensor_never_request_one_delivery_twice(defs, tmp_path, monkeypatch):
    from dagster import DagsterRun, DagsterRunStatus

    from orchestration.deliveries import delivery_tag, fingerprint

    monkeypatch.setenv("CWH_LANDING_DIR", str(tmp_path))
    days = defs.resolve_job_def("daily_warehouse").partitions_def.get_partition_keys()[-2:]
    for day in days:
        for feed in FEEDS:
            write_delivery(tmp_path, feed, day, {"a.jsonl": []})
    sensor = defs.resolve_sensor_def("complete_delivery_sensor")
    schedule = defs.resolve_schedule_def("daily_delivery_schedule")
    with instance_for_test() as instance:
        # Day 1 ran and failed (retries spent); day 2 is complete and has not run.
        instance.add_run(
            DagsterRun(
                job_name="daily_warehouse",
                run_id="f" * 36,
                status=DagsterRunStatus.FAILURE,
                tags={delivery_tag(days[0]): fingerprint(tmp_path, days[0])},
            )
        )

        def ticks():
            repo = defs.get_repository_def()
            at = datetime.fromisoformat(days[1]).replace(tzinfo=UTC) + timedelta(days=1, hours=6)
            by_sensor = sensor.evaluate_tick(build_sensor_context(instance=instance, repository_def=repo))
            by_schedule = schedule.evaluate_tick(
                build_schedule_context(instance=instance, scheduled_execution_time=at, repository_def=repo)
            )
            return [r.partition_key for r in by_sensor.run_requests], [
                r.partition_key for r in by_schedule.run_requests
            ]

        # Both tick at once: the sensor takes the new delivery, the schedule the failed day.
        assert ticks() == ([days[1]], [days[0]])
        # With the sensor off, the schedule is the fallback for both.
        monkeypatch.setenv("CWH_AUTOMATION", "off")
        assert ticks()[1] == days


def test_automation_starts_running_unless_turned_off(monkeypatch):
    from dagster import DefaultSensorStatus

    from orchestration.automation import sensor_status

    assert sensor_status() == DefaultSensorStatus.RUNNING
    monkeypatch.setenv("CWH_AUTOMATION", "off")
    assert sensor_status() == DefaultSensorStatus.STOPPED


def test_the_daily_job_runs_every_gate_but_not_the_freshness_checks(defs):
    job = defs.resolve_job_def("daily_warehouse")
    assert not any("freshness" in n for n in job.graph.node_names())
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert "freshness_check" in checks


def test_a_backfill_from_the_ui_runs_as_runs_of_at_most_max_days_per_run(defs):
    from assets.settings import Settings

    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("daily_warehouse")
    partitioned = [k for k in job.asset_layer.asset_graph.get_all_asset_keys() if graph.get(k).partitions_def]
    assert partitioned
    limit = Settings.from_env().max_days_per_run
    for key in partitioned:
        policy = graph.get(key).backfill_policy
        assert policy is not None and policy.max_partitions_per_run == limit, key
