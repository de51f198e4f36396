"""Run a delivery day as soon as every feed's manifest for it has landed (once per day: run_key)."""

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from assets.feeds import FEEDS
from assets.ingest.landing import manifest_exists
from assets.partitions import delivery_days
from assets.settings import Settings

from .jobs import daily_job

LOOKBACK_DAYS = 14  # deliveries older than this are backfills, not sensor work


@sensor(job=daily_job, minimum_interval_seconds=300, name="complete_delivery_sensor")
def complete_delivery_sensor(context: SensorEvaluationContext):
    landing = Settings.from_env().landing_dir
    days = delivery_days.get_partition_keys()[-LOOKBACK_DAYS:]
    complete = [d for d in days if all(manifest_exists(landing, feed, d) for feed in FEEDS)]
    if not complete:
        return SkipReason(
            f"no delivery day in the last {LOOKBACK_DAYS} days has all {len(FEEDS)} manifests in {landing}"
        )
    return [RunRequest(run_key=d, partition_key=d) for d in complete]
