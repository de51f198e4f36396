"""dbt builds inside the Dagster process, through dbt's Python API (dbtRunner).

dagster-dbt's DbtCliResource starts a `dbt` subprocess per step: interpreter start, imports and
project loading cost ~8 s before the first model runs, twice per daily run, and every log line
crosses a pipe. Here dbt is imported once per process, the project is parsed once per process
for every data dir (assets/warehouse/dbt_project.py) and reused by every invocation, and
dagster-dbt still turns each dbt result into the Dagster event it would have produced (a
materialization per model, an asset check result per test), so the asset graph, the checks and
their severities are the same.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from dagster import AssetExecutionContext, Failure, MetadataValue
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_SELECTOR_METADATA_KEY,
    DBT_INDIRECT_SELECTION_ENV,
    get_manifest_and_translator_from_dbt_assets,
    get_subset_selection_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from assets.warehouse.dbt_project import DBT_DIR, dbt_project, parsed_manifest

# The dbt events that carry a node's result; dagster-dbt maps each to a Dagster event.
_RESULT_EVENTS = frozenset({"LogModelResult", "LogTestResult", "LogSnapshotResult", "LogSeedResult"})
_FAILED = frozenset({"error", "fail", "runtime error"})
# What a model's run says when its stored table has other columns than the model now writes: dbt's
# on_schema_change check, or DuckDB's binder when the merge reads a stored column first.
_SCHEMA_CHANGED = ("schemas on this incremental model are out of sync", "Referenced column")

_lock = threading.Lock()  # dbt keeps global state: one invocation at a time per process


def _cli_args(target_path: Path, log_path: Path) -> list[str]:
    # dbt.log at info level (each node's result and timing, warnings, errors with their SQL's path)
    # and nothing on stdout but errors: formatting dbt's debug events (every statement) cost ~2 s of
    # a day. No manifest.json / run_results.json per build (~0.3 s each): Dagster gets every result
    # as an event, the project's manifest is written once by the parse (dbt_project.py).
    return [
        "--quiet",
        "--no-write-json",
        "--log-level-file",
        "info",
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        "--log-format",
        "text",
        "--no-use-colors",
    ]


def release_warehouse() -> None:
    """Close dbt-duckdb's database handle: a gate opening the warehouse next (read-only, from this
    process) would otherwise meet an open handle with another configuration."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def _schema_changed(text: str) -> bool:
    return any(sign in text for sign in _SCHEMA_CHANGED)


def _failures(outcome) -> list[str]:
    results = getattr(getattr(outcome, "result", None), "results", None) or []
    lines = []
    for r in results:
        if str(r.status).lower() in _FAILED:
            message = (r.message or "").strip().splitlines()
            # the line that says why: the first, or dbt's schema-change line below its header
            shown = next((line.strip() for line in message if _schema_changed(line)), message[0] if message else "")
            lines.append(f"{r.node.unique_id}: {r.status}" + (f" ({shown[:300]})" if shown else ""))
    return lines


class _Done:
    def __init__(self, outcome):
        self.outcome = outcome


def dbt_build(context: AssetExecutionContext, target_path: Path, log_path: Path, extra_args: list[str]) -> Iterator:
    """Run `dbt build` for the step's selection and yield its Dagster events as dbt produces them.

    Raises Failure naming every model or test that errored or failed (dbt skips their dependents).
    """
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest_json, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    selection, indirect = get_subset_selection_for_context(
        context=context,
        manifest=manifest_json,
        select=context.op_execution_context.op.tags.get(DAGSTER_DBT_SELECT_METADATA_KEY),
        exclude=context.op_execution_context.op.tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY),
        selector=context.op_execution_context.op.tags.get(DAGSTER_DBT_SELECTOR_METADATA_KEY),
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=os.getenv(DBT_INDIRECT_SELECTION_ENV),
    )
    if indirect:
        os.environ[DBT_INDIRECT_SELECTION_ENV] = indirect
    args = ["build", *extra_args, *selection, *_cli_args(target_path, log_path)]

    with _lock:
        project = parsed_manifest(log_path)
        events: queue.Queue = queue.Queue()

        def on_event(msg) -> None:
            if msg.info.name in _RESULT_EVENTS:
                events.put(msg_to_dict(msg))

        def invoke() -> None:
            try:
                outcome = dbtRunner(manifest=project, callbacks=[on_event]).invoke(args)
            except BaseException as exc:  # handed to the step, which raises it
                outcome = exc
            finally:
                release_warehouse()
            events.put(_Done(outcome))

        # dbt runs in a worker thread so its results reach Dagster (and the UI) as they happen.
        worker = threading.Thread(target=invoke, name="dbt-build", daemon=True)
        worker.start()
        while not isinstance(item := events.get(), _Done):
            yield from DbtCoreCliEventMessage(raw_event=item, event_history_metadata={}).to_default_asset_events(
                manifest=manifest_json,
                dagster_dbt_translator=translator,
                context=context,
                target_path=target_path,
                project=dbt_project,
            )
        worker.join()

    outcome = item.outcome
    if isinstance(outcome, BaseException):
        raise Failure(f"dbt build raised {type(outcome).__name__}: {outcome}") from outcome
    if not outcome.success:
        failed = _failures(outcome)
        detail = "; ".join(failed) if failed else str(outcome.exception or "see the dbt log")
        if _schema_changed(detail):
            detail += (
                ". If this warehouse was built before a model's columns changed, rebuild it once with"
                " `cwh run --full-refresh` (README, Commands)"
            )
        raise Failure(
            description=f"dbt build failed: {detail}",
            metadata={
                "dbt log": MetadataValue.path(str(log_path / "dbt.log")),
                "failed nodes": MetadataValue.json(failed),
            },
        )
