"""Why a run failed, in a few words: its delivery days, the gates that stopped it, the steps' causes.

Shared by the alerts (orchestration/alerts.py), `cwh status` and `cwh run`'s BLOCKED message.
"""

from __future__ import annotations

from dagster import DagsterEventType

from assets.partitions import run_delivery_days


def root_cause(err) -> str:
    """The user's own message behind a Dagster step error (Dagster wraps exceptions raised in an op)."""
    while err.cause is not None and err.cls_name != "Failure":
        err = err.cause
    text = (err.message or "").strip()
    head, sep, rest = text.partition(": ")  # messages read 'module.Class: text'
    if sep and head.split(".")[-1] == err.cls_name:
        text = rest if err.cls_name == "Failure" else f"{err.cls_name}: {rest}"
    return text or err.cls_name or "unknown error"


# What Dagster records when a run's worker died: the engine event just before it says how.
OUTSIDE = "This run has been marked as failed from outside the execution context"


def _first_sentence(text: str) -> str:
    text = text.split("] ", 1)[-1] if text.startswith("[") else text  # drop '[DagsterApiServer] '
    return text.split(". ")[0].rstrip(".")


def run_days(run) -> list[str]:
    """The delivery days a run covers (its partition or partition range)."""
    tags = dict(run.tags)
    tags.pop("cwh/full_refresh", None)  # a full refresh still covers its partitions
    return run_delivery_days(tags)


def describe_failure(instance, run) -> dict:
    """{run_id, job, status, days, failed_gates: [{gate, asset, description}], failed_steps: [{step, cause}],
    cause, staged}."""
    gates, steps = [], []
    records = instance.all_logs(
        run.run_id,
        of_type={
            DagsterEventType.ASSET_CHECK_EVALUATION,
            DagsterEventType.STEP_FAILURE,
            DagsterEventType.STEP_SUCCESS,
            DagsterEventType.RUN_FAILURE,
            DagsterEventType.ENGINE_EVENT,
        },
    )
    run_message, engine_message, staged = None, None, False
    for record in records:
        event = record.dagster_event
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.asset_check_evaluation_data
            if not ev.passed and ev.severity.value == "ERROR":
                gates.append(
                    {"gate": ev.check_name, "asset": ev.asset_key.to_user_string(), "description": ev.description or ""}
                )
        elif event.event_type == DagsterEventType.STEP_SUCCESS:
            staged = staged or event.step_key == "dbt_staging"
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            err = event.step_failure_data.error
            if err is not None and err.cls_name == "DagsterAssetCheckFailedError":
                continue  # a gate: described above with its figures
            steps.append({"step": event.step_key, "cause": root_cause(err) if err else "no error recorded"})
        elif event.event_type == DagsterEventType.ENGINE_EVENT:
            if run_message is None:  # what happened before the failure, not after ('Retrying the run')
                engine_message = record.message or engine_message
        elif run_message is None:
            # The first failure says why. When a worker dies, run monitoring and the code server may
            # both notice and both fail the run: the second record repeats it, less precisely.
            run_message = record.message
    if run_message and run_message.startswith(OUTSIDE) and engine_message:
        run_message = _first_sentence(engine_message)  # e.g. the worker was killed by SIGKILL
    if gates:
        first = gates[0]
        cause = f"gate {first['gate']} on {first['asset']} failed: {first['description'].splitlines()[0] if first['description'] else ''}"
    elif steps:
        cause = f"step {steps[0]['step']} failed: {steps[0]['cause']}"
    else:
        cause = run_message or "the run failed (see the Dagster run log)"
    return {
        "run_id": run.run_id,
        "job": run.job_name,
        "status": run.status.value,
        "days": run_days(run),
        "failed_gates": gates,
        "failed_steps": steps,
        "cause": cause,
        "staged": staged,  # its staging step succeeded: a later run's marts rebuild its scopes (pending days)
    }
