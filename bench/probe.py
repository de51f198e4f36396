"""Run `cwh run ...` in this process and write what it cost to a JSON file.

    python -m bench.probe OUT.json run --landing L --data-dir D --start 2026-11-01

Stage seconds come from the run's own reports (assets/progress.py: report(timings=...)); ingest
and its raw gate are split per feed from the report's message. Peak RSS per stage: this process's
resident memory is sampled every 20 ms and the highest value since the previous report is charged
to the stage(s) the next report finishes. What no stage reports (process start, imports,
Dagster's planning and bookkeeping) is "orchestration and start-up": wall minus the stages.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()  # the driver's wall minus this process's own: the interpreter's start

import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections import defaultdict  # noqa: E402

_FEED = re.compile(r"^\S+ ingest (\w+):")


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Collector(logging.Filter):
    """A filter on the progress logger (it outlives the handlers cwh run installs): adds up the
    stage timings of the run's reports and charges the memory peak since the previous one to them."""

    def __init__(self):
        super().__init__()
        self.seconds: dict[str, float] = defaultdict(float)
        self.peak: dict[str, float] = defaultdict(float)
        self.window_peak = 0.0
        self.lock = threading.Lock()

    def sample(self) -> None:
        value = rss_mib()
        with self.lock:
            self.window_peak = max(self.window_peak, value)

    def filter(self, record: logging.LogRecord) -> bool:
        timings = getattr(record, "cwh_timings", None) or {}
        feed = _FEED.match(record.getMessage())
        self.sample()
        with self.lock:
            for stage, secs in timings.items():
                name = f"{stage} {feed.group(1)}" if feed and stage in ("ingest", "raw gates") else stage
                self.seconds[name] += secs
                self.peak[name] = max(self.peak[name], self.window_peak)
            if timings:
                self.window_peak = rss_mib()
        return True


def main(argv: list[str]) -> int:
    out, cli_args = argv[0], argv[1:]
    from orchestration import cli

    collector = _Collector()
    logging.getLogger("cwh.progress").addFilter(collector)
    stop = threading.Event()

    def sampler() -> None:
        while not stop.wait(0.02):
            collector.sample()

    threading.Thread(target=sampler, daemon=True).start()
    sys.argv = ["cwh", *cli_args]
    try:
        rc = cli.main()  # as the `cwh` script runs it: the command owns the process
    finally:
        stop.set()
    ended = time.monotonic()
    with open("/proc/self/status") as f:
        hwm = next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:")), 0.0)
    result = {
        "rc": rc,
        "wall_in_process": ended - STARTED,
        "stages": dict(collector.seconds),
        "peak_rss_mib_by_stage": dict(collector.peak),
        "peak_rss_mib": hwm,
    }
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
