"""Whether the sensors and the schedule start RUNNING when the daemon starts (CWH_AUTOMATION),
and whether a sensor is running now (the UI may have toggled it)."""

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


def sensor_is_running(instance, name: str) -> bool:
    """The sensor's state as the daemon holds it: toggled in the UI, else its default in code."""
    from dagster._core.scheduler.instigation import InstigatorType

    states = [s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR) if s.name == name]
    return states[0].is_running if states else sensor_status() == DefaultSensorStatus.RUNNING
