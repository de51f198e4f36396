"""The code location: assembles assets, checks, jobs, schedules and sensors. Nothing else."""
from dagster import Definitions

from assets.raw_assets import landing_specs, raw_assets

from .jobs import daily_job
from .schedules import daily_delivery_schedule
from .sensors import complete_delivery_sensor

defs = Definitions(
    assets=[*landing_specs, *raw_assets],
    jobs=[daily_job],
    schedules=[daily_delivery_schedule],
    sensors=[complete_delivery_sensor],
)
