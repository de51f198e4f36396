"""Daily partitions by delivery day (the `dt` of the landing zone, UTC), and what a run processes."""

import warnings
from collections.abc import Mapping

from dagster import BackfillPolicy, BetaWarning, DailyPartitionsDefinition, PartitionKeyRange

# A backfill launched from the UI or the daemon runs as consecutive runs of at most
# CWH_MAX_DAYS_PER_RUN days, as `cwh run` splits a range: a run's dbt statements hold what its days
# delivered, so bounding the days bounds the memory. Dagster 1.13 flags the parameter as beta on
# every import, which tells a user nothing.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)


def backfill_policy() -> BackfillPolicy:
    """The policy of every partitioned asset of the daily job (they run together, so one policy)."""
    from assets.settings import Settings

    return BackfillPolicy.multi_run(max_partitions_per_run=Settings.from_env().max_days_per_run)


# end_offset=1 includes today, so a delivery that lands today can be run today.
delivery_days = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)

# A run tagged `cwh/full_refresh=true` rebuilds every dbt model from the whole lake (after a model
# change: incremental models refuse a changed schema) and gates whole tables.
FULL_REFRESH_TAG = "cwh/full_refresh"


def is_full_refresh(tags: Mapping[str, str]) -> bool:
    return tags.get(FULL_REFRESH_TAG, "").lower() == "true"


def run_delivery_days(tags: Mapping[str, str]) -> list[str]:
    """The delivery days whose rows a run's warehouse steps and gates work on; [] means all of them."""
    if is_full_refresh(tags):
        return []
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    if start and end:
        return delivery_days.get_partition_keys_in_range(PartitionKeyRange(start, end))
    return []
