"""The floor: the same marts from the same landing files with nothing but the record rules.

One process, back to back: each feed-day through ingestion's own functions (manifest checks,
line reading, validation SQL, dedup; assets/ingest/feed_day.py) into a scratch lake, then every
dbt model's SQL compiled for a full build (latest state, late data, attribution, every mart
formula), executed in DAG order on one DuckDB connection (the readout's statistics, a dbt
Python model, called on that connection). No Dagster, no dbt at run time, no
gates, no incremental bookkeeping, no publish. `check_equal` compares its marts cell by cell with
a published file, so the floor computes exactly what the pipeline publishes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb

from assets.feeds import FEEDS
from assets.ingest.feed_day import ingest_feed_day
from assets.ingest.lake import Lake
from assets.settings import Settings
from assets.warehouse.dbt_project import DBT_DIR, parsed_manifest
from assets.warehouse.dbt_runner import release_warehouse
from assets.warehouse.pii_salt_variable import set_pii_salt


def _ingest(settings: Settings, day: str) -> dict[str, float]:
    lake = Lake(settings.lake_dir)
    seconds = {}
    for feed in FEEDS:
        started = time.monotonic()
        result = ingest_feed_day(
            lake, settings.landing_dir, feed, day, settings.duckdb_memory_limit, settings.input_limits
        )
        lake.commit(feed, day, result.ledger_files)
        seconds[feed] = time.monotonic() - started
    return seconds


def compile_models(settings: Settings, workdir: Path) -> list[tuple[str, Path]]:
    """(model, its compiled full-build SELECT, or its file for a Python model) for every model, in
    dependency order. Needs the lake (a source with no partition compiles to an empty relation)."""
    from dbt.cli.main import dbtRunner

    target = workdir / "dbt_target"
    os.environ["CWH_DELIVERY_DAYS"] = ""  # no days: every model is compiled as a full rebuild
    args = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(target)]
    result = dbtRunner(manifest=parsed_manifest(workdir)).invoke(
        ["compile", "--quiet", "--full-refresh", "--select", "resource_type:model", "--log-path", str(workdir), *args]
    )
    release_warehouse()  # dbt-duckdb keeps the warehouse open; the floor opens it itself
    if not result.success:
        raise RuntimeError(f"dbt compile failed: {result.exception}")
    manifest = json.loads((target / "manifest.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    order, done = [], set()

    def visit(uid: str) -> None:
        if uid in done or uid not in models:
            return
        done.add(uid)
        for dep in models[uid]["depends_on"]["nodes"]:
            visit(dep)
        order.append(uid)

    for uid in sorted(models):
        visit(uid)
    return [
        (
            models[u]["name"],
            (DBT_DIR if models[u]["language"] == "python" else target / "compiled" / "creator_warehouse")
            / models[u]["original_file_path"],
        )
        for u in order
    ]


class _Dbt:
    """What a dbt Python model asks of `dbt`: its config (nothing to do here) and its refs."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def config(self, **_) -> None:
        pass

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        return self.con.table(f'main."{name}"')


def _build(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    """A SQL model: its compiled SELECT; a Python model (statistics): its model() on this connection."""
    if path.suffix != ".py":
        con.execute(f'CREATE TABLE main."{name}" AS {path.read_text()}')
        return
    scope: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), scope)  # noqa: S102 - the project's own model file
    con.register("python_model_result", scope["model"](_Dbt(con), con))
    try:
        con.execute(f'CREATE TABLE main."{name}" AS SELECT * FROM python_model_result')
    finally:
        con.unregister("python_model_result")


def run(settings: Settings, day: str, models: list[tuple[str, Path]]) -> dict:
    """Compute the marts of `day` from its landing files; returns seconds per part."""
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    settings.warehouse_path.parent.mkdir(parents=True)
    settings.export()
    started = time.monotonic()
    ingest = _ingest(settings, day)
    ingested = time.monotonic()
    # The compiled models name the lake relative to the data dir, as dbt's profile resolves it.
    config = {**settings.duckdb_config(settings.scratch_dir), "file_search_path": str(settings.data_dir)}
    con = duckdb.connect(str(settings.warehouse_path), config=config)
    set_pii_salt(con)  # as dbt's connections get it
    try:
        for name, path in models:
            _build(con, name, path)
    finally:
        con.close()
    ended = time.monotonic()
    return {"wall": ended - started, "ingest": ingest, "models": ended - ingested}


def marts(path: Path, names: list[str]) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {n: con.execute(f'SELECT * FROM main."{n}" ORDER BY ALL').fetchall() for n in names}
    finally:
        con.close()


def check_equal(floor_warehouse: Path, published: Path, names: list[str]) -> list[str]:
    """The differences between the floor's marts and the published ones (none: equal cell by cell)."""
    mine, theirs = marts(floor_warehouse, names), marts(published, names)
    problems = []
    for name in names:
        a, b = mine[name], theirs[name]
        if a != b:
            cells = sum(x != y for ra, rb in zip(a, b, strict=False) for x, y in zip(ra, rb, strict=False))
            problems.append(f"{name}: {len(a)} rows vs {len(b)} published, {cells} differing cells in common rows")
    return problems
