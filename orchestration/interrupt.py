"""Ctrl-C (or SIGTERM) stops `cwh run` at once.

Dagster's in-process execution, on the main thread, swaps in its own SIGINT handler and acts on it
only at points of its choosing, while a dbt build or a DuckDB query runs on: a run went on for
half a minute after Ctrl-C. The warehouse survives a kill at any point by design (the ingest
journal, pending days, the atomic publish), so stopping is simply exiting: the next `cwh run` (or
the daemon's run monitoring) marks the run failed and frees its slot, and the next run of any day
finishes what it left.

So the run works on a thread of its own (Dagster leaves signal handlers alone off the main
thread) and the main thread waits, with handlers that have the last word and exit.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
SIGNALS = (signal.SIGINT, signal.SIGTERM)
SAY_SECONDS = 2  # the last word must not hold the exit up (e.g. on a lock the run holds)


def run_until_interrupted(work: Callable[[], T], say: Callable[[signal.Signals], None]) -> T:
    """`work()`; on SIGINT or SIGTERM meanwhile, `say(signal)` then exit with 128 + signal."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            outcome["error"] = exc

    def stop(signo, _frame) -> None:
        last_word = threading.Thread(target=say, args=(signal.Signals(signo),), daemon=True)
        last_word.start()
        last_word.join(SAY_SECONDS)
        os._exit(128 + signo)

    previous = {s: signal.signal(s, stop) for s in SIGNALS}
    worker = threading.Thread(target=run, name="cwh-run", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
