"""Helpers for tests that run the real pipeline: generated landing zones and `cwh run`."""

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


def generate(landing: Path, start: str, days: int, seed: int = 7, faults=None, plants: tuple[str, ...] = ()) -> None:
    from simulator import FaultRates
    from simulator import generate as gen

    gen(
        landing, date.fromisoformat(start), days, scale="small", seed=seed, faults=faults or FaultRates(), plants=plants
    )
