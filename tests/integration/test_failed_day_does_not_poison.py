"""A day whose run died must not poison the days after it.

Day D's run is killed (SIGKILL, a real death: out of memory looks the same to the pipeline) while
dbt builds the marts, after staging has committed D, or while it ingests D. Nobody re-runs D: the
next run is D+1's, and its published marts must equal a clean run of D and D+1 — it ingests what D
left unread and rebuilds the scopes D left unbuilt. Nor must an upgrade that changes a model's
columns: the day it meets an older warehouse is blocked with the fix named.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import generate, published_tables, run_days
from test_kill_and_rerun import kill_when_dbt_builds, start_run

from assets.ingest.interrupted import IngestJournal
from assets.pending_days import PendingDays
from orchestration.cli import main as cwh
from reliability.harness import copy_tree

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]


def status(capsys, landing, data_dir) -> tuple[int, dict]:
    capsys.readouterr()
    code = cwh(["status", "--landing", str(landing), "--data-dir", str(data_dir), "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def three_days(tmp_path_factory):
    """Three delivered days and a clean run of each: the truth every recovery must reach, and the
    data dir as day 1's run left it (each test's starting point)."""
    root = tmp_path_factory.mktemp("poison")
    landing, clean, after_day1 = root / "landing", root / "clean", root / "after_day1"
    generate(landing, DAYS[0], 3, seed=11)
    assert run_days(landing, clean, DAYS[0]) == 0
    copy_tree(clean, after_day1)
    assert run_days(landing, clean, DAYS[1], DAYS[2], per_day=True) == 0
    return landing, published_tables(clean), after_day1


def test_the_next_day_rebuilds_the_scopes_a_killed_run_left_unbuilt(three_days, tmp_path, capsys):
    landing, expected, after_day1 = three_days
    failed = copy_tree(after_day1, tmp_path / "failed")

    # Day 2 dies in the marts step: staging holds day 2, no mart does.
    proc = start_run(landing, failed, DAYS[1])
    kill_when_dbt_builds(proc, failed / "logs" / "dbt.log", "START sql incremental model main.fct_order_items")
    assert PendingDays(failed).days() == [DAYS[1]]
    code, before = status(capsys, landing, failed)
    assert code == 1 and before["pending_days"] == [DAYS[1]]

    # Day 3 only: it publishes the truth over days 1-3, and day 2 is no longer pending.
    assert run_days(landing, failed, DAYS[2]) == 0
    got = published_tables(failed)
    assert expected["fct_order_items"] and expected["link_funnel_daily"]
    for name in expected:
        assert got[name] == expected[name], f"{name} differs from a clean run of every day"
    assert PendingDays(failed).days() == []

    # `cwh status`: nothing pending; day 2's run failed (killed), but its data is published since.
    code, after = status(capsys, landing, failed)
    assert after["pending_days"] == [] and after["last_publish"]["covers"] == f"{DAYS[0]}..{DAYS[2]} (3 days)"
    [killed] = after["blocked_days"]
    assert killed["day"] == DAYS[1] and killed["staged"] and killed["since_published"]
    assert all(f["fresh"] for f in after["freshness"]) and code == 0
    assert {feed["committed"] for feed in after["feeds"].values()} == {DAYS[2]}


def test_ctrl_c_stops_a_run_at_once_and_the_next_day_ingests_what_it_left_unread(three_days, tmp_path, capsys):
    landing, expected, after_day1 = three_days
    failed = copy_tree(after_day1, tmp_path / "failed")
    # Day 2 is stopped with Ctrl-C while ingesting link_clicks: some feeds are committed, the rest
    # never read. `cwh run` exits at once (the deadline only keeps a hang from stalling the suite).
    # As a terminal does, Ctrl-C signals the whole process group: the run's child processes too.
    cmd = [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing), "--data-dir", str(failed)]
    proc = subprocess.Popen(
        [*cmd, "--start", DAYS[1]], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    clicks = failed / "lake" / "_pending" / "link_clicks" / f"dt={DAYS[1]}"
    while not clicks.exists():
        assert proc.poll() is None, "the run ended before it ingested link_clicks"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGINT and "SIGINT: stopped" in err.decode()
    assert "Traceback" not in out.decode() + err.decode()  # the run's children print theirs to the run log
    [left] = IngestJournal(failed / "lake").runs().values()
    assert left["days"] == [DAYS[1]] and "link_clicks" not in left["done"]
    code, before = status(capsys, landing, failed)
    assert code == 1 and {"feed": "link_clicks", "day": DAYS[1]} in before["unread_feed_days"]
    [stopped] = before["blocked_days"]
    assert stopped["day"] == DAYS[1] and "process is gone" in stopped["cause"] and not before["running_days"]

    # Day 3 only: it ingests day 2's unread feeds first, and publishes the truth over days 1-3.
    assert run_days(landing, failed, DAYS[2]) == 0
    got = published_tables(failed)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs from a clean run of every day"
    assert IngestJournal(failed / "lake").runs() == {} and PendingDays(failed).days() == []
    code, after = status(capsys, landing, failed)
    assert code == 0 and after["unread_feed_days"] == [] and after["blocked_days"][0]["since_published"]


def test_a_warehouse_built_before_a_models_columns_changed_asks_for_a_full_refresh(three_days, tmp_path, capsys):
    """An upgrade that adds a column to an incremental model meets warehouses built without it: the
    model's merge cannot read the stored column, the day is blocked with the column and the fix
    named, and one --full-refresh run rebuilds the warehouse to the truth."""
    landing, expected, after_day1 = three_days
    older = copy_tree(after_day1, tmp_path / "older")
    # a warehouse from before staging kept each click's unknown extra fields
    with duckdb.connect(str(older / "warehouse" / "warehouse.duckdb")) as con:
        con.execute("ALTER TABLE stg_tiktok__link_clicks DROP COLUMN _extra")

    capsys.readouterr()
    assert run_days(landing, older, DAYS[1]) == 1
    blocked = capsys.readouterr().err
    assert "stg_tiktok__link_clicks" in blocked and "_extra" in blocked and "--full-refresh" in blocked

    assert run_days(landing, older, DAYS[1], DAYS[2], full_refresh=True) == 0
    got = published_tables(older)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs from a clean run of every day"
