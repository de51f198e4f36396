"""Why a run failed, as alerts and `cwh status` tell it, from a real Dagster event log."""

import pytest
from dagster import DagsterInstance, job, op

from orchestration.failures import describe_failure

GONE = "Detected run worker status FAILED: 'the run worker process is gone'. Marking run {run_id} as failed."
KILLED = (
    "[DagsterApiServer] Run execution process for {run_id} was terminated by signal 9 (SIGKILL). "
    "This usually indicates that the process was killed by the operating system due to running out of memory."
)


@op
def noop():
    pass


@job
def daily():
    noop()


@pytest.mark.parametrize("monitor_first", [True, False], ids=["monitor first", "code server first"])
def test_a_killed_worker_is_named_whoever_noticed_first(monitor_first):
    """Run monitoring and the code server can both fail a run whose worker died; either order
    must name the death, not the last engine event before it."""
    with DagsterInstance.ephemeral() as instance:
        run = instance.create_run_for_job(daily)
        instance.report_engine_event("Executing steps in process (pid: 4242)", run)

        def monitor():
            instance.report_run_failed(run, GONE.format(run_id=run.run_id))

        def code_server():
            instance.report_engine_event(KILLED.format(run_id=run.run_id), run)
            instance.report_run_failed(run)  # "marked as failed from outside the execution context"

        first, second = (monitor, code_server) if monitor_first else (code_server, monitor)
        first()
        second()
        instance.report_engine_event("Retrying the run", run)

        cause = describe_failure(instance, instance.get_run_by_id(run.run_id))["cause"]
        if monitor_first:
            assert "the run worker process is gone" in cause
        else:
            assert cause.startswith(f"Run execution process for {run.run_id} was terminated by signal 9 (SIGKILL)")
