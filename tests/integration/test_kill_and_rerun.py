"""SIGKILL in the middle of a day's dbt run, then a re-run: the marts equal a clean run's."""

import subprocess
from pathlib import Path

import pytest
from conftest import generate, published_tables, run_days

from reliability.harness import copy_tree, cwh_process, kill_when

pytestmark = pytest.mark.integration

# One way to start a `cwh run` process and kill it at a moment: the reliability suite's.
start_run = cwh_process


def kill_when_dbt_builds(proc: subprocess.Popen, log: Path, marker: str, timeout: float = 300) -> None:
    """SIGKILL the run as soon as dbt has started building `marker` (a model) in this run."""
    seen = log.read_text().count(marker) if log.exists() else 0
    started = lambda: log.exists() and log.read_text().count(marker) > seen  # noqa: E731
    assert kill_when(proc, started, timeout), f"the run never started {marker} (exit code {proc.returncode})"


def test_a_run_killed_mid_dbt_then_re_run_equals_a_clean_run(tmp_path):
    # Killed while the marts build: staging has already committed this day, the marts only partly.
    model = "fct_order_items"
    landing = tmp_path / "landing"
    generate(landing, "2026-11-01", 2, seed=3)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert run_days(landing, clean, "2026-11-01") == 0
    copy_tree(clean, killed)  # day 1 done, as in the clean run
    assert run_days(landing, clean, "2026-11-02") == 0

    proc = start_run(landing, killed, "2026-11-02")
    kill_when_dbt_builds(proc, killed / "logs" / "dbt.log", f"START sql incremental model main.{model}")
    # The killed run holds the warehouse pool's slot; the re-run fails it and frees the slot.
    assert run_days(landing, killed, "2026-11-02") == 0
    assert published_tables(killed) == published_tables(clean)
