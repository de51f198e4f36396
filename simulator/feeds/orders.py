"""affiliate_orders: one record per order-line state, re-sent on every change.

Orders come from two origins: SHOP/VIDEO/LIVE orders placed on day O, and LINKSHARE orders that
convert a click of day C. Each line follows a lifecycle (ORDERED, then SETTLED / REFUNDED /
FROZEN / DEDUCTED) whose timestamps are functions of the line's coordinates. To find the records
due on a delivery day, the lifecycles of every order that could still deliver one are recomputed.
"""

from __future__ import annotations

import numpy as np

from ..rand import cdf, hex16
from ..render import Batch, dec, extra, join, money, pick, take, ts, when
from ..schema import EXTRA_FIELDS, ORDER_STATUSES
from ..seasons import DAY, discount
from . import clicks as clk
from . import links

ORDERED, SETTLED, REFUNDED, FROZEN, DEDUCTED = range(5)
# lifecycle paths after ORDERED: (share, first change, second change or -1)
_PATHS = (
    (0.80, SETTLED, -1),
    (0.10, REFUNDED, -1),
    (0.04, FROZEN, SETTLED),
    (0.02, FROZEN, DEDUCTED),
    (0.02, DEDUCTED, -1),
    (0.02, SETTLED, REFUNDED),
)
_PATH_CDF = cdf([p[0] for p in _PATHS])
_FIRST = np.array([p[1] for p in _PATHS])
_SECOND = np.array([p[2] for p in _PATHS])
# days after the order of the first change, by status
_FIRST_LO = np.array([0, 7, 1, 2, 3])
_FIRST_HI = np.array([0, 30, 20, 10, 20])
_LINES_CDF = cdf((80, 15, 5))  # 1..3 lines: no more than the 3 sku variants
_QTY_CDF = cdf((75, 17, 5, 2, 1))
_CONTENT = ("SHOP", "VIDEO", "LIVE", "LINKSHARE")
_CONTENT_CDF = cdf((15, 55, 30))  # SHOP, VIDEO, LIVE for non-link orders
B_OFFSET = 1 << 29  # LINKSHARE orders' index space; line keys jj * 4 + line stay below 2**32
WINDOW = 14 * DAY  # the marts' default attribution window

MAX_LAG_DAYS, MAX_STATE_DAYS, OOO_DAYS, LATE_DAYS = 20, 55, 3, 60
# how many days after its origin day an order can still deliver an on-time or out-of-order record
HORIZON = {False: MAX_STATE_DAYS + OOO_DAYS + 1, True: MAX_LAG_DAYS + MAX_STATE_DAYS + OOO_DAYS + 1}


def _blocks(ctx, link: bool, o: int) -> tuple[int, int, int]:
    """(n, first out-of-order index, first late index): delivery faults are blocks at the end of
    each origin's index range (indices are arbitrary labels, so this is a random sample)."""
    n = ctx.n_conversions(o) if link else ctx.n_orders(o)
    n_late = round(n * ctx.rates.late_orders)
    n_ooo = round(n * ctx.rates.out_of_order)
    return n, n - n_late - n_ooo, n - n_late


def _lookup(fn, days: np.ndarray, dtype=np.int64) -> np.ndarray:
    """fn(day) for an array of days, calling fn once per distinct day."""
    if not len(days):
        return np.zeros(0, dtype)
    lo, hi = int(days.min()), int(days.max())
    return np.array([fn(d) for d in range(lo, hi + 1)], dtype=dtype)[days - lo]


class _Orders:
    """Order-level facts: when placed and, for LINKSHARE, from which click.

    With exact=False a LINKSHARE order's click is not looked up: its placing time is only known
    to lie in [created, created + spread], which is enough to rule out most orders for a day."""

    def __init__(self, ctx, is_link, o, j, block, exact: bool = True):
        r = ctx.rng
        self.is_link, self.o, self.j, self.block = is_link, o, j, block
        self.jj = j + np.where(is_link, B_OFFSET, 0)
        u_sec, u_lines = r.uniform2("order.base", o, self.jj)
        created = o * DAY + (u_sec * DAY).astype(np.int64)
        self.n_lines = np.searchsorted(_LINES_CDF, u_lines, side="right") + 1
        n = len(o)
        self.spread = np.zeros(n, np.int64)
        self.click_idx = np.zeros(n, np.int64)
        self.n_clicks = np.zeros(n, np.int64)
        self.link_day = np.zeros(n, np.int64)
        self.link_idx = np.zeros(n, np.int64)
        b = np.flatnonzero(is_link)
        if len(b):
            ob, jb = o[b], j[b]
            u, v = r.uniform2("conv.lag", ob, jb)
            lag = np.select(
                [u < 0.003, u < 0.006, u < 0.009, u < 0.55, u < 0.80, u < 0.95],
                [
                    0,
                    WINDOW,
                    WINDOW + 1,  # exactly on / just past the window edge
                    60 + v * 3540,
                    3600 + v * (3 * DAY - 3600),
                    3 * DAY + v * (WINDOW - 3 * DAY),
                ],
                WINDOW + 2 + v * (MAX_LAG_DAYS * DAY - WINDOW - 2),
            ).astype(np.int64)
            if exact:
                n_clicks = np.maximum(_lookup(ctx.n_clicks, ob), 1)
                idx = (r.bits("conv.click", ob, jb) % n_clicks.astype(np.uint64)).astype(np.int64)
                c = clk.Clicks(ctx, ob, idx)
                self.click_idx[b], self.n_clicks[b] = idx, n_clicks
                self.link_day[b], self.link_idx[b] = c.link_day, c.link_idx
                created[b] = c.clicked_at + lag
            else:  # the click falls somewhere in day o
                created[b] = ob * DAY + lag
                self.spread[b] = DAY - 1
        self.created = created


def _lines(orders: _Orders) -> tuple[np.ndarray, np.ndarray]:
    """(order position, line number) of every line of `orders`."""
    pos = np.repeat(np.arange(len(orders.o)), orders.n_lines)
    starts = np.cumsum(orders.n_lines) - orders.n_lines
    return pos, np.arange(len(pos)) - np.repeat(starts, orders.n_lines)


def _picked_products(ctx, o, jj, lk, line_no, created) -> np.ndarray:
    """Product of each line as picked when the order is placed (a LINKSHARE order's first line is
    its link's product instead)."""
    r, w = ctx.rng, ctx.world
    _, u_product = r.uniform2("order.who", o, jj)
    u_line_product, _ = r.uniform2("line.what", o, lk)
    return w.pick_product(created, np.where(line_no == 0, u_product, u_line_product))


def _lifecycle(ctx, orders: _Orders, pos: np.ndarray, line_no: np.ndarray, lk: np.ndarray):
    """(first change, second change or -1, their offsets in seconds after the order) per line."""
    r, o = ctx.rng, orders.o[pos]
    u_path, u_t1 = r.uniform2("line.life", o, lk)
    path = np.searchsorted(_PATH_CDF, u_path, side="right")
    if "category_refund_spike" in ctx.plants:  # some lines that would settle are refunded instead
        product = _picked_products(ctx, o, orders.jj[pos], lk, line_no, orders.created[pos])
        path = np.where(ctx.plants.extra_refunds(ctx, o, lk, product, orders.is_link[pos]) & (path == 0), 1, path)
    s1, s2 = _FIRST[path], _SECOND[path]
    off1 = DAY * _FIRST_LO[s1] + (u_t1 * DAY * (_FIRST_HI[s1] - _FIRST_LO[s1])).astype(np.int64)
    off2 = np.zeros(len(o), np.int64)
    two = np.flatnonzero(s2 >= 0)
    off2[two] = off1[two] + 5 * DAY + (r.uniform("line.t2", o[two], lk[two]) * 20 * DAY).astype(np.int64)
    return s1, s2, off1, off2


def _delays(ctx, o, lk, s2, block):
    """(late state or -1, its delay in days, days ORDERED waits after the next state or 0) per line."""
    r = ctx.rng
    late_state = np.full(len(o), -1, np.int64)
    delay = np.zeros(len(o), np.int64)
    wait = np.zeros(len(o), np.int64)
    rows = np.flatnonzero(block == 2)  # one state delivered 1..60 days late
    if len(rows):
        u_state, u_big = r.uniform2("line.late", o[rows], lk[rows])
        late_state[rows] = (u_state * np.where(s2[rows] < 0, 2, 3)).astype(np.int64)
        days = r.uniform("line.late_days", o[rows], lk[rows])
        delay[rows] = np.where(
            u_big < 0.8, 1 + (days * 7).astype(np.int64), 8 + (days * (LATE_DAYS - 7)).astype(np.int64)
        )
    rows = np.flatnonzero(block == 1)  # ORDERED arrives after the next state
    if len(rows):
        wait[rows] = r.integers("line.ooo_days", o[rows], lk[rows], 1, OOO_DAYS + 1)
    return late_state, delay, wait


def _delivery_days(created, spread, s2, off1, off2, late_state, delay, wait):
    """([lines, 3] first, [lines, 3] last) possible delivery day of each state; equal when the
    placing time is exact (spread 0); a missing state gets an impossible day."""
    offs = np.stack([np.zeros_like(off1), off1, off2], axis=1)
    lo = (created[:, None] + offs) // DAY
    hi = (created[:, None] + spread[:, None] + offs) // DAY
    for d in (lo, hi):
        d[s2 < 0, 2] = np.iinfo(np.int64).min
        rows = np.flatnonzero(late_state >= 0)
        d[rows, late_state[rows]] += delay[rows]
        rows = np.flatnonzero(wait > 0)
        d[rows, 0] = d[rows, 1] + wait[rows]
    return lo, hi


def _may_deliver(ctx, orders: _Orders, day: int) -> np.ndarray:
    """Per order: may it deliver a record on `day`, given only bounds of its placing time?"""
    pos, line_no = _lines(orders)
    o, lk = orders.o[pos], orders.jj[pos] * 4 + line_no
    s1, s2, off1, off2 = _lifecycle(ctx, orders, pos, line_no, lk)
    lo = orders.created[pos]
    hi = lo + orders.spread[pos]
    start, end = day * DAY, day * DAY + DAY - 1
    block = orders.block[pos]
    hit = (block == 0) & (
        ((lo <= end) & (hi >= start))
        | ((lo + off1 <= end) & (hi + off1 >= start))
        | ((s2 >= 0) & (lo + off2 <= end) & (hi + off2 >= start))
    )
    rows = np.flatnonzero(block != 0)  # the few late / out-of-order ones
    if len(rows):
        first, last = _delivery_days(
            lo[rows],
            hi[rows] - lo[rows],
            s2[rows],
            off1[rows],
            off2[rows],
            *_delays(ctx, o[rows], lk[rows], s2[rows], block[rows]),
        )
        hit[rows] = ((first <= day) & (last >= day)).any(axis=1)
    return np.bincount(pos[hit], minlength=len(orders.o)) > 0


def _timeline(ctx, orders: _Orders) -> dict:
    """Lines of `orders` with their states' timestamps and delivery days ([lines, 3])."""
    pos, line_no = _lines(orders)
    o, lk = orders.o[pos], orders.jj[pos] * 4 + line_no
    created = orders.created[pos]
    s1, s2, off1, off2 = _lifecycle(ctx, orders, pos, line_no, lk)
    times = np.stack([created, created + off1, np.where(s2 >= 0, created + off2, -1)], axis=1)
    status = np.stack([np.zeros_like(s1), s1, s2], axis=1)
    block = orders.block[pos]
    late_state, delay, wait = _delays(ctx, o, lk, s2, block)
    deliv, _ = _delivery_days(created, np.zeros_like(created), s2, off1, off2, late_state, delay, wait)
    return {
        "pos": pos,
        "line_no": line_no,
        "lk": lk,
        "times": times,
        "status": status,
        "deliv": deliv,
        "late_state": late_state,
        "ooo": block == 1,
    }


def _keys(ctx, link: bool, o: int, j: np.ndarray) -> tuple[np.ndarray, ...]:
    """(is_link, origin day, j, block) of orders j of one origin; block 0 on time, 1 out of order, 2 late."""
    _, ooo_from, late_from = _blocks(ctx, link, o)
    block = (j >= ooo_from).astype(np.int8) + (j >= late_from)
    return np.full(len(j), link), np.full(len(j), o, np.int64), j, block


def _due(ctx, day: int) -> list[tuple[np.ndarray, ...]]:
    """Keys of the orders that may deliver a record on `day`, one origin day at a time: a cheap
    pass without click lookups rules out most (the exact pass happens in build)."""
    due = []
    for link in (False, True):
        h = HORIZON[link]
        for o in range(day - h - LATE_DAYS, day + 1):
            n, _, late_from = _blocks(ctx, link, o)
            j = np.arange(0 if o >= day - h else late_from, n, dtype=np.int64)  # far back: only late ones
            if not len(j):
                continue
            keys = _keys(ctx, link, o, j)
            maybe = _may_deliver(ctx, _Orders(ctx, *keys, exact=False), day)
            if maybe.any():
                due.append(tuple(k[maybe] for k in keys))
    return due


def _lost_conversions(ctx, orders: _Orders) -> np.ndarray:
    """Per order: a LINKSHARE conversion a plant suppresses (by its link's channel or owner)."""
    day, idx = orders.link_day, orders.link_idx
    creator, _ = links.owner(ctx, day, idx, links.created_at(ctx, day, idx))
    lost = ctx.plants.lost_conversions(ctx, orders.o, orders.jj, links.channel(ctx, day, idx), creator)
    return orders.is_link & lost


def build(ctx, day: int) -> Batch:
    r, w = ctx.rng, ctx.world
    keys = _due(ctx, day)
    if keys:
        keys = [np.concatenate(k) for k in zip(*keys, strict=False)]
    else:
        keys = [np.zeros(0, t) for t in (bool, np.int64, np.int64, np.int8)]
    orders = _Orders(ctx, *keys)
    if ctx.plants.loses_conversions:  # planted: some LINKSHARE orders never happen
        keys = [k[~_lost_conversions(ctx, orders)] for k in keys]
        orders = _Orders(ctx, *keys)
    tl = _timeline(ctx, orders)
    line, state = np.nonzero(tl["deliv"] == day)
    time = tl["times"][line, state]
    order = np.argsort(time, kind="stable")
    line, state, time = line[order], state[order], time[order]
    pos, lk, line_no = tl["pos"][line], tl["lk"][line], tl["line_no"][line]
    status = tl["status"][line, state]
    late = tl["late_state"][line] == state
    ooo = tl["ooo"][line] & (state == 0)
    o, jj, is_link = orders.o[pos], orders.jj[pos], orders.is_link[pos]
    created = orders.created[pos]
    n = len(pos)

    # who and what: LINKSHARE orders inherit creator and product from the link
    link_day, link_idx = orders.link_day[pos], orders.link_idx[pos]
    link_creator, link_product = links.owner(ctx, link_day, link_idx, links.created_at(ctx, link_day, link_idx))
    u_creator, _ = r.uniform2("order.who", o, jj)
    creator = np.where(is_link, link_creator, w.pick_creator(created, u_creator))
    _, u_qty = r.uniform2("line.what", o, lk)
    product = np.where(is_link & (line_no == 0), link_product, _picked_products(ctx, o, jj, lk, line_no, created))
    qty = np.searchsorted(_QTY_CDF, u_qty, side="right") + 1
    u_content, u_video = r.uniform2("order.content", o, jj)
    content = np.where(is_link, 3, np.searchsorted(_CONTENT_CDF, u_content, side="right"))
    slot = (u_video * w.c_video_count[creator]).astype(np.int64)
    content_id = np.select(
        [content == 1, content == 2], [r.bits("video.id", creator, slot), r.bits("live.id", creator, created // DAY)], 0
    )
    link_id = links.link_id(ctx, link_day, link_idx)

    # the click an order traces back to: mostly the converting one, a few unknown or on another link
    u_trace, u_orphan = r.uniform2("order.trace_orphan", o, jj)
    click_day, click_idx = o, orders.click_idx[pos]  # a LINKSHARE order's origin is its click day
    next_click = (click_idx + 1) % np.maximum(orders.n_clicks[pos], 1)
    trace = np.select(
        [u_trace < 0.03, u_trace < 0.04],
        [r.bits("trace.unknown", o, jj), clk.event_id(ctx, click_day, next_click)],
        clk.event_id(ctx, click_day, click_idx),
    )

    day_of = created // DAY
    price, commission, _ = w.product_state(product, day_of)
    price = np.maximum(1, np.round(price * (1 - _lookup(discount, day_of, np.float64)))).astype(np.int64)
    u_full, u_part = r.uniform2("line.refund", o, lk)
    part = 1 + (u_part * np.maximum(qty - 1, 1)).astype(np.int64)
    refunded = np.where(status == REFUNDED, np.where((u_full < 0.7) | (qty == 1), qty, part), 0)

    # orphans: an unknown creator or product (never in any snapshot), on whole on-time orders
    orphan = (u_orphan < ctx.rates.orphan) & (orders.block[pos] == 0)
    orphan_creator = orphan & (u_orphan < ctx.rates.orphan / 2)
    orphan_product = orphan & ~orphan_creator
    # lines of one order never share a sku_id (it is half the key): variants differ by line number
    variant = ((r.uniform("order.variant", o, jj) * 3).astype(np.int64) + line_no) % 3

    def render(rows, ms, ext):
        oc, op = orphan_creator[rows], orphan_product[rows]
        cid = when(oc, hex16(r.bits("orphan.creator", o[rows], jj[rows])), take(w.c_id, creator[rows]))
        pid = when(op, dec(r.bits("orphan.product", o[rows], lk[rows])), take(w.p_id, product[rows]))
        sid = when(op, dec(r.bits("orphan.shop", o[rows], jj[rows])), take(w.p_shop_id, product[rows]))
        sku = when(
            op, dec(r.bits("orphan.sku", o[rows], lk[rows])), dec(r.bits("sku.id", product[rows], variant[rows]))
        )
        ct = content[rows]
        cont = when(
            ct == 3, join('"', hex16(link_id[rows]), '"'), when(ct == 0, "null", join('"', dec(content_id[rows]), '"'))
        )
        tr = when(ct == 3, join('"', hex16(trace[rows]), '"'), "null")
        cents = np.where(op, 500 + (r.uniform("orphan.price", o[rows], lk[rows]) * 5000).astype(np.int64), price[rows])
        return join(
            '{"order_id":"',
            dec(r.bits("order.id", o[rows], jj[rows])),
            '","sku_id":"',
            sku,
            '","creator_open_id":"',
            cid,
            '","product_id":"',
            pid,
            '","shop_id":"',
            sid,
            '","content_type":"',
            pick(_CONTENT, ct),
            '","content_id":',
            cont,
            ',"trace_event_id":',
            tr,
            ',"quantity":',
            dec(qty[rows]),
            ',"unit_price":"',
            money(cents),
            '","currency":"USD","commission_rate":',
            dec(np.where(op, 1000, commission[rows])),
            ',"status":"',
            pick(ORDER_STATUSES, status[rows]),
            '","refunded_quantity":',
            dec(refunded[rows]),
            ',"created_at":',
            ts(created[rows], ms),
            ',"update_time":',
            ts(time[rows], ms),
            extra(ext, EXTRA_FIELDS["affiliate_orders"]),
            "}\n",
        )

    return Batch("affiliate_orders", n, render, tags={"late": late, "out_of_order": ooo, "orphan": orphan})
