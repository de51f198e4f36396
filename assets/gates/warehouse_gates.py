"""Soda gates on the warehouse: one blocking check per staging model and per mart.

Each layer's contracts run in one step after that layer's dbt step has closed its connection
(dbt-duckdb holds the file for the whole invocation), on one read-only connection.
"""

import time
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from assets.gates import log as gate_log
from assets.gates.soda import CONTRACTS_DIR, verify
from assets.partitions import run_delivery_days
from assets.pending_days import PendingDays
from assets.progress import report
from assets.settings import Settings

GATE = "soda_contract"
DATA_SOURCE = "warehouse"


def contracts(stage: str) -> list[Path]:
    return sorted((CONTRACTS_DIR / stage).glob("*.yml"))


def gate_keys(stage: str) -> list[AssetKey]:
    return [AssetKey([p.stem]) for p in contracts(stage)]


def _stage_gates(stage: str):
    paths = contracts(stage)
    specs = [
        AssetCheckSpec(
            GATE, asset=AssetKey([p.stem]), blocking=True, description=f"Soda contract soda/contracts/{stage}/{p.name}"
        )
        for p in paths
    ]

    @multi_asset_check(specs=specs, name=f"soda_{stage}_gates", pool="warehouse")
    def gates(context: AssetCheckExecutionContext):
        settings = Settings.from_env()
        started = time.monotonic()
        # Row checks cover what this run's delivery days wrote (whole tables on a full refresh),
        # so a gate's cost follows the day, not the history; reconciliations compare whole tables.
        # Days an earlier run left unbuilt are rebuilt by this run's dbt steps: their rows are checked too.
        days = ",".join(PendingDays(settings.data_dir).scope(run_delivery_days(context.run.tags)))
        con = duckdb.connect(
            str(settings.warehouse_path), read_only=True, config=settings.duckdb_config(settings.scratch_dir / "gates")
        )
        try:
            failed = []
            for path in paths:
                gate = verify(con, path, DATA_SOURCE, variables={"DELIVERY_DAYS": days})
                gate_log.record(settings.data_dir, context.run.run_id, stage, gate)
                if not gate.passed:
                    failed.append(gate.contract)
                yield AssetCheckResult(
                    asset_key=AssetKey([path.stem]),
                    check_name=GATE,
                    passed=gate.passed,
                    severity=AssetCheckSeverity.ERROR,
                    description=gate.summary(),
                    metadata={
                        "checks": len(gate.checks),
                        "failures": MetadataValue.json([c.describe() for c in gate.failures] + gate.errors),
                        "seconds": gate.seconds,
                    },
                )
        finally:
            con.close()
        report(
            context,
            f"soda {stage} gates: " + (f"FAILED {', '.join(failed)}" if failed else f"{len(paths)} contracts passed"),
            timings={("mart" if stage == "marts" else stage) + " gates": time.monotonic() - started},
        )

    return gates


staging_gates = _stage_gates("staging")
mart_gates = _stage_gates("marts")
