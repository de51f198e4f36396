"""Failures reach people: every failed daily run becomes one JSON alert.

The alert (run, delivery days, failed gates, failed steps, cause) is always appended to
`<data-dir>/logs/alerts.jsonl`, and POSTed as JSON to CWH_ALERT_WEBHOOK when that is set (a chat
or paging webhook). A webhook that cannot be reached does not lose the alert: the line in
alerts.jsonl says so.
"""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from dagster import RunFailureSensorContext, run_failure_sensor

from assets.settings import Settings

from .automation import sensor_status
from .failures import describe_failure
from .jobs import daily_job

WEBHOOK_ENV = "CWH_ALERT_WEBHOOK"
WEBHOOK_TIMEOUT_SECONDS = 10


def alerts_path(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / "alerts.jsonl"


def post(url: str, alert: dict) -> str:
    """POST the alert; returns what happened, for the log ('sent (200)' or 'failed: ...')."""
    request = urllib.request.Request(
        url, data=json.dumps(alert).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return f"sent ({response.status})"
    except Exception as exc:  # noqa: BLE001 - any failure to deliver is reported, never raised
        return f"failed: {type(exc).__name__}: {exc}"


def send_alert(data_dir: Path, alert: dict) -> dict:
    """Post the alert to the webhook (when set) and append it, with the outcome, to alerts.jsonl."""
    alert = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **alert}
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    line = {**alert, "webhook": post(url, alert) if url else "not configured"}
    path = alerts_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")
    return line


@run_failure_sensor(
    monitored_jobs=[daily_job],
    name="run_failure_alerts",
    minimum_interval_seconds=15,
    default_status=sensor_status(),
    description="Posts every failed daily run (days, failed gate, cause) to CWH_ALERT_WEBHOOK and logs/alerts.jsonl.",
)
def run_failure_alerts(context: RunFailureSensorContext):
    alert = describe_failure(context.instance, context.dagster_run)
    send_alert(Settings.from_env().data_dir, {"event": "run_failed", **alert})
