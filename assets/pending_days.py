"""Delivery days whose scopes are not yet carried into published marts: remembered across runs.

A run's marts recompute the scopes its batch of delivery days touched (the `int_*_affected`
models). A run that dies or fails after staging has merged a day but before that day's marts are
published (DuckDB out of memory in a mart, a failed mart gate, SIGKILL) would leave those scopes
unbuilt, and the next day's run, building only its own scopes, would publish marts that disagree
with staging — and so would every later day, until someone re-ran the failed one.

So the dbt steps work on the run's days *plus* every pending day, recorded here:
  - ingestion marks a day pending as it commits any of its feeds into the lake;
  - the staging step, before dbt writes anything, stamps the run's days and every pending day
    with the run (write-ahead: a run killed at any later point leaves them pending);
    when staging succeeds, the days still carrying its stamp are marked staged;
  - the marts step, when it succeeds, marks the staged days it built (and still stamped as it
    found them) as built by its run;
  - publish removes the days its run built. A day re-stamped by another run's staging meanwhile
    keeps its new stamp and stays pending.
Both dbt steps and the gates then cover batch ∪ pending; recomputing a scope is idempotent (staging
keeps the maximum, marts replace whole scopes), so an extra day costs time, never correctness.

The record is a small JSON file beside the warehouse, replaced atomically (write, fsync, rename)
under a file lock; the steps that touch it all hold the `warehouse` pool's one slot anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from assets import json_record

RUN_ROOT_TAG = "dagster/root_run_id"  # a retried run keeps its first run's id here


def run_identity(run_id: str, tags: Mapping[str, str]) -> str:
    """A run and its retries (re-executions from failure) are one identity."""
    return tags.get(RUN_ROOT_TAG) or run_id


class PendingDays:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "warehouse" / "pending_days.json"

    # -- reading ----------------------------------------------------------------------------------
    def entries(self) -> dict[str, dict]:
        """day -> {"stamp": run identity, "staged": bool, "built_by": run identity or None}."""
        return json_record.read(self.path, "days")

    def days(self) -> list[str]:
        return sorted(self.entries())

    def scope(self, run_days: Iterable[str]) -> list[str]:
        """The delivery days a batch run's dbt steps and gates cover: its own and every pending day.

        An empty `run_days` (a full rebuild) stays empty: everything is rebuilt then.
        """
        run_days = list(run_days)
        return sorted(set(run_days) | set(self.entries())) if run_days else []

    # -- the steps --------------------------------------------------------------------------------
    def committed(self, days: Iterable[str]) -> None:
        """New data for these days is in the lake: they are pending until a run publishes marts over it.

        Recorded at commit, so a run that dies between ingestion and staging (or whose other feeds
        were blocked) leaves them for the next run's staging. Any stamp is reset: a staging that
        began before this commit did not see it, so its marts must not clear the day.
        """
        with json_record.update(self.path, "days") as entries:
            for day in days:
                entries[day] = {"stamp": None, "staged": False, "built_by": None}

    def begin_staging(self, run: str, run_days: Iterable[str]) -> None:
        """Before staging writes: this run's days and every pending day become pending, stamped by `run`."""
        with json_record.update(self.path, "days") as days:
            for day in set(run_days) | set(days):
                days[day] = {"stamp": run, "staged": False, "built_by": None}

    def staging_succeeded(self, run: str) -> None:
        with json_record.update(self.path, "days") as days:
            for entry in days.values():
                if entry["stamp"] == run:
                    entry["staged"] = True

    def marts_succeeded(self, run: str, found: Mapping[str, dict]) -> None:
        """`found`: the entries as the marts step read them before building."""
        with json_record.update(self.path, "days") as days:
            for day, entry in days.items():
                before = found.get(day)
                if before and before["staged"] and entry["stamp"] == before["stamp"] and entry["staged"]:
                    entry["built_by"] = run

    def published(self, run: str) -> list[str]:
        """Forget the days whose marts this run built and has now published; returns them."""
        with json_record.update(self.path, "days") as days:
            done = sorted(d for d, e in days.items() if e.get("built_by") == run)
            for day in done:
                del days[day]
        return done
