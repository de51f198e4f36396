"""One ingestion asset per feed, partitioned by delivery day, with its blocking raw gate.

The gate runs inside the ingest step on the pending partition; only a passed gate commits the
partition into the lake, so a failed day never becomes visible to dbt or to later days.
"""

import time

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from assets.feeds import FEEDS
from assets.gates import log as gate_log
from assets.ingest.feed_day import ingest_feed_day
from assets.ingest.interrupted import IngestJournal, run_finished
from assets.ingest.lake import Lake
from assets.ingest.landing import DeliveryError
from assets.ingest.raw_gate import audit_pending
from assets.partitions import backfill_policy, delivery_days
from assets.pending_days import PendingDays
from assets.progress import report
from assets.settings import Settings

RAW_GATE = "raw_contract"


def landing_key(feed: str) -> AssetKey:
    return AssetKey(["landing", feed])


def raw_key(feed: str) -> AssetKey:
    return AssetKey(["raw", feed])


quarantine_spec = AssetSpec(
    AssetKey(["raw", "quarantine"]),
    group_name="raw",
    kinds={"parquet"},
    description="Every rejected record and file with its reason: lake/quarantine/<feed>/dt=D/ (written by the ingest assets).",
)

landing_specs = [
    AssetSpec(
        landing_key(f),
        group_name="landing",
        kinds={"json"},
        description=f"`{f}` deliveries in the landing zone: <landing>/{f}/dt=D/*.jsonl(.gz) + _manifest.json.",
    )
    for f in FEEDS
]


def _raw_asset(feed: str):
    key = raw_key(feed)

    @multi_asset(
        name=f"ingest_{feed}",
        specs=[
            AssetSpec(
                key,
                deps=[landing_key(feed)],
                group_name="raw",
                kinds={"parquet"},
                partitions_def=delivery_days,
                description=f"Valid `{feed}` records of one delivery day in lake/raw/{feed}/dt=D/ "
                "(rejected records in lake/quarantine with reasons).",
            )
        ],
        check_specs=[
            AssetCheckSpec(
                RAW_GATE,
                asset=key,
                blocking=True,
                description=f"Soda contract soda/contracts/raw/{feed}.yml: schema, keys, "
                "enum domains, manifest checks and the quarantine policy.",
            )
        ],
        partitions_def=delivery_days,
        backfill_policy=backfill_policy(),
        op_tags={"stage": "ingest"},
    )
    def ingest(context: AssetExecutionContext):
        settings = Settings.from_env()
        lake = Lake(settings.lake_dir)
        journal = IngestJournal(settings.lake_dir)
        run_days = context.partition_keys
        journal.begin(context.run.run_id, run_days)
        # Feed-days a killed run never finished come first (assets/ingest/interrupted.py). Their
        # outcome is reported, but a bad one does not block this run's days: it blocks only itself.
        caught_up = [
            d
            for d in journal.left_undone(feed, context.run.run_id, run_finished(context.instance))
            if d not in run_days
        ]
        if caught_up:
            report(context, f"ingest {feed}: first the day(s) an interrupted run left: {', '.join(caught_up)}")
        days, failed = [], []
        # A backfill of many days is one run: each day is ingested, gated and committed in order.
        for dt in sorted([*caught_up, *run_days]):
            started = time.monotonic()
            try:
                result = ingest_feed_day(
                    lake,
                    settings.landing_dir,
                    feed,
                    dt,
                    memory_limit=settings.ingest_memory_limit,
                    limits=settings.input_limits,
                )
            except Exception as exc:
                journal.done(feed, dt)  # a definite outcome: re-running the day (re-delivered) retries it
                # A bad delivery names the feed-day and the file; anything else gets the feed-day and the
                # cause (the traceback goes to the run log).
                cause = (
                    str(exc)
                    if isinstance(exc, DeliveryError)
                    else (f"{feed} dt={dt}: ingestion failed: {type(exc).__name__}: {exc}")
                )
                if dt in caught_up:
                    context.log.warning(f"{cause} (a day an interrupted run left; this run goes on)")
                    continue
                raise Failure(description=cause) from exc
            ingested = time.monotonic()
            gate = audit_pending(
                lake,
                result,
                settings.quarantine_max_rate,
                settings.quarantine_min_records,
                memory_limit=settings.ingest_memory_limit,
            )
            gate_log.record(settings.data_dir, context.run.run_id, "raw", gate)
            if gate.passed:
                lake.commit(feed, dt, result.ledger_files)
                PendingDays(settings.data_dir).committed([dt])
            elif dt not in caught_up:
                failed.append(f"{dt}: {gate.summary()}")
            journal.done(feed, dt)
            report(
                context,
                f"{dt} ingest {feed}: {result.lines_read:,} lines -> {result.valid:,} valid, "
                f"{result.quarantined:,} quarantined, {result.duplicates_skipped:,} duplicates skipped; "
                + ("gate passed, committed" if gate.passed else gate.summary()),
                timings={"ingest": ingested - started, "raw gates": time.monotonic() - ingested},
            )
            days.append({**result.as_metadata(), "committed": gate.passed, "reconciles": result.reconciles})
        totals = {
            k: sum(d[k] for d in days)
            for k in (
                "lines_read",
                "valid",
                "quarantined",
                "duplicates_skipped",
                "files",
                "files_rejected",
                "files_redelivered",
            )
        }
        yield MaterializeResult(
            asset_key=key,
            metadata={
                **totals,
                "reconciles": all(d["reconciles"] for d in days),
                "days": MetadataValue.json(days),
            },
        )
        yield AssetCheckResult(
            asset_key=key,
            check_name=RAW_GATE,
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            description="\n".join(failed) or f"{len(days)} delivery day(s) passed",
        )

    return ingest


raw_assets = [_raw_asset(f) for f in FEEDS]
