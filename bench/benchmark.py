"""Print speed and memory figures: simulate, ingest and run delivery days at a given scale.

    .venv/bin/python bench/benchmark.py --scale medium --days 2
    .venv/bin/python bench/benchmark.py --scale small --days 3      # a near-empty day's fixed cost

Figures, not assertions: targets are judged by people reading them, not by a timed test.
Each stage runs in its own process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("CWH_ALLOW_DEV_SALT", "1")  # simulated data only; inherited by the runs it starts

ROOT = Path(__file__).resolve().parent.parent

INGEST_ONE = """
import sys, time
from pathlib import Path
from assets.ingest.feed_day import ingest_feed_day
from assets.ingest.lake import Lake
landing, lake, feed, day = Path(sys.argv[1]), Lake(Path(sys.argv[2])), sys.argv[3], sys.argv[4]
t = time.monotonic()
r = ingest_feed_day(lake, landing, feed, day)
print(f"{r.lines_read} {time.monotonic() - t:.2f}")
"""


def child_peak_mib() -> float:
    """Peak resident memory of the largest child process so far."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(cmd: list[str]) -> tuple[float, str]:
    t = time.monotonic()
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return time.monotonic() - t, out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", default="medium")
    p.add_argument("--days", type=int, default=2)
    p.add_argument("--start", default="2026-11-01")
    p.add_argument("--workdir", help="keep landing and data here (default: a temporary folder)")
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from assets.feeds import FEEDS

    work = Path(args.workdir or tempfile.mkdtemp(prefix="cwh-bench-"))
    landing, data = work / "landing", work / "data"
    start = date.fromisoformat(args.start)
    end = (start + timedelta(days=args.days - 1)).isoformat()
    py = sys.executable

    secs, _ = run(
        [
            py,
            "-m",
            "orchestration.cli",
            "generate",
            "--landing",
            str(landing),
            "--start",
            args.start,
            "--days",
            str(args.days),
            "--scale",
            args.scale,
            "--seed",
            "7",
        ]
    )
    print(f"generate  {args.days} {args.scale} day(s): {secs:6.1f} s ({secs / args.days:.1f} s/day)")

    # Ingestion alone, feed by feed, for the first day, into a scratch lake: one process per feed.
    peak = 0.0
    for feed in FEEDS:
        _, out = run([py, "-c", INGEST_ONE, str(landing), str(work / "scratch-lake"), feed, args.start])
        lines, secs = out.split()
        peak = max(peak, child_peak_mib())
        print(f"ingest    {feed:<17} {int(lines):>10,} lines {float(secs):6.1f} s")
    print(f"ingest    peak memory (largest feed): {peak:,.0f} MiB")

    # The whole pipeline through Dagster, one run per day as the schedule runs it.
    t = time.monotonic()
    proc = subprocess.run(
        [
            py,
            "-m",
            "orchestration.cli",
            "run",
            "--landing",
            str(landing),
            "--data-dir",
            str(data),
            "--start",
            args.start,
            "--end",
            end,
            "--per-day",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    total = time.monotonic() - t
    for line in proc.stdout.splitlines():
        if line.startswith("==") or "done in" in line:
            print(f"cwh run   {line.strip()}")
    if proc.returncode != 0:
        print(proc.stderr[-3000:])
        return proc.returncode
    print(
        f"cwh run   {args.days} day(s), one run each: {total:6.1f} s in all, including process start; "
        f"peak memory {child_peak_mib():,.0f} MiB"
    )
    print(f"work dir: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
