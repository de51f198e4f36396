"""From a data file's bytes to its lines, with bounded work whatever the bytes are.

Whoever writes the landing zone controls these bytes, so every step has a limit (`InputLimits`):
- gzip is decompressed in chunks and abandoned past `max_file_bytes` or past `max_gzip_ratio`
  times its compressed size (a "gzip bomb" of a few MB can expand to many GB);
- a line longer than `max_line_bytes` is flagged `line_too_long` and only its first bytes are kept
  (for quarantine), so it is never parsed;
- a line that is not valid UTF-8 is flagged `invalid_utf8` (kept with replacement characters);
- a line whose JSON nests deeper than `max_json_depth` is flagged `too_deeply_nested` (cheap
  bracket count first, an exact scan only of the few lines it cannot clear).

Flagged lines are quarantined with that reason and never reach a JSON parser.
"""

from __future__ import annotations

import codecs
import re
import threading
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.settings import InputLimits

# Record reasons of lines the warehouse refuses to parse. They block the feed's day (raw gate):
# they mean a broken or hostile producer, not a handful of business-rule errors.
LINE_TOO_LONG = "line_too_long"
INVALID_UTF8 = "invalid_utf8"
TOO_DEEPLY_NESTED = "too_deeply_nested"
UNSAFE_LINE_REASONS = (INVALID_UTF8, LINE_TOO_LONG, TOO_DEEPLY_NESTED)

KEPT_PREFIX_CHARS = 1024  # what quarantine keeps of a line too long to parse
RATIO_FLOOR_BYTES = 16 << 20  # below this a gzip may expand at any ratio: it cannot hurt memory
_CHUNK = 8 << 20  # output taken from zlib at a time
_IN_CHUNK = 1 << 20  # input handed to zlib at a time
_SCAN = 16 << 20  # bytes scanned at a time for newlines and brackets


class TooLarge(Exception):
    """The file would decompress beyond the limits; the message says which."""


def decompress(name: str, raw: bytes, limits: InputLimits) -> bytes:
    """The file's text bytes: gunzipped (every gzip member) for `.gz` names, within the limits.

    The input is fed in slices and the output taken in chunks, so a bomb is abandoned after at
    most a chunk beyond the limit. Raises TooLarge past the limits, and zlib.error/EOFError for a
    corrupt or truncated gzip.
    """
    if not name.endswith(".gz"):
        return raw
    view = memoryview(raw)
    out, size, fed = [], 0, 0  # fed: input bytes handed to zlib so far
    d, pending, started = zlib.decompressobj(wbits=31), b"", False  # one gzip member; members may follow
    while pending or fed < len(raw):
        if not pending:
            pending = view[fed : fed + _IN_CHUNK]
            fed += len(pending)
        started = True
        chunk = d.decompress(pending, _CHUNK)
        pending = d.unconsumed_tail
        size += len(chunk)
        out.append(chunk)
        consumed = fed - len(pending) - (len(d.unused_data) if d.eof else 0)
        if size > limits.max_file_bytes:
            raise TooLarge(f"decompresses to more than {limits.max_file_bytes:,} bytes, the cap (CWH_MAX_FILE_BYTES)")
        if size > RATIO_FLOOR_BYTES and size > limits.max_gzip_ratio * max(consumed, 1):
            raise TooLarge(
                f"decompresses to more than {limits.max_gzip_ratio:g}x its compressed size "
                f"({size:,} bytes from the first {consumed:,}; CWH_MAX_GZIP_RATIO)"
            )
        if d.eof:
            pending, d, started = d.unused_data, zlib.decompressobj(wbits=31), False
    if started and not d.eof:
        raise EOFError("the gzip stream ends before its end-of-stream marker (truncated)")
    return b"".join(out)


_bad_offsets: list[int] = []  # filled by the error handler below, under _bad_offsets_lock
_bad_offsets_lock = threading.Lock()


def _record_bad_bytes(exc: UnicodeDecodeError):
    _bad_offsets.append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("cwh-record-bad-bytes", _record_bad_bytes)


@dataclass
class Lines:
    """A file's lines (blank ones included: line number = index + 1) and why a line is refused."""

    text: pa.StringArray
    refused: pa.StringArray  # NULL, or one of UNSAFE_LINE_REASONS

    def __len__(self) -> int:
        return len(self.text)

    @property
    def rows(self) -> int:
        """Non-blank lines, as the manifest counts them."""
        if not len(self.text):
            return 0
        # whitespace only, tested in place (trimming would copy every line)
        blank = pc.or_(pc.equal(pc.binary_length(self.text), 0), pc.utf8_is_space(self.text))
        long_lines = pc.equal(self.refused, LINE_TOO_LONG)  # never blank, whatever their kept prefix
        return len(self.text) - pc.sum(pc.and_(blank, pc.invert(pc.fill_null(long_lines, False)))).as_py()

    @classmethod
    def empty(cls) -> Lines:
        return cls(pa.array([], pa.string()), pa.array([], pa.string()))


# Arrow's default allocator (mimalloc) keeps freed memory for reuse: after a 174 MB file, the next
# one's lines would sit beside the last one's. The system allocator hands large blocks back at once.
POOL = pa.system_memory_pool()


def split_lines(data: bytes, limits: InputLimits) -> Lines:
    """The file's lines as Arrow arrays built straight on its bytes (no per-line Python objects)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    starts = np.concatenate(([0], _positions(buf, b"\n") + 1))
    if starts[-1] == len(buf):
        starts = starts[:-1]  # the newline that ends the last line starts no line
    n = len(starts)
    refused = np.full(n, None, dtype=object)
    refused_any = False

    bad_lines = _invalid_utf8_lines(data, starts)
    if len(bad_lines):
        data = data.decode("utf-8", errors="replace").encode("utf-8")  # newlines stay where they were
        buf = np.frombuffer(data, dtype=np.uint8)
        starts = np.concatenate(([0], _positions(buf, b"\n") + 1))[:n]
        refused[bad_lines] = INVALID_UTF8
        refused_any = True

    bounds = np.concatenate((starts, [len(buf)]))
    large = len(buf) >= 2**31
    text = pa.Array.from_buffers(
        pa.large_string() if large else pa.string(),
        n,
        [None, pa.py_buffer(bounds.astype(np.int64 if large else np.int32)), pa.py_buffer(data)],
    )
    # A line's bytes include the newline that ends it; strip it so every line is exactly its text.
    text = pc.utf8_rtrim(text, characters="\n", memory_pool=POOL)
    lengths = np.diff(bounds)

    too_long = np.flatnonzero((lengths > limits.max_line_bytes + 1) & (refused == None))  # noqa: E711
    if len(too_long):
        refused[too_long] = LINE_TOO_LONG
        refused_any = True
        mask = np.zeros(n, dtype=bool)
        mask[too_long] = True
        kept = pc.utf8_slice_codeunits(text, 0, KEPT_PREFIX_CHARS, memory_pool=POOL)
        text = pc.if_else(pa.array(mask), kept, text, memory_pool=POOL)

    # Depth: a line with no more opening brackets than the limit cannot nest deeper than it.
    if n:
        opens = np.diff(np.searchsorted(_positions(buf, b"{["), bounds))
        for i in np.flatnonzero((opens > limits.max_json_depth) & (refused == None)):  # noqa: E711
            if json_depth(text[int(i)].as_py()) > limits.max_json_depth:
                refused[i] = TOO_DEEPLY_NESTED
                refused_any = True

    text = text.cast(pa.string(), memory_pool=POOL)
    if not refused_any:
        return Lines(text, pa.nulls(n, pa.string()))
    return Lines(text, pa.array(refused, pa.string()))


def _positions(buf: np.ndarray, chars: bytes) -> np.ndarray:
    """Offsets of the bytes in `chars`, found slice by slice so temporaries stay small."""
    found = []
    for at in range(0, len(buf), _SCAN):
        part = buf[at : at + _SCAN]
        hit = part == chars[0]
        for c in chars[1:]:
            hit |= part == c
        found.append(np.flatnonzero(hit) + at)
    return np.concatenate(found) if found else np.array([], dtype=np.int64)


def _invalid_utf8_lines(data: bytes, starts: np.ndarray) -> np.ndarray:
    """Indexes of the lines holding bytes that are not UTF-8 (none, cheaply, for a valid file)."""
    try:
        data.decode("utf-8")
        return np.array([], dtype=np.int64)
    except UnicodeDecodeError:
        pass
    with _bad_offsets_lock:
        _bad_offsets.clear()
        data.decode("utf-8", errors="cwh-record-bad-bytes")
        offsets = np.array(_bad_offsets, dtype=np.int64)
        _bad_offsets.clear()
    return np.unique(np.searchsorted(starts, offsets, side="right") - 1)


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')


def json_depth(text: str) -> int:
    """The deepest nesting of objects and arrays in a JSON text (brackets inside strings ignored)."""
    skeleton = np.frombuffer(_STRINGS.sub("", text).encode("utf-8", errors="replace"), dtype=np.uint8)
    steps = ((skeleton == ord("{")) | (skeleton == ord("["))).astype(np.int64) - (
        (skeleton == ord("}")) | (skeleton == ord("]"))
    ).astype(np.int64)
    return int(np.cumsum(steps).max(initial=0))
