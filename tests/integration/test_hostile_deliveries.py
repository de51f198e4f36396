"""Hostile deliveries, each as a real `cwh run` of a day on top of a published one: the day is
blocked, `cwh run` names the cause, nothing outside the data dir is created or changed, nothing
outside the landing zone is opened (symlinks included), and the published file is byte-identical."""

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import generate, run_days
from fs_watch import FolderWatch, fingerprint

DAY1, DAY2 = "2026-11-01", "2026-11-02"
FEED = "products"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """Two generated days; day 1 run and published."""
    root = tmp_path_factory.mktemp("baseline")
    generate(root / "landing", DAY1, 2, seed=11)
    assert run_days(root / "landing", root / "data", DAY1) == 0
    return root


def _add_file(folder: Path, name: str, data: bytes, rows: int, sha256: str | None = None) -> None:
    """Put a file in the delivery and list it in the manifest (rewritten last, as upstream does)."""
    if data is not None:
        (folder / name).write_bytes(data)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"].append({"name": name, "rows": rows, "sha256": sha256 or hashlib.sha256(data).hexdigest()})
    (folder / "_manifest.json").write_text(json.dumps(manifest))


def _product_line(**extra) -> bytes:
    record = {
        "product_id": "p-hostile",
        "shop_id": "s1",
        "title": "t",
        "category": "HOME",
        "price": "9.99",
        "commission_rate": 1000,
        "updated_at": 1762000000,
        **extra,
    }
    return json.dumps(record).encode()


def _traversal(folder, outside):
    secret = (outside / "secret").read_bytes()
    _add_file(folder, "../../../outside/secret", None, 1, hashlib.sha256(secret).hexdigest())
    return "unsafe_file_name", "../../../outside/secret"


def _absolute(folder, outside):
    secret = outside / "secret"
    _add_file(folder, str(secret), None, 1, hashlib.sha256(secret.read_bytes()).hexdigest())
    return "unsafe_file_name", str(secret)


def _control_char(folder, outside):
    _add_file(folder, "evil\x00\n.jsonl", None, 1, "0" * 64)
    return "unsafe_file_name", "evil\\x00\\n.jsonl"


def _symlinked_file(folder, outside):
    secret = outside / "secret"
    os.symlink(secret, folder / "linked.jsonl")
    _add_file(folder, "linked.jsonl", None, 1, hashlib.sha256(secret.read_bytes()).hexdigest())
    return "symlinked_file", "linked.jsonl"


def _symlinked_folder(folder, outside):
    shutil.copytree(folder, outside / "elsewhere")
    shutil.rmtree(folder)
    os.symlink(outside / "elsewhere", folder)
    return "symlink", f"dt={DAY2}"


def _fifo(folder, outside):
    os.mkfifo(folder / "pipe.jsonl")
    return "not_a_regular_file", "pipe.jsonl"


def _gzip_bomb(folder, outside):
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0) * 32  # 2 GiB of zeros in ~2 MB
    _add_file(folder, "bomb.jsonl.gz", bomb, 1)
    return "decompressed_too_large", "bomb.jsonl.gz"


def _long_line(folder, outside):
    _add_file(folder, "long.jsonl", _product_line(title="A" * (8 << 20)) + b"\n", 1)
    return "line_too_long", "long.jsonl line 1"


def _deep_json(folder, outside):
    _add_file(folder, "deep.jsonl", _product_line()[:-1] + b', "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n", 1)
    return "too_deeply_nested", "deep.jsonl line 1"


def _invalid_utf8(folder, outside):
    _add_file(folder, "latin1.jsonl", _product_line(title="caf\xe9").replace(b"\\u00e9", b"\xe9") + b"\n", 1)
    return "invalid_utf8", "latin1.jsonl line 1"


CASES = [
    _traversal,
    _absolute,
    _control_char,
    _symlinked_file,
    _symlinked_folder,
    _fifo,
    _gzip_bomb,
    _long_line,
    _deep_json,
    _invalid_utf8,
]


@pytest.mark.parametrize("make_hostile", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_a_hostile_delivery_blocks_its_day_and_touches_nothing_outside(baseline, tmp_path, capsys, make_hostile):
    landing, data, outside = tmp_path / "landing", tmp_path / "data", tmp_path / "outside"
    shutil.copytree(baseline / "landing", landing, symlinks=True)
    shutil.copytree(baseline / "data", data, symlinks=True)
    outside.mkdir()
    (outside / "secret").write_text("not for the warehouse\n")
    reason, named = make_hostile(landing / FEED / f"dt={DAY2}", outside)
    published = data / "published" / "marts.duckdb"
    published_bytes = published.read_bytes()
    before = fingerprint(tmp_path, skip=(data,))
    capsys.readouterr()

    watch = FolderWatch(outside, *[p for p in outside.rglob("*") if p.is_dir()])
    try:
        rc = run_days(landing, data, DAY2)
        touched = watch.events()
    finally:
        watch.close()

    out = capsys.readouterr()
    said = out.out + out.err
    assert rc == 1, said
    assert f"BLOCKED: delivery day(s) {DAY2}" in said
    assert reason in said and named in said, said  # the cause and the file it concerns
    assert "Traceback" not in said and "Stack Trace" not in said  # tracebacks go to the run log
    assert touched == [], f"files outside the landing zone were touched: {touched}"
    assert fingerprint(tmp_path, skip=(data,)) == before, "something outside the data dir was created or changed"
    assert published.read_bytes() == published_bytes
    quarantine = data / "lake" / "quarantine" / FEED / f"dt={DAY2}"
    if (quarantine / "files").exists():  # copies carry names the warehouse chose: <sha256>.jsonl(.gz)
        assert all(len(p.name.split(".")[0]) == 64 for p in (quarantine / "files").iterdir())
