"""Run a delivery day as soon as every feed's manifest for it has landed, and again when re-delivered.

The run key is the day and its delivery fingerprint (orchestration/deliveries.py): a re-delivery
into a day already run is a new key and runs the day again. A day is not requested while a run
of it is in progress, nor when a run of the same delivery exists (a failed one is retried by
Dagster's run retries, then by the 06:00 schedule).
"""

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from assets.feeds import FEEDS
from assets.partitions import delivery_days
from assets.settings import Settings

from .automation import sensor_status
from .deliveries import LOOKBACK_DAYS, day_runs, delivery_tag, is_complete
from .jobs import daily_job


@sensor(
    job=daily_job,
    minimum_interval_seconds=30,
    name="complete_delivery_sensor",
    default_status=sensor_status(),
)
def complete_delivery_sensor(context: SensorEvaluationContext):
    landing = Settings.from_env().landing_dir
    days = delivery_days.get_partition_keys()[-LOOKBACK_DAYS:]
    complete = [d for d in days if is_complete(landing, d)]
    if not complete:
        return SkipReason(
            f"no delivery day in the last {LOOKBACK_DAYS} days has all {len(FEEDS)} manifests in {landing}"
        )
    requests = []
    for day in complete:
        state = day_runs(context.instance, landing, day)
        if state.runs or state.in_progress:
            continue
        requests.append(
            RunRequest(
                run_key=f"{day}@{state.fingerprint}",
                partition_key=day,
                tags={delivery_tag(day): state.fingerprint, "cwh/trigger": "sensor"},
            )
        )
    return requests or SkipReason(f"{len(complete)} complete delivery day(s), each already run or running")
