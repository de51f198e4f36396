"""Fuzzing ingestion: mutated records and files never crash it, and its counts always reconcile
(lines read = valid + quarantined + duplicates skipped)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.ingest.feed_day import ingest_feed_day
from assets.ingest.lake import Lake

DT = "2026-11-01"
ORDER = {
    "order_id": "o1", "sku_id": "s1", "creator_open_id": "c1", "product_id": "p1", "shop_id": "sh1",
    "content_type": "LINKSHARE", "content_id": "l1", "trace_event_id": "e1", "quantity": 2, "unit_price": "10.00",
    "currency": "USD", "commission_rate": 1000, "status": "ORDERED", "refunded_quantity": 0,
    "created_at": 1761998400, "update_time": 1761998400,
}  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@st.composite
def record_line(draw) -> bytes:
    """A valid order line, mutated: fields dropped, retyped or added, or its bytes damaged."""
    rec = dict(ORDER, order_id=draw(st.text(min_size=1, max_size=6)))
    for name in draw(st.lists(st.sampled_from(sorted(ORDER)), max_size=3)):
        rec.pop(name, None) if draw(st.booleans()) else rec.__setitem__(name, draw(json_values))
    if draw(st.booleans()):
        rec[draw(st.text(max_size=8))] = draw(json_values)
    line = json.dumps(rec, allow_nan=True).encode()
    kind = draw(st.sampled_from(["as is", "as is", "truncate", "flip", "insert"]))
    if kind == "truncate":
        line = line[: draw(st.integers(0, len(line)))]
    elif kind == "flip":
        i = draw(st.integers(0, len(line) - 1))
        line = line[:i] + bytes([draw(st.integers(0, 255))]) + line[i + 1 :]
    elif kind == "insert":
        i = draw(st.integers(0, len(line)))
        line = line[:i] + draw(st.binary(min_size=1, max_size=8)) + line[i:]
    return line


@st.composite
def delivery(draw) -> dict[str, bytes]:
    """File name -> bytes: one to three files of mutated lines, some gzipped, some repeated."""
    files = {}
    for n in range(draw(st.integers(1, 3))):
        lines = draw(st.lists(record_line(), min_size=0, max_size=12))
        if lines and draw(st.booleans()):
            lines.append(draw(st.sampled_from(lines)))  # an exact duplicate
        text = b"\n".join(lines) + (b"\n" if draw(st.booleans()) else b"")
        gz = draw(st.booleans())
        files[f"f{n}.jsonl" + (".gz" if gz else "")] = gzip.compress(text, mtime=0) if gz else text
    return files


def fuzz_ingestion(work: Path, examples: int) -> tuple[int, list[str]]:
    failures: list[str] = []
    tried = [0]

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(files=delivery(), lie_about_rows=st.booleans())
    def one(files, lie_about_rows):
        tried[0] += 1
        shutil.rmtree(work, ignore_errors=True)
        folder = work / "landing" / "affiliate_orders" / f"dt={DT}"
        folder.mkdir(parents=True)
        entries = []
        for name, data in files.items():
            (folder / name).write_bytes(data)
            try:
                text = gzip.decompress(data) if name.endswith(".gz") else data
            except OSError:
                text = b""
            rows = sum(1 for line in text.split(b"\n") if line.strip()) + (1 if lie_about_rows else 0)
            entries.append({"name": name, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()})
        (folder / "_manifest.json").write_text(json.dumps({"feed": "affiliate_orders", "dt": DT, "files": entries}))
        try:
            result = ingest_feed_day(Lake(work / "lake"), work / "landing", "affiliate_orders", DT)
        except Exception as exc:  # noqa: BLE001  (a crash is the finding)
            failures.append(f"{type(exc).__name__}: {exc}")
            return
        if not result.reconciles:
            failures.append(f"unreconciled: {result}")

    one()
    return tried[0], failures
