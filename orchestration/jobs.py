"""The daily job: every asset of one delivery day, in one process.

In-process execution pays Dagster's, dbt's and Soda's start-up once per run instead of once per
step; steps that write the warehouse share the `warehouse` pool (limit 1 in dagster.yaml).
"""

from dagster import AssetSelection, define_asset_job, in_process_executor

from .freshness import freshness_checks

DAILY_JOB = "daily_warehouse"

daily_job = define_asset_job(
    DAILY_JOB,
    # Every gate; not the freshness checks, which their own sensor evaluates (orchestration/freshness.py).
    selection=(AssetSelection.all() - AssetSelection.groups("landing")).without_checks()
    | (AssetSelection.all_asset_checks() - AssetSelection.checks(*freshness_checks)),
    executor_def=in_process_executor,
    tags={"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"},
    description="Ingest, gate, model, gate and publish one delivery day.",
)
