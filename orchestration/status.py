"""`cwh status`: what an on-call engineer needs first, from the data dir and its Dagster instance.

- the last delivery day per feed: landed (manifest in the landing zone) and committed (in the lake);
- the last publish: when, which run, which delivery days it covers;
- blocked days: days whose newest run failed, with the failed gates and causes;
- pending days: days an earlier run merged into staging whose marts are not yet published
  (the next successful run of any day rebuilds them; assets/pending_days.py);
- freshness: when each raw feed and the published marts were last updated, against the limit.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dagster import DagsterRunStatus, RunsFilter

from assets.feeds import FEEDS
from assets.ingest.interrupted import IngestJournal, run_finished
from assets.ingest.lake import Lake
from assets.ingest.landing import manifest_exists
from assets.pending_days import PendingDays
from assets.settings import Settings

from .deliveries import IN_PROGRESS
from .failures import describe_failure, run_days
from .freshness import WATCHED, max_age
from .instance import worker_is_gone
from .jobs import DAILY_JOB

RECENT_RUNS = 500  # the newest runs looked at to find each day's latest outcome


def _last_landed(landing: Path, feed: str) -> str | None:
    base = landing / feed
    if not base.is_dir():
        return None
    days = sorted(p.name[3:] for p in base.glob("dt=*") if manifest_exists(landing, feed, p.name[3:]))
    return days[-1] if days else None


def _last_publish(published: Path) -> dict | None:
    if not published.exists():
        return None
    con = duckdb.connect(str(published), read_only=True)
    try:
        row = con.execute(
            "SELECT published_at, run_id, delivery_day, delivery_days FROM publish_log "
            "ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    if row is None:
        return None
    days = sorted(str(d) for d in (row[3] or []))
    return {
        "published_at": row[0].isoformat() if row[0] else None,
        "run_id": row[1],
        "delivery_day": str(row[2]) if row[2] else None,
        "covers": f"{days[0]}..{days[-1]} ({len(days)} days)" if days else "no complete delivery day",
    }


def _day_outcomes(instance) -> dict[str, tuple]:
    """delivery day -> (newest run of it, its status)."""
    newest: dict[str, object] = {}
    for run in instance.get_runs(RunsFilter(job_name=DAILY_JOB), limit=RECENT_RUNS):  # newest first
        for day in run_days(run):
            newest.setdefault(day, run)
    return newest


def _freshness(instance, now: datetime) -> list[dict]:
    limit = max_age()
    rows = []
    for key in WATCHED:
        event = instance.get_latest_materialization_event(key)
        at = datetime.fromtimestamp(event.timestamp, UTC) if event else None
        age = (now - at) if at else None
        rows.append(
            {
                "asset": key.to_user_string(),
                "last_update": at.isoformat(timespec="seconds") if at else None,
                "age_hours": round(age.total_seconds() / 3600, 1) if age else None,
                "fresh": bool(age is not None and age <= limit),
                "limit_hours": limit.total_seconds() / 3600,
            }
        )
    return rows


def gather(settings: Settings, instance, now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    lake = Lake(settings.lake_dir)
    feeds = {
        feed: {
            "landed": _last_landed(settings.landing_dir, feed),
            "committed": (lake.committed_days(feed) or [None])[-1],
        }
        for feed in FEEDS
    }
    outcomes = _day_outcomes(instance)
    pending = PendingDays(settings.data_dir).days()
    committed = {feed: set(lake.committed_days(feed)) for feed in FEEDS}
    # A run still marked in progress whose process is gone was killed or stopped: it is blocked too
    # (the next `cwh run`, or the daemon's run monitoring, marks it failed).
    dead = {day for day, run in outcomes.items() if run.status in IN_PROGRESS and worker_is_gone(instance, run)}
    blocked = []
    for day, run in sorted(outcomes.items()):
        if run.status not in (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED) and day not in dead:
            continue
        failure = {k: v for k, v in describe_failure(instance, run).items() if k not in ("days", "job")}
        if day in dead:
            failure["cause"] = "its process is gone (killed or stopped mid-run); the next run finishes its work"
        # Every feed committed since (by a re-run or a later run's catch-up) and nothing pending: a
        # later run's marts carry the day, its data is published.
        failure["since_published"] = day not in pending and all(day in days for days in committed.values())
        blocked.append({"day": day, **failure})
    running = sorted(day for day, run in outcomes.items() if run.status in IN_PROGRESS and day not in dead)
    journal, ended = IngestJournal(settings.lake_dir), run_finished(instance)
    gone = {run.run_id for day, run in outcomes.items() if day in dead}
    unread = [
        {"feed": feed, "day": day}
        for feed in FEEDS
        for day in journal.left_undone(feed, "", lambda run_id: run_id in gone or ended(run_id))
    ]
    return {
        "data_dir": str(settings.data_dir),
        "feeds": feeds,
        "last_publish": _last_publish(settings.published_path),
        "blocked_days": blocked,
        "running_days": running,
        "pending_days": pending,
        "unread_feed_days": unread,
        "freshness": _freshness(instance, now),
        "alerts": str(settings.data_dir / "logs" / "alerts.jsonl"),
    }


def needs_attention(status: dict) -> bool:
    blocked = [b for b in status["blocked_days"] if not b["since_published"]]
    return bool(
        blocked
        or status["pending_days"]
        or status["unread_feed_days"]
        or not all(f["fresh"] for f in status["freshness"])
    )


def render(status: dict) -> str:
    out = [f"data dir {status['data_dir']}", "", "last delivery day per feed (landed / committed to the lake):"]
    width = max(len(f) for f in status["feeds"])
    for feed, days in status["feeds"].items():
        out.append(f"  {feed.ljust(width)}  {days['landed'] or '-'}  /  {days['committed'] or '-'}")
    pub = status["last_publish"]
    out += ["", "last publish:"]
    out.append(
        f"  {pub['published_at']} by run {pub['run_id']} (delivery day {pub['delivery_day']}); covers {pub['covers']}"
        if pub
        else "  never published"
    )
    out += ["", "blocked days (newest run failed):"]
    if not status["blocked_days"]:
        out.append("  none")
    for b in status["blocked_days"]:
        since = " (published since by a later run)" if b["since_published"] else ""
        out.append(f"  {b['day']}  run {b['run_id']}{since}: {b['cause']}")
        for g in b["failed_gates"]:
            first = g["description"].splitlines()[0] if g["description"] else ""
            out.append(f"      gate {g['gate']} on {g['asset']}: {first}")
    if status["running_days"]:
        out += ["", f"running: {', '.join(status['running_days'])}"]
    out += ["", "pending days (committed or staged, marts not yet published; the next successful run builds them):"]
    out.append("  " + (", ".join(status["pending_days"]) or "none"))
    if status["unread_feed_days"]:
        out += ["", "feed-days a stopped run left unread (the next run of any day ingests them first):"]
        out += [f"  {u['day']}  {u['feed']}" for u in status["unread_feed_days"]]
    out += ["", "freshness:"]
    width = max(len(f["asset"]) for f in status["freshness"])
    for f in status["freshness"]:
        state = "fresh" if f["fresh"] else "STALE"
        age = f"{f['age_hours']} h ago" if f["age_hours"] is not None else "never updated"
        out.append(f"  {f['asset'].ljust(width)}  {state:5}  {age} (limit {f['limit_hours']:g} h)")
    out += ["", f"alerts: {status['alerts']}"]
    return "\n".join(out)


def to_json(status: dict) -> str:
    return json.dumps(status, indent=1, default=str)


__all__ = ["gather", "needs_attention", "render", "to_json"]
