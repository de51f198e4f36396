"""The Dagster instance under the data dir, so runs, logs and the UI share one history."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

INSTANCE_TEMPLATE = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home(data_dir: Path) -> Path:
    home = Path(data_dir) / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_TEMPLATE, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home


def get_instance(data_dir: Path):
    from dagster import DagsterInstance

    prepare_dagster_home(data_dir)
    return DagsterInstance.get()


HOST_TAG = "cwh/host"  # the machine whose process runs a `cwh run` run


def worker_pids(instance, run) -> set[int]:
    """The processes that wrote the run's start events (its run worker), from its event log."""
    from dagster import DagsterEventType

    records = instance.all_logs(run.run_id, of_type={DagsterEventType.RUN_START, DagsterEventType.STEP_START})
    return {e.dagster_event.pid for e in records if e.dagster_event and e.dagster_event.pid}


def worker_is_gone(instance, run) -> bool:
    """Whether the run's worker process, on this machine, no longer exists.

    False when that cannot be known here: no worker has reported yet, or it ran on another machine.
    """
    import socket

    pids = worker_pids(instance, run)
    if not pids or run.tags.get(HOST_TAG, socket.gethostname()) != socket.gethostname():
        return False
    return not any(_alive(pid) for pid in pids)


def recover_dead_runs(instance) -> list[str]:
    """Fail the unfinished runs whose process is gone (killed, machine restarted) and free their pool slots.

    A run killed mid-step keeps its slot in the `warehouse` pool, and every later run would wait
    for it forever. A run counts as dead when the process that wrote its events on this machine
    no longer exists; a run alive in another process is left alone. Returns the runs recovered.
    (The daemon does the same for the runs it launched: run monitoring, orchestration/run_launcher.py.)
    """
    from dagster import DagsterRunStatus, RunsFilter

    unfinished = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING]))
    recovered = []
    for run in unfinished:
        if not worker_is_gone(instance, run):
            continue
        pids = ", ".join(map(str, sorted(worker_pids(instance, run))))
        instance.report_run_failed(run, f"its process ({pids}) is gone; failed by cwh run")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(run.run_id)
    return recovered


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True
