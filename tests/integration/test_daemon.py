"""The real Dagster daemon on a temporary instance: the sensor runs a complete day; its worker,
killed mid-run, is found dead by run monitoring, its pool slot freed, and the retry publishes the
day; a day blocked by a bad file raises an alert, posted to a webhook on 127.0.0.1 and logged."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from conftest import generate
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from orchestration.instance import prepare_dagster_home, worker_pids

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


class Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webhook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(what: str, condition, timeout: float = 900, proc=None):
    """Poll until `condition()` is truthy (a deadline only so a broken run cannot hang the suite)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert proc is None or proc.poll() is None, f"the daemon exited ({proc.returncode}) while waiting for {what}"
        time.sleep(1)
    raise AssertionError(f"gave up waiting for {what}")


def published_days(published: Path) -> set[str]:
    if not published.exists():
        return set()
    con = duckdb.connect(str(published), read_only=True)
    try:
        return {str(r[0]) for r in con.execute("SELECT delivery_day FROM publish_log").fetchall()}
    finally:
        con.close()


def sensor_runs(instance) -> list:
    return list(reversed(instance.get_runs(RunsFilter(tags={"cwh/trigger": "sensor"}))))


def staging_began(data: Path, run_id: str) -> bool:
    """The run's dbt staging has stamped its days (assets/pending_days.py): it is mid-warehouse."""
    path = data / "warehouse" / "pending_days.json"
    return path.exists() and any(e["stamp"] == run_id for e in json.loads(path.read_text())["days"].values())


def alerts_for(data: Path, run_id: str | None = None) -> list[dict]:
    path = data / "logs" / "alerts.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [a for a in lines if run_id in (None, a["run_id"])]


def test_the_daemon_runs_a_day_recovers_a_dead_worker_and_alerts_on_a_blocked_day(tmp_path):
    good = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    bad = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    landing, data = tmp_path / "landing", tmp_path / "data"
    generate(landing, good, 1, seed=5)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    home = prepare_dagster_home(data)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CWH_LANDING_DIR": str(landing),
        "CWH_DATA_DIR": str(data),
        "CWH_ALERT_WEBHOOK": f"http://127.0.0.1:{server.server_port}/alerts",
        "CWH_AUTOMATION": "on",
    }
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", str(ROOT / "workspace.yaml")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Nobody starts the sensor: it is RUNNING by default and launches the complete day. Its
        # worker is killed (as the OOM killer would) once dbt staging has begun.
        published = data / "published" / "marts.duckdb"
        instance = DagsterInstance.from_config(str(home))
        first = wait_for("the sensor's run", lambda: sensor_runs(instance), proc=daemon)[0]
        wait_for("dbt staging to begin", lambda: staging_began(data, first.run_id), proc=daemon)
        pids = worker_pids(instance, instance.get_run_by_id(first.run_id))
        for pid in pids:
            os.kill(pid, signal.SIGKILL)

        # Run monitoring fails the dead run and frees its slot; the run retry publishes the day.
        wait_for(f"{good} to be published", lambda: good in published_days(published), proc=daemon)
        dead = instance.get_run_by_id(first.run_id)
        assert dead.status == DagsterRunStatus.FAILURE
        retry = instance.get_runs(RunsFilter(tags={"dagster/parent_run_id": first.run_id}))[0]
        assert retry.tags["dagster/retry_number"] == "1"
        wait_for("the retry to end", lambda: instance.get_run_by_id(retry.run_id).is_finished, proc=daemon)
        assert instance.get_run_by_id(retry.run_id).status == DagsterRunStatus.SUCCESS
        assert not instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
        died = wait_for("the dead run's alert", lambda: alerts_for(data, first.run_id), proc=daemon)
        assert "SIGKILL" in died[0]["cause"] or "worker process is gone" in died[0]["cause"]

        # The next day arrives with a file whose sha256 does not match its manifest: the run is
        # blocked at the raw gate and the failure sensor raises an alert.
        generate(landing, bad, 1, seed=6)
        victim = next((landing / "links" / f"dt={bad}").glob("*.jsonl*"))
        victim.write_bytes(victim.read_bytes() + b"\n")
        alert = wait_for(
            "the blocked day's alert", lambda: [a for a in alerts_for(data) if a["days"] == [bad]], proc=daemon
        )[0]
        assert alert["days"] == [bad] and alert["status"] == "FAILURE"
        assert any(g["gate"] == "raw_contract" and g["asset"] == "raw/links" for g in alert["failed_gates"])
        assert alert["webhook"] == "sent (200)"
        assert any(posted["run_id"] == alert["run_id"] for posted in Webhook.received)
        assert good in published_days(published) and bad not in published_days(published)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
        server.shutdown()
        log.close()
