"""creators: a full snapshot every day of everyone who had joined by the snapshot time."""

from __future__ import annotations

import numpy as np

from ..render import Batch, dec, extra, join, take, ts
from ..schema import EXTRA_FIELDS
from ..seasons import DAY


def snapshot_time(ctx, day: int) -> int:
    return day * DAY + 23 * 3600 + 30 * 60 + int(ctx.rng.scalar("creators.snapshot", day) * 600)


def build(ctx, day: int) -> Batch:
    w, snap = ctx.world, snapshot_time(ctx, day)
    w.ensure(snap)
    n = int(w.creators_joined_by(snap))

    def render(rows, ms, ext):
        k = rows
        return join(
            take(w.c_prefix, k),
            dec(w.followers(k, day)),
            ',"chr_score":',
            dec(w.chr_score(k, day)),
            ',"permissions":',
            take(w.c_perms, k),
            ',"joined_at":',
            ts(w.c_joined[k], ms),
            ',"snapshot_at":',
            ts(np.full(len(k), snap), ms),
            extra(ext, EXTRA_FIELDS["creators"]),
            "}\n",
        )

    return Batch("creators", n, render)
