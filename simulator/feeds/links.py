"""links: share links, re-sent daily while they can still be clicked. Link (E, i) is the i-th link
created on day E; a lower i is a more popular link, which is how clicks pick links without a
lookup table."""
from __future__ import annotations

import numpy as np

from ..rand import cdf, hex16
from ..render import Batch, extra, join, pick, take, ts
from ..schema import CHANNELS, EXTRA_FIELDS
from ..seasons import DAY

CHANNEL_CDF = cdf((30, 18, 8, 10, 12, 6, 4, 3, 5, 4))
ACTIVE_DAYS = 30          # clicks reach links up to 29 days old (clicks.LINK_AGE_DAYS)


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
    # Links can be clicked for ACTIVE_DAYS after creation, and the export re-sends every link
    # still active, so a warehouse that starts on any day knows every link a new click can hit.
    days = np.arange(day - ACTIVE_DAYS + 1, day + 1)
    counts = np.array([ctx.n_links(int(d)) for d in days])
    e = np.repeat(days, counts)
    i = np.arange(len(e)) - np.repeat(np.cumsum(counts) - counts, counts)
    created = created_at(ctx, e, i)
    order = np.argsort(created, kind="stable")            # exported in creation order
    e, i, created = e[order], i[order], created[order]
    creator, product = owner(ctx, e, i, created)
    ids, chan = hex16(link_id(ctx, e, i)), channel(ctx, e, i)
    w = ctx.world

    def render(rows, ms, ext):
        return join('{"link_id":"', take(ids, rows), '","creator_open_id":"', take(w.c_id, creator[rows]),
                    '","product_id":"', take(w.p_id, product[rows]), '","channel":"', pick(CHANNELS, chan[rows]),
                    '","created_at":', ts(created[rows], ms), extra(ext, EXTRA_FIELDS["links"]), "}\n")

    return Batch("links", len(e), render)
