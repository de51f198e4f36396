"""dbt models as Dagster assets, one step per layer so Soda gates can stand between them.

A blocking check stops downstream *steps*, not models later in the same `dbt build`; building
staging and marts as separate steps lets the staging gates decide whether the marts run at all.
dbt's own error-severity tests block inside each step (dbt build skips what depends on them).
"""

import os
import time
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from assets import marts_builds
from assets.ingest.raw_assets import raw_key
from assets.partitions import backfill_policy, delivery_days, is_full_refresh
from assets.pending_days import PendingDays, run_identity
from assets.progress import report
from assets.settings import Settings
from assets.warehouse.dbt_project import dbt_project, ensure_manifest
from assets.warehouse.dbt_runner import dbt_build

STAGING_SELECT = "path:models/staging"
MARTS_SELECT = "path:models/intermediate path:models/marts"


class WarehouseTranslator(DagsterDbtTranslator):
    """Sources are the lake's raw assets; models are grouped by layer (staging, intermediate, marts)."""

    def get_asset_key(self, props: Mapping[str, Any]) -> AssetKey:
        if props["resource_type"] == "source":
            return raw_key(props["name"])
        return AssetKey([props["name"]])

    def get_group_name(self, props: Mapping[str, Any]) -> str | None:
        fqn = props.get("fqn", [])
        return fqn[1] if props["resource_type"] == "model" and len(fqn) > 2 else "snapshots"


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def _build(context: AssetExecutionContext, layer: str):
    settings = Settings.from_env()
    settings.require_real_salt()  # staging hashes emails and phones with it (daemon-launched runs too)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    # The delivery days of this run: the models process exactly these lake partitions (none: a
    # full rebuild from the whole lake). An environment variable, not --vars: changing vars makes
    # dbt re-parse the whole project.
    # Days an earlier run left pending (it died or failed after staging merged them, before their
    # marts were published) are added, so their scopes are rebuilt too (assets/pending_days.py).
    full_refresh = is_full_refresh(context.run.tags)
    pending = PendingDays(settings.data_dir)
    run = run_identity(context.run.run_id, context.run.tags)
    if layer == "staging":
        pending.begin_staging(run, context.partition_keys)
    found = pending.entries()
    days = [] if full_refresh else pending.scope(context.partition_keys)
    os.environ["CWH_DELIVERY_DAYS"] = ",".join(days)
    # dbt unit tests check logic, not data: they run in the test suite, not in every daily run.
    # One target folder per data dir: dbt's partial parse (keyed on the profile, which names the
    # warehouse file) then carries over from run to run instead of re-parsing the project each time.
    if layer == "marts":
        marts_builds.begin_build(settings)  # before dbt writes: the publish then knows its file's base
    started = time.monotonic()
    log_path = settings.data_dir / "logs"
    log_path.mkdir(parents=True, exist_ok=True)
    yield from dbt_build(
        context,
        target_path=settings.data_dir / "dbt_target",
        log_path=log_path,
        extra_args=["--exclude-resource-type", "unit_test"] + (["--full-refresh"] if full_refresh else []),
    )
    if layer == "staging":
        pending.staging_succeeded(run)
    else:
        pending.marts_succeeded(run, found)
    earlier = sorted(set(days) - set(context.partition_keys))
    report(
        context,
        f"{context.partition_key_range.end} dbt {layer}: "
        + ("rebuilt from the whole lake" if full_refresh else "built")
        + (f" (with {len(earlier)} day(s) an earlier run left unbuilt: {', '.join(earlier)})" if earlier else ""),
        timings={f"dbt {layer}": time.monotonic() - started},
    )


manifest = ensure_manifest()


@dbt_assets(
    manifest=manifest,
    select=STAGING_SELECT,
    name="dbt_staging",
    partitions_def=delivery_days,
    dagster_dbt_translator=translator,
    project=dbt_project,
    pool="warehouse",
    backfill_policy=backfill_policy(),
)
def dbt_staging(context: AssetExecutionContext):
    yield from _build(context, "staging")


@dbt_assets(
    manifest=manifest,
    select=MARTS_SELECT,
    name="dbt_marts",
    partitions_def=delivery_days,
    dagster_dbt_translator=translator,
    project=dbt_project,
    pool="warehouse",
    backfill_policy=backfill_policy(),
)
def dbt_marts(context: AssetExecutionContext):
    yield from _build(context, "marts")
