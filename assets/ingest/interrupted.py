"""Feed-days a run set out to ingest and never finished: picked up by the next run of any day.

A run killed in ingestion (SIGKILL, out of memory, a machine restart) leaves some of its feed-days
neither committed nor blocked. Nothing would ever ingest them again unless someone re-ran that
day, so a later day's run would publish marts without them. The journal remembers them:

  - the first ingest step of a run records the run's delivery days (write-ahead, before any
    feed-day is read);
  - every feed-day that reaches an outcome (committed, or blocked by its gate or a bad delivery)
    is marked done, for every run that listed it;
  - the ingest step of a later run, for its feed, first ingests the days a *finished* run left
    undone (a run still going is left alone: it may yet finish them).

A run's record goes when all its feed-days are done. The file sits beside the lake, replaced
atomically under a file lock (the ingest steps of one run may run in parallel processes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from assets import json_record
from assets.feeds import FEEDS


class IngestJournal:
    def __init__(self, lake_dir: Path):
        self.path = Path(lake_dir) / "_ingest_journal.json"

    def runs(self) -> dict[str, dict]:
        """run id -> {"days": [...], "done": {feed: [days]}}."""
        return json_record.read(self.path, "runs")

    def begin(self, run: str, days: Iterable[str]) -> None:
        """Record the run's delivery days; a second call for the same run changes nothing."""
        with json_record.update(self.path, "runs") as runs:
            runs.setdefault(run, {"days": sorted(days), "done": {}})

    def left_undone(self, feed: str, run: str, finished: Callable[[str], bool]) -> list[str]:
        """The days of `feed` that runs other than `run`, now finished, set out to ingest and did not."""
        return sorted(
            {
                day
                for other, entry in self.runs().items()
                if other != run and finished(other)
                for day in entry["days"]
                if day not in entry["done"].get(feed, [])
            }
        )

    def done(self, feed: str, day: str) -> None:
        """The feed-day reached an outcome: no run needs to ingest it again."""
        with json_record.update(self.path, "runs") as runs:
            for run, entry in list(runs.items()):
                if day in entry["days"]:
                    done = entry["done"].setdefault(feed, [])
                    if day not in done:
                        done.append(day)
                        done.sort()
                    if all(set(entry["days"]) <= set(entry["done"].get(f, [])) for f in FEEDS):
                        del runs[run]


def run_finished(instance) -> Callable[[str], bool]:
    """Whether a run (by id) on the Dagster instance has ended; one it no longer knows counts as ended."""

    def finished(run_id: str) -> bool:
        run = instance.get_run_by_id(run_id)
        return run is None or run.is_finished

    return finished
