"""affiliate_orders: one record per order-line state, re-sent on every change.

Orders come from two origins: SHOP/VIDEO/LIVE orders placed on day O, and LINKSHARE orders that
convert click j of day C. Each line follows a lifecycle (ORDERED, then SETTLED / REFUNDED /
FROZEN / DEDUCTED) whose timestamps are functions of the line's coordinates, so the records due
on a delivery day are found by recomputing the lifecycles of every order that could deliver one.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..rand import cdf, hex16
from ..render import Batch, dec, extra, join, money, pick, take, ts, when
from ..schema import EXTRA_FIELDS, ORDER_STATUSES
from ..seasons import DAY, discount
from . import clicks as clk
from . import links

ORDERED, SETTLED, REFUNDED, FROZEN, DEDUCTED = range(5)
# lifecycle paths after ORDERED: (share, first change, second change or -1)
_PATHS = ((0.80, SETTLED, -1), (0.10, REFUNDED, -1), (0.04, FROZEN, SETTLED),
          (0.02, FROZEN, DEDUCTED), (0.02, DEDUCTED, -1), (0.02, SETTLED, REFUNDED))
_PATH_CDF = cdf([p[0] for p in _PATHS])
_FIRST = np.array([p[1] for p in _PATHS])
_SECOND = np.array([p[2] for p in _PATHS])
# days after the order for the first change, by status
_FIRST_LO = np.array([0, 7, 1, 2, 3])
_FIRST_HI = np.array([0, 30, 20, 10, 20])
_LINES_CDF = cdf((80, 15, 5))
_QTY_CDF = cdf((75, 17, 5, 2, 1))
_CONTENT = ("SHOP", "VIDEO", "LIVE", "LINKSHARE")
_CONTENT_CDF = cdf((15, 55, 30))           # SHOP, VIDEO, LIVE for non-link orders
B_OFFSET = 1 << 30                           # LINKSHARE orders' index space
WINDOW = 14 * DAY

MAX_LAG_DAYS, MAX_STATE_DAYS, OOO_DAYS, LATE_DAYS = 20, 55, 3, 60
HORIZON = {False: MAX_STATE_DAYS + OOO_DAYS + 1, True: MAX_LAG_DAYS + MAX_STATE_DAYS + OOO_DAYS + 1}


def _count(ctx, link: bool, o: int) -> int:
    return ctx.n_conversions(o) if link else ctx.n_orders(o)


def _blocks(ctx, link: bool, o: int) -> tuple[int, int, int]:
    """(n, first out-of-order index, first late index): blocks at the end of the index range."""
    n = _count(ctx, link, o)
    n_late = round(n * ctx.rates.late_orders)
    n_ooo = round(n * ctx.rates.out_of_order)
    return n, n - n_late - n_ooo, n - n_late


def _candidates(ctx, day: int):
    """Every order that may deliver a record on `day`: (is_link, origin day, j, block) where block
    is 0 on time, 1 out of order, 2 late. Old origins can only deliver late records."""
    parts = []
    for link in (False, True):
        h = HORIZON[link]
        for o in range(day - h - LATE_DAYS, day + 1):
            n, ooo_from, late_from = _blocks(ctx, link, o)
            j = np.arange(0 if o >= day - h else late_from, n, dtype=np.int64)
            block = (j >= ooo_from).astype(np.int8) + (j >= late_from)
            parts.append((np.full(len(j), link), np.full(len(j), o, np.int64), j, block))
    return [np.concatenate(x) for x in zip(*parts)]


def _lookup(fn, days: np.ndarray) -> np.ndarray:
    if not len(days):
        return np.zeros(0, np.int64)
    lo, hi = int(days.min()), int(days.max())
    table = np.array([fn(d) for d in range(lo, hi + 1)])
    return table[days - lo]


class _Orders:
    """Order-level facts of candidates: when placed and, for LINKSHARE, from which click."""

    def __init__(self, ctx, is_link, o, j, block):
        r = ctx.rng
        self.is_link, self.o, self.j, self.block = is_link, o, j, block
        self.jj = j + np.where(is_link, B_OFFSET, 0)
        created = o * DAY + r.integers("order.sec", o, self.jj, 0, DAY)
        n = len(o)
        self.click_day = o.copy()
        self.click_idx = np.zeros(n, np.int64)
        self.link_day = np.zeros(n, np.int64)
        self.link_idx = np.zeros(n, np.int64)
        self.event = np.zeros(n, np.uint64)
        self.n_clicks = np.zeros(n, np.int64)
        b = np.flatnonzero(is_link)
        if len(b):
            ob, jb = o[b], j[b]
            n_clicks = _lookup(ctx.n_clicks, ob)
            idx = r.integers("conv.click", ob, jb, 0, 1 << 62) % np.maximum(n_clicks, 1)
            c = clk.Clicks(ctx, ob, idx)
            self.click_idx[b], self.link_day[b], self.link_idx[b], self.event[b] = idx, c.link_day, c.link_idx, c.event_id
            u = r.uniform("conv.lag_kind", ob, jb)
            v = r.uniform("conv.lag", ob, jb)
            lag = np.select(
                [u < 0.003, u < 0.006, u < 0.009, u < 0.55, u < 0.80, u < 0.95],
                [0, WINDOW, WINDOW + 1,                       # exactly on / just past the window edge
                 60 + v * 3540, 3600 + v * (3 * DAY - 3600), 3 * DAY + v * (WINDOW - 3 * DAY)],
                WINDOW + 1 + v * (MAX_LAG_DAYS * DAY - WINDOW - 2)).astype(np.int64)
            created[b] = c.clicked_at + lag
            self.n_clicks[b] = n_clicks
        self.created = created
        self.n_lines = r.choice("order.lines", o, self.jj, _LINES_CDF) + 1


def _schedule(ctx, day: int, orders: _Orders):
    """Expand orders into lines and their state timeline; return the (line, state) pairs due on `day`."""
    r = ctx.rng
    pos = np.repeat(np.arange(len(orders.o)), orders.n_lines)
    starts = np.cumsum(orders.n_lines) - orders.n_lines
    line_no = np.arange(len(pos)) - np.repeat(starts, orders.n_lines)
    o, lk = orders.o[pos], orders.jj[pos] * 4 + line_no
    created = orders.created[pos]
    path = r.choice("line.path", o, lk, _PATH_CDF)
    s1, s2 = _FIRST[path], _SECOND[path]
    t1 = created + DAY * _FIRST_LO[s1] + (r.uniform("line.t1", o, lk) * DAY * (_FIRST_HI[s1] - _FIRST_LO[s1])).astype(np.int64)
    t2 = t1 + 5 * DAY + (r.uniform("line.t2", o, lk) * 20 * DAY).astype(np.int64)
    times = np.stack([created, t1, t2], axis=1)
    status = np.stack([np.zeros_like(s1), s1, s2], axis=1)
    deliv = times // DAY
    deliv[s2 < 0, 2] = np.iinfo(np.int64).min           # no such state

    # delivery faults come from blocks at the end of each origin's index range
    n_states = np.where(s2 < 0, 2, 3)
    late = orders.block[pos] == 2
    ooo = orders.block[pos] == 1
    late_state = np.where(late, r.integers("line.late_state", o, lk, 0, 3) % n_states, -1)
    delay = np.where(r.uniform("line.late_big", o, lk) < 0.8, r.integers("line.late_days", o, lk, 1, 8),
                     r.integers("line.late_days", o, lk, 8, LATE_DAYS + 1))
    rows = np.flatnonzero(late)
    deliv[rows, late_state[rows]] += delay[rows]
    rows = np.flatnonzero(ooo)
    deliv[rows, 0] = deliv[rows, 1] + r.integers("line.ooo_days", o[rows], lk[rows], 1, OOO_DAYS + 1)

    line, state = np.nonzero(deliv == day)
    return dict(pos=pos[line], line_no=line_no[line], lk=lk[line], state=state,
                status=status[line, state], time=times[line, state],
                late=late_state[line] == state, ooo=ooo[line] & (state == 0), s1=s1[line])


def build(ctx, day: int) -> Batch:
    r, w = ctx.rng, ctx.world
    orders = _Orders(ctx, *_candidates(ctx, day))
    rec = _schedule(ctx, day, orders)
    order = np.argsort(rec["time"], kind="stable")
    rec = {k: v[order] for k, v in rec.items()}
    pos, lk, line_no = rec["pos"], rec["lk"], rec["line_no"]
    o, jj, is_link = orders.o[pos], orders.jj[pos], orders.is_link[pos]
    created = orders.created[pos]
    w.ensure(int(created.max(initial=0)))
    n = len(pos)

    # who and what: LINKSHARE orders inherit creator and product from the link
    link_created = links.created_at(ctx, orders.link_day[pos], orders.link_idx[pos])
    link_creator, link_product = links.owner(ctx, orders.link_day[pos], orders.link_idx[pos], link_created)
    creator = np.where(is_link, link_creator, w.pick_creator(created, r.uniform("order.creator", o, jj)))
    first = np.where(is_link, link_product, w.pick_product(created, r.uniform("order.product", o, jj)))
    product = np.where(line_no == 0, first, w.pick_product(created, r.uniform("line.product", o, lk)))
    content = np.where(is_link, 3, r.choice("order.content", o, jj, _CONTENT_CDF))
    slot = r.integers("order.video", o, jj, 0, 1 << 20) % w.c_video_count[creator]
    content_id = np.select([content == 1, content == 2], [r.bits("video.id", creator, slot),
                                                         r.bits("live.id", creator, created // DAY)], 0)
    link_id = links.link_id(ctx, orders.link_day[pos], orders.link_idx[pos])

    # which click the order traces back to: mostly the converting click, a few unknown or on another link
    tu = r.uniform("order.trace", o, jj)
    other = r.bits("click.id", orders.click_day[pos], (orders.click_idx[pos] + 1) % np.maximum(orders.n_clicks[pos], 1))
    trace = np.select([tu < 0.03, tu < 0.04], [r.bits("trace.unknown", o, jj), other], orders.event[pos])

    day_of = created // DAY
    price, commission, _ = w.product_state(product, day_of)
    disc = _lookup(discount, day_of) if n else np.zeros(0)
    price = np.maximum(1, np.round(price * (1 - disc))).astype(np.int64)
    qty = r.choice("line.qty", o, lk, _QTY_CDF) + 1
    status = rec["status"]
    refunded_part = 1 + r.integers("line.refund_part", o, lk, 0, 1 << 20) % np.maximum(qty - 1, 1)
    refunded = np.where(status == REFUNDED, np.where((r.uniform("line.refund_full", o, lk) < 0.7) | (qty == 1), qty, refunded_part), 0)

    # orphans: an unknown creator or product (never in any snapshot), on whole on-time orders
    orphan = (r.uniform("order.orphan", o, jj) < ctx.rates.orphan) & (orders.block[pos] == 0)
    orphan_creator = orphan & (r.uniform("order.orphan_kind", o, jj) < 0.5)
    orphan_product = orphan & ~orphan_creator

    def render(rows, ms, ext):
        oc, op = orphan_creator[rows], orphan_product[rows]
        cid = take(w.c_id, creator[rows])
        cid = when(oc, hex16(r.bits("orphan.creator", o[rows], jj[rows])), cid)
        pid = when(op, dec(r.bits("orphan.product", o[rows], lk[rows])), take(w.p_id, product[rows]))
        sid = when(op, dec(r.bits("orphan.shop", o[rows], jj[rows])), take(w.p_shop_id, product[rows]))
        variant = r.integers("line.variant", o[rows], lk[rows], 0, 3)
        sku = when(op, dec(r.bits("orphan.sku", o[rows], lk[rows])), dec(r.bits("sku.id", product[rows], variant)))
        ct = content[rows]
        cont = when(ct == 3, join('"', hex16(link_id[rows]), '"'),
                    when(ct == 0, "null", join('"', dec(content_id[rows]), '"')))
        tr = when(ct == 3, join('"', hex16(trace[rows]), '"'), "null")
        cents = np.where(op, 500 + r.integers("orphan.price", o[rows], lk[rows], 0, 5000), price[rows])
        comm = np.where(op, 1000, commission[rows])
        return join('{"order_id":"', dec(r.bits("order.id", o[rows], jj[rows])), '","sku_id":"', sku,
                    '","creator_open_id":"', cid, '","product_id":"', pid, '","shop_id":"', sid,
                    '","content_type":"', pick(_CONTENT, ct), '","content_id":', cont, ',"trace_event_id":', tr,
                    ',"quantity":', dec(qty[rows]), ',"unit_price":"', money(cents), '","currency":"USD","commission_rate":',
                    dec(comm), ',"status":"', pick(ORDER_STATUSES, status[rows]), '","refunded_quantity":',
                    dec(refunded[rows]), ',"created_at":', ts(created[rows], ms), ',"update_time":',
                    ts(rec["time"][rows], ms), extra(ext, EXTRA_FIELDS["affiliate_orders"]), "}\n")

    return Batch("affiliate_orders", n, render,
                 tags={"late": rec["late"], "out_of_order": rec["ooo"], "orphan": orphan})
