"""The reliability scenarios. Each runs real components on small generated data and returns rows of
the table: scenario, what was done, the figure measured, pass/fail.

A `Bench` holds what scenarios share: one generated landing zone of three days and a clean run of
it (the reference every scenario compares with), built once.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from reliability.harness import (
    DAY1,
    DAY2,
    DAY3,
    ROOT,
    Row,
    copy_tree,
    cwh_process,
    cwh_run,
    differing_cells,
    file_bytes,
    generate,
    kill_when,
    mart_hashes,
    published,
)


class Bench:
    """A work folder, a three-day landing zone and its clean reference run (built lazily, once)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._ref = None

    @property
    def landing(self) -> Path:
        landing = self.root / "landing"
        if not landing.exists():
            generate(landing)
        return landing

    @property
    def reference(self) -> Path:
        """Day 1 run alone (kept as `after_day1`), then days 2-3 as one run: the truth of three days."""
        ref = self.root / "reference"
        if not (ref / "published").exists():
            assert cwh_run(self.landing, ref, DAY1)[0] == 0
            copy_tree(ref, self.root / "after_day1")
            assert cwh_run(self.landing, ref, DAY2, DAY3)[0] == 0
        return ref

    @property
    def after_day1(self) -> Path:
        self.reference  # noqa: B018  (builds it)
        return self.root / "after_day1"

    def fresh(self, name: str) -> tuple[Path, Path]:
        """A copy of the landing zone and a copy of the data dir as it was after day 1."""
        work = self.root / name
        shutil.rmtree(work, ignore_errors=True)
        return copy_tree(self.landing, work / "landing"), copy_tree(self.after_day1, work / "data")


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "_manifest.json").read_text())


def _write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "_manifest.json").write_text(json.dumps(manifest))


def _data_files(folder: Path, gz: bool | None = None) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.name != "_manifest.json" and not p.name.startswith("."))
    return [p for p in files if gz is None or p.name.endswith(".gz") == gz]


def _list_file(folder: Path, name: str, data: bytes) -> None:
    text = gzip.decompress(data) if name.endswith(".gz") else data
    manifest = _manifest(folder)
    rows = sum(1 for line in text.split(b"\n") if line.strip())
    manifest["files"].append({"name": name, "rows": rows, "sha256": hashlib.sha256(data).hexdigest()})
    _write_manifest(folder, manifest)


# -- 1. SIGKILL at each stage ---------------------------------------------------------------------


def _stage_markers(data: Path, day: str) -> dict:
    """When to kill a run of `day`, per stage: a condition seen from outside the process."""
    log = data / "logs" / "dbt.log"

    def dbt_started(model):
        return lambda: log.exists() and log.read_text().count(f"START sql incremental model main.{model}") > 0

    def pending(feed):
        return lambda: (data / "lake" / "_pending" / feed / f"dt={day}").exists()

    def publishing():
        return any(p.name.startswith(".marts.") for p in (data / "published").glob(".marts.*.tmp"))

    return {
        "ingest": pending("affiliate_orders"),
        "raw gate": lambda: (data / "lake" / "_pending" / "link_clicks" / f"dt={day}" / "part-0.parquet").exists(),
        "dbt staging": dbt_started("stg_tiktok__link_clicks"),
        "dbt marts": dbt_started("fct_order_items"),
        "publish": publishing,
    }


def sigkill_at_each_stage(bench: Bench) -> list[Row]:
    rows = []
    ref = published(bench.reference)
    for stage in ("ingest", "raw gate", "dbt staging", "dbt marts", "publish"):
        started = time.monotonic()
        landing, data = bench.fresh(f"kill-{stage.replace(' ', '-')}")
        # dbt.log is appended to by every run: count markers only from this run on.
        log = data / "logs" / "dbt.log"
        log.write_text("")
        proc = cwh_process(landing, data, DAY2)
        killed = kill_when(proc, _stage_markers(data, DAY2)[stage])
        rc_next, _ = cwh_run(landing, data, DAY3)
        # The next day only: its run must publish the truth over everything delivered, day 2's
        # unread feed-days and unbuilt scopes included; re-running day 2 then changes nothing.
        next_only = differing_cells(published(data), ref)
        recovered = time.monotonic() - started
        rc_rerun, _ = cwh_run(landing, data, DAY2)
        cells = differing_cells(published(data), ref)
        rows.append(
            Row(
                f"SIGKILL in {stage}",
                f"kill day 2 mid-{stage}, run day 3 only, then re-run day 2",
                f"killed={'yes' if killed else 'no (run ended first)'}; day 3 rc={rc_next}: "
                f"{next_only} differing cells vs a clean run of days 1-3; after re-run of day 2: {cells}; "
                f"recovered in {recovered:.0f} s",
                killed and rc_next == 0 and rc_rerun == 0 and next_only == 0 and cells == 0,
                recovered,
            )
        )
    return rows


# -- 2. Duplicate deliveries ----------------------------------------------------------------------


def duplicate_delivery(bench: Bench) -> list[Row]:
    started = time.monotonic()
    landing, data = bench.fresh("duplicates")
    source = _data_files(landing / "affiliate_orders" / f"dt={DAY1}")[0]
    for day, name in ((DAY2, "resent-copy.jsonl"), (DAY3, "resent-again.jsonl")):
        folder = landing / "affiliate_orders" / f"dt={day}"
        name += ".gz" if source.name.endswith(".gz") else ""
        (folder / name).write_bytes(source.read_bytes())
        _list_file(folder, name, source.read_bytes())
    rc, out = cwh_run(landing, data, DAY2, DAY3)
    cells = differing_cells(published(data), published(bench.reference))
    skipped = sum(int(n.replace(",", "")) for n in re.findall(r"ingest affiliate_orders: .*?([\d,]+) duplicates", out))
    return [
        Row(
            "duplicate delivery",
            f"day 1's file {source.name} re-sent renamed on day 2 and again on day 3",
            f"rows added = {cells} cells differing from the run without copies; {skipped:,} lines skipped as duplicates",
            rc == 0 and cells == 0 and skipped > 0,
            time.monotonic() - started,
        )
    ]


# -- 3. Corrupt deliveries ------------------------------------------------------------------------


def _truncate(folder: Path) -> tuple[str, str]:
    f = _data_files(folder)[0]
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    return "sha256_mismatch", f.name


def _bad_gzip(folder: Path) -> tuple[str, str]:
    f = (_data_files(folder, gz=True) or _data_files(folder))[0]
    data = f.read_bytes()
    bad = data[:20] + bytes(30) + data[50:]
    f.write_bytes(bad)
    manifest = _manifest(folder)
    for entry in manifest["files"]:
        if entry["name"] == f.name:
            entry["sha256"] = hashlib.sha256(bad).hexdigest()
    _write_manifest(folder, manifest)
    return ("unreadable_file" if f.name.endswith(".gz") else "row_count_mismatch"), f.name


def _unlisted(folder: Path) -> tuple[str, str]:
    (folder / "stray.jsonl").write_bytes(
        _data_files(folder, gz=False)[0].read_bytes() if _data_files(folder, gz=False) else b"{}\n"
    )
    return "file_not_in_manifest", "stray.jsonl"


def _missing(folder: Path) -> tuple[str, str]:
    f = _data_files(folder)[-1]
    f.unlink()
    return "missing_file", f.name


def _sha_mismatch(folder: Path) -> tuple[str, str]:
    f = _data_files(folder, gz=False)[0]
    data = bytearray(f.read_bytes())
    data[10] = ord("X") if data[10] != ord("X") else ord("Y")
    f.write_bytes(bytes(data))
    return "sha256_mismatch", f.name


def _hostile_name(folder: Path) -> tuple[str, str]:
    manifest = _manifest(folder)
    manifest["files"].append({"name": "../../../../../../etc/hostname", "rows": 1, "sha256": "0" * 64})
    _write_manifest(folder, manifest)
    return "unsafe_file_name", "../../../../../../etc/hostname"


CORRUPTIONS = {
    "truncated file": ("affiliate_orders", _truncate),
    "bad gzip": ("link_clicks", _bad_gzip),
    "unlisted file": ("links", _unlisted),
    "missing file": ("creators", _missing),
    "sha256 mismatch": ("products", _sha_mismatch),
    "hostile name": ("violations", _hostile_name),
}


def corrupt_deliveries(bench: Bench) -> list[Row]:
    started = time.monotonic()
    landing, data = bench.fresh("corrupt")
    originals = {
        feed: copy_tree(landing / feed / f"dt={DAY2}", bench.root / "corrupt" / "originals" / feed)
        for feed, _ in CORRUPTIONS.values()
    }
    expected = {kind: (feed, damage(landing / feed / f"dt={DAY2}")) for kind, (feed, damage) in CORRUPTIONS.items()}
    target = data / "published" / "marts.duckdb"
    before = file_bytes(target)
    rc, out = cwh_run(landing, data, DAY2)
    unchanged = file_bytes(target) == before
    rows = []
    for kind, (feed, (reason, name)) in expected.items():
        named = reason in out and name in out
        rows.append(
            Row(
                f"corrupt delivery: {kind}",
                f"day 2's {feed} delivery damaged, day 2 run",
                f"day blocked={'yes' if rc == 1 else 'no'}, cause named={'yes' if named else 'no'}, "
                f"published file byte-identical={'yes' if unchanged else 'no'}",
                rc == 1 and named and unchanged,
            )
        )
    rc3, _ = cwh_run(landing, data, DAY3)
    for feed, saved in originals.items():  # the good re-delivery
        shutil.rmtree(landing / feed / f"dt={DAY2}")
        shutil.copytree(saved, landing / feed / f"dt={DAY2}")
    rc2, _ = cwh_run(landing, data, DAY2)
    cells = differing_cells(published(data), published(bench.reference))
    rows.append(
        Row(
            "corrupt delivery: later days and the fix",
            "day 3 run after the blocked day, then day 2 re-delivered whole and re-run",
            f"day 3 rc={rc3}; re-delivered day 2 rc={rc2}; {cells} differing cells vs a clean run",
            rc3 == 0 and rc2 == 0 and cells == 0,
            time.monotonic() - started,
        )
    )
    return rows


# -- 4. Replay ------------------------------------------------------------------------------------


def replay(bench: Bench) -> list[Row]:
    import random

    started = time.monotonic()
    landing, data = bench.fresh("replay")
    shutil.rmtree(data)
    order = [DAY1, DAY2, DAY3] * 3
    random.Random(7).shuffle(order)
    codes = [cwh_run(landing, data, day)[0] for day in order]
    codes.append(cwh_run(landing, data, DAY1, DAY3)[0])
    ref, got = mart_hashes(bench.reference), mart_hashes(data)
    same = sum(ref[m] == got.get(m) for m in ref)
    return [
        Row(
            "replay",
            f"every day run 3 times in shuffled order ({', '.join(d[-2:] for d in order)}), then a backfill",
            f"{same}/{len(ref)} marts with the clean run's content hash; runs failed: {sum(c != 0 for c in codes)}",
            same == len(ref) and not any(codes),
            time.monotonic() - started,
        )
    ]


# -- 5. Late data ---------------------------------------------------------------------------------


def late_data(bench: Bench) -> list[Row]:
    """Order updates 30 and 60 days late change only the old dates they belong to."""
    from assets.feeds import FEEDS

    started = time.monotonic()
    work = bench.root / "late"
    shutil.rmtree(work, ignore_errors=True)
    landing, data = work / "landing", work / "data"
    old60, old30, late_day = "2026-09-02", "2026-10-02", "2026-11-01"
    generate(landing, old60, 1, seed=5)
    generate(landing, old30, 1, seed=6)
    assert cwh_run(landing, data, old60)[0] == 0 and cwh_run(landing, data, old30)[0] == 0
    before = published(data)
    # Late states of orders placed on both old days: refunds, delivered on late_day alone.
    con = duckdb.connect()
    lake = data / "lake" / "raw" / "affiliate_orders"
    records = []
    for day in (old60, old30):
        cols = [f.name for f in FEEDS["affiliate_orders"].fields]
        rows = con.execute(
            f"SELECT {', '.join(cols)} FROM read_parquet('{lake}/dt={day}/part-0.parquet') "
            f"WHERE status = 'ORDERED' AND CAST(created_at AS DATE) = DATE '{day}' ORDER BY order_id LIMIT 5"
        ).fetchall()
        for r in rows:
            rec = dict(zip(cols, r, strict=True))
            rec.update(status="REFUNDED", refunded_quantity=rec["quantity"], unit_price=str(rec["unit_price"]))
            rec["created_at"] = (
                int(rec["created_at"].timestamp()) if hasattr(rec["created_at"], "timestamp") else rec["created_at"]
            )
            rec["update_time"] = (
                int(rec["update_time"].timestamp()) + 86_400 * 25
                if hasattr(rec["update_time"], "timestamp")
                else rec["update_time"]
            )
            records.append(rec)
    for feed in FEEDS:
        folder = landing / feed / f"dt={late_day}"
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        if feed == "affiliate_orders":
            text = "".join(json.dumps(r, default=str) + "\n" for r in records).encode()
            (folder / "late.jsonl").write_bytes(text)
            files = [{"name": "late.jsonl", "rows": len(records), "sha256": hashlib.sha256(text).hexdigest()}]
        _write_manifest(folder, {"feed": feed, "dt": late_day, "files": files})
    rc, _ = cwh_run(landing, data, late_day)
    after = published(data)
    changed_dates = set()
    for mart in ("creator_daily", "fct_order_items", "offsite_program_daily"):
        cols = [
            d[0]
            for d in duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)
            .execute(f"SELECT * FROM {mart} LIMIT 0")
            .description
        ]
        date_col = next(c for c in cols if c.endswith("_date"))
        i = cols.index(date_col)
        for row in set(after[mart]) ^ set(before[mart]):
            changed_dates.add(str(row[i]))
    return [
        Row(
            "late data",
            f"{len(records)} order refunds for orders of {old60} (60 days late) and {old30} (30 days late), delivered {late_day}",
            f"dates changed in creator_daily, fct_order_items, offsite_program_daily: {', '.join(sorted(changed_dates)) or 'none'}",
            rc == 0 and changed_dates == {old60, old30},
            time.monotonic() - started,
        )
    ]


# -- 6. Schema drift ------------------------------------------------------------------------------


def schema_drift(bench: Bench) -> list[Row]:
    started = time.monotonic()
    landing, data = bench.fresh("drift")
    folder = landing / "links" / f"dt={DAY2}"
    base = {"creator_open_id": "c-drift", "product_id": "p-drift", "channel": "BLOG", "created_at": 1762041600}
    added = {**base, "link_id": "drift-added", "utm_campaign": "fall"}
    removed = {k: v for k, v in {**base, "link_id": "drift-removed"}.items() if k != "channel"}
    retyped = {**base, "link_id": "drift-retyped", "created_at": "2026-11-02"}
    text = "".join(json.dumps(r) + "\n" for r in (added, removed, retyped)).encode()
    (folder / "drift.jsonl").write_bytes(text)
    _list_file(folder, "drift.jsonl", text)
    rc, _ = cwh_run(landing, data, DAY2, DAY3)
    quarantine = duckdb.sql(
        f"SELECT reason, field FROM read_parquet('{data}/lake/quarantine/links/dt={DAY2}/part-0.parquet') "
        "WHERE file = 'drift.jsonl' ORDER BY reason"
    ).fetchall()
    extra = duckdb.sql(
        f"SELECT _extra FROM read_parquet('{data}/lake/raw/links/dt={DAY2}/part-0.parquet') WHERE link_id = 'drift-added'"
    ).fetchall()
    ref, got = published(bench.reference), published(data)
    # Where the three records should show: the valid one's (unknown) creator is inferred in
    # dim_creators, the two rejected ones are counted in quarantine_summary; nothing else moves.
    changed = {m: set(got.get(m, [])) ^ set(ref.get(m, [])) for m in set(got) | set(ref)}
    others = sum(len(rows) for m, rows in changed.items() if m not in ("dim_creators", "quarantine_summary"))
    inferred = [r for r in changed.get("dim_creators", ()) if r[0] == "c-drift"]
    counted = sorted((r[2], r[3]) for r in changed.get("quarantine_summary", ()))
    ok = (
        quarantine == [("missing_field", "channel"), ("wrong_type", "created_at")]
        and extra == [('{"utm_campaign":"fall"}',)]
        and len(inferred) == len(changed.get("dim_creators", ())) == 1
        and counted == [("missing_field", 1), ("wrong_type", 1)]
    )
    return [
        Row(
            "schema drift",
            "day 2 links: a record with a new field, one without a required field, one retyped",
            f"quarantined {', '.join(f'{r}({f})' for r, f in quarantine)}; new field kept in _extra: "
            f"{'yes' if extra else 'no'}; valid record's creator inferred: {'yes' if inferred else 'no'}; "
            f"rows changed elsewhere: {others}",
            rc == 0 and ok and others == 0,
            time.monotonic() - started,
        )
    ]


# -- 7. Gate injection ----------------------------------------------------------------------------


def gate_injection(bench: Bench) -> list[Row]:
    """A duplicate grain key and a negative GMV forced into a mart: the mart gates block publish."""
    from dagster import AssetCheckKey, AssetKey

    from assets.gates.warehouse_gates import GATE
    from assets.settings import Settings
    from orchestration.definitions import defs
    from orchestration.instance import get_instance
    from orchestration.jobs import DAILY_JOB

    started = time.monotonic()
    rows = []
    for kind, sql in (
        (
            "duplicate grain key",
            "INSERT INTO creator_daily SELECT * FROM creator_daily WHERE activity_date = DATE '{day}' LIMIT 1",
        ),
        (
            "negative GMV",
            "UPDATE creator_daily SET gross_gmv = -gross_gmv - 1, net_gmv = -gross_gmv - 1 "
            "WHERE activity_date = DATE '{day}' AND gross_gmv > 0",
        ),
    ):
        work = bench.root / f"inject-{kind.split()[0]}"
        shutil.rmtree(work, ignore_errors=True)
        data = copy_tree(bench.reference, work / "data")
        settings = Settings.from_env(landing_dir=bench.landing, data_dir=data)
        settings.export()
        con = duckdb.connect(str(settings.warehouse_path))
        con.execute(sql.format(day=DAY3))
        con.close()
        target = settings.published_path
        before = target.read_bytes()
        job = defs.resolve_job_def(DAILY_JOB)
        marts = [p.stem for p in (ROOT / "soda" / "contracts" / "marts").glob("*.yml")]
        subset = job.get_subset(
            asset_selection={AssetKey("published_marts")},
            asset_check_selection={AssetCheckKey(AssetKey(m), GATE) for m in marts},
        )
        result = subset.execute_in_process(
            instance=get_instance(data),
            raise_on_error=False,
            tags={"dagster/asset_partition_range_start": DAY3, "dagster/asset_partition_range_end": DAY3},
        )
        failed = sorted(e.asset_key.to_user_string() for e in result.get_asset_check_evaluations() if not e.passed)
        unchanged = target.read_bytes() == before
        rows.append(
            Row(
                f"gate injection: {kind}",
                "forced into creator_daily in the warehouse, then the mart gates and publish run",
                f"publish blocked={'yes' if not result.success else 'no'}; failed gates: {', '.join(failed) or 'none'}; "
                f"published file unchanged={'yes' if unchanged else 'no'}",
                not result.success and "creator_daily" in failed and unchanged,
                time.monotonic() - started,
            )
        )
    return rows


# -- 8. Readers under publish ---------------------------------------------------------------------


def _reader(path: str, stop, out) -> None:
    reads = errors = mixed = 0
    while not stop.is_set():
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                counts = json.loads(
                    con.execute("SELECT row_counts FROM publish_log ORDER BY published_at DESC LIMIT 1").fetchone()[0]
                )
                actual = {m: con.execute(f'SELECT count(*) FROM "{m}"').fetchone()[0] for m in counts}
                mixed += actual != counts
                reads += 1
            finally:
                con.close()
        except Exception:  # noqa: BLE001  (any error a reader sees counts)
            errors += 1
    out.put((reads, errors, mixed))


def readers_under_publish(bench: Bench, publishes: int = 20, readers: int = 4) -> list[Row]:
    from assets.publish.marts_file import publish
    from assets.publish.publish_asset import MARTS
    from assets.settings import Settings

    started = time.monotonic()
    work = bench.root / "readers"
    shutil.rmtree(work, ignore_errors=True)
    a = copy_tree(bench.after_day1, work / "a")
    b = copy_tree(bench.reference, work / "b")
    shutil.rmtree(b / "published")
    (b / "published").symlink_to(a / "published")  # both warehouses publish to one file
    target = a / "published" / "marts.duckdb"
    ctx = multiprocessing.get_context("spawn")
    stop, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_reader, args=(str(target), stop, out)) for _ in range(readers)]
    for p in procs:
        p.start()
    time.sleep(2)
    for i in range(publishes):
        source = a if i % 2 else b  # alternate between two warehouses with different row counts
        settings = Settings.from_env(landing_dir=bench.landing, data_dir=source)
        publish(settings, MARTS, f"reliability-{i}", DAY3, [DAY1], [])
    time.sleep(1)
    stop.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join()
    reads, errors, mixed = (sum(r[i] for r in results) for i in range(3))
    return [
        Row(
            "readers under publish",
            f"{readers} readers querying in a loop through {publishes} publishes",
            f"{reads:,} reads, reader errors = {errors}, mixed versions = {mixed}",
            reads > 0 and errors == 0 and mixed == 0,
            time.monotonic() - started,
        )
    ]


# -- 9. Disk full during publish ------------------------------------------------------------------

_PUBLISH_CHILD = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
limit = int(sys.argv[2])
if limit:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from assets.publish.marts_file import publish
from assets.publish.publish_asset import MARTS
from assets.settings import Settings
settings = Settings.from_env(data_dir=sys.argv[1])
try:
    publish(settings, MARTS, "disk-full", "2026-11-03", ["2026-11-03"], [])
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}".splitlines()[0])
    sys.exit(1)
"""


def disk_full(bench: Bench) -> list[Row]:
    started = time.monotonic()
    work = bench.root / "disk-full"
    shutil.rmtree(work, ignore_errors=True)
    data = copy_tree(bench.reference, work / "data")
    target = data / "published" / "marts.duckdb"
    before = target.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    full = subprocess.run(
        [sys.executable, "-c", _PUBLISH_CHILD, str(data), str(len(before) // 4)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    intact = target.read_bytes() == before
    leftovers = [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    again = subprocess.run(
        [sys.executable, "-c", _PUBLISH_CHILD, str(data), "0"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    message = full.stdout.strip() or full.stderr.strip().splitlines()[-1:] or ["(none)"]
    message = message if isinstance(message, str) else message[0]
    return [
        Row(
            "disk full during publish",
            f"publish with writes capped at {len(before) // 4:,} bytes (RLIMIT_FSIZE), then again without",
            f"failed={'yes' if full.returncode else 'no'} ({message[:90]}); previous file intact={'yes' if intact else 'no'}; "
            f"temp files left={len(leftovers)}; next publish rc={again.returncode}",
            full.returncode != 0 and intact and not leftovers and again.returncode == 0,
            time.monotonic() - started,
        )
    ]


# -- 10. Fuzzing ----------------------------------------------------------------------------------


def fuzzing(bench: Bench, examples: int = 150) -> list[Row]:
    from reliability.fuzz import fuzz_ingestion

    started = time.monotonic()
    tried, failures = fuzz_ingestion(bench.root / "fuzz", examples)
    return [
        Row(
            "fuzzing",
            f"{tried} mutated deliveries (records and files, hypothesis) ingested",
            f"crashes or unreconciled counts = {len(failures)}" + (f" (first: {failures[0][:80]})" if failures else ""),
            tried > 0 and not failures,
            time.monotonic() - started,
        )
    ]


# -- 11. PII --------------------------------------------------------------------------------------


def _delivered_contacts(landing: Path) -> set[str]:
    """Every email and phone number the creators feed delivered, in clear."""
    values = set()
    for path in (landing / "creators").glob("dt=*/*.jsonl*"):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for line in raw.decode(errors="replace").splitlines():
            with contextlib.suppress(ValueError, AttributeError):
                record = json.loads(line)
                values |= {v for v in (record.get("email"), record.get("phone")) if isinstance(v, str) and len(v) > 5}
    return values


def pii(bench: Bench) -> list[Row]:
    from assets.publish.marts_file import pii_findings
    from assets.settings import DEFAULT_PII_SALT

    started = time.monotonic()
    data = bench.reference
    con = duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)
    findings = pii_findings(con)
    con.close()
    # Reports: every creator's real email and phone, as delivered, looked for in every file, and
    # anything shaped like an email.
    clear = _delivered_contacts(bench.landing)
    email = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    texts = [p.read_text(errors="replace") for p in (data / "reports").rglob("*") if p.is_file()]
    in_reports = sum(len(email.findall(t)) + sum(v in t for v in clear) for t in texts)
    env = {k: v for k, v in os.environ.items() if k not in ("CWH_ALLOW_DEV_SALT", "CWH_PII_SALT")}
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--landing",
            str(bench.landing),
            "--data-dir",
            str(bench.root / "dev-salt"),
            "--start",
            DAY1,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return [
        Row(
            "PII",
            "clear emails/phones scanned in the published marts and reports; a run tried with the built-in dev salt",
            f"findings = {len(findings) + in_reports} ({len(clear):,} delivered contacts looked for in "
            f"{len(texts)} report file(s)); dev-salt run refused={'yes' if refused.returncode == 2 else 'no'}"
            f" ({refused.stderr.strip().splitlines()[-1][:70] if refused.stderr.strip() else ''})",
            not findings and not in_reports and refused.returncode == 2 and DEFAULT_PII_SALT not in refused.stderr,
            time.monotonic() - started,
        )
    ]


# Scenarios by name, in the table's order; FAST ones also run in the test suite (CI).
SCENARIOS = {
    "sigkill": sigkill_at_each_stage,
    "duplicates": duplicate_delivery,
    "corrupt": corrupt_deliveries,
    "replay": replay,
    "late": late_data,
    "drift": schema_drift,
    "injection": gate_injection,
    "readers": readers_under_publish,
    "disk-full": disk_full,
    "fuzz": fuzzing,
    "pii": pii,
}
FAST = ("duplicates", "corrupt", "drift", "injection", "readers", "disk-full", "fuzz", "pii")
