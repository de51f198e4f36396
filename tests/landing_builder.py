"""Write hand-made deliveries in the landing-zone layout (for tests that need exact inputs)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path


def record_line(record) -> str:
    return record if isinstance(record, str) else json.dumps(record)


def write_delivery(
    landing: Path,
    feed: str,
    dt: str,
    files: dict[str, list],
    *,
    manifest_overrides: dict | None = None,
    unlisted: dict[str, list] | None = None,
) -> Path:
    """files: name -> records (dicts or raw strings). `.gz` names are gzipped. Manifest written last."""
    folder = landing / feed / f"dt={dt}"
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, records in {**files, **(unlisted or {})}.items():
        text = "".join(record_line(r) + "\n" for r in records).encode()
        data = gzip.compress(text, mtime=0) if name.endswith(".gz") else text
        (folder / name).write_bytes(data)
        if name in files:
            rows = sum(1 for r in records if record_line(r).strip())
            entries.append({"name": name, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()})
    for entry in entries:
        entry.update((manifest_overrides or {}).get(entry["name"], {}))
    (folder / "_manifest.json").write_text(json.dumps({"feed": feed, "dt": dt, "files": entries}))
    return folder


def order(**overrides) -> dict:
    base = {
        "order_id": "o1",
        "sku_id": "s1",
        "creator_open_id": "c1",
        "product_id": "p1",
        "shop_id": "sh1",
        "content_type": "VIDEO",
        "content_id": "v1",
        "trace_event_id": None,
        "quantity": 2,
        "unit_price": "10.00",
        "currency": "USD",
        "commission_rate": 1000,
        "status": "ORDERED",
        "refunded_quantity": 0,
        "created_at": 1761998400,
        "update_time": 1761998400,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def link(**overrides) -> dict:
    base = {
        "link_id": "l1",
        "creator_open_id": "c1",
        "product_id": "p1",
        "channel": "INSTAGRAM",
        "created_at": 1761998400,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}
