"""The benchmark's figures, each measured as users meet it: `cwh` processes started from outside.

- generation of each scale (seconds a delivery day);
- a day as the schedule runs it: one `cwh run` for that day on top of a history built by one
  backfill (its wall and peak RSS recorded too), wall including process start, split by stage
  with peak RSS per stage (bench/probe.py);
  the history is copied before every repeat, so each repeat runs the same day on the same history;
- the history ratio: the same day on top of a long history vs a short one, their runs alternating;
- the floor (bench/floor.py) of the same day, checked equal to a publish of that day alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = date(2026, 9, 1)


def day_at(offset: int) -> str:
    return (FIRST_DAY + timedelta(days=offset)).isoformat()


def _cwh(*args: str, env: dict | None = None) -> tuple[float, float]:
    """Run `cwh ARGS` as a user would; its wall seconds and its peak RSS in MiB (the largest of the
    process and the children it waited for, as the kernel reports it when the process ends)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            out.seek(0)
            tail = out.read()[-4000:].decode(errors="replace")
            raise RuntimeError(f"cwh {' '.join(args)} failed ({proc.returncode}):\n{tail}")
    return seconds, usage.ru_maxrss / 1024  # KiB on Linux


def generate(landing: Path, scale: str, days: int) -> dict:
    """The landing zone of `days` days from FIRST_DAY (kept when it already holds them)."""
    stamp = landing / "_bench.json"
    if stamp.exists() and json.loads(stamp.read_text()) == {"scale": scale, "days": days}:
        return {"reused": True}
    shutil.rmtree(landing, ignore_errors=True)
    secs, _ = _cwh("generate", "--landing", str(landing), "--start", day_at(0), "--days", str(days), "--scale", scale)
    stamp.write_text(json.dumps({"scale": scale, "days": days}))
    return {"days": days, "seconds": secs, "seconds_per_day": secs / days}


def code_fingerprint() -> str:
    """A hash of everything a run executes from this repository (models, contracts, Python), so a
    history built by other code is never reused."""
    digest = hashlib.sha256()
    for folder in ("assets", "orchestration", "dbt_project", "soda"):
        for path in sorted((ROOT / folder).rglob("*")):
            if (
                path.is_file()
                and path.suffix in {".py", ".sql", ".yml", ".yaml", ".csv"}
                and "target" not in path.parts
            ):
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_history(landing: Path, data: Path, first: int, last: int) -> dict:
    """Days first..last (offsets) as one backfill (`cwh run` of a range), into a fresh data dir:
    its wall seconds and peak RSS (a backfill of any length must stay within the memory target)."""
    shutil.rmtree(data, ignore_errors=True)
    seconds, peak = _cwh(
        "run", "--landing", str(landing), "--data-dir", str(data), "--start", day_at(first), "--end", day_at(last)
    )
    return {"seconds": seconds, "peak_rss_mib": peak}


def history(landing: Path, work: Path, history_days: int, day_offset: int, reuse: bool) -> tuple[Path, dict, bool]:
    """The pristine data dir of the `history_days` days before `day_offset`, built by one backfill;
    what that backfill cost (build_history); whether it was reused. With `reuse`, one already built
    from the same landing zone by the same code is kept (a 60-day medium history takes most of an
    hour to build here): its stamp names both, and what its build cost."""
    pristine = work / f"history-{history_days}"
    stamp = {
        "landing": json.loads((landing / "_bench.json").read_text()),
        "days": [day_at(day_offset - history_days), day_at(day_offset - 1)],
        "code": code_fingerprint(),
    }
    stamp_path = work / f"history-{history_days}.json"
    if reuse and pristine.is_dir() and stamp_path.exists():
        kept = json.loads(stamp_path.read_text())
        built = kept.pop("build", None)
        if built is not None and kept == stamp:
            return pristine, built, True
    stamp_path.unlink(missing_ok=True)
    building = work / f"history-{history_days}.building"
    built = build_history(landing, building, day_offset - history_days, day_offset - 1)
    shutil.rmtree(pristine, ignore_errors=True)
    building.rename(pristine)
    stamp_path.write_text(json.dumps({**stamp, "build": built}))
    return pristine, built, False


def run_day(landing: Path, data: Path, pristine: Path | None, day: str) -> dict:
    """One `cwh run` of `day` in `data`, as the schedule starts it. `data` is first reset to a copy
    of `pristine` (None: empty): the data dir keeps its path, so dbt's partial parse state (kept
    under it, and keyed on it) carries over as it does from one scheduled day to the next."""
    shutil.rmtree(data, ignore_errors=True)
    if pristine is not None:
        shutil.copytree(pristine, data, symlinks=True)
    os.sync()  # the copy's writes must not land on the disk during the measured run
    out = data.parent / f"{data.name}.probe.json"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.probe", str(out), "run", "--landing", str(landing), "--data-dir", str(data)]
        + ["--start", day],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"cwh run {day} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    probe = json.loads(out.read_text())
    stages = probe["stages"]
    stages["orchestration and start-up"] = wall - sum(stages.values())
    return {
        "wall": wall,
        "stages": stages,
        "peak_rss_mib": probe["peak_rss_mib"],
        "rss_by_stage": probe["peak_rss_mib_by_stage"],
        "process_start": wall - probe["wall_in_process"],  # the interpreter, up to the probe's first line
    }


def median_of(runs: list[dict]) -> dict:
    """Median wall and per-stage seconds; the highest peak RSS (memory is a bound, not a typical value)."""
    stages = sorted({s for r in runs for s in r["stages"]})
    return {
        "wall_s": statistics.median(r["wall"] for r in runs),
        "walls_s": [round(r["wall"], 2) for r in runs],
        "process_start_s": statistics.median(r["process_start"] for r in runs),
        "stages_s": {s: round(statistics.median(r["stages"].get(s, 0.0) for r in runs), 3) for s in stages},
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "peak_rss_mib_by_stage": {
            s: round(max(r["rss_by_stage"].get(s, 0.0) for r in runs))
            for s in stages
            if any(s in r["rss_by_stage"] for r in runs)
        },
    }


def measure_days(
    landing: Path, work: Path, histories: list[int], day_offset: int, repeat: int, reuse_history: bool = False
) -> dict[int, dict]:
    """The day at `day_offset` on top of each history length: median of `repeat` runs each. Every
    history is built first, then the runs alternate between them (7, 60, 7, 60, ...): the machine's
    speed drifts by a fifth over an hour, and a ratio of runs taken an hour apart measures the drift."""
    nothing_built = {"seconds": 0.0, "peak_rss_mib": None}  # no history: the day runs on an empty data dir
    built: dict[int, tuple[Path | None, dict, bool]] = {
        h: history(landing, work, h, day_offset, reuse_history) if h else (None, nothing_built, False)
        for h in histories
    }
    runs: dict[int, list[dict]] = {h: [] for h in histories}
    for _ in range(repeat):
        for h in histories:
            runs[h].append(run_day(landing, work / f"on-{h}-days", built[h][0], day_at(day_offset)))
    return {
        h: {
            "day": day_at(day_offset),
            "history_days": h,
            "history_build_s": built[h][1]["seconds"],
            "history_build_peak_rss_mib": built[h][1]["peak_rss_mib"],
            "history_reused": built[h][2],  # built earlier by the same code, from the same landing zone
            **median_of(runs[h]),
        }
        for h in histories
    }


def measure_floor(landing: Path, work: Path, day_offset: int, repeat: int, alone: Path | None = None) -> dict:
    """The floor of a day, and whether it equals the publish of that day alone (cell by cell).
    `alone`: a data dir where that day already ran alone (else it is run here)."""
    from assets.publish.publish_asset import MARTS
    from assets.settings import Settings
    from bench import floor

    day = day_at(day_offset)
    if alone is None:
        alone = work / "day-alone"
        shutil.rmtree(alone, ignore_errors=True)
        _cwh("run", "--landing", str(landing), "--data-dir", str(alone), "--start", day)
    settings = Settings.from_env(landing_dir=landing, data_dir=work / "floor")
    floor.run(settings, day, [])  # the lake, which compiling the models needs
    models = floor.compile_models(settings, work)
    runs = [floor.run(settings, day, models) for _ in range(repeat)]
    differences = floor.check_equal(settings.warehouse_path, alone / "published" / "marts.duckdb", MARTS)
    return {
        "day": day,
        "wall_s": statistics.median(r["wall"] for r in runs),
        "walls_s": [round(r["wall"], 2) for r in runs],
        "ingest_s": statistics.median(sum(r["ingest"].values()) for r in runs),
        "models_s": statistics.median(r["models"] for r in runs),
        "equal_to_published": not differences,
        "differences": differences,
    }


def code_version() -> dict:
    """The commit measured, and whether the measured code differed from it (uncommitted changes
    to what a run executes), so a figure names the code it came from; None outside a git clone."""

    def git(*args: str) -> str | None:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    try:
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--", "assets", "orchestration", "dbt_project", "soda")
    except OSError:  # no git on this machine
        return {"commit": None, "uncommitted_changes": None}
    return {"commit": commit, "uncommitted_changes": bool(changed) if changed is not None else None}


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "cpu_model": model,
        "load_average_at_start": os.getloadavg()[0],
        "python": sys.version.split()[0],
    }
