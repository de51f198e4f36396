"""Fault rates (what goes wrong, how often) and the per-record fault injection.

Record-level rates are probabilities per record, except the lifecycle faults (per click, order or
appeal); file-level rates are per data file, except `redelivered_file` which is per feed-day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

import numpy as np

from .schema import FIELDS

# A bad record fails validation for exactly one of these reasons.
BAD_KINDS = (
    "invalid_json",
    "missing_field",
    "wrong_type",
    "invalid_enum",
    "quantity_lt_1",
    "unit_price_not_positive",
    "refunded_gt_quantity",
    "commission_out_of_range",
    "currency_not_usd",
)
# Content faults that leave the record valid (normalise / keep, do not quarantine).
VALID_KINDS = ("millisecond_ts", "extra_field")
CONTENT_KINDS = BAD_KINDS + VALID_KINDS

_ORDERS_ONLY = {"quantity_lt_1", "unit_price_not_positive", "refunded_gt_quantity", "currency_not_usd"}


def applies(kind: str, feed: str) -> bool:
    if kind in _ORDERS_ONLY:
        return feed == "affiliate_orders"
    if kind == "commission_out_of_range":
        return feed in ("affiliate_orders", "products")
    if kind == "invalid_enum":
        return any(f.enum for f in FIELDS[feed])
    if kind == "millisecond_ts":
        return any(f.type == "ts" for f in FIELDS[feed])
    return True


@dataclass(frozen=True)
class FaultRates:
    # 1. exact duplicates (per record): a copy in the same file / in another file of the feed-day
    duplicate_in_file: float = 0.001
    duplicate_across_files: float = 0.0005
    # 2. per feed-day: one earlier file (same day or up to 3 days back) delivered again, same bytes
    redelivered_file: float = 0.03
    # 3. late data: share of a day's clicks delivered 1..3 days late / 4..90 days late;
    #    share of orders each of whose lines has one state delivered 1..60 days late
    late_clicks: float = 0.02
    old_clicks: float = 0.001
    late_orders: float = 0.02
    late_assignments: float = 0.02
    # 4. share of orders (all their lines) and appeals whose first state arrives 1..3 days after the next;
    #    share of re-assigned creators whose first assignment arrives 1..3 days after the re-assignment
    out_of_order: float = 0.01
    # share of assigned creators re-assigned to another arm hours later (a conflicting record)
    reassigned: float = 0.01
    # 5. bad records (per record, exclusive)
    invalid_json: float = 0.0002
    missing_field: float = 0.0002
    wrong_type: float = 0.0002
    invalid_enum: float = 0.0002
    quantity_lt_1: float = 0.0002
    unit_price_not_positive: float = 0.0002
    refunded_gt_quantity: float = 0.0002
    commission_out_of_range: float = 0.0002
    currency_not_usd: float = 0.0002
    # 6. all ts fields of the record in milliseconds
    millisecond_ts: float = 0.002
    # 7. unknown extra fields (creator_user_id disappearing for new creators is always on)
    extra_field: float = 0.01
    # 8. orders for unknown creators/products, clicks on unknown links, appeals for unknown violations,
    #    assignments of unknown creators
    orphan: float = 0.005
    # not a fault: blank lines, which readers skip and manifests do not count
    blank_line: float = 0.0005
    # 9. per data file; each makes the feed-day fail its raw gate, so off by default
    truncated_file: float = 0.0
    corrupted_gzip: float = 0.0
    unlisted_file: float = 0.0

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"FaultRates.{f.name} must be in [0, 1], got {v}")
        if sum(getattr(self, k) for k in CONTENT_KINDS) > 1.0:
            raise ValueError("record-level content fault rates add up to more than 1")
        if self.duplicate_in_file + self.duplicate_across_files + self.blank_line > 1.0:
            raise ValueError("duplicate and blank-line rates add up to more than 1")
        if self.truncated_file + self.corrupted_gzip + self.unlisted_file > 1.0:
            raise ValueError("file fault rates add up to more than 1")

    @classmethod
    def none(cls) -> FaultRates:
        """Perfectly clean deliveries."""
        return cls(**{f.name: 0.0 for f in fields(cls)})


def content_classes(rates: FaultRates, feed: str, u: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Per record: 0 = clean, i+1 = CONTENT_KINDS[i]. One uniform per record keeps kinds exclusive."""
    edges = np.cumsum([getattr(rates, k) if applies(k, feed) else 0.0 for k in CONTENT_KINDS])
    cls = np.searchsorted(edges, u, side="right") + 1
    cls[cls > len(CONTENT_KINDS)] = 0
    cls[~eligible] = 0
    return cls.astype(np.int8)


# ---------------------------------------------------------------- breaking one record on purpose


def _pick(options, h: int):
    return options[h % len(options)]


def break_record(kind: str, feed: str, line: str, h: int) -> str:
    """Return `line` (a clean JSON line, no newline) broken so that it fails only for `kind`."""
    if kind == "invalid_json":
        variant = h % 4
        if variant == 0:
            return line[: max(1, len(line) // 2)]  # cut mid-record
        if variant == 1:
            return line[:-1]  # closing brace lost
        if variant == 2:
            return line[:-1] + ",}"  # trailing comma
        return line.replace('"', "'")  # Python repr instead of JSON
    rec = json.loads(line)
    specs = FIELDS[feed]
    h2 = h >> 8
    if kind == "missing_field":
        name = _pick([f.name for f in specs if f.required], h2)
        if h % 2:
            del rec[name]
        else:
            rec[name] = None
    elif kind == "wrong_type":
        cands = [f for f in specs if f.type in ("int", "ts", "dec", "bool", "str") and rec.get(f.name) is not None]
        f = _pick(cands, h2)
        v = rec[f.name]
        if f.type in ("int", "ts"):
            rec[f.name] = str(v) if h % 3 else True  # number as string, or a boolean
        elif f.type == "dec":
            rec[f.name] = float(v)  # JSON number instead of decimal string
        elif f.type == "bool":
            rec[f.name] = ("true" if v else "false") if h % 2 else int(v)  # string or 0/1
        else:
            rec[f.name] = int(v, 16) % 10**12 if h % 2 and _is_hex(v) else 12345
    elif kind == "invalid_enum":
        f = _pick([f for f in specs if f.enum], h2)
        v = rec[f.name]
        rec[f.name] = v.lower() if h % 2 else _pick(("UNKNOWN", "PAID", "Other", "N/A"), h2)
    elif kind == "quantity_lt_1":
        rec["quantity"] = 0
        rec["refunded_quantity"] = 0  # keep refunded_quantity within 0..quantity
    elif kind == "unit_price_not_positive":
        rec["unit_price"] = "0.00" if h % 2 else "-" + rec["unit_price"]
    elif kind == "refunded_gt_quantity":
        rec["refunded_quantity"] = rec["quantity"] + 1 + h % 2
    elif kind == "commission_out_of_range":
        rec["commission_rate"] = _pick((0, 99, 8001, 10000, -500), h2)
    elif kind == "currency_not_usd":
        rec["currency"] = _pick(("EUR", "GBP", "CAD", "MXN"), h2)
    else:
        raise ValueError(kind)
    return json.dumps(rec, separators=(",", ":"))


def _is_hex(v: str) -> bool:
    try:
        int(v, 16)
        return True
    except ValueError:
        return False
