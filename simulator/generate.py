"""generate(): write delivery days into a landing zone, plus a ground-truth sidecar per day."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from .context import Ctx
from .experiments import DEFAULT_PLANS, load_plan
from .faults import FaultRates
from .plants import Plants
from .scales import SCALES
from .schema import FEEDS
from .seasons import DAY, epoch_day, to_date
from .writer import FAULT_KINDS, FeedDay, ground_truth


def generate(
    landing: Path,
    start: dt.date,
    days: int,
    scale: str = "small",
    seed: int = 7,
    faults: FaultRates | None = None,
    experiments: list[Path] | None = None,
    progress: Callable[[str], None] | None = None,
    plants: tuple[str, ...] = (),
) -> dict:
    """Write `days` delivery days from `start` into `landing` (SOURCES.md layout).

    Every byte is a function of (seed, scale, faults, delivery day): a day comes out the same
    whether generated alone or within a range, and regenerating a day overwrites its folders.
    `experiments`: plan files of the experiments upstream runs (simulator/experiments.py); None
    runs the shipped ones (simulator/plans/), [] none. `plants` names patterns to plant in the world
    (simulator/plants.py); what they concern is written to `<landing>/_simulator/plants.json`.
    Next to the feeds, `<landing>/_simulator/dt=<day>.json` records what was injected.
    `progress` gets one line per day. Returns {"landing", "scale", "seed", "start", "days",
    "dates", "lines": {feed: n}, "faults": {feed: {kind: n}}, "seconds"} over all days.
    """
    if isinstance(start, dt.datetime):
        start = start.date()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if days < 0:
        raise ValueError("days must be >= 0")
    landing = Path(landing)
    rates = faults if faults is not None else FaultRates()
    plans = [load_plan(p) for p in (DEFAULT_PLANS if experiments is None else experiments)]
    ctx = Ctx(seed, SCALES[scale], rates, plans, Plants.of(plants))
    first = epoch_day(start)
    ctx.world.ensure((first + days + 1) * DAY)
    truth_dir = landing / "_simulator"
    truth_dir.mkdir(parents=True, exist_ok=True)
    if plants:
        n_creators = int(ctx.world.creators_joined_by((first + days) * DAY))
        _write_json(truth_dir / "plants.json", ctx.plants.truth(ctx, n_creators))
    summary = {
        "landing": str(landing),
        "scale": scale,
        "seed": seed,
        "experiments": [p.id for p in plans],
        "start": start.isoformat(),
        "days": days,
        "dates": [],
        "lines": dict.fromkeys(FEEDS, 0),
        "faults": {f: dict.fromkeys(FAULT_KINDS, 0) for f in FEEDS},
        "seconds": 0.0,
    }
    began = time.perf_counter()
    for day in range(first, first + days):
        t0 = time.perf_counter()
        truth = {"dt": to_date(day).isoformat(), "scale": scale, "seed": seed, "feeds": {}}
        started = []
        for feed in FEEDS:
            started.append(FeedDay(ctx, landing, feed, day).start())
            if len(started) > 1:  # the previous feed compressed while this one rendered
                _record(truth, summary, started[-2])
        _record(truth, summary, started[-1])
        _write_json(truth_dir / f"dt={to_date(day).isoformat()}.json", truth)
        summary["dates"].append(to_date(day).isoformat())
        if progress:
            f = truth["feeds"]
            progress(
                f"{to_date(day)} {scale}: {f['link_clicks']['lines']:,} clicks, "
                f"{f['affiliate_orders']['lines']:,} order lines in {time.perf_counter() - t0:.1f}s"
            )
    summary["seconds"] = round(time.perf_counter() - began, 3)
    return summary


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def _record(truth: dict, summary: dict, feed_day: FeedDay) -> None:
    files, records = feed_day.finish()
    info = truth["feeds"][feed_day.feed] = ground_truth(files, records)
    summary["lines"][feed_day.feed] += info["lines"]
    for k, v in info["faults"].items():
        summary["faults"][feed_day.feed][k] += v
