"""The real Dagster daemon on a temporary instance: the sensor runs a complete day, which publishes;
a day blocked by a bad file raises an alert, posted to a webhook on 127.0.0.1 and logged."""

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

from orchestration.instance import prepare_dagster_home

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


def test_the_daemon_runs_a_delivered_day_and_alerts_on_a_blocked_one(tmp_path):
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
        # Nobody starts the sensor: it is RUNNING by default and launches the complete day.
        published = data / "published" / "marts.duckdb"
        wait_for(f"{good} to be published", lambda: good in published_days(published), proc=daemon)

        # The next day arrives with a file whose sha256 does not match its manifest: the run is
        # blocked at the raw gate and the failure sensor raises an alert.
        generate(landing, bad, 1, seed=6)
        victim = next((landing / "links" / f"dt={bad}").glob("*.jsonl*"))
        victim.write_bytes(victim.read_bytes() + b"\n")
        alerts = data / "logs" / "alerts.jsonl"
        lines = wait_for(
            "an alert", lambda: alerts.exists() and alerts.read_text().splitlines(), timeout=900, proc=daemon
        )
        alert = json.loads(lines[0])
        assert alert["days"] == [bad] and alert["status"] == "FAILURE"
        assert any(g["gate"] == "raw_contract" and g["asset"] == "raw/links" for g in alert["failed_gates"])
        assert alert["webhook"] == "sent (200)"
        assert Webhook.received and Webhook.received[0]["run_id"] == alert["run_id"]
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
