"""`cwh dev` as a new user runs it: from the venv without activating it, stopped by Ctrl-C or SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CWH = str(Path(sys.executable).parent / "cwh")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, state) of every process, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found


def descendants(pid: int) -> set[int]:
    table, found, todo = processes(), set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, (ppid, _, _) in table.items() if ppid == parent}
        found |= children
        todo += children
    return found


def running(pids: set[int]) -> set[int]:
    table = processes()
    return {p for p in pids if p in table and table[p][2] != "Z"}


def wait_for_webserver(port: int, proc: subprocess.Popen, log: Path) -> None:
    while True:  # the webserver answering is the start-up signal; a dead `cwh dev` fails the test
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_cwh_dev_runs_without_an_activated_venv_and_leaves_nothing_behind(tmp_path, stop):
    (tmp_path / "landing").mkdir()
    port = free_port()
    log = tmp_path / "cwh-dev.log"
    # As a new user runs it: no activated venv, nothing of the project on PATH.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "DAGSTER_HOME")}
    env["PATH"] = "/usr/bin:/bin"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                CWH,
                "dev",
                "--landing",
                str(tmp_path / "landing"),
                "--data-dir",
                str(tmp_path / "data"),
                "--port",
                str(port),
            ],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_webserver(port, proc, log)
        services = descendants(proc.pid)
        assert len(services) >= 3  # dagster dev, its webserver and daemon (and code servers)
        proc.send_signal(stop)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + stop
    assert not running(services), f"left running: {running(services)}"
