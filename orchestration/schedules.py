"""Every morning, run yesterday's delivery day (UTC)."""

from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from .jobs import daily_job


@schedule(job=daily_job, cron_schedule="0 6 * * *", execution_timezone="UTC", name="daily_delivery_schedule")
def daily_delivery_schedule(context: ScheduleEvaluationContext):
    day = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
    return RunRequest(run_key=day, partition_key=day)
