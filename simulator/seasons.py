"""Calendar effects and time zones: weekends, sale days, and the America/Los_Angeles wall clock."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
EPOCH = dt.date(1970, 1, 1)

# Mon..Sun: shoppers buy and click more at the weekend.
_WEEKDAY = (1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 1.35)


def epoch_day(d: dt.date) -> int:
    return (d - EPOCH).days


def to_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@cache
def sale_days(year: int) -> dict[dt.date, tuple[float, float]]:
    """date -> (traffic multiplier, average discount)."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    black_friday = thanksgiving + dt.timedelta(days=1)
    cyber_monday = thanksgiving + dt.timedelta(days=4)
    return {
        dt.date(year, 11, 11): (3.0, 0.15),  # 11.11
        thanksgiving: (1.6, 0.05),
        black_friday: (4.5, 0.25),
        black_friday + dt.timedelta(days=1): (2.2, 0.15),
        black_friday + dt.timedelta(days=2): (2.0, 0.15),
        cyber_monday: (3.5, 0.20),
    }


def day_factor(day: int) -> float:
    d = to_date(day)
    sale = sale_days(d.year).get(d)
    return sale[0] if sale else _WEEKDAY[d.weekday()]


def discount(day: int) -> float:
    d = to_date(day)
    sale = sale_days(d.year).get(d)
    return sale[1] if sale else 0.0


# ------------------------------------------------------------------ America/Los_Angeles


@cache
def dst_bounds(year: int) -> tuple[int, int]:
    """UTC epoch seconds when PDT starts and ends in `year` (US rules since 1987 / 2007)."""
    if year >= 2007:
        start, end = _nth_weekday(year, 3, 6, 2), _nth_weekday(year, 11, 6, 1)
    else:
        start = _nth_weekday(year, 4, 6, 1)
        end = _nth_weekday(year, 10, 6, 5) if _nth_weekday(year, 10, 6, 5).month == 10 else _nth_weekday(year, 10, 6, 4)
    # 02:00 PST = 10:00 UTC; 02:00 PDT = 09:00 UTC
    return epoch_day(start) * DAY + 10 * 3600, epoch_day(end) * DAY + 9 * 3600


def la_offset(t: np.ndarray) -> np.ndarray:
    """UTC offset in seconds (-7h in PDT, -8h in PST) for UTC epoch seconds `t`."""
    years = t.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    out = np.full(len(t), -8 * 3600, dtype=np.int64)
    for y in np.unique(years):
        start, end = dst_bounds(int(y))
        m = (years == y) & (t >= start) & (t < end)
        out[m] = -7 * 3600
    return out


def wallclock(local_seconds: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' for seconds already shifted to local time."""
    ts = pa.array(np.asarray(local_seconds, dtype=np.int64)).cast(pa.timestamp("s"))
    return pc.strftime(ts, format="%Y-%m-%d %H:%M:%S")


def dst_change_kind(day: int) -> str | None:
    """'spring' / 'fall' when the UTC day holds an LA DST transition."""
    d = to_date(day)
    start, end = dst_bounds(d.year)
    if start // DAY == day:
        return "spring"
    if end // DAY == day:
        return "fall"
    return None
