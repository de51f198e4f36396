"""Counter-based randomness: every random value is a pure function of (seed, stream, day, index).

This is what lets any delivery day be generated on its own: an order placed weeks ago, or the
click it came from, is recomputed from its coordinates instead of being replayed from a history.
"""

from __future__ import annotations

import hashlib

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S32, _S11 = np.uint64(32), np.uint64(11)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_LOW32 = np.uint64(0xFFFFFFFF)

_HEX = np.frombuffer(b"".join(b"%02x" % i for i in range(256)), dtype=np.uint8).reshape(256, 2)
_HEX16 = _HEX[:, 0].astype(np.uint16) | (_HEX[:, 1].astype(np.uint16) << 8)


def mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection on uint64, so distinct keys give distinct outputs."""
    z = z ^ (z >> _S30)
    z = z * _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


class Rng:
    """Hash-based random source. `stream` names one independent random quantity."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._salts: dict[str, np.uint64] = {}

    def _salt(self, stream: str) -> np.uint64:
        salt = self._salts.get(stream)
        if salt is None:
            digest = hashlib.blake2b(f"{self.seed}/{stream}".encode(), digest_size=8).digest()
            salt = self._salts[stream] = np.uint64(int.from_bytes(digest, "little"))
        return salt

    def bits(self, stream: str, day, idx) -> np.ndarray:
        """uint64 per (day, idx); a bijection of (day, idx) for a fixed stream (idx < 2**32)."""
        day = np.asarray(day, dtype=np.int64).astype(np.uint64)
        idx = np.asarray(idx, dtype=np.int64).astype(np.uint64)
        key = (day << _S32) | (idx & _LOW32)
        key *= _GOLDEN  # odd multiplier: still a bijection
        key += self._salt(stream)
        return mix64(key)

    def uniform(self, stream: str, day, idx) -> np.ndarray:
        """float64 in [0, 1)."""
        return (self.bits(stream, day, idx) >> _S11).astype(np.float64) * (1.0 / 9007199254740992.0)

    def uniform2(self, stream: str, day, idx) -> tuple[np.ndarray, np.ndarray]:
        """Two independent float64 in [0, 1) with 32-bit resolution from one hash."""
        b = self.bits(stream, day, idx)
        return ((b >> _S32).astype(np.float64) * 2.0**-32, (b & _LOW32).astype(np.float64) * 2.0**-32)

    def integers(self, stream: str, day, idx, low: int, high: int) -> np.ndarray:
        """int64 in [low, high)."""
        return low + (self.uniform(stream, day, idx) * (high - low)).astype(np.int64)

    def choice(self, stream: str, day, idx, cdf: np.ndarray) -> np.ndarray:
        """Index into a categorical distribution given its cumulative weights (last = 1)."""
        return np.searchsorted(cdf, self.uniform(stream, day, idx), side="right")

    def scalar(self, stream: str, day: int, idx: int = 0) -> float:
        return float(self.uniform(stream, np.array([day]), np.array([idx]))[0])


def cdf(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return c


def hex16(values: np.ndarray):
    """uint64 -> 16-char lowercase hex strings as a pyarrow array (vectorised)."""
    import pyarrow as pa

    v = np.ascontiguousarray(np.asarray(values, dtype=np.uint64).astype(">u8"))
    chars = _HEX16[v.view(np.uint8)]
    offsets = np.arange(0, 16 * len(v) + 1, 16, dtype=np.int32)
    return pa.StringArray.from_buffers(len(v), pa.py_buffer(offsets), pa.py_buffer(chars))
