"""Every morning at 06:00 UTC, the fallback: run the days not yet successfully run.

Yesterday's delivery day (even if incomplete: its missing feeds then block it, visibly), and any
day of the last two weeks whose delivery, complete, has no successful run: the sensor was off,
or its run failed and Dagster's run retries are spent. Never a day with a run in progress or a
retry still to come; and while the sensor runs, never a complete delivery that has no run yet:
that one is the sensor's. So the schedule and the sensor, even ticking at the same instant, never
request the same delivery twice.
"""

from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from assets.partitions import delivery_days
from assets.settings import Settings

from .automation import schedule_status, sensor_is_running
from .deliveries import LOOKBACK_DAYS, day_runs, delivery_tag, is_complete
from .jobs import daily_job
from .sensors import complete_delivery_sensor


@schedule(
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    name="daily_delivery_schedule",
    default_status=schedule_status(),
)
def daily_delivery_schedule(context: ScheduleEvaluationContext):
    landing = Settings.from_env().landing_dir
    yesterday = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
    keys = delivery_days.get_partition_keys()
    days = (
        [d for d in keys[max(0, keys.index(yesterday) - LOOKBACK_DAYS) :] if d <= yesterday]
        if yesterday in keys
        else []
    )
    sensor_on = sensor_is_running(context.instance, complete_delivery_sensor.name)
    requests = []
    for day in days:
        complete = is_complete(landing, day)
        if day != yesterday and not complete:
            continue
        state = day_runs(context.instance, landing, day)
        if state.succeeded or state.in_progress or state.retry_pending or (sensor_on and complete and not state.runs):
            continue
        requests.append(
            RunRequest(
                run_key=f"{day}@{state.fingerprint}#{len(state.runs)}",
                partition_key=day,
                tags={delivery_tag(day): state.fingerprint, "cwh/trigger": "schedule"},
            )
        )
    return requests or SkipReason(
        "every delivery day of the last two weeks has run successfully, is running"
        + (", or is complete and left to complete_delivery_sensor" if sensor_on else "")
    )
