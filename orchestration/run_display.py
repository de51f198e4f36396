"""What `cwh run` shows while it works: progress lines, a progress bar on a terminal, stage times.

The assets report progress on the `cwh.progress` logger (assets/progress.py); this handler prints
each line, moves a bar over the run's feed-days and stages when the output is a terminal (plain
lines otherwise, for logs and CI), and adds up the seconds of each stage per run for the table
printed at the end.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import defaultdict

from assets.progress import PER_RUN_STAGES, STAGES


class RunDisplay(logging.Handler):
    def __init__(self, total_units: int, stream=None, interactive: bool | None = None):
        super().__init__(logging.INFO)
        self.stream = self._terminal = stream or sys.stdout
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.times: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.walls: dict[str, float] = {}
        self.label = ""
        self._started = 0.0
        self._feed_days = self._feed_days_done = 0
        self._progress = None
        if self.interactive:
            # Draw on our own copy of the terminal's descriptor: while Dagster runs a step it captures
            # file descriptors 1 and 2 for its compute logs, and the bar would vanish into them.
            self.stream = os.fdopen(os.dup(self.stream.fileno()), "w", buffering=1)
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._console = Console(file=self.stream)
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
                redirect_stdout=False,  # tools print to stdout: that goes to the run log, not above the bar
                redirect_stderr=False,
            )
            self._task = self._progress.add_task("loading the pipeline", total=total_units)
            self._progress.start()

    # -- the run lifecycle, driven by the CLI ---------------------------------------------------
    def start_run(self, label: str, feed_days: int) -> None:
        self.label = label
        self._started = time.monotonic()
        self._feed_days, self._feed_days_done = feed_days, 0
        self._say(f"== delivery day(s) {label} ==")
        self._describe(f"{label}: ingest 0/{feed_days} feed-days")

    def end_run(self) -> None:
        self.walls[self.label] = time.monotonic() - self._started
        self._say(f"   done in {self.walls[self.label]:.1f}s")

    def stop(self) -> None:
        """Take the bar down. (Not logging's close(): libraries that reconfigure logging close every handler.)"""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self.stream.close()
            self.stream = self._terminal

    # -- logging ----------------------------------------------------------------------------------
    def emit(self, record: logging.LogRecord) -> None:
        self._say(record.getMessage())
        for stage, seconds in getattr(record, "cwh_timings", {}).items():
            self.times[self.label][stage] += seconds
        timings = getattr(record, "cwh_timings", {})
        self._feed_days_done += 1 if "ingest" in timings else 0
        if self._progress is not None and getattr(record, "cwh_units", 0):
            self._progress.update(self._task, advance=record.cwh_units)
            if self._feed_days_done < self._feed_days:
                self._describe(f"{self.label}: ingest {self._feed_days_done}/{self._feed_days} feed-days")
            else:
                following = next((s for s in PER_RUN_STAGES if s not in self.times[self.label]), "done")
                self._describe(f"{self.label}: {following}")

    def say(self, text: str) -> None:
        self._say(text)

    def _say(self, text: str) -> None:
        if self._progress is not None:
            self._console.print(text, highlight=False, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def _describe(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=text)

    # -- the table at the end ---------------------------------------------------------------------
    def stage_table(self) -> str:
        """Seconds per stage for each run, plus what orchestration and start-up took around them."""
        header = ["delivery day(s)", *STAGES, "other", "total"]
        rows = []
        for label, wall in self.walls.items():
            stages = self.times.get(label, {})
            other = wall - sum(stages.values())
            rows.append(
                [label, *(f"{stages[s]:.1f}" if s in stages else "-" for s in STAGES), f"{other:.1f}", f"{wall:.1f}"]
            )
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            return "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        title = "seconds per stage (ingest and raw gates summed over feed-days; other = orchestration and start-up)"
        return "\n".join([title, line(header), *map(line, rows)])
