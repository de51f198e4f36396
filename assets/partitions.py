"""Daily partitions by delivery day (the `dt` of the landing zone, UTC)."""
from dagster import DailyPartitionsDefinition

# end_offset=1 includes today, so a delivery that lands today can be run today.
delivery_days = DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
