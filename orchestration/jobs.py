"""The daily job: every asset of one delivery day, in one process.

In-process execution pays Dagster's, dbt's and Soda's start-up once per run instead of once per
step; steps that write the warehouse share the `warehouse` pool (limit 1 in dagster.yaml).
"""

from dagster import AssetSelection, define_asset_job, in_process_executor

DAILY_JOB = "daily_warehouse"

daily_job = define_asset_job(
    DAILY_JOB,
    selection=(AssetSelection.all() - AssetSelection.groups("landing")) | AssetSelection.all_asset_checks(),
    executor_def=in_process_executor,
    tags={"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"},
    description="Ingest, gate, model, gate and publish one delivery day.",
)
