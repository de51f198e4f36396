"""link_clicks: click j of day C is a pure function of (C, j). Most clicks are delivered on their
own day; a block at the end of each day's index range is delivered 1..3 days late, and a smaller
block 4..90 days late (a tracker re-export)."""

from __future__ import annotations

import numpy as np

from ..experiments import extra_events, source_index
from ..rand import cdf, hex16
from ..render import Batch, extra, join, pick, ts, when
from ..schema import EXTRA_FIELDS
from ..seasons import DAY
from . import links

LINK_AGE_DAYS = links.ACTIVE_DAYS
_AGE_CDF = cdf(np.exp(-np.arange(LINK_AGE_DAYS) / 3.0))
_REFERRERS = (
    '"l.instagram.com"',
    '"m.youtube.com"',
    '"t.co"',
    '"pinterest.com"',
    '"l.facebook.com"',
    "null",
    "null",
    '"mail.google.com"',
    '"blog.example.com"',
    "null",
)
OLD_MAX_DAYS = 90


class Clicks:
    """Attributes of clicks (c, j); c may be a scalar or an array."""

    def __init__(self, ctx, c, j):
        r = ctx.rng
        c = np.broadcast_to(np.asarray(c, dtype=np.int64), np.shape(j))
        self.c, self.j = c, j
        u_age, u_link = r.uniform2("click.link", c, source_index(j))  # an extra click follows its source
        self.link_day = c - np.searchsorted(_AGE_CDF, u_age, side="right")
        days = np.arange(int(c.min()) - LINK_AGE_DAYS, int(c.max()) + 1) if len(c) else np.zeros(1, np.int64)
        n_links = np.array([ctx.n_links(int(d)) for d in days], dtype=np.int64)
        nl = n_links[self.link_day - days[0]]
        self.link_idx = np.minimum((nl * u_link**3).astype(np.int64), nl - 1)  # low index = popular
        created = links.created_at(ctx, self.link_day, self.link_idx)
        start = np.maximum(c * DAY, created)
        self.clicked_at = start + (r.uniform("click.sec", c, j) * (c * DAY + DAY - start)).astype(np.int64)

    def link_id(self, ctx) -> np.ndarray:
        return links.link_id(ctx, self.link_day, self.link_idx)


def _owner(ctx, c: int, j: np.ndarray) -> np.ndarray:
    """Creator index owning the link of each click (c, j)."""
    k = Clicks(ctx, c, j)
    return links.owner(ctx, k.link_day, k.link_idx, links.created_at(ctx, k.link_day, k.link_idx))[0]


def event_id(ctx, c, j) -> np.ndarray:
    return ctx.rng.bits("click.id", c, j)


def _blocks(ctx, c: int) -> tuple[int, int, int]:
    """(on-time, late, old) click counts of day c."""
    n = ctx.n_clicks(c)
    n_old = round(n * ctx.rates.old_clicks)
    n_late = round(n * ctx.rates.late_clicks)
    return n - n_late - n_old, n_late, n_old


def _delivered(ctx, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(c, j, late, old) of every click delivered on `day`: on time first, then late ones."""
    r = ctx.rng
    cs, js, late, old = [], [], [], []

    def add(c, j, is_late, is_old):
        extra, _ = extra_events(ctx, "linkshare_clicks", c, j, lambda jj: _owner(ctx, c, jj))  # planted effects
        j = np.concatenate([j, extra])
        cs.append(np.full(len(j), c, np.int64))
        js.append(j)
        late.append(np.full(len(j), is_late))
        old.append(np.full(len(j), is_old))

    on, _, _ = _blocks(ctx, day)
    add(day, np.arange(on, dtype=np.int64), False, False)
    for back in range(1, OLD_MAX_DAYS + 1):
        c = day - back
        on, n_late, n_old = _blocks(ctx, c)
        if back <= 3 and n_late:
            j = np.arange(on, on + n_late, dtype=np.int64)
            add(c, j[r.integers("click.late_delay", c, j, 1, 4) == back], True, False)
        if back >= 4 and n_old:
            j = np.arange(on + n_late, on + n_late + n_old, dtype=np.int64)
            add(c, j[r.integers("click.old_delay", c, j, 4, OLD_MAX_DAYS + 1) == back], True, True)
    return np.concatenate(cs), np.concatenate(js), np.concatenate(late), np.concatenate(old)


def build(ctx, day: int) -> Batch:
    # Only the coordinates are held for the whole day; attributes are computed per file in
    # render(), which keeps memory flat at 10M clicks a day.
    r = ctx.rng
    c, j, late, old = _delivered(ctx, day)
    orphan = (r.uniform("click.orphan", c, j) < ctx.rates.orphan) & ~late

    def render(rows, ms, ext):
        cc, jj = c[rows], j[rows]
        k = Clicks(ctx, cc, jj)
        link = k.link_id(ctx)
        o = np.flatnonzero(orphan[rows])
        link[o] = r.bits("click.orphan_link", cc[o], jj[o])
        u_ref, u_mobile = r.uniform2("click.ref_device", cc, jj)
        referrer = np.where(u_ref < 0.75, links.channel(ctx, k.link_day, k.link_idx), 9)
        u_app, u_repeat = r.uniform2("click.app_repeat", cc, jj)
        device = r.bits("device.id", cc, jj)
        rep = np.flatnonzero(u_repeat < 0.15)  # the same device clicking the link again
        slot = r.integers("click.slot", cc[rep], jj[rep], 0, 4)
        device[rep] = r.bits("device.repeat", k.link_day[rep], k.link_idx[rep] * 4 + slot)
        return join(
            '{"event_id":"',
            hex16(event_id(ctx, cc, jj)),
            '","link_id":"',
            hex16(link),
            '","clicked_at":',
            ts(k.clicked_at, ms),
            ',"device_type":',
            when(u_mobile < 0.78, "1", "2"),
            ',"device_id":"',
            hex16(device),
            '","referrer_src":',
            pick(_REFERRERS, referrer),
            ',"app_installed":',
            when(u_app < 0.62, "true", "false"),
            extra(ext, EXTRA_FIELDS["link_clicks"]),
            "}\n",
        )

    return Batch("link_clicks", len(c), render, tags={"late": late & ~old, "late_old": old, "orphan": orphan})
