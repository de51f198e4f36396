"""From a day's records to data files: split into parts, inject record- and file-level faults,
gzip some files, write them, then the manifest last."""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .faults import BAD_KINDS, CONTENT_KINDS, break_record, content_classes
from .feeds import BUILDERS
from .seasons import to_date

DELIVERY_KINDS = ("duplicate_in_file", "duplicate_across_files", "blank_line",
                  "late", "late_old", "out_of_order", "orphan")
FAULT_KINDS = CONTENT_KINDS + DELIVERY_KINDS
_MS = 1 + CONTENT_KINDS.index("millisecond_ts")
_EXTRA = 1 + CONTENT_KINDS.index("extra_field")
_BLANK = pa.array(["\n"], pa.string())


@dataclass
class DataFile:
    name: str
    content: bytes                 # the bytes upstream meant to send (what the manifest describes)
    rows: int
    gzip: bool
    faults: dict[str, int]
    stored: bytes | None = None    # what actually lands on disk, when damaged
    damage: str | None = None      # truncated / corrupted
    listed: bool = True
    redelivery_of: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def ok(self) -> bool:
        return self.listed and self.damage is None


def _bytes(arr: pa.Array) -> bytes:
    if not len(arr):
        return b""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    return arr.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def build_files(ctx, feed: str, day: int) -> tuple[list[DataFile], int]:
    """The data files upstream exports for `feed` on `day` (re-deliveries not included)."""
    r, rates = ctx.rng, ctx.rates
    batch = BUILDERS[feed](ctx, day)
    n = batch.n
    pos = np.arange(n, dtype=np.int64)
    tagged = np.zeros(n, bool)
    for mask in batch.tags.values():
        tagged |= mask
    cls = content_classes(rates, feed, r.uniform(f"fault.{feed}", day, pos), ~tagged)
    ud = r.uniform(f"dup.{feed}", day, pos)
    a, b = rates.duplicate_in_file, rates.duplicate_across_files
    clean = (cls == 0) & ~tagged
    dup_in = clean & (ud < a)
    dup_x = clean & (ud >= a) & (ud < a + b)
    blank = (ud >= a + b) & (ud < a + b + rates.blank_line)
    spot = r.uniform(f"dup_spot.{feed}", day, pos)

    n_parts = 0 if n == 0 else 1 if n == 1 else max(2, math.ceil(n / ctx.scale.rows_per_file))
    bounds = [p * n // n_parts for p in range(n_parts + 1)]
    dup_x[bounds[-2] if n_parts else 0:] = False                    # copies go to the next file; the last has none
    stamp = to_date(day).strftime("%Y%m%d")
    files = []
    for p in range(n_parts):
        rows = pos[bounds[p]:bounds[p + 1]]
        m = len(rows)
        c = cls[rows]
        lines = batch.render(rows, c == _MS, c == _EXTRA)
        bad = np.flatnonzero((c >= 1) & (c <= len(BAD_KINDS)))
        hashes = r.bits(f"break.{feed}", day, rows[bad])
        broken = [break_record(BAD_KINDS[c[i] - 1], feed, text[:-1], int(h)) + "\n"
                  for i, text, h in zip(bad, lines.take(pa.array(bad)).to_pylist(), hashes)]
        prev = pos[bounds[p - 1]:bounds[p]] if p else pos[:0]
        incoming_rows = prev[dup_x[prev]]
        incoming = batch.render(incoming_rows, np.zeros(len(incoming_rows), bool), np.zeros(len(incoming_rows), bool))
        pool = pa.concat_arrays([lines, pa.array(broken, pa.string()), incoming, _BLANK])
        src = np.arange(m, dtype=np.int64)
        src[bad] = m + np.arange(len(bad))
        # where each line goes: originals in order; a duplicate somewhere after its original;
        # copies from the previous file anywhere; a blank line right after its row
        local_dup = np.flatnonzero(dup_in[rows])
        local_blank = np.flatnonzero(blank[rows])
        keys = np.concatenate([
            np.arange(m, dtype=np.float64),
            local_dup + 0.5 + np.floor(spot[rows][local_dup] * (m - local_dup)),
            np.floor(spot[incoming_rows] * m) + 0.5,
            local_blank + 0.25])
        sources = np.concatenate([src, src[local_dup], m + len(bad) + np.arange(len(incoming_rows)),
                                  np.full(len(local_blank), len(pool) - 1)])
        text = _bytes(pool.take(pa.array(sources[np.argsort(keys, kind="stable")])))

        faults = {k: 0 for k in FAULT_KINDS}
        for kind_idx, count in zip(*np.unique(c[c > 0], return_counts=True)):
            faults[CONTENT_KINDS[kind_idx - 1]] = int(count)
        faults["duplicate_in_file"] = len(local_dup)
        faults["duplicate_across_files"] = len(incoming_rows)
        faults["blank_line"] = len(local_blank)
        for tag, mask in batch.tags.items():
            faults[tag] = int(mask[rows].sum())

        fu = float(r.uniform(f"file_fault.{feed}", day, np.array([p]))[0])
        damage = None
        if fu < rates.truncated_file:
            damage = "truncated"
        elif fu < rates.truncated_file + rates.corrupted_gzip:
            damage = "corrupted"
        listed = not (damage is None and fu < rates.truncated_file + rates.corrupted_gzip + rates.unlisted_file)
        gz = damage == "corrupted" or float(r.uniform(f"gzip.{feed}", day, np.array([p]))[0]) < 0.5
        content = gzip.compress(text, compresslevel=1, mtime=0) if gz else text
        f = DataFile(f"{feed}-{stamp}-{p:03d}.jsonl" + (".gz" if gz else ""), content,
                     m + len(local_dup) + len(incoming_rows), gz, faults, damage=damage, listed=listed)
        if damage:
            f.stored = _damage(content, damage)
        files.append(f)
    return files, n


def _damage(content: bytes, how: str) -> bytes:
    if how == "truncated":
        return content[: min(len(content) - 1, int(len(content) * 0.6))]
    out = bytearray(content)                       # flip bytes inside the deflate stream
    lo, hi = 10, max(11, len(out) - 8)
    mid = (lo + hi) // 2
    for k in range(max(lo, mid - 8), min(hi, mid + 8)):
        out[k] ^= 0x5A
    return bytes(out)


def redelivery(ctx, feed: str, day: int, todays: list[DataFile]) -> list[DataFile]:
    """With probability `redelivered_file` per feed-day, send an intact file again: one of today's
    under another name, or one from 1..3 days back under its old or another name."""
    r = ctx.rng
    if ctx.rng.scalar(f"redeliver.{feed}", day) >= ctx.rates.redelivered_file:
        return []
    back = int(r.scalar(f"redeliver.back.{feed}", day) * 4)
    source = todays if back == 0 else build_files(ctx, feed, day - back)[0]
    candidates = [f for f in source if f.ok]
    if not candidates:
        return []
    f = candidates[int(r.scalar(f"redeliver.pick.{feed}", day) * len(candidates))]
    renamed = back == 0 or r.scalar(f"redeliver.rename.{feed}", day) < 0.5
    stem, ext = f.name.split(".", 1)
    name = f"{stem}-resent-{to_date(day):%Y%m%d}.{ext}" if renamed else f.name
    return [DataFile(name, f.content, f.rows, f.gzip, f.faults,
                     redelivery_of=f"{feed}/dt={to_date(day - back).isoformat()}/{f.name}")]


def write_feed_day(landing: Path, feed: str, day: int, files: list[DataFile]) -> None:
    """Replace the feed-day folder: data files first, `_manifest.json` last (atomically)."""
    folder = landing / feed / f"dt={to_date(day).isoformat()}"
    if folder.exists():
        (folder / "_manifest.json").unlink(missing_ok=True)   # incomplete until rewritten
        for entry in folder.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        (folder / f.name).write_bytes(f.stored if f.stored is not None else f.content)
    manifest = {"feed": feed, "dt": to_date(day).isoformat(),
                "files": [{"name": f.name, "rows": f.rows, "sha256": f.sha256} for f in files if f.listed]}
    tmp = folder / "_manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, folder / "_manifest.json")


def ground_truth(files: list[DataFile], records: int) -> dict:
    """Sidecar entry for one feed-day: what was written and which faults it carries."""
    def total(fs):
        out = {k: 0 for k in FAULT_KINDS}
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
        "files": [{"name": f.name, "rows": f.rows, "sha256": f.sha256, "gzip": f.gzip, "listed": f.listed,
                   "damage": f.damage, "redelivery_of": f.redelivery_of,
                   "faults": {k: v for k, v in f.faults.items() if v}} for f in files],
    }
