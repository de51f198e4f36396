"""From a day's records to data files: split into parts, inject record- and file-level faults,
gzip some files, write them, then the manifest last.

Parts are rendered one at a time; compressing, hashing and writing a part runs on a worker
thread (zlib and hashlib release the GIL) while the next part renders, and memory holds at most
a couple of parts, whatever the scale.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from .faults import BAD_KINDS, CONTENT_KINDS, break_record, content_classes
from .feeds import BUILDERS
from .seasons import to_date

DELIVERY_KINDS = (
    "duplicate_in_file",
    "duplicate_across_files",
    "blank_line",
    "late",
    "late_old",
    "out_of_order",
    "orphan",
    "reassigned",
)
FAULT_KINDS = CONTENT_KINDS + DELIVERY_KINDS
_MS = 1 + CONTENT_KINDS.index("millisecond_ts")
_EXTRA = 1 + CONTENT_KINDS.index("extra_field")
_BLANK = pa.array(["\n"], pa.string())
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="simulator-io")


@dataclass
class DataFile:
    name: str
    rows: int  # non-blank lines of the intended content
    sha256: str  # of the intended bytes, as the manifest lists it
    gzip: bool
    faults: dict[str, int]
    damage: str | None = None  # truncated / corrupted: the stored bytes differ
    listed: bool = True
    redelivery_of: str | None = None
    content: bytes | None = None  # intended bytes, kept only when asked for

    @property
    def ok(self) -> bool:
        return self.listed and self.damage is None


def _bytes(arr: pa.Array) -> memoryview:
    """The concatenated lines of a string array, without copying them."""
    if not len(arr):
        return memoryview(b"")
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    return memoryview(arr.buffers()[2])[offsets[0] : offsets[-1]]


def file_fate(ctx, feed: str, day: int, part: int) -> tuple[str | None, bool, bool]:
    """(damage, listed, gzip) of a part: decided by its coordinates alone, not its content."""
    rates = ctx.rates
    fu = ctx.rng.scalar(f"file_fault.{feed}", day, part)
    damage = None
    if fu < rates.truncated_file:
        damage = "truncated"
    elif fu < rates.truncated_file + rates.corrupted_gzip:
        damage = "corrupted"
    listed = damage is not None or fu >= rates.truncated_file + rates.corrupted_gzip + rates.unlisted_file
    gz = damage == "corrupted" or ctx.rng.scalar(f"gzip.{feed}", day, part) < 0.5
    return damage, listed, gz


def _n_parts(ctx, n: int) -> int:
    return 0 if n == 0 else 1 if n == 1 else max(2, math.ceil(n / ctx.scale.rows_per_file))


def iter_files(ctx, feed: str, day: int, folder: Path | None = None, only=None, keep=None):
    """Yield (n_parts, records, Future[DataFile]) for the data files of `feed` on `day`, writing
    each into `folder` when given. `only(n_parts)` limits which parts are built; `keep(n_parts, part)`
    says whose intended bytes to keep in memory."""
    r, rates = ctx.rng, ctx.rates
    batch = BUILDERS[feed](ctx, day)
    n = batch.n
    pos = np.arange(n, dtype=np.int64)
    tagged = np.zeros(n, bool)
    for mask in batch.tags.values():
        tagged |= mask
    cls = content_classes(rates, feed, r.uniform(f"fault.{feed}", day, pos), ~tagged)
    ud, spot = r.uniform2(f"dup.{feed}", day, pos)
    a, b = rates.duplicate_in_file, rates.duplicate_across_files
    clean = (cls == 0) & ~tagged
    dup_in = clean & (ud < a)
    dup_x = clean & (ud >= a) & (ud < a + b)
    blank = (ud >= a + b) & (ud < a + b + rates.blank_line)

    n_parts = _n_parts(ctx, n)
    bounds = [p * n // n_parts for p in range(n_parts + 1)] if n_parts else [0]  # a day may hold no record
    if n_parts:
        dup_x[bounds[-2] :] = False  # copies go to the next file; the last has none
    stamp = to_date(day).strftime("%Y%m%d")
    wanted = set(range(n_parts)) if only is None else set(only(n_parts))
    inflight = []
    for p in sorted(wanted):
        rows = pos[bounds[p] : bounds[p + 1]]
        m = len(rows)
        c = cls[rows]
        lines = batch.render(rows, c == _MS, c == _EXTRA)
        bad = np.flatnonzero((c >= 1) & (c <= len(BAD_KINDS)))
        hashes = r.bits(f"break.{feed}", day, rows[bad])
        broken = [
            break_record(BAD_KINDS[c[i] - 1], feed, text[:-1], int(h)) + "\n"
            for i, text, h in zip(bad, lines.take(pa.array(bad, pa.int64())).to_pylist(), hashes, strict=False)
        ]
        prev = pos[bounds[p - 1] : bounds[p]] if p else pos[:0]
        incoming_rows = prev[dup_x[prev]]
        no = np.zeros(len(incoming_rows), bool)
        incoming = batch.render(incoming_rows, no, no)
        pool = pa.concat_arrays([lines, pa.array(broken, pa.string()), incoming, _BLANK])
        src = np.arange(m, dtype=np.int64)
        src[bad] = m + np.arange(len(bad))
        # placement: originals in order; a duplicate somewhere after its original; copies from
        # the previous file anywhere; a blank line right after its row
        local_dup = np.flatnonzero(dup_in[rows])
        local_blank = np.flatnonzero(blank[rows])
        keys = np.concatenate(
            [
                np.arange(m, dtype=np.float64),
                local_dup + 0.5 + np.floor(spot[rows][local_dup] * (m - local_dup)),
                np.floor(spot[incoming_rows] * m) + 0.5,
                local_blank + 0.25,
            ]
        )
        sources = np.concatenate(
            [
                src,
                src[local_dup],
                m + len(bad) + np.arange(len(incoming_rows)),
                np.full(len(local_blank), len(pool) - 1),
            ]
        )
        text = _bytes(pool.take(pa.array(sources[np.argsort(keys, kind="stable")])))

        faults = dict.fromkeys(FAULT_KINDS, 0)
        for kind_idx, count in zip(*np.unique(c[c > 0], return_counts=True), strict=False):
            faults[CONTENT_KINDS[kind_idx - 1]] = int(count)
        faults["duplicate_in_file"] = len(local_dup)
        faults["duplicate_across_files"] = len(incoming_rows)
        faults["blank_line"] = len(local_blank)
        for tag, mask in batch.tags.items():
            faults[tag] = int(mask[rows].sum())

        damage, listed, gz = file_fate(ctx, feed, day, p)
        meta = DataFile(
            f"{feed}-{stamp}-{p:03d}.jsonl" + (".gz" if gz else ""),
            m + len(local_dup) + len(incoming_rows),
            "",
            gz,
            faults,
            damage=damage,
            listed=listed,
        )
        keep_it = bool(keep and keep(n_parts, p))
        inflight.append(_POOL.submit(_finish, meta, text, folder, keep_it))
        while sum(not f.done() for f in inflight) > 2:  # bound the memory held by queued parts
            next(f for f in inflight if not f.done()).result()
        yield n_parts, n, inflight[-1]
    if not wanted:
        yield n_parts, n, None


def _finish(f: DataFile, text: memoryview, folder: Path | None, keep: bool) -> DataFile:
    content = gzip.compress(text, compresslevel=1, mtime=0) if f.gzip else text
    f.sha256 = hashlib.sha256(content).hexdigest()
    if folder is not None:
        (folder / f.name).write_bytes(_damage(content, f.damage) if f.damage else content)
    if keep:
        f.content = bytes(content)
    return f


def _damage(content, how: str) -> bytes:
    if how == "truncated":
        return bytes(content[: min(len(content) - 1, int(len(content) * 0.6))])
    out = bytearray(content)  # flip bytes inside the deflate stream
    lo, hi = 10, max(11, len(out) - 8)
    mid = (lo + hi) // 2
    for k in range(max(lo, mid - 8), min(hi, mid + 8)):
        out[k] ^= 0x5A
    return bytes(out)


def _resend_choice(ctx, feed: str, day: int, src_day: int, n_parts: int) -> int | None:
    ok = [p for p in range(n_parts) if file_fate(ctx, feed, src_day, p)[:2] == (None, True)]
    return ok[int(ctx.rng.scalar(f"redeliver.pick.{feed}", day) * len(ok))] if ok else None


class FeedDay:
    """Writes one feed-day folder: data files first, `_manifest.json` last (atomically).

    `start()` renders the parts and queues their compression and writing; `finish()` waits for
    them and writes the manifest, so the next feed can render while this one compresses.
    With probability `redelivered_file` per feed-day one intact file is sent again: one of
    today's under another name, or one from 1..3 days back under its old or another name."""

    def __init__(self, ctx, landing: Path, feed: str, day: int):
        self.ctx, self.feed, self.day = ctx, feed, day
        self.folder = landing / feed / f"dt={to_date(day).isoformat()}"
        r = ctx.rng
        self.resend = r.scalar(f"redeliver.{feed}", day) < ctx.rates.redelivered_file
        self.back = int(r.scalar(f"redeliver.back.{feed}", day) * 4)
        self.futures, self.records = [], 0

    def start(self) -> FeedDay:
        folder, ctx, feed, day = self.folder, self.ctx, self.feed, self.day
        if folder.exists():
            (folder / "_manifest.json").unlink(missing_ok=True)  # incomplete until rewritten
            for entry in folder.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        same_day = self.resend and self.back == 0
        for _, self.records, fut in iter_files(
            ctx, feed, day, folder, keep=lambda n, p: same_day and p == _resend_choice(ctx, feed, day, day, n)
        ):
            if fut is not None:
                self.futures.append(fut)
        return self

    def finish(self) -> tuple[list[DataFile], int]:
        ctx, feed, day, back = self.ctx, self.feed, self.day, self.back
        files = [f.result() for f in self.futures]
        if self.resend:
            source = None
            if back == 0:
                source = next((f for f in files if f.content is not None), None)
            else:

                def pick(n):
                    p = _resend_choice(ctx, feed, day, day - back, n)
                    return [] if p is None else [p]

                for _, _, fut in iter_files(ctx, feed, day - back, only=pick, keep=lambda n, p: True):
                    source = fut.result() if fut is not None else None
            if source is not None:
                renamed = back == 0 or ctx.rng.scalar(f"redeliver.rename.{feed}", day) < 0.5
                stem, ext = source.name.split(".", 1)
                name = f"{stem}-resent-{to_date(day):%Y%m%d}.{ext}" if renamed else source.name
                (self.folder / name).write_bytes(source.content)
                files.append(
                    DataFile(
                        name,
                        source.rows,
                        source.sha256,
                        source.gzip,
                        source.faults,
                        redelivery_of=f"{feed}/dt={to_date(day - back).isoformat()}/{source.name}",
                    )
                )
        for f in files:
            f.content = None
        manifest = {
            "feed": feed,
            "dt": to_date(day).isoformat(),
            "files": [{"name": f.name, "rows": f.rows, "sha256": f.sha256} for f in files if f.listed],
        }
        tmp = self.folder / "_manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2) + "\n")
        os.replace(tmp, self.folder / "_manifest.json")
        return files, self.records


def ground_truth(files: list[DataFile], records: int) -> dict:
    """Sidecar entry for one feed-day: what was written and which faults it carries."""

    def total(fs):
        out = dict.fromkeys(FAULT_KINDS, 0)
        for f in fs:
            for k, v in f.faults.items():
                out[k] += v
        return out

    originals = [f for f in files if f.redelivery_of is None]
    accepted = [f for f in originals if f.ok]
    return {
        "records": records,
        "lines": sum(f.rows for f in files),
        "faults": total(originals),
        "accepted": {"lines": sum(f.rows for f in accepted), "faults": total(accepted)},
        "files": [
            {
                "name": f.name,
                "rows": f.rows,
                "sha256": f.sha256,
                "gzip": f.gzip,
                "listed": f.listed,
                "damage": f.damage,
                "redelivery_of": f.redelivery_of,
                "faults": {k: v for k, v in f.faults.items() if v},
            }
            for f in files
        ],
    }
