"""Print speed and memory figures: simulate, ingest and run delivery days at a given scale.

    .venv/bin/python bench/benchmark.py --scale medium --days 2

Figures, not assertions: targets are judged by people reading them, not by a timed test.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", default="medium")
    p.add_argument("--days", type=int, default=2)
    p.add_argument("--start", default="2026-11-01")
    p.add_argument("--workdir", help="keep landing and data here (default: a temporary folder)")
    args = p.parse_args()

    from assets.feeds import FEEDS
    from assets.ingest import ingest_feed_day
    from assets.lake import Lake
    from simulator import generate

    work = Path(args.workdir or tempfile.mkdtemp(prefix="cwh-bench-"))
    landing, data = work / "landing", work / "data"
    start = date.fromisoformat(args.start)

    t = time.monotonic()
    generate(landing, start, args.days, scale=args.scale, seed=7)
    gen_s = time.monotonic() - t
    print(f"generate  {args.days} {args.scale} day(s): {gen_s:6.1f} s ({gen_s / args.days:.1f} s/day)")

    # Ingestion alone, feed by feed, for the first day (into a scratch lake).
    lake = Lake(work / "scratch-lake")
    for feed in FEEDS:
        t = time.monotonic()
        r = ingest_feed_day(lake, landing, feed, args.start)
        print(f"ingest    {feed:<17} {r.lines_read:>10,} lines {time.monotonic() - t:6.1f} s")
    print(f"peak memory of generate + ingest: {peak_rss_mib():,.0f} MiB")

    # The whole pipeline through Dagster, one run per day, in a child process (its own peak memory).
    end = (start + timedelta(days=args.days - 1)).isoformat()
    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing), "--data-dir", str(data),
                    "--start", args.start, "--end", end], cwd=ROOT, check=True)
    run_s = time.monotonic() - t
    print(f"cwh run   {args.days} day(s): {run_s:6.1f} s ({run_s / args.days:.1f} s/day), "
          f"peak memory {peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB")
    print(f"work dir: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
