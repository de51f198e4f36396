"""The Parquet lake: where partitions live, and how they become visible.

Write-audit-publish one level down: ingestion writes a feed-day into `lake/_pending/`, the raw gate
audits it there, and only a passed gate commits it into `lake/raw/<feed>/dt=D/` (with its ledger
entry). A partition whose gate failed stays invisible to every later run.

    lake/raw/<feed>/dt=D/part-0.parquet          committed valid records
    lake/_pending/<feed>/dt=D/part-0.parquet     written, not yet audited
    lake/quarantine/<feed>/dt=D/part-0.parquet   rejected records and files, with reasons
    lake/quarantine/<feed>/dt=D/files/<name>     copies of files rejected whole
    lake/_ledger/<feed>/dt=D.json                sha256 of every file committed for the feed-day
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

PART = "part-0.parquet"


class Lake:
    def __init__(self, root: Path):
        self.root = Path(root)

    def raw_dir(self, feed: str, dt: str) -> Path:
        return self.root / "raw" / feed / f"dt={dt}"

    def pending_dir(self, feed: str, dt: str) -> Path:
        return self.root / "_pending" / feed / f"dt={dt}"

    def quarantine_dir(self, feed: str, dt: str) -> Path:
        return self.root / "quarantine" / feed / f"dt={dt}"

    def ledger_path(self, feed: str, dt: str) -> Path:
        return self.root / "_ledger" / feed / f"dt={dt}.json"

    def committed_days(self, feed: str) -> list[str]:
        base = self.root / "raw" / feed
        return sorted(p.name[3:] for p in base.glob("dt=*") if (p / PART).exists()) if base.exists() else []

    def files_committed_earlier(self, feed: str, dt: str) -> set[str]:
        """sha256 of the files committed by the feed's delivery days before `dt`.

        Only earlier days count: the first delivery of a file is its delivery, whatever order the
        days run in. A day run after a later day that re-sent one of its files still loads that
        file; the later copy's records are the same records (staging keeps each key once) and
        quarantine_summary counts a rejected line once, on the earliest day that delivered it.
        """
        base = self.root / "_ledger" / feed
        ledgers = [p for p in base.glob("dt=*.json") if p.stem[3:] < dt] if base.exists() else []
        return {sha for p in ledgers for sha in _ledger_shas(p)}

    def fresh_pending(self, feed: str, dt: str) -> Path:
        pending = self.pending_dir(feed, dt)
        shutil.rmtree(pending, ignore_errors=True)
        pending.mkdir(parents=True)
        return pending

    def commit(self, feed: str, dt: str, ledger_files: list[dict]) -> Path:
        """Swap the pending partition in for the committed one, then record its files in the ledger.

        Both steps are renames, so a crash leaves either the old or the new partition; the
        ledger is written after the data, and a re-run rewrites both.
        """
        pending, target = self.pending_dir(feed, dt), self.raw_dir(feed, dt)
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(pending, target)
        shutil.rmtree(old, ignore_errors=True)
        ledger = self.ledger_path(feed, dt)
        ledger.parent.mkdir(parents=True, exist_ok=True)
        tmp = ledger.with_suffix(".tmp")
        tmp.write_text(json.dumps({"feed": feed, "dt": dt, "files": ledger_files}, indent=1, sort_keys=True))
        os.replace(tmp, ledger)
        return target


# ledger path -> ((size, mtime), sha256s): each ledger is parsed once per process while unchanged,
# so a backfill's feed-days do not re-read every earlier ledger.
_ledgers: dict[Path, tuple[tuple[int, int], frozenset[str]]] = {}


def _ledger_shas(path: Path) -> frozenset[str]:
    st = path.stat()
    stamp = (st.st_size, st.st_mtime_ns)
    cached = _ledgers.get(path)
    if cached is None or cached[0] != stamp:
        cached = _ledgers[path] = (stamp, frozenset(e["sha256"] for e in json.loads(path.read_text())["files"]))
    return cached[1]
