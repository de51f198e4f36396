"""links: share links created on the delivery day. Link (E, i) is the i-th link created on day E;
a lower i is a more popular link, which is how clicks pick links without a lookup table."""
from __future__ import annotations

import numpy as np

from ..rand import cdf, hex16
from ..render import Batch, extra, join, pick, take, ts
from ..schema import CHANNELS, EXTRA_FIELDS
from ..seasons import DAY

CHANNEL_CDF = cdf((30, 18, 8, 10, 12, 6, 4, 3, 5, 4))


def link_id(ctx, e, i) -> np.ndarray:
    return ctx.rng.bits("link.id", e, i)


def created_at(ctx, e, i) -> np.ndarray:
    return np.asarray(e, dtype=np.int64) * DAY + ctx.rng.integers("link.sec", e, i, 0, DAY)


def channel(ctx, e, i) -> np.ndarray:
    return ctx.rng.choice("link.channel", e, i, CHANNEL_CDF)


def owner(ctx, e, i, created) -> tuple[np.ndarray, np.ndarray]:
    """(creator index, product index) of links (e, i)."""
    w = ctx.world
    w.ensure(int(created.max()) if len(created) else 0)
    return (w.pick_creator(created, ctx.rng.uniform("link.creator", e, i)),
            w.pick_product(created, ctx.rng.uniform("link.product", e, i)))


def build(ctx, day: int) -> Batch:
    n = ctx.n_links(day)
    i = np.arange(n, dtype=np.int64)
    created = created_at(ctx, day, i)
    order = np.argsort(created, kind="stable")            # exported in creation order
    i, created = i[order], created[order]
    creator, product = owner(ctx, day, i, created)
    ids, chan = hex16(link_id(ctx, day, i)), channel(ctx, day, i)
    w = ctx.world

    def render(rows, ms, ext):
        return join('{"link_id":"', take(ids, rows), '","creator_open_id":"', take(w.c_id, creator[rows]),
                    '","product_id":"', take(w.p_id, product[rows]), '","channel":"', pick(CHANNELS, chan[rows]),
                    '","created_at":', ts(created[rows], ms), extra(ext, EXTRA_FIELDS["links"]), "}\n")

    return Batch("links", n, render)
