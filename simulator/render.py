"""Vectorised JSON-lines rendering with pyarrow string kernels (no per-record json.dumps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Batch:
    """All records of one feed for one delivery day, before they are split into files.

    `render(rows, ms, extra)` returns the clean JSON lines (with trailing newline) of the given
    record positions, with all ts fields in milliseconds where `ms` and the feed's unknown extra
    fields where `extra`. `tags` marks records that carry a fault of their own (late, orphan, ...),
    which keeps them free of further injected faults."""

    feed: str
    n: int
    render: Callable[[np.ndarray, np.ndarray, np.ndarray], pa.Array]
    tags: dict[str, np.ndarray] = field(default_factory=dict)


def join(*pieces) -> pa.Array:
    """Element-wise concatenation of arrays and literal strings."""
    return pc.binary_join_element_wise(*pieces, "")


def dec(values: np.ndarray) -> pa.Array:
    """Integers as decimal strings."""
    return pc.cast(pa.array(np.asarray(values)), pa.string())


def ts(values: np.ndarray, ms: np.ndarray) -> pa.Array:
    v = np.asarray(values, dtype=np.int64)
    return dec(np.where(ms, v * 1000, v))


def money(cents: np.ndarray) -> pa.Array:
    c = np.asarray(cents, dtype=np.int64)
    return join(dec(c // 100), ".", pc.utf8_lpad(dec(c % 100), 2, "0"))


def pick(options, idx: np.ndarray) -> pa.Array:
    return pa.array(list(options), pa.string()).take(pa.array(np.asarray(idx, dtype=np.int64)))


def when(mask: np.ndarray, on, off="") -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), on, off)


def extra(mask: np.ndarray, fragment: str) -> pa.Array:
    return when(mask, fragment, "")


def take(arr: pa.Array, idx: np.ndarray) -> pa.Array:
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))
