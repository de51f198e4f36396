"""Which marts build the published file was made from, so that a publish may carry it forward.

A daily publish copies the previous published file and replaces only the scopes its run's dbt
rewrote. That is right only when no other marts build changed the warehouse since that file was
published: a run whose mart gates failed built marts and published nothing, and its scopes are
not the next run's. So every marts build advances a counter before dbt writes anything
(write-ahead: a build killed half-way counts too), and a publish records, beside the file, the
count it published and the file's identity. The next publish carries the file forward only when
exactly one build, its own, happened since, and the file is the one recorded; otherwise it copies
every mart whole. Checking this costs two small reads, where comparing the tables row by row
costs a scan of every carried mart on both sides.
"""

from __future__ import annotations

from pathlib import Path

from assets import json_record
from assets.settings import Settings


def _builds_path(settings: Settings) -> Path:
    return settings.warehouse_path.parent / "marts_builds.json"


def _published_path(settings: Settings) -> Path:
    return settings.published_path.with_name("published_from.json")


def _identity(path: Path) -> list[int]:
    stat = path.stat()  # size and mtime survive a copy of the data dir that keeps times (cp -p)
    return [stat.st_size, stat.st_mtime_ns]


def begin_build(settings: Settings) -> int:
    """Count a marts build, before it writes anything; returns the count."""
    with json_record.update(_builds_path(settings), "marts") as record:
        record["builds"] = record.get("builds", 0) + 1
        return record["builds"]


def builds(settings: Settings) -> int:
    return json_record.read(_builds_path(settings), "marts").get("builds", 0)


def may_carry_forward(settings: Settings) -> bool:
    """The published file was published from the build just before the current one."""
    published = json_record.read(_published_path(settings), "published")
    target = settings.published_path
    return (
        target.exists()
        and published.get("builds") == builds(settings) - 1
        and published.get("file") == _identity(target)
    )


def record_published(settings: Settings, build: int) -> None:
    """After the rename: a crash before this leaves the old record, which no longer matches the
    file, so the next publish copies whole (never the other way round)."""
    with json_record.update(_published_path(settings), "published") as record:
        record["builds"] = build
        record["file"] = _identity(settings.published_path)
