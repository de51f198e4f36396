"""Dagster's default run launcher, plus the health check run monitoring needs to see a dead worker.

The default launcher runs each run in a subprocess of the code server and cannot tell the
monitoring daemon whether that process still lives, so a worker killed by SIGKILL or the OOM
killer (or a machine restart, which takes the code server too) leaves its run STARTED and its
slot in the `warehouse` pool held, blocking every later run. This launcher tags each run with its
machine and answers the health check from the run worker's pid (orchestration/instance.py): the
daemon then marks a dead run failed, frees its pool slots (`free_slots_after_run_end_seconds`)
and Dagster's run retries start it again (the job's `dagster/max_retries`).
"""

from __future__ import annotations

import socket

from dagster import DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus

from .instance import HOST_TAG, worker_is_gone


class MonitoredRunLauncher(DefaultRunLauncher):
    def launch_run(self, context) -> None:
        self._instance.add_run_tags(context.dagster_run.run_id, {HOST_TAG: socket.gethostname()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        run = self._instance.get_run_by_id(run.run_id) or run  # with the tags added at launch
        if worker_is_gone(self._instance, run):
            return CheckRunHealthResult(WorkerStatus.FAILED, "the run worker process is gone")
        return CheckRunHealthResult(WorkerStatus.RUNNING)
