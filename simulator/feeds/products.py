"""products: a full snapshot every day of the products open for promotion (updated_at moves only
when price or commission changed, so most rows repeat yesterday's version)."""

from __future__ import annotations

import numpy as np

from ..render import Batch, dec, extra, join, money, take, ts
from ..schema import EXTRA_FIELDS
from .creators import snapshot_time


def build(ctx, day: int) -> Batch:
    w, snap = ctx.world, snapshot_time(ctx, day)
    w.ensure(snap)
    n = int(w.products_created_by(snap))

    def render(rows, ms, ext):
        price, comm, updated = w.product_state(rows, day)
        return join(
            take(w.p_prefix, rows),
            '"price":"',
            money(price),
            '","commission_rate":',
            dec(comm),
            ',"updated_at":',
            ts(np.minimum(updated, snap), ms),
            extra(ext, EXTRA_FIELDS["products"]),
            "}\n",
        )

    return Batch("products", n, render)
