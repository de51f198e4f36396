"""Whether the sensors and the schedule start RUNNING when the daemon starts (CWH_AUTOMATION)."""

import os

from dagster import DefaultScheduleStatus, DefaultSensorStatus

AUTOMATION_ENV = "CWH_AUTOMATION"


def automation_on() -> bool:
    """On unless CWH_AUTOMATION is `off` (or `false`, `0`, `stopped`); the UI can still toggle each one."""
    return os.environ.get(AUTOMATION_ENV, "on").strip().lower() not in {"off", "false", "0", "no", "stopped"}


def sensor_status() -> DefaultSensorStatus:
    return DefaultSensorStatus.RUNNING if automation_on() else DefaultSensorStatus.STOPPED


def schedule_status() -> DefaultScheduleStatus:
    return DefaultScheduleStatus.RUNNING if automation_on() else DefaultScheduleStatus.STOPPED
