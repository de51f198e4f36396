"""violations and appeals. Violation i detected on day V is a pure function of (V, i); it is
delivered on the UTC day it was enforced. Appeals are re-sent on each status change."""

from __future__ import annotations

import numpy as np

from ..experiments import extra_events
from ..rand import cdf
from ..render import Batch, dec, extra, join, pick, take, ts, when
from ..schema import ACTIONS, APPEAL_STATUSES, EXTRA_FIELDS, POLICIES
from ..seasons import DAY, dst_change_kind, la_offset, wallclock

_SEVERITY_CDF = cdf((45, 30, 17, 8))
_OFF_PLATFORM = POLICIES.index("OFF_PLATFORM_TRANSACTION")  # no content to point at
_HARSH = np.array([p in ("PROHIBITED_PRODUCT", "MEDICAL_CLAIM") for p in POLICIES])
# per severity 1..4: (lenient action, harsh action)
_ACTION = np.array([[0, 1], [1, 2], [2, 4], [3, 4]])
MAX_ENFORCE_DAYS = 2
APPEAL_HORIZON = MAX_ENFORCE_DAYS + 5 + 10 + 3 + 7 + 3 + 1
PENDING, APPROVED, REJECTED = range(3)


class Violations:
    """All violations detected on days [first, last]."""

    def __init__(self, ctx, first: int, last: int):
        base = [ctx.n_violations(v) for v in range(first, last + 1)]
        counts = [n + ctx.plants.extra_violations(n) for n in base]  # planted: a policy's spike
        v = np.repeat(np.arange(first, last + 1, dtype=np.int64), counts)
        i = np.arange(len(v)) - np.repeat(np.cumsum(counts) - counts, counts)
        spiked = i >= np.repeat(base, counts)  # the planted spike's violations, all of the planted policy
        self._draw(ctx, v, i, spiked)
        # A planted guardrail harm: extra violations of the harmed arms' creators (their source's creator).
        extra_v, extra_i, creator = [v[:0]], [i[:0]], [self.creator[:0]]
        for day in range(first, last + 1):
            rows = np.flatnonzero(v == day)
            extra, src = extra_events(ctx, "violations", day, i[rows], lambda _, rows=rows: self.creator[rows])
            extra_v.append(np.full(len(extra), day, dtype=np.int64))
            extra_i.append(extra)
            creator.append(self.creator[rows][src])
        if sum(len(e) for e in extra_i):
            extra = np.concatenate(creator)
            spiked = np.concatenate([spiked, np.zeros(len(extra), bool)])
            self._draw(ctx, np.concatenate([v, *extra_v]), np.concatenate([i, *extra_i]), spiked, extra)

    def _draw(
        self, ctx, v: np.ndarray, i: np.ndarray, spiked: np.ndarray, extra_creators: np.ndarray | None = None
    ) -> None:
        """Every attribute of violations (v, i); `spiked` ones are of the planted policy; the last
        len(extra_creators) are extra ones of those creators."""
        r, w = ctx.rng, ctx.world
        detected = v * DAY + r.integers("viol.sec", v, i, 0, DAY)
        quick = r.uniform("viol.quick", v, i) < 0.7
        delay = np.where(
            quick,
            r.integers("viol.delay", v, i, 600, 6 * 3600),
            r.integers("viol.delay", v, i, 6 * 3600, MAX_ENFORCE_DAYS * DAY),
        )
        enforced = detected + delay
        pst_quirk = np.zeros(len(v), bool)
        # On DST change days put a few enforcements exactly into the ambiguous / skipped local hour.
        for d in np.unique(v).tolist():
            kind = dst_change_kind(d)
            rows = np.flatnonzero((v == d) & (i < 4))
            if kind is None or not len(rows):
                continue
            minute = r.integers("viol.dst_sec", v[rows], i[rows], 0, 3600)
            if kind == "fall":  # 08:xx UTC = 01:xx PDT, 09:xx UTC = 01:xx PST (same wall clock)
                enforced[rows] = d * DAY + np.where(i[rows] < 2, 8, 9) * 3600 + minute
            else:  # 10:xx UTC written with the standard offset: 02:xx, a skipped time
                enforced[rows] = d * DAY + 10 * 3600 + minute
                pst_quirk[rows] = True
            detected[rows] = enforced[rows] - 1800 - r.integers("viol.dst_detect", v[rows], i[rows], 0, 3600)
        w.ensure(int(enforced.max(initial=0)))
        self.v, self.i, self.detected, self.enforced = v, i, detected, enforced
        self.creator = w.pick_creator(detected, r.uniform("viol.creator", v, i), by="risk")
        if extra_creators is not None and len(extra_creators):
            self.creator[-len(extra_creators) :] = extra_creators
        # repeat offenders mostly break the same policy again
        own = r.uniform("viol.own_policy", v, i) < 0.6
        self.policy = np.where(own, w.c_policy[self.creator], r.integers("viol.policy", v, i, 0, len(POLICIES)))
        self.policy = np.where(spiked, ctx.plants.spike_policy, self.policy)
        sev = r.choice("viol.severity", v, i, _SEVERITY_CDF) + 1
        self.severity = np.minimum(4, sev + _HARSH[self.policy])
        self.action = _ACTION[self.severity - 1, (r.uniform("viol.action", v, i) < 0.4).astype(int)]
        self.chr_delta = np.where(self.action == 0, 0, -self.severity * r.integers("viol.chr", v, i, 5, 26))
        self.has_content = (r.uniform("viol.content", v, i) < 0.8) & (self.policy != _OFF_PLATFORM)
        video = r.integers("viol.video", v, i, 0, 1 << 20) % w.c_video_count[self.creator]
        self.content = r.bits("video.id", self.creator, video)
        local = enforced + np.where(pst_quirk, -8 * 3600, la_offset(enforced))
        self.local = wallclock(local)
        self.id = r.bits("viol.id", v, i)


def build_violations(ctx, day: int) -> Batch:
    vs = Violations(ctx, day - MAX_ENFORCE_DAYS, day)
    rows_today = np.flatnonzero(vs.enforced // DAY == day)
    rows_today = rows_today[np.argsort(vs.enforced[rows_today], kind="stable")]
    w = ctx.world

    def render(rows, ms, ext):
        k = rows_today[rows]
        return join(
            '{"violation_id":"',
            dec(vs.id[k]),
            '","creator_open_id":"',
            take(w.c_id, vs.creator[k]),
            '","content_id":',
            when(vs.has_content[k], join('"', dec(vs.content[k]), '"'), "null"),
            ',"policy_category":"',
            pick(POLICIES, vs.policy[k]),
            '","severity":',
            dec(vs.severity[k]),
            ',"chr_delta":',
            dec(vs.chr_delta[k]),
            ',"enforcement_action":"',
            pick(ACTIONS, vs.action[k]),
            '","detected_at":',
            ts(vs.detected[k], ms),
            ',"enforced_local":"',
            take(vs.local, k),
            '"',
            extra(ext, EXTRA_FIELDS["violations"]),
            "}\n",
        )

    return Batch("violations", len(rows_today), render)


def build_appeals(ctx, day: int) -> Batch:
    r = ctx.rng
    vs = Violations(ctx, day - APPEAL_HORIZON, day)
    v, i = vs.v, vs.i
    has = r.uniform("appeal.has", v, i) < 0.35
    a = np.flatnonzero(has)
    v, i, enforced = v[a], i[a], vs.enforced[a]
    # first appeal, and a second one for some rejected first appeals
    sub1 = enforced + r.integers("appeal.sub1", v, i, 3600, 5 * DAY)
    u1 = r.uniform("appeal.out1", v, i)
    out1 = np.select([u1 < 0.30, u1 < 0.85], [APPROVED, REJECTED], PENDING)
    res1 = sub1 + r.integers("appeal.res1", v, i, 2 * 3600, 10 * DAY)
    again = (out1 == REJECTED) & (r.uniform("appeal.again", v, i) < 0.2)
    sub2 = res1 + r.integers("appeal.sub2", v, i, DAY, 3 * DAY)
    out2 = np.where(r.uniform("appeal.out2", v, i) < 0.4, APPROVED, REJECTED)
    res2 = sub2 + r.integers("appeal.res2", v, i, 2 * 3600, 7 * DAY)

    # one row per appeal: (violation row, nth, submitted, outcome, resolved)
    nth = np.concatenate([np.zeros(len(a), int), np.ones(int(again.sum()), int)])
    sel = np.concatenate([np.arange(len(a)), np.flatnonzero(again)])
    sub = np.where(nth == 0, sub1[sel], sub2[sel])
    out = np.where(nth == 0, out1[sel], out2[sel])
    res = np.where(nth == 0, res1[sel], res2[sel])
    av, akey = v[sel], i[sel] * 2 + nth
    # records: PENDING at submission, then the outcome when resolved
    resolved = out != PENDING
    deliv_pending = sub // DAY
    ooo = resolved & (r.uniform("appeal.ooo", av, akey) < ctx.rates.out_of_order)
    deliv_pending = np.where(ooo, res // DAY + r.integers("appeal.ooo_days", av, akey, 1, 4), deliv_pending)
    p_rows = np.flatnonzero(deliv_pending == day)
    f_rows = np.flatnonzero(resolved & (res // DAY == day))
    rows = np.concatenate([p_rows, f_rows])
    final = np.concatenate([np.zeros(len(p_rows), bool), np.ones(len(f_rows), bool)])
    update = np.where(final, res[rows], sub[rows])
    order = np.argsort(update, kind="stable")
    rows, final, update = rows[order], final[order], update[order]
    is_ooo = ooo[rows] & ~final
    orphan = (r.uniform("appeal.orphan", av[rows], akey[rows]) < ctx.rates.orphan) & ~ooo[rows]
    viol_id = np.where(orphan, r.bits("appeal.orphan_violation", av[rows], akey[rows]), vs.id[a][sel][rows])
    status = np.where(final, out[rows], PENDING)
    appeal_id = r.bits("appeal.id", av[rows], akey[rows])
    null_style = r.uniform("appeal.null_style", av[rows], akey[rows]) < 0.5
    submitted = sub[rows]

    def render(rows_, ms, ext):
        f = final[rows_]
        resolved_at = when(
            f, join(',"resolved_at":', ts(update[rows_], ms)), when(null_style[rows_], ',"resolved_at":null', "")
        )
        return join(
            '{"appeal_id":"',
            dec(appeal_id[rows_]),
            '","violation_id":"',
            dec(viol_id[rows_]),
            '","submitted_at":',
            ts(submitted[rows_], ms),
            ',"status":"',
            pick(APPEAL_STATUSES, status[rows_]),
            '"',
            resolved_at,
            ',"update_time":',
            ts(update[rows_], ms),
            extra(ext, EXTRA_FIELDS["appeals"]),
            "}\n",
        )

    return Batch("appeals", len(rows), render, tags={"out_of_order": is_ooo, "orphan": orphan})
