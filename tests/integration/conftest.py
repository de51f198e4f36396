"""Helpers for tests that run the real pipeline: generated landing zones and `cwh run`."""

import contextlib
import io
import json
from datetime import date
from pathlib import Path

import pytest

from orchestration.cli import main as cwh
from reliability.harness import published as published_tables  # noqa: F401  (every mart, sorted)

pytestmark = pytest.mark.integration


def run_days(
    landing: Path, data_dir: Path, start: str, end: str | None = None, per_day: bool = False, full_refresh: bool = False
) -> int:
    args = ["run", "--landing", str(landing), "--data-dir", str(data_dir), "--start", start]
    return cwh(
        args
        + (["--end", end] if end else [])
        + (["--per-day"] if per_day else [])
        + (["--full-refresh"] if full_refresh else [])
    )


def generate(
    landing: Path, start: str, days: int, seed: int = 7, faults=None, experiments=None, plants: tuple[str, ...] = ()
) -> None:
    """`experiments`: plan files (simulator/experiments.py); None runs the shipped ones. `plants`: patterns."""
    from simulator import FaultRates
    from simulator import generate as gen

    gen(
        landing,
        date.fromisoformat(start),
        days,
        scale="small",
        seed=seed,
        faults=faults or FaultRates(),
        experiments=experiments,
        plants=plants,
    )


def query_json(data_dir: Path, sql: str) -> list[dict]:
    """Rows of `cwh query --format json`, as analysts reach the published marts."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cwh(["query", "--data-dir", str(data_dir), "--format", "json", sql]) == 0
    return json.loads(out.getvalue())
