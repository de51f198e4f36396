"""`python -m bench` (`make bench`): measure, write bench/results/<date>-<scale>.json, update the README.

    python -m bench                                   # small + medium + large, every part
    python -m bench --scales small --repeat 1         # a quick run
    python -m bench --scales medium --parts day,floor --history 7
    python -m bench --readme-only                     # the README table from the latest results
    python -m bench --scales medium --work W --reuse-history   # re-measure on the histories already in W

Parts: generate (seconds a day), day (a day on top of the shortest history, by stage), history
(the same day on the longest history: the ratio to the shortest; medium only unless
--history-scales says otherwise), floor (bench/floor.py, checked
equal to the publish of that day). On the small scale the day is the near-empty day. Figures are
printed and written, never asserted: targets are read by people (README, Performance).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("CWH_ALLOW_DEV_SALT", "1")  # simulated data only; inherited by the runs it starts

from bench import figures  # noqa: E402
from bench.readme import update_readme  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PARTS = ("generate", "day", "history", "floor")


def measure_scale(
    scale: str, parts: set[str], histories: list[int], repeat: int, work: Path, reuse_history: bool = False
) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    if "history" not in parts:
        histories = histories[:1]
    short, long = min(histories), max(histories)
    offset = long  # the measured day: after the longest history
    landing = work / "landing"
    result: dict = {
        "scale": scale,
        "date": date.today().isoformat(),
        "code": figures.code_version(),
        "machine": figures.machine(),
        "repeat": repeat,
    }
    result["generate"] = figures.generate(landing, scale, offset + 1)
    say = lambda text: print(f"[{scale}] {text}", flush=True)  # noqa: E731
    say(f"landing: {result['generate']}")
    lengths = sorted({h for h, part in ((short, "day"), (long, "history")) if part in parts})
    days = figures.measure_days(landing, work, lengths, offset, repeat, reuse_history)  # runs alternate
    for h, measured in days.items():
        if measured["history_build_peak_rss_mib"] is not None:
            say(
                f"backfill of {h} days (the history): {measured['history_build_s']:.0f} s, "
                f"peak {measured['history_build_peak_rss_mib']:.0f} MiB"
                + (" (built earlier by the same code)" if measured["history_reused"] else "")
            )
    if "day" in parts:
        result["day"] = days[short]
        say(
            f"day {result['day']['day']} on {short} days: {result['day']['wall_s']:.1f} s, "
            f"peak {result['day']['peak_rss_mib']:.0f} MiB; stages {result['day']['stages_s']}"
        )
    if "history" in parts and long != short:
        result["day_on_long_history"] = days[long]
        if "day" in result:
            result["history_ratio"] = result["day_on_long_history"]["wall_s"] / result["day"]["wall_s"]
        say(
            f"same day on {long} days: {result['day_on_long_history']['wall_s']:.1f} s "
            f"(ratio {result.get('history_ratio', float('nan')):.2f})"
        )
    if "floor" in parts:
        # A day run on no history is the publish of that day alone, which the floor must equal.
        alone = work / "on-0-days" if "day" in parts and short == 0 else None
        result["floor"] = figures.measure_floor(landing, work, offset, repeat, alone)
        if "day" in result:
            result["day_vs_floor"] = result["day"]["wall_s"] / result["floor"]["wall_s"]
        say(f"floor: {result['floor']['wall_s']:.1f} s, equal to published: {result['floor']['equal_to_published']}")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scales", default="small,medium,large", help="comma-separated: small, medium, large")
    p.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    p.add_argument("--history", default="7,60", help="history lengths in days (shortest: the day; longest: the ratio)")
    p.add_argument(
        "--history-scales",
        default="medium",
        help="scales whose history ratio is measured (60 large days would take hours to build here)",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is reported)")
    p.add_argument("--work", help="keep landing zones and data dirs here (reused across invocations)")
    p.add_argument(
        "--reuse-history",
        action="store_true",
        help="keep a history under --work built from the same landing zone by the same code (else rebuilt)",
    )
    p.add_argument("--results", default=str(RESULTS), help="folder of the JSON results")
    p.add_argument("--no-readme", action="store_true", help="do not update README.md")
    p.add_argument("--readme-only", action="store_true", help="only write the README table from the latest results")
    args = p.parse_args(argv)
    results = Path(args.results)
    if not args.readme_only:
        parts = set(args.parts.split(","))
        unknown = parts - set(PARTS)
        if unknown:
            print(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}", file=sys.stderr)
            return 2
        histories = sorted({int(h) for h in args.history.split(",")})
        work = Path(args.work or tempfile.mkdtemp(prefix="cwh-bench-"))
        results.mkdir(parents=True, exist_ok=True)
        for scale in args.scales.split(","):
            scale_parts = parts if scale in args.history_scales.split(",") else parts - {"history"}
            result = measure_scale(scale, scale_parts, histories, args.repeat, work / scale, args.reuse_history)
            out = results / f"{result['date']}-{scale}.json"
            out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
            print(f"[{scale}] wrote {out}", flush=True)
    if not args.no_readme:
        update_readme(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
