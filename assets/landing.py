"""Reading one feed's delivery for one day from the landing zone, and checking it against its manifest.

A data file that fails its manifest check (not listed, sha256 or row-count mismatch, unreadable
gzip) is rejected whole: it comes back as a `FileRejection` with the check that failed.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MANIFEST = "_manifest.json"


class DeliveryError(Exception):
    """The delivery itself is unusable (no manifest, unreadable manifest)."""


@dataclass(frozen=True)
class FileRejection:
    file: str
    reason: str  # file_not_in_manifest | sha256_mismatch | row_count_mismatch | unreadable_file | missing_file
    detail: str


@dataclass
class DataFile:
    name: str
    sha256: str
    lines: pa.StringArray  # every line, blank ones included (line number = index + 1)
    rows: int  # non-blank lines, what the manifest counts


@dataclass
class Delivery:
    feed: str
    dt: str
    folder: Path
    files: list[DataFile] = field(default_factory=list)
    rejected: list[FileRejection] = field(default_factory=list)
    rejected_lines: dict[str, pa.StringArray] = field(default_factory=dict)


def delivery_folder(landing: Path, feed: str, dt: str) -> Path:
    return landing / feed / f"dt={dt}"


def manifest_exists(landing: Path, feed: str, dt: str) -> bool:
    return (delivery_folder(landing, feed, dt) / MANIFEST).is_file()


def first_listings(landing: Path, feed: str, dt: str) -> dict[str, tuple[str, str]]:
    """sha256 -> (dt, name) of the earliest listing of those bytes in the feed's manifests before `dt`.

    Where a file was first delivered, as the landing zone tells it whatever has run yet: a
    re-delivered copy loaded before its original (days run out of order) still ranks as the
    original would. Unreadable manifests are skipped (their own day reports them).
    """
    first: dict[str, tuple[str, str]] = {}
    base = landing / feed
    if not base.is_dir():
        return first
    for folder in sorted(base.glob("dt=*")):
        day = folder.name[3:]
        if day >= dt:
            break
        try:
            entries = json.loads((folder / MANIFEST).read_text())["files"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for entry in sorted(entries, key=lambda e: str(e.get("name"))):
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                first.setdefault(entry["sha256"], (day, str(entry.get("name"))))
    return first


def _split_lines(data: bytes) -> pa.StringArray:
    """The file's lines as an Arrow array built straight on its bytes (no per-line Python objects)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:  # rare: keep the line, with replacement characters, for quarantine
        data = data.decode("utf-8", errors="replace").encode("utf-8")
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], ends + 1))
    if starts[-1] == len(buf):
        starts = starts[:-1]  # the newline that ends the last line starts no line
    bounds = np.concatenate((starts, [len(buf)])).astype(np.int32 if len(buf) < 2**31 else np.int64)
    lines = pa.Array.from_buffers(pa.string() if bounds.dtype == np.int32 else pa.large_string(), len(starts),
                                  [None, pa.py_buffer(bounds), pa.py_buffer(data)])
    # A line's bytes include the newline that ends it; strip it so every line is exactly its text.
    return pc.utf8_rtrim(lines, characters="\n").cast(pa.string())


def count_rows(lines: pa.StringArray) -> int:
    """Non-blank lines, as the manifest counts them."""
    return len(lines) - pc.sum(pc.equal(pc.utf8_trim_whitespace(lines), "")).as_py() if len(lines) else 0


def _decode(name: str, raw: bytes) -> bytes:
    return gzip.decompress(raw) if name.endswith(".gz") else raw


def read_delivery(landing: Path, feed: str, dt: str) -> Delivery:
    folder = delivery_folder(landing, feed, dt)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise DeliveryError(f"{feed} dt={dt}: no manifest at {manifest_path} (the delivery is not complete)")
    try:
        manifest = json.loads(manifest_path.read_text())
        listed = {f["name"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise DeliveryError(f"{manifest_path}: unreadable manifest ({exc})") from exc

    delivery = Delivery(feed=feed, dt=dt, folder=folder)
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST and not p.name.startswith("."))
    for name in present:
        path = folder / name
        raw = path.read_bytes()
        if name not in listed:
            _reject(delivery, name, raw, "file_not_in_manifest", f"{path} is not listed in {MANIFEST}")
            continue
        entry = listed[name]
        sha = hashlib.sha256(raw).hexdigest()
        if sha != entry.get("sha256"):
            _reject(delivery, name, raw, "sha256_mismatch",
                    f"{path}: sha256 {sha[:12]}… does not match the manifest's {str(entry.get('sha256'))[:12]}… (truncated or corrupted)")
            continue
        try:
            lines = _split_lines(_decode(name, raw))
        except (OSError, EOFError, zlib.error) as exc:
            delivery.rejected.append(FileRejection(name, "unreadable_file", f"{path}: cannot be read ({exc})"))
            continue
        rows = count_rows(lines)
        if rows != entry.get("rows"):
            _reject(delivery, name, raw, "row_count_mismatch",
                    f"{path}: {rows} rows but the manifest says {entry.get('rows')}")
            continue
        delivery.files.append(DataFile(name=name, sha256=sha, lines=lines, rows=rows))
    for name in sorted(set(listed) - set(present)):
        delivery.rejected.append(FileRejection(name, "missing_file", f"{folder / name} is listed in {MANIFEST} but absent"))
    return delivery


def _reject(delivery: Delivery, name: str, raw: bytes, reason: str, detail: str) -> None:
    """Reject a file whole; keep its readable lines so quarantine holds the raw records."""
    delivery.rejected.append(FileRejection(name, reason, detail))
    try:
        delivery.rejected_lines[name] = _split_lines(_decode(name, raw))
    except (OSError, EOFError, zlib.error):
        delivery.rejected_lines[name] = pa.array([], pa.string())
