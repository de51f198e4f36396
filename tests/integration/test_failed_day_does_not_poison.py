"""A day whose run died after staging committed must not poison the days after it.

Day D's run is killed (SIGKILL, a real death: out of memory looks the same to the pipeline) while
dbt builds the marts, after staging has committed D. Nobody re-runs D: the next run is D+1's, and
its published marts must equal a clean run of D and D+1 — it rebuilds the scopes D left unbuilt.
"""

import json

import pytest
from conftest import generate, published_tables, run_days
from test_kill_and_rerun import kill_when_dbt_builds, start_run

from assets.pending_days import PendingDays
from orchestration.cli import main as cwh

pytestmark = pytest.mark.integration

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]


def status(capsys, landing, data_dir) -> tuple[int, dict]:
    capsys.readouterr()
    code = cwh(["status", "--landing", str(landing), "--data-dir", str(data_dir), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_next_day_rebuilds_the_scopes_a_killed_run_left_unbuilt(tmp_path, capsys):
    landing = tmp_path / "landing"
    generate(landing, DAYS[0], 3, seed=11)
    clean, failed = tmp_path / "clean", tmp_path / "failed"
    assert run_days(landing, clean, DAYS[0], DAYS[2], per_day=True) == 0

    assert run_days(landing, failed, DAYS[0]) == 0
    # Day 2 dies in the marts step: staging holds day 2, no mart does.
    proc = start_run(landing, failed, DAYS[1])
    kill_when_dbt_builds(proc, failed / "logs" / "cwh-run.log", "START sql incremental model main.fct_order_items")
    assert PendingDays(failed).days() == [DAYS[1]]
    code, before = status(capsys, landing, failed)
    assert code == 1 and before["pending_days"] == [DAYS[1]]

    # Day 3 only: it publishes the truth over days 1-3, and day 2 is no longer pending.
    assert run_days(landing, failed, DAYS[2]) == 0
    got, expected = published_tables(failed), published_tables(clean)
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
