"""The publish asset: the last step of a delivery day, after every gate of the run passed."""

import json
import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.feeds import FEEDS
from assets.gates import log as gate_log
from assets.ingest.lake import Lake
from assets.partitions import backfill_policy, delivery_days, is_full_refresh
from assets.pending_days import PendingDays, run_identity
from assets.progress import report
from assets.publish.marts_file import publish
from assets.settings import Settings
from assets.warehouse.dbt_project import ensure_manifest


def _mart_nodes() -> list[dict]:
    manifest = json.loads(ensure_manifest().read_text())
    return sorted(
        (n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1:2] == ["marts"]),
        key=lambda n: n["name"],
    )


def mart_scopes(nodes: list[dict]) -> dict[str, tuple[str, list[str]]]:
    """mart -> (scope model, key columns) for the marts a run rewrites scope by scope (replace_scope)."""
    return {
        n["name"]: (n["config"]["scope_model"], list(n["config"]["scope_columns"]))
        for n in nodes
        if n["config"].get("incremental_strategy") == "replace_scope" and n["config"].get("scope_model")
    }


_NODES = _mart_nodes()
MARTS = [n["name"] for n in _NODES]
SCOPES = mart_scopes(_NODES)


@asset(
    key=AssetKey("published_marts"),
    deps=[AssetKey([m]) for m in MARTS],
    partitions_def=delivery_days,
    group_name="publish",
    pool="warehouse",
    kinds={"duckdb"},
    backfill_policy=backfill_policy(),
    description="The analysts' read-only database <data-dir>/published/marts.duckdb, swapped in atomically.",
)
def published_marts(context: AssetExecutionContext):
    settings = Settings.from_env()
    started = time.monotonic()
    lake = Lake(settings.lake_dir)
    covered = sorted(set.intersection(*(set(lake.committed_days(f)) for f in FEEDS)))
    # A full refresh rebuilt every mart: copy them whole. Otherwise only the rewritten scopes change.
    result = publish(
        settings,
        MARTS,
        context.run.run_id,
        context.partition_key_range.end,
        covered,
        gate_log.read(settings.data_dir, context.run.run_id),
        scopes=None if is_full_refresh(context.run.tags) else SCOPES,
    )
    # What this run's marts built is now published: those days are no longer pending.
    recovered = PendingDays(settings.data_dir).published(run_identity(context.run.run_id, context.run.tags))
    report(
        context,
        f"{context.partition_key_range.end} published {result.path} "
        f"({', '.join(f'{k} {v:,}' for k, v in result.row_counts.items())})",
        timings={"publish": time.monotonic() - started},
    )
    return MaterializeResult(
        metadata={
            "path": str(result.path),
            "row_counts": MetadataValue.json(result.row_counts),
            "delivery_days": len(covered),
            "carried_forward": MetadataValue.json(result.carried_forward or []),
            "pending_days_cleared": MetadataValue.json(recovered),
        }
    )
