"""`python -m reliability [NAME ...] [--work DIR] [--readme]`: run scenarios, print the table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("CWH_ALLOW_DEV_SALT", "1")  # simulated data only
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

from reliability.harness import ROOT  # noqa: E402
from reliability.scenarios import SCENARIOS, Bench  # noqa: E402

START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"


def table(rows) -> str:
    lines = ["| scenario | what was done | figure | result | s |", "|---|---|---|---|---|"]
    for r in rows:
        cells = [r.scenario, r.done, r.figure, "pass" if r.passed else "**FAIL**", f"{r.seconds:.0f}"]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def _with_earlier_rows(rows: list, names: list[str]) -> list:
    """A run of some scenarios keeps the latest rows of the others, in the table's order."""
    latest = ROOT / "reliability" / "results" / "latest.json"
    if not names or not latest.exists():
        return rows
    from reliability.harness import Row

    earlier = [Row(**r) for r in json.loads(latest.read_text())["rows"] if r.get("group") not in names]
    order = list(SCENARIOS)
    return sorted(earlier + rows, key=lambda r: order.index(r.group) if r.group in order else len(order))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    p.add_argument("names", nargs="*", help=f"scenarios to run (default: all): {', '.join(SCENARIOS)}")
    p.add_argument("--work", help="work folder (default: a temporary one)")
    p.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = p.parse_args(argv)
    unknown = [n for n in args.names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cwh-reliability-"))
    bench = Bench(work)
    rows, started = [], time.monotonic()
    for name in args.names or SCENARIOS:
        print(f"... {name}", flush=True)
        try:
            got = SCENARIOS[name](bench)
        except Exception as exc:  # noqa: BLE001  (a scenario that crashes is a failed row, not a crashed suite)
            from reliability.harness import Row

            got = [Row(name, "crashed", f"{type(exc).__name__}: {str(exc)[:150]}", False)]
        for row in got:
            row.group = name
            print(f"    {'pass' if row.passed else 'FAIL'}  {row.scenario}: {row.figure}", flush=True)
        rows += got
    print("\n" + table(rows))
    rows = _with_earlier_rows(rows, args.names)
    text = table(rows)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    summary = (
        f"{sum(r.passed for r in rows)}/{len(rows)} passed ({stamp}, {machine}; "
        f"this run: {', '.join(args.names) or 'all scenarios'} in {time.monotonic() - started:.0f} s)"
    )
    print(summary)
    results = ROOT / "reliability" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(
        json.dumps({"date": stamp, "machine": machine, "rows": [asdict(r) for r in rows]}, indent=1)
    )
    if args.readme:
        readme = ROOT / "README.md"
        body = readme.read_text()
        if START in body and END in body:
            head, rest = body.split(START, 1)
            readme.write_text(head + START + "\n" + text + "\n\n" + summary + "\n" + END + rest.split(END, 1)[1])
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
