"""experiment_assignments: creators randomised into arms, an event log (EXPERIMENTS.md).

Each experiment the simulator runs (simulator/experiments.py) assigns every creator who joined by
its start day early on that day. Faults of their own: an assignment delivered 1..3 days late; a
creator re-assigned to another arm a few hours later (a conflicting record, which the warehouse
must count and never use), sometimes with the original delivered after it (out of order); a few
assignments of creators no snapshot knows (orphans).
"""

from __future__ import annotations

import numpy as np

from ..rand import hex16
from ..render import Batch, extra, join, pick, ts
from ..schema import EXTRA_FIELDS
from ..seasons import DAY


def _records(ctx, plan) -> dict[str, np.ndarray]:
    """Every assignment record of one experiment: creator, arm, time, delivery day and fault tags."""
    memo = ctx.memo.setdefault("assignment_records", {})
    if plan.id in memo:
        return memo[plan.id]
    r, rates, s = ctx.rng, ctx.rates, plan.id
    arm, at = plan.assignment(ctx)
    k = np.arange(len(arm), dtype=np.int64)
    u_late, u_re = r.uniform2(f"assign.faults.{s}", 0, k)
    re = u_re < rates.reassigned
    late = u_late < rates.late_assignments
    out_of_order = re & ~late & (r.uniform(f"assign.ooo.{s}", 0, k) < rates.out_of_order)
    delay = np.where(late | out_of_order, r.integers(f"assign.delay.{s}", 0, k, 1, 4), 0)
    n_arms = len(plan.arms)
    other = (arm + r.integers(f"assign.other.{s}", 0, k, 1, n_arms)) % n_arms  # a different arm
    rk = np.flatnonzero(re)
    o = np.arange(round(len(k) * rates.orphan), dtype=np.int64)  # assignments of unknown creators
    n, n_re, total = len(k), len(rk), len(k) + len(rk) + len(o)
    out = {
        "id": np.concatenate(
            [r.bits("creator.id", 0, k), r.bits("creator.id", 0, rk), r.bits(f"assign.orphan.{s}", 0, o)]
        ),
        "arm": np.concatenate([arm, other[rk], r.integers(f"assign.orphan_arm.{s}", 0, o, 0, n_arms)]),
        "at": np.concatenate(
            [
                at,
                at[rk] + r.integers(f"assign.re_sec.{s}", 0, rk, 3600, 6 * 3600),
                plan.start * DAY + r.integers(f"assign.orphan_sec.{s}", 0, o, 0, DAY),
            ]
        ),
        "day": np.full(total, plan.start, dtype=np.int64),
        **{tag: np.zeros(total, bool) for tag in ("late", "out_of_order", "reassigned", "orphan")},
    }
    out["day"][:n] += delay
    out["late"][:n] = late
    out["out_of_order"][:n] = out_of_order
    out["reassigned"][n : n + n_re] = True
    out["orphan"][n + n_re :] = True
    memo[plan.id] = out
    return out


def build(ctx, day: int) -> Batch:
    exp_ids = [p.id for p in ctx.plans]
    arm_names = sorted({a for p in ctx.plans for a in p.arms})
    cols: dict[str, list] = {}
    for i, plan in enumerate(ctx.plans):
        rec = _records(ctx, plan)
        rows = np.flatnonzero(rec["day"] == day)
        global_arm = np.array([arm_names.index(a) for a in plan.arms], dtype=np.int64)
        for name, values in rec.items():
            cols.setdefault(name, []).append(values[rows])
        cols.setdefault("exp", []).append(np.full(len(rows), i, dtype=np.int64))
        cols.setdefault("arm_name", []).append(global_arm[rec["arm"][rows]])
    col = {name: np.concatenate(parts) for name, parts in cols.items()}
    n = len(col["id"]) if col else 0

    def render(rows, ms, ext):
        return join(
            '{"experiment_id":"',
            pick(exp_ids, col["exp"][rows]),
            '","creator_open_id":"',
            hex16(col["id"][rows]),
            '","arm":"',
            pick(arm_names, col["arm_name"][rows]),
            '","assigned_at":',
            ts(col["at"][rows], ms),
            extra(ext, EXTRA_FIELDS["experiment_assignments"]),
            "}\n",
        )

    tags = {t: col[t] for t in ("late", "out_of_order", "reassigned", "orphan")} if n else {}
    return Batch("experiment_assignments", n, render, tags=tags)
