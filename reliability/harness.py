"""What every reliability scenario needs: landing zones, real `cwh run`s, and ways to compare marts."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DAY1, DAY2, DAY3 = "2026-11-01", "2026-11-02", "2026-11-03"


@dataclass
class Row:
    """One line of the table: the scenario, what was done, the figure measured, and the verdict."""

    scenario: str
    done: str
    figure: str
    passed: bool
    seconds: float = 0.0
    group: str = ""  # the scenario function's name in SCENARIOS (set by the runner)


def generate(landing: Path, start: str = DAY1, days: int = 3, seed: int = 7, **rates) -> Path:
    from simulator import FaultRates
    from simulator import generate as gen

    faults = FaultRates(**rates) if rates else FaultRates()
    gen(landing, date.fromisoformat(start), days, scale="small", seed=seed, faults=faults)
    return landing


def cwh_run(
    landing: Path, data_dir: Path, start: str, end: str | None = None, per_day: bool = False
) -> tuple[int, str]:
    """A real `cwh run` in this process; returns its exit code and everything it printed."""
    from orchestration.cli import main

    args = ["run", "--landing", str(landing), "--data-dir", str(data_dir), "--start", start]
    args += (["--end", end] if end else []) + (["--per-day"] if per_day else [])
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        rc = main(args)
    return rc, out.getvalue()


def cwh_process(landing: Path, data_dir: Path, day: str) -> subprocess.Popen:
    """`cwh run` of one day as its own process (to be killed)."""
    cmd = [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing), "--data-dir", str(data_dir)]
    return subprocess.Popen(cmd + ["--start", day], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(proc: subprocess.Popen, ready, timeout: float = 300) -> bool:
    """SIGKILL `proc` as soon as `ready()` is true; False if the run ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    proc.wait()
    return False


def published(data_dir: Path, exclude=("publish_log",)) -> dict[str, list[tuple]]:
    """Every published mart's rows, sorted (none when nothing is published yet)."""
    path = data_dir / "published" / "marts.duckdb"
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {
            n: con.execute(f'SELECT * FROM main."{n}" ORDER BY ALL').fetchall()
            for n in sorted(names)
            if n not in exclude
        }
    finally:
        con.close()


def differing_cells(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> int:
    """Cells that differ between two sets of marts (a missing or extra row counts all its cells)."""
    cells = 0
    for name in set(a) | set(b):
        ra, rb = a.get(name, []), b.get(name, [])
        width = len((ra or rb or [()])[0])
        if len(ra) == len(rb):
            cells += sum(x != y for r, s in zip(ra, rb, strict=True) for x, y in zip(r, s, strict=True))
        else:
            sa, sb = set(ra), set(rb)
            cells += width * (len(sa - sb) + len(sb - sa))
    return cells


def mart_hashes(data_dir: Path) -> dict[str, str]:
    return {n: hashlib.sha256(repr(rows).encode()).hexdigest()[:16] for n, rows in published(data_dir).items()}


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def file_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None
