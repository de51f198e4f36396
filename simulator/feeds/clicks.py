"""link_clicks: click j of day C is a pure function of (C, j). Most clicks are delivered on their
own day; a block at the end of each day's index range is delivered 1..3 days late, and a smaller
block 4..90 days late (a tracker re-export)."""
from __future__ import annotations

import numpy as np

from ..rand import cdf, hex16
from ..render import Batch, extra, join, pick, take, ts, when
from ..schema import EXTRA_FIELDS
from ..seasons import DAY
from . import links

LINK_AGE_DAYS = 30
_AGE_CDF = cdf(np.exp(-np.arange(LINK_AGE_DAYS) / 3.0))
_REFERRERS = ('"l.instagram.com"', '"m.youtube.com"', '"t.co"', '"pinterest.com"', '"l.facebook.com"',
              "null", "null", '"mail.google.com"', '"blog.example.com"', "null")
OLD_MAX_DAYS = 90


class Clicks:
    """Attributes of clicks (c, j); c may be a scalar or an array."""

    def __init__(self, ctx, c, j):
        r = ctx.rng
        c = np.broadcast_to(np.asarray(c, dtype=np.int64), np.shape(j))
        self.c, self.j = c, j
        age = r.choice("click.age", c, j, _AGE_CDF)
        self.link_day = c - age
        days = np.arange(int(c.min(initial=0)) - LINK_AGE_DAYS, int(c.max(initial=0)) + 1)
        n_links = np.array([ctx.n_links(int(d)) for d in days], dtype=np.int64)
        nl = n_links[self.link_day - days[0]]
        self.link_idx = np.minimum((nl * r.uniform("click.link", c, j) ** 3).astype(np.int64), nl - 1)
        created = links.created_at(ctx, self.link_day, self.link_idx)
        start = np.maximum(c * DAY, created)
        self.clicked_at = start + (r.uniform("click.sec", c, j) * (c * DAY + DAY - start)).astype(np.int64)
        self.event_id = r.bits("click.id", c, j)

    def link_id(self, ctx) -> np.ndarray:
        return links.link_id(ctx, self.link_day, self.link_idx)


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
    on, _, _ = _blocks(ctx, day)
    cs.append(np.full(on, day, np.int64)); js.append(np.arange(on, dtype=np.int64))
    late.append(np.zeros(on, bool)); old.append(np.zeros(on, bool))
    for back in range(1, OLD_MAX_DAYS + 1):
        c = day - back
        on, n_late, n_old = _blocks(ctx, c)
        if back <= 3 and n_late:
            j = np.arange(on, on + n_late, dtype=np.int64)
            j = j[r.integers("click.late_delay", c, j, 1, 4) == back]
            cs.append(np.full(len(j), c)); js.append(j); late.append(np.ones(len(j), bool)); old.append(np.zeros(len(j), bool))
        if back >= 4 and n_old:
            j = np.arange(on + n_late, on + n_late + n_old, dtype=np.int64)
            j = j[r.integers("click.old_delay", c, j, 4, OLD_MAX_DAYS + 1) == back]
            cs.append(np.full(len(j), c)); js.append(j); late.append(np.ones(len(j), bool)); old.append(np.ones(len(j), bool))
    return np.concatenate(cs), np.concatenate(js), np.concatenate(late), np.concatenate(old)


def build(ctx, day: int) -> Batch:
    r = ctx.rng
    c, j, late, old = _delivered(ctx, day)
    k = Clicks(ctx, c, j)
    orphan = (r.uniform("click.orphan", c, j) < ctx.rates.orphan) & ~late
    link = np.where(orphan, r.bits("click.orphan_link", c, j), k.link_id(ctx))
    chan = links.channel(ctx, k.link_day, k.link_idx)
    referrer = np.where(r.uniform("click.ref", c, j) < 0.75, chan, 9)
    mobile = r.uniform("click.device_type", c, j) < 0.78
    repeat = r.uniform("click.repeat", c, j) < 0.15        # the same device clicking a link again
    device = np.where(repeat, r.bits("device.repeat", k.link_day, k.link_idx * 4 + r.integers("click.repeat_slot", c, j, 0, 4)),
                      r.bits("device.id", c, j))
    app = r.uniform("click.app", c, j) < 0.62

    def render(rows, ms, ext):
        return join('{"event_id":"', hex16(k.event_id[rows]), '","link_id":"', hex16(link[rows]),
                    '","clicked_at":', ts(k.clicked_at[rows], ms), ',"device_type":', when(mobile[rows], "1", "2"),
                    ',"device_id":"', hex16(device[rows]), '","referrer_src":', pick(_REFERRERS, referrer[rows]),
                    ',"app_installed":', when(app[rows], "true", "false"), extra(ext, EXTRA_FIELDS["link_clicks"]), "}\n")

    return Batch("link_clicks", len(c), render, tags={"late": late & ~old, "late_old": old, "orphan": orphan})
