"""`cwh dev`: the Dagster UI as a child process that never outlives `cwh`.

`dagster dev` starts a webserver, a daemon and code servers. Exec'ing it from PATH failed where
the venv is not activated, and a stop signal could leave those services running. Here the
`dagster` next to the running interpreter is started in its own process group; SIGINT, SIGTERM
or SIGHUP to `cwh` (Ctrl-C in a terminal) is forwarded to the whole group as SIGINT, which
`dagster dev` and its services answer by shutting down; whatever is still running after the
grace period is killed with the group. On Linux `cwh` is also the subreaper of the tree, so
services orphaned when `dagster dev` exits first are reaped here and counted until they end.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 6.0  # then the group is killed: `cwh` is gone well within 10 s of a stop signal
_PR_SET_CHILD_SUBREAPER = 36


def venv_executable(name: str) -> Path:
    """A console script installed beside the running interpreter (the venv's bin/), activated or not."""
    return Path(sys.executable).parent / name


def _become_subreaper() -> None:
    """Linux: orphaned descendants are re-parented to this process, so it can reap and count them."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_orphans(child: subprocess.Popen) -> None:
    """Reap exited descendants other than `child` (whose status Popen collects itself)."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except (ChildProcessError, AttributeError):
            return
        if info is None or info.si_pid == child.pid:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(info.si_pid, 0)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def run_in_own_group(argv: list[str], grace: float = GRACE_SECONDS) -> int:
    """Run `argv` in a new process group until it exits or `cwh` is told to stop; never leave the group behind.

    Returns the child's exit code, or 128 + the signal's number when stopped by a signal.
    """
    received: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: received.append(signum)) for s in STOP_SIGNALS}
    _become_subreaper()
    try:
        child = subprocess.Popen(argv, start_new_session=True)
    except BaseException:
        for s, handler in previous.items():
            signal.signal(s, handler)
        raise
    pgid = child.pid
    try:
        while child.poll() is None and not received:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.2)
        # Stopped by a signal, or dagster dev exited on its own: either way its services must end.
        _signal_group(pgid, signal.SIGINT)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            child.poll()
            _reap_orphans(child)
            if not _group_alive(pgid):
                break
            time.sleep(0.1)
        _signal_group(pgid, signal.SIGKILL)
        child.wait()
        deadline = time.monotonic() + 1.5
        while _group_alive(pgid) and time.monotonic() < deadline:
            _reap_orphans(child)
            time.sleep(0.05)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 + received[0] if received else child.returncode


def dagster_dev(workspace: Path, port: int, host: str = "127.0.0.1") -> int:
    dagster = venv_executable("dagster")
    if not dagster.exists():
        print(f"cwh dev: {dagster} not found; install the project first (`make install`)", file=sys.stderr)
        return 2
    return run_in_own_group([str(dagster), "dev", "-w", str(workspace), "-h", host, "-p", str(port)])
