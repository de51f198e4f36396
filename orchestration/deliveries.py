"""What the sensor and the schedule know about a delivery day: its fingerprint and its runs.

A delivery day's fingerprint hashes the stamps (size, modification time) of its feeds' manifests:
a re-delivery rewrites a manifest and so changes it. Every run tags each delivery day it covers
with the fingerprint it saw (`cwh/delivery.<day>`), whoever started it (sensor, schedule,
`cwh run`), so "has this delivery been run, and did it succeed?" is one query on the instance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from assets.feeds import FEEDS
from assets.ingest.landing import manifest_stamp

from .jobs import DAILY_JOB

IN_PROGRESS = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]
LOOKBACK_DAYS = 14  # older deliveries are backfills (`cwh run`), not the sensor's or schedule's work


def delivery_tag(day: str) -> str:
    return f"cwh/delivery.{day}"


def fingerprint(landing: Path, day: str) -> str:
    """The delivery as it stands: changes whenever any feed's manifest for the day is (re)written."""
    stamps = [f"{feed}={manifest_stamp(landing, feed, day) or '-'}" for feed in sorted(FEEDS)]
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()[:16]


def is_complete(landing: Path, day: str) -> bool:
    return all(manifest_stamp(landing, feed, day) for feed in FEEDS)


def delivery_tags(landing: Path, days: Iterable[str]) -> dict[str, str]:
    return {delivery_tag(d): fingerprint(landing, d) for d in days}


@dataclass(frozen=True)
class DayRuns:
    """The runs of one delivery day as delivered now (same fingerprint), newest first."""

    day: str
    fingerprint: str
    runs: list  # DagsterRun, newest first
    other_in_progress: bool  # a run of an earlier delivery of this day is still going

    @property
    def succeeded(self) -> bool:
        return any(r.status == DagsterRunStatus.SUCCESS for r in self.runs)

    @property
    def in_progress(self) -> bool:
        return self.other_in_progress or any(r.status in IN_PROGRESS for r in self.runs)

    @property
    def retry_pending(self) -> bool:
        """The newest run failed and Dagster's run retries (the dagster/max_retries tag) will try again."""
        if not self.runs or self.runs[0].status != DagsterRunStatus.FAILURE:
            return False
        tags = self.runs[0].tags
        return int(tags.get("dagster/retry_number", 0)) < int(tags.get("dagster/max_retries", 0))


def day_runs(instance: DagsterInstance, landing: Path, day: str) -> DayRuns:
    fp = fingerprint(landing, day)
    runs = list(instance.get_runs(RunsFilter(job_name=DAILY_JOB, tags={delivery_tag(day): fp})))
    going = instance.get_runs(RunsFilter(job_name=DAILY_JOB, statuses=IN_PROGRESS))
    other = any(delivery_tag(day) in r.tags and r.tags[delivery_tag(day)] != fp for r in going)
    return DayRuns(day, fp, runs, other)
