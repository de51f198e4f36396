"""The code location: assembles assets, checks, jobs, schedules and sensors. Nothing else."""

from dagster import Definitions

from assets.experiments.definitions import check_definitions
from assets.gates.warehouse_gates import mart_gates, staging_gates
from assets.ingest.raw_assets import landing_specs, quarantine_spec, raw_assets
from assets.publish.publish_asset import published_marts
from assets.review.review_asset import ops_review
from assets.warehouse.dbt_assets import dbt_marts, dbt_staging

from .alerts import run_failure_alerts
from .freshness import freshness_checks, freshness_sensor
from .jobs import daily_job
from .schedules import daily_delivery_schedule
from .sensors import complete_delivery_sensor

check_definitions()  # analysts' experiments/*.yml and goals.yml: a broken file names file and field

defs = Definitions(
    assets=[*landing_specs, quarantine_spec, *raw_assets, dbt_staging, dbt_marts, published_marts, ops_review],
    asset_checks=[staging_gates, mart_gates, *freshness_checks],
    jobs=[daily_job],
    schedules=[daily_delivery_schedule],
    sensors=[complete_delivery_sensor, run_failure_alerts, freshness_sensor],
)
