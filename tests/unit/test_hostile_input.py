"""Hostile deliveries: the landing zone can never make ingestion read or write elsewhere, and any
input costs bounded work. Each case gets its reason code and blocks the feed's day."""

import gzip
import hashlib
import json
import os
import resource
import zlib

import duckdb
import pytest
from fs_watch import FolderWatch, fingerprint
from landing_builder import link, write_delivery

from assets.ingest.feed_day import ingest_feed_day
from assets.ingest.lake import PART, Lake
from assets.ingest.landing import DeliveryError, unsafe_name_reason
from assets.ingest.lines import json_depth, split_lines
from assets.ingest.raw_gate import audit_pending
from assets.settings import InputLimits

DT = "2026-11-01"


@pytest.fixture
def env(tmp_path):
    """A landing zone, a lake, and a folder outside both holding a secret nobody may open."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("secret\n")
    return tmp_path / "landing", Lake(tmp_path / "data" / "lake"), outside


def ingest(lake, landing, outside, feed="links", limits=InputLimits()):
    """Ingest and gate one feed-day while watching the outside folder; nothing there may be touched."""
    before = fingerprint(landing.parent, skip=(lake.root.parent,))
    watch = FolderWatch(outside)
    try:
        result = ingest_feed_day(lake, landing, feed, DT, limits=limits)
        gate = audit_pending(lake, result, 0.01, 10)
        events = watch.events()
    finally:
        watch.close()
    assert events == [], f"ingestion touched files outside the landing zone: {events}"
    assert fingerprint(landing.parent, skip=(lake.root.parent,)) == before, "something outside the data dir changed"
    assert result.reconciles, result
    if gate.passed:
        lake.commit(feed, DT, result.ledger_files)
    return result, gate


def quarantine(lake, feed="links"):
    return duckdb.sql(
        f"SELECT file, line, reason, raw, file_sha256 FROM read_parquet('{lake.quarantine_dir(feed, DT) / PART}') "
        "ORDER BY file, line"
    ).fetchall()


def good_records(n=5):
    return [link(link_id=f"l{i}") for i in range(n)]


@pytest.mark.parametrize(
    "name",
    [
        "../../../outside/secret",
        "../../../../../../../../../etc/hostname",
        "/etc/hostname",
        "sub/a.jsonl",
        "a\\b.jsonl",
        "..",
        ".",
        "a\x00b.jsonl",
        "a\nb.jsonl",
        "\x1b[31mred.jsonl",
        "",
    ],
)
def test_a_listed_name_that_is_not_a_plain_file_name_is_refused_unopened(env, name):
    landing, lake, outside = env
    if name.startswith("/etc"):
        name = name.replace("/etc/hostname", str(outside / "secret"))
    folder = write_delivery(landing, "links", DT, {"a.jsonl": good_records()})
    manifest = json.loads((folder / "_manifest.json").read_text())
    secret = (outside / "secret").read_bytes()
    manifest["files"].append({"name": name, "rows": 1, "sha256": hashlib.sha256(secret).hexdigest()})
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    result, gate = ingest(lake, landing, outside)
    assert not gate.passed and result.files_rejected == 1
    assert "unsafe_file_name" in gate.summary() and "never opened" in gate.summary()
    assert result.valid == 5  # the good file was read; the day is blocked all the same
    assert not lake.raw_dir("links", DT).exists()
    assert not (lake.quarantine_dir("links", DT) / "files").exists()  # nothing copied
    if any(not c.isprintable() for c in name):
        assert all(c.isprintable() or c == "\n" for c in gate.summary())  # control characters are escaped


def test_plain_names_are_accepted_and_others_refused():
    assert unsafe_name_reason("links-20261101-000.jsonl.gz") is None
    assert unsafe_name_reason("..a") is None  # a name may start with dots
    for bad in ("..", ".", "a/b", "a\\b", "a\x00", "a\tb", "", None, 3, "x" * 256):
        assert unsafe_name_reason(bad), bad


def test_a_symlink_is_never_followed(env):
    landing, lake, outside = env
    folder = write_delivery(landing, "links", DT, {"a.jsonl": good_records()})
    secret = outside / "secret"
    os.symlink(secret, folder / "b.jsonl")
    os.symlink("a.jsonl", folder / "c.jsonl")  # inside the folder: not followed either
    manifest = json.loads((folder / "_manifest.json").read_text())
    for name in ("b.jsonl", "c.jsonl"):
        manifest["files"].append({"name": name, "rows": 1, "sha256": hashlib.sha256(secret.read_bytes()).hexdigest()})
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    result, gate = ingest(lake, landing, outside)
    assert not gate.passed and result.files_rejected == 2
    assert gate.summary().count("symlinked_file") == 2 and str(secret) in gate.summary()


@pytest.mark.parametrize("what", ["dt_folder", "feed_folder", "manifest"])
def test_a_symlinked_folder_or_manifest_is_refused(env, what):
    landing, lake, outside = env
    real = write_delivery(outside / "zone", "links", DT, {"a.jsonl": good_records()})
    if what == "dt_folder":
        (landing / "links").mkdir(parents=True)
        os.symlink(real, landing / "links" / f"dt={DT}")
    elif what == "feed_folder":
        landing.mkdir()
        os.symlink(real.parent, landing / "links")
    else:
        folder = write_delivery(landing, "links", DT, {"a.jsonl": good_records()})
        (folder / "_manifest.json").unlink()
        os.symlink(real / "_manifest.json", folder / "_manifest.json")
    watch = FolderWatch(outside / "zone" / "links" / f"dt={DT}")
    try:
        with pytest.raises(DeliveryError, match="symlink"):
            ingest_feed_day(lake, landing, "links", DT)
        assert watch.events() == []
    finally:
        watch.close()


def test_a_fifo_or_folder_in_the_delivery_is_refused_without_blocking(env):
    landing, lake, outside = env
    folder = write_delivery(landing, "links", DT, {"a.jsonl": good_records()})
    os.mkfifo(folder / "pipe.jsonl")  # opening it to read would wait forever for a writer
    (folder / "sub").mkdir()
    result, gate = ingest(lake, landing, outside)
    assert not gate.passed and gate.summary().count("not_a_regular_file") == 2


def test_a_gzip_bomb_is_refused_with_bounded_memory(env):
    landing, lake, outside = env
    folder = write_delivery(landing, "links", DT, {"a.jsonl": good_records()})
    # 8 GB of zeros in ~8 MB: one gzip member of 64 MiB repeated (gzip allows concatenated members).
    member = gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)
    bomb = member * 128
    (folder / "b.jsonl.gz").write_bytes(bomb)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"].append({"name": "b.jsonl.gz", "rows": 1, "sha256": hashlib.sha256(bomb).hexdigest()})
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    result, gate = ingest(lake, landing, outside)
    assert not gate.passed and "decompressed_too_large" in gate.summary() and "100x" in gate.summary()
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    assert peak_gib < 4, f"peak RSS {peak_gib:.1f} GiB: the bomb was expanded"
    # The quarantine keeps the compressed bytes under a name the warehouse chose.
    copies = list((lake.quarantine_dir("links", DT) / "files").iterdir())
    assert [c.name for c in copies] == [f"{hashlib.sha256(bomb).hexdigest()}.jsonl.gz"]


def test_the_decompressed_size_cap_is_configurable(env):
    landing, lake, outside = env
    write_delivery(landing, "links", DT, {"a.jsonl.gz": good_records(2000)})
    limits = InputLimits(max_file_bytes=50_000)
    result, gate = ingest(lake, landing, outside, limits=limits)
    assert not gate.passed and "decompressed_too_large" in gate.summary() and "CWH_MAX_FILE_BYTES" in gate.summary()


def test_a_stored_file_beyond_the_cap_is_not_read(env):
    landing, lake, outside = env
    write_delivery(landing, "links", DT, {"a.jsonl": good_records(2000)})
    result, gate = ingest(lake, landing, outside, limits=InputLimits(max_file_bytes=10_000))
    assert not gate.passed and "file_too_large" in gate.summary()
    assert not (lake.quarantine_dir("links", DT) / "files").exists()


@pytest.mark.parametrize(
    "case, reason",
    [
        ("long_line", "line_too_long"),
        ("deep", "too_deeply_nested"),
        ("utf8", "invalid_utf8"),
    ],
)
def test_lines_beyond_the_limits_are_quarantined_unparsed_and_block_the_day(env, case, reason):
    landing, lake, outside = env
    folder = landing / "links" / f"dt={DT}"
    folder.mkdir(parents=True)
    good = [json.dumps(r).encode() for r in good_records(20)]
    bad = {
        "long_line": json.dumps(link(link_id="big", channel="X" * (8 << 20))).encode(),
        "deep": b'{"link_id": "deep", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "utf8": json.dumps(link(link_id="bad-bytes", channel="INSTAGRAM"))
        .encode()
        .replace(b"bad-bytes", b"bad-\xff\xfe"),
    }[case]
    data = b"\n".join(good[:10] + [bad] + good[10:]) + b"\n"
    (folder / "a.jsonl").write_bytes(data)
    (folder / "_manifest.json").write_text(
        json.dumps(
            {
                "feed": "links",
                "dt": DT,
                "files": [{"name": "a.jsonl", "rows": 21, "sha256": hashlib.sha256(data).hexdigest()}],
            }
        )
    )
    result, gate = ingest(lake, landing, outside)
    assert (result.valid, result.quarantined, result.unsafe_records) == (20, 1, 1)
    assert result.quarantined_by_reason == {reason: 1}
    assert not gate.passed and "no record refused unread" in gate.summary()
    [(file, line, got, raw, sha)] = quarantine(lake)
    assert (file, line, got, sha) == ("a.jsonl", 11, reason, hashlib.sha256(data).hexdigest())
    assert len(raw) <= (1024 if case == "long_line" else len(bad))  # quarantine keeps a bounded prefix


def test_limits_are_exact_at_the_edges():
    limits = InputLimits(max_line_bytes=10, max_json_depth=3)
    lines = split_lines(b'0123456789\n01234567890\n[[[]]]\n[[[[]]]]\n"[[[[[[["\n', limits)
    assert lines.refused.to_pylist() == [None, "line_too_long", None, "too_deeply_nested", None]
    assert json_depth('{"a": "}}}{{{", "b": [{"c": []}]}') == 4


def test_gzip_members_and_truncation():
    from assets.ingest.lines import decompress

    two = gzip.compress(b"a\n", mtime=0) + gzip.compress(b"b\n", mtime=0)
    assert decompress("x.jsonl.gz", two, InputLimits()) == b"a\nb\n"
    with pytest.raises((EOFError, zlib.error)):
        decompress("x.jsonl.gz", two[:-5], InputLimits())


def test_the_folder_watch_sees_any_open_and_write(tmp_path):
    """The guard the tests above rely on: an open by any process is seen, including from C code."""
    (tmp_path / "f").write_text("x")
    watch = FolderWatch(tmp_path)
    try:
        (tmp_path / "f").read_text()
        duckdb.sql(f"SELECT * FROM read_csv('{tmp_path / 'f'}', header = false)").fetchall()
        (tmp_path / "g").write_text("y")
        events = watch.events()
    finally:
        watch.close()
    assert ("open", str(tmp_path / "f")) in events and ("create", str(tmp_path / "g")) in events
    assert sum(1 for e in events if e == ("open", str(tmp_path / "f"))) >= 2
