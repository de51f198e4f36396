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
ACTIVE_DAYS = 30  # clicks reach links up to 29 days old (clicks.LINK_AGE_DAYS)


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
    creator = w.pick_creator(created, ctx.rng.uniform("link.creator", e, i))
    return (
        ctx.plants.link_owners(ctx, e, i, created, creator),  # planted: a cohort sharing many links
        w.pick_product(created, ctx.rng.uniform("link.product", e, i)),
    )


def _links_of(ctx, e: int) -> dict[str, np.ndarray]:
    """Links created on day e in creation order; memoised, as each is exported ACTIVE_DAYS times."""
    memo = ctx.memo.setdefault("links", {})
    if e not in memo:
        for old in [k for k in memo if k < e - ACTIVE_DAYS]:
            del memo[old]
        i = np.arange(ctx.n_links(e), dtype=np.int64)
        created = created_at(ctx, e, i)
        order = np.argsort(created, kind="stable")
        i, created = i[order], created[order]
        creator, product = owner(ctx, e, i, created)
        memo[e] = {
            "created": created,
            "creator": creator,
            "product": product,
            "channel": channel(ctx, e, i),
            "id": link_id(ctx, e, i),
        }
    return memo[e]


def build(ctx, day: int) -> Batch:
    # Links can be clicked for ACTIVE_DAYS after creation, and the export re-sends every link
    # still active, so a warehouse that starts on any day knows every link a new click can hit.
    per_day = [_links_of(ctx, e) for e in range(day - ACTIVE_DAYS + 1, day + 1)]
    cols = {k: np.concatenate([d[k] for d in per_day]) for k in per_day[0]}
    w = ctx.world

    def render(rows, ms, ext):
        return join(
            '{"link_id":"',
            hex16(cols["id"][rows]),
            '","creator_open_id":"',
            take(w.c_id, cols["creator"][rows]),
            '","product_id":"',
            take(w.p_id, cols["product"][rows]),
            '","channel":"',
            pick(CHANNELS, cols["channel"][rows]),
            '","created_at":',
            ts(cols["created"][rows], ms),
            extra(ext, EXTRA_FIELDS["links"]),
            "}\n",
        )

    return Batch("links", len(cols["created"]), render)
