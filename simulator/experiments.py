"""Experiments the simulated upstream runs, with the truth planted in them.

A plan file (`cwh generate --experiment FILE`) names an experiment definition and what really
happens in it:

    definition: ../../experiments/bonus_5pp.yml   # the analysts' file (a path relative to the plan)
    effects:                                      # true relative effect per treatment arm and metric
      bonus_5pp: {linkshare_clicks: 0.15}         # +15% clicks on the links of creators in the arm
    assigned_shares: {control: 0.55, bonus_5pp: 0.45}   # optional: shares creators really get

Every creator who joined by the start day is randomised into an arm (with `assigned_shares`,
default the definition's designed shares) early on the start day, and delivered in the
`experiment_assignments` feed. During start..end, each click on the links of a creator in an arm
with a `linkshare_clicks` effect is followed by extra clicks (the effect's expected share), and each
violation of a creator in an arm with a `violations` effect (a guardrail harm) by extra ones, so
creators' behaviour follows the plant and the warehouse must recover it from the deliveries.
An A/A test plants no effect. The simulator reads definitions itself (it imports no warehouse code).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .seasons import DAY, epoch_day

SIMULATED_METRICS = ("linkshare_clicks", "violations")
# The shipped plans: the demo's two example experiments (bonus_5pp +15% clicks, an A/A test).
DEFAULT_PLANS = tuple(sorted((Path(__file__).parent / "plans").glob("*.yml")))
ASSIGN_SECONDS = 2 * 3600  # assignments happen in the first two hours of the start day (UTC)


class PlanError(ValueError):
    """A plan file is unusable; the message names the file and the field."""


@dataclass(frozen=True)
class Plan:
    id: str
    start: int  # epoch day
    end: int
    arms: tuple[str, ...]  # in definition order; arm index i is arms[i]
    shares: tuple[float, ...]  # the shares creators are really assigned with
    lift: dict[str, tuple[float, ...]]  # metric -> per arm: relative extra events of the arm's creators

    def assignment(self, ctx) -> tuple[np.ndarray, np.ndarray]:
        """(arm index, assigned_at) of every creator who joined by the start day."""
        memo = ctx.memo.setdefault("assignment", {})
        if self.id not in memo:
            w, r = ctx.world, ctx.rng
            w.ensure(self.start * DAY)
            k = np.arange(int(w.creators_joined_by(self.start * DAY)), dtype=np.int64)
            cum = np.cumsum(self.shares)
            cum[-1] = 1.0
            arm = np.searchsorted(cum, r.uniform(f"assign.arm.{self.id}", 0, k), side="right")
            at = self.start * DAY + r.integers(f"assign.sec.{self.id}", 0, k, 0, ASSIGN_SECONDS)
            memo[self.id] = (arm, at)
        return memo[self.id]


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: cannot be read as YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: must be a mapping of fields")
    return data


def load_plan(path: Path) -> Plan:
    path = Path(path)
    plan = _read(path)
    if not isinstance(plan.get("definition"), str):
        raise PlanError(f"{path}: field 'definition' must name the experiment definition file")
    def_path = (path.parent / plan["definition"]).resolve()
    d = _read(def_path)

    def fail(where: Path, name: str, problem: str) -> PlanError:
        return PlanError(f"{where}: field '{name}' {problem}")

    try:
        start = epoch_day(dt.date.fromisoformat(str(d["start"])))
        end = epoch_day(dt.date.fromisoformat(str(d["end"])))
    except (KeyError, ValueError):
        raise fail(def_path, "start/end", "must be dates YYYY-MM-DD") from None
    arms = d.get("arms")
    if not isinstance(arms, dict) or "control" not in arms or not isinstance(d.get("id"), str):
        raise fail(def_path, "arms", "must map arm names (one 'control') to shares, with an 'id'")
    names = tuple(str(a) for a in arms)
    shares = plan.get("assigned_shares") or arms
    if not isinstance(shares, dict) or set(map(str, shares)) != set(names):
        raise fail(path, "assigned_shares", f"must give a share to each arm of the definition: {', '.join(names)}")
    if any(not isinstance(s, int | float) or s < 0 for s in shares.values()) or abs(sum(shares.values()) - 1) > 1e-9:
        raise fail(path, "assigned_shares", "must be shares >= 0 summing to 1")
    effects = plan.get("effects") or {}
    if not isinstance(effects, dict):
        raise fail(path, "effects", "must map treatment arms to {metric: relative effect}")
    lift = {m: dict.fromkeys(names, 0.0) for m in SIMULATED_METRICS}
    for arm, by_metric in effects.items():
        if arm not in names or arm == "control" or not isinstance(by_metric, dict):
            raise fail(path, f"effects.{arm}", "must be a treatment arm of the definition mapping metrics to effects")
        for metric, value in by_metric.items():
            if metric not in SIMULATED_METRICS:
                raise fail(path, f"effects.{arm}.{metric}", f"can be planted on {', '.join(SIMULATED_METRICS)} only")
            if not isinstance(value, int | float) or not 0 <= value < 60:
                raise fail(path, f"effects.{arm}.{metric}", f"must be a relative increase in 0..60, not {value!r}")
            lift[metric][arm] = float(value)
    return Plan(
        id=d["id"],
        start=start,
        end=end,
        arms=names,
        shares=tuple(float(shares[a]) for a in names),
        lift={m: tuple(by_arm[a] for a in names) for m, by_arm in lift.items()},
    )


# Extra events are events (day, i + k * EXTRA_BASE), k = 1, 2, ...: an extra click follows click
# (day, i) onto its link, an extra violation is its source's creator's; each has its own id and
# times. Coordinates stay below 2**32 (Rng's index range).
EXTRA_BASE = 1 << 26


def source_index(i: np.ndarray) -> np.ndarray:
    """The event an extra event follows (itself for an ordinary event)."""
    return np.asarray(i, dtype=np.int64) % EXTRA_BASE


def extra_events(ctx, metric: str, day: int, idx: np.ndarray, owner_of) -> tuple[np.ndarray, np.ndarray]:
    """(coordinates, source positions in idx) of the extra events the planted effects on `metric`
    add to events idx of `day`.

    `owner_of(idx)` gives the creator index behind each event. An event of a creator whose arm has
    lift L is followed by floor(L) extra events plus one more with probability frac(L), so the
    arm's count grows by L in expectation.
    """
    idx = np.asarray(idx, dtype=np.int64)
    active = [p for p in ctx.plans if p.start <= day <= p.end and any(p.lift[metric])]
    if not active or not len(idx):
        return idx[:0], idx[:0]
    owner = owner_of(idx)
    lift = np.zeros(len(idx))
    for p in active:
        arm, _ = p.assignment(ctx)
        arm_of = np.full(len(idx), -1)
        known = owner < len(arm)  # creators who joined after the start are not in the experiment
        arm_of[known] = arm[owner[known]]
        lift += np.where(arm_of >= 0, np.asarray(p.lift[metric])[np.maximum(arm_of, 0)], 0.0)
    n = np.floor(lift).astype(np.int64) + (ctx.rng.uniform(f"effect.{metric}", day, idx) < lift % 1)
    src = np.repeat(np.arange(len(idx)), n)
    k = np.arange(len(src)) - np.repeat(np.cumsum(n) - n, n) + 1  # 1..n per event
    return idx[src] + k * EXTRA_BASE, src
