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


def recover_dead_runs(instance) -> list[str]:
    """Fail the unfinished runs whose process is gone (killed, machine restarted) and free their pool slots.

    A run killed mid-step keeps its slot in the `warehouse` pool, and every later run would wait
    for it forever. A run counts as dead when the process that wrote its events on this machine
    no longer exists; a run alive in another process is left alone. Returns the runs recovered.
    """
    import socket

    from dagster import DagsterRunStatus, RunsFilter

    unfinished = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING]))
    recovered = []
    for run in unfinished:
        pids = {e.dagster_event.pid for e in instance.all_logs(run.run_id) if e.dagster_event and e.dagster_event.pid}
        if (
            not pids
            or any(_alive(pid) for pid in pids)
            or run.tags.get(HOST_TAG, socket.gethostname()) != socket.gethostname()
        ):
            continue
        instance.report_run_failed(run, f"its process ({', '.join(map(str, sorted(pids)))}) is gone; failed by cwh run")
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
