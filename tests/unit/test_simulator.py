"""The delivery simulator writes the SOURCES.md landing zone, deterministically, with exactly the
faults its ground-truth sidecar says it injected."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import re
import time
import zlib
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from simulator import SCALES, FaultRates, generate
from simulator.faults import BAD_KINDS
from simulator.schema import FEEDS, FIELDS
from simulator.seasons import la_offset

START = dt.date(2026, 10, 30)  # spans the 2026-11-01 DST change and 11.11 is near
HIGH = FaultRates(
    **dict.fromkeys(BAD_KINDS, 0.02),
    millisecond_ts=0.02,
    extra_field=0.02,
    duplicate_in_file=0.02,
    duplicate_across_files=0.02,
    blank_line=0.01,
    orphan=0.05,
    late_clicks=0.1,
    old_clicks=0.02,
    late_orders=0.1,
    out_of_order=0.1,
    redelivered_file=1.0,
)
DEC = re.compile(r"^-?\d+(\.\d+)?$")
LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


# ------------------------------------------------------------------ an independent checker


def _type_ok(typ: str, v) -> bool:
    if typ in ("int", "ts"):
        return isinstance(v, int) and not isinstance(v, bool)
    if typ == "bool":
        return isinstance(v, bool)
    if typ == "dec":
        return isinstance(v, str) and bool(DEC.match(v))
    if typ == "list":
        return isinstance(v, list) and all(isinstance(x, str) for x in v)
    return isinstance(v, str)


def classify(feed: str, line: str) -> tuple[str | None, set[str]]:
    """(reason the record is quarantined or None, valid-record notes) following SOURCES.md."""
    try:
        rec = json.loads(line)
    except ValueError:
        return "invalid_json", set()
    if not isinstance(rec, dict):
        return "invalid_json", set()
    notes = set()
    specs = {f.name: f for f in FIELDS[feed]}
    if set(rec) - set(specs):
        notes.add("extra_field")
    for f in specs.values():
        if rec.get(f.name) is None and f.required:
            return "missing_field", notes
    for f in specs.values():
        v = rec.get(f.name)
        if v is not None and not _type_ok(f.type, v):
            return "wrong_type", notes
    for f in specs.values():
        if f.enum and rec[f.name] not in f.enum:
            return "invalid_enum", notes
    if any(f.type == "ts" and rec.get(f.name) is not None and rec[f.name] > 100_000_000_000 for f in specs.values()):
        notes.add("millisecond_ts")
    if feed == "affiliate_orders":
        if rec["quantity"] < 1:
            return "quantity_lt_1", notes
        if float(rec["unit_price"]) <= 0:
            return "unit_price_not_positive", notes
        if rec["refunded_quantity"] > rec["quantity"]:
            return "refunded_gt_quantity", notes
        if rec["currency"] != "USD":
            return "currency_not_usd", notes
        assert rec["refunded_quantity"] >= 0
        assert (rec["content_type"] == "LINKSHARE") == (rec["trace_event_id"] is not None)
    if feed in ("affiliate_orders", "products") and not 100 <= rec["commission_rate"] <= 8000:
        return "commission_out_of_range", notes
    # ranges the simulator never breaks on purpose
    if feed == "products":
        assert float(rec["price"]) > 0
    if feed == "creators":
        assert rec["follower_count"] >= 0 and 0 <= rec["chr_score"] <= 1000
        assert re.match(r"^[A-Z]{2}$", rec["region"])
    if feed == "violations":
        assert 1 <= rec["severity"] <= 4 and rec["chr_delta"] <= 0
        assert LOCAL.match(rec["enforced_local"])
    if feed == "link_clicks":
        assert rec["device_type"] in (1, 2)
    if feed == "appeals":
        assert (rec["status"] != "PENDING") == (rec.get("resolved_at") is not None)
    return None, notes


# ------------------------------------------------------------------ helpers


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _truth(root: Path, day: str) -> dict:
    return json.loads((root / "_simulator" / f"dt={day}.json").read_text())


def _text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode()


def _days(root: Path) -> list[str]:
    return sorted(p.name[3:-5] for p in (root / "_simulator").glob("dt=*.json"))


def _records(root: Path, feed: str, days=None):
    for day in days or _days(root):
        for p in sorted((root / feed / f"dt={day}").glob("*.jsonl*")):
            for line in _text(p).splitlines():
                if line.strip() and classify(feed, line)[0] is None:
                    yield json.loads(line)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("default")
    generate(root, START, 3)
    return root


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("faulty")
    generate(root, START, 2, faults=HIGH)
    return root


@pytest.fixture(scope="module")
def damaged_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    rates = dataclasses.replace(FaultRates(), truncated_file=0.25, corrupted_gzip=0.25, unlisted_file=0.25)
    generate(root, START, 1, faults=rates)
    return root


# ------------------------------------------------------------------ tests


def test_api_surface():
    assert {"small", "medium", "large"} <= set(SCALES)
    clean = FaultRates.none()
    assert all(getattr(clean, f.name) == 0 for f in dataclasses.fields(clean))
    assert dataclasses.replace(clean, invalid_json=0.5).invalid_json == 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        clean.invalid_json = 0.1
    with pytest.raises(ValueError):
        FaultRates(invalid_json=1.5)


def test_layout_and_manifests(default_run):
    for day in _days(default_run):
        for feed in FEEDS:
            folder = default_run / feed / f"dt={day}"
            manifest = json.loads((folder / "_manifest.json").read_text())
            assert manifest["feed"] == feed and manifest["dt"] == day
            listed = {f["name"]: f for f in manifest["files"]}
            on_disk = {p.name for p in folder.iterdir()} - {"_manifest.json"}
            assert on_disk == set(listed)  # defaults never leave files unlisted
            for name, entry in listed.items():
                assert re.match(r"^[\w.-]+\.jsonl(\.gz)?$", name)
                data = (folder / name).read_bytes()
                assert hashlib.sha256(data).hexdigest() == entry["sha256"]
                assert sum(1 for line in _text(folder / name).splitlines() if line.strip()) == entry["rows"]


def test_same_seed_same_bytes_other_seed_differs(default_run, tmp_path):
    again = tmp_path / "again"
    generate(again, START, 3)
    assert _files(again) == _files(default_run)
    other = tmp_path / "other"
    generate(other, START, 1, seed=8)
    mine = _files(default_run)
    theirs = _files(other)
    shared = [k for k in theirs if k in mine and not k.endswith("_manifest.json") and "_simulator" not in k]
    assert shared and all(theirs[k] != mine[k] for k in shared)


def test_a_day_does_not_depend_on_the_range_it_was_generated_in(default_run, tmp_path):
    alone = tmp_path / "alone"
    generate(alone, START + dt.timedelta(days=2), 1)
    day = (START + dt.timedelta(days=2)).isoformat()
    mine = {k: v for k, v in _files(default_run).items() if f"dt={day}" in k}
    assert mine == _files(alone)


def test_regenerating_overwrites_the_day(tmp_path):
    generate(tmp_path, START, 1)
    folder = tmp_path / "links" / f"dt={START.isoformat()}"
    (folder / "stale.jsonl").write_text("{}\n")
    before = _files(tmp_path)
    generate(tmp_path, START, 1)
    assert not (folder / "stale.jsonl").exists()
    after = _files(tmp_path)
    assert after == {k: v for k, v in before.items() if not k.endswith("stale.jsonl")}


KEYS = {
    "creators": ("creator_open_id",),
    "products": ("product_id",),
    "links": ("link_id",),
    "link_clicks": ("event_id",),
    "affiliate_orders": ("order_id", "sku_id", "update_time"),
    "violations": ("violation_id",),
    "appeals": ("appeal_id", "update_time"),
    "experiment_assignments": ("experiment_id", "creator_open_id", "assigned_at"),
}


def test_clean_data_has_no_faults_at_all(tmp_path):
    generate(tmp_path, START, 2, faults=FaultRates.none())
    seen = {feed: Counter() for feed in FEEDS}  # record versions over both days
    for day in _days(tmp_path):
        truth = _truth(tmp_path, day)
        for feed in FEEDS:
            info = truth["feeds"][feed]
            assert not any(info["faults"].values()), (feed, info["faults"])
            assert all(f["listed"] and not f["damage"] and not f["redelivery_of"] for f in info["files"])
            keys = Counter()
            for f in info["files"]:
                for line in _text(tmp_path / feed / f"dt={day}" / f["name"]).splitlines():
                    reason, notes = classify(feed, line)
                    assert reason is None and not notes, (feed, line)
                    keys[tuple(json.loads(line)[k] for k in KEYS[feed])] += 1
            assert max(keys.values(), default=1) == 1, feed  # one record per key in a delivery (if any)
            seen[feed].update(keys)
    for feed in ("link_clicks", "affiliate_orders", "violations", "appeals"):
        assert max(seen[feed].values()) == 1, feed  # and each is delivered once


def test_every_line_is_json_or_a_counted_fault_and_counts_match(faulty_run):
    seen = Counter()
    for day in _days(faulty_run):
        truth = _truth(faulty_run, day)
        for feed in FEEDS:
            info = truth["feeds"][feed]
            for f in info["files"]:
                lines = _text(faulty_run / feed / f"dt={day}" / f["name"]).split("\n")
                assert lines[-1] == ""
                lines = lines[:-1]
                found = Counter()
                blank = 0
                for line in lines:
                    if not line.strip():
                        blank += 1
                        continue
                    reason, notes = classify(feed, line)
                    found.update([reason] if reason else notes)
                dup_in = sum(c - 1 for c in Counter(x for x in lines if x.strip()).values())
                expected = {
                    k: v for k, v in f["faults"].items() if k in BAD_KINDS or k in ("millisecond_ts", "extra_field")
                }
                assert {k: v for k, v in found.items() if v} == expected, (feed, f["name"])
                assert blank == f["faults"].get("blank_line", 0)
                assert dup_in >= f["faults"].get("duplicate_in_file", 0)
                assert len(lines) - blank == f["rows"]
                seen.update(f["faults"])
            assert info["lines"] == sum(f["rows"] for f in info["files"])
    for kind in BAD_KINDS + (
        "millisecond_ts",
        "extra_field",
        "duplicate_in_file",
        "duplicate_across_files",
        "blank_line",
        "late",
        "late_old",
        "out_of_order",
        "orphan",
    ):
        assert seen[kind] > 0, kind


def test_late_out_of_order_and_orphan_counts_match_the_files(tmp_path):
    faulty_run = tmp_path
    rates = dataclasses.replace(
        FaultRates.none(),
        late_clicks=0.1,
        old_clicks=0.02,
        late_orders=0.1,
        out_of_order=0.1,
        orphan=0.05,
        millisecond_ts=0.02,
    )
    generate(faulty_run, START, 2, faults=rates)

    def ts(v):
        return v // 1000 if v > 100_000_000_000 else v

    for day in _days(faulty_run):
        feeds = _truth(faulty_run, day)["feeds"]
        start = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())
        links = {r["link_id"] for r in _records(faulty_run, "links", [day])}
        for feed, field in (("link_clicks", "clicked_at"), ("affiliate_orders", "update_time")):
            for f in feeds[feed]["files"]:
                if f["redelivery_of"]:
                    continue
                recs = [
                    json.loads(x)
                    for x in _text(faulty_run / feed / f"dt={day}" / f["name"]).splitlines()
                    if x.strip() and classify(feed, x)[0] is None
                ]
                earlier = [r for r in recs if ts(r[field]) < start]
                expected = f["faults"]
                if feed == "link_clicks":
                    old = sum(ts(r[field]) < start - 3 * 86400 for r in earlier)
                    assert (len(earlier) - old, old) == (expected.get("late", 0), expected.get("late_old", 0))
                    unknown = sum(r["link_id"] not in links for r in recs if ts(r[field]) >= start)
                    assert unknown == expected.get("orphan", 0)
                else:
                    assert len(earlier) == expected.get("late", 0) + expected.get("out_of_order", 0)


def test_duplicates_across_files_are_exact_copies_in_another_file(faulty_run):
    day = _days(faulty_run)[0]
    info = _truth(faulty_run, day)["feeds"]["link_clicks"]
    originals = [f for f in info["files"] if not f["redelivery_of"]]
    per_file = [set(_text(faulty_run / "link_clicks" / f"dt={day}" / f["name"]).splitlines()) - {""} for f in originals]
    shared = sum(len(per_file[i] & per_file[i - 1]) for i in range(1, len(per_file)))
    assert shared == sum(f["faults"].get("duplicate_across_files", 0) for f in originals) > 0


def test_redelivered_files_repeat_earlier_bytes(faulty_run):
    checked = 0
    for day in _days(faulty_run):
        for feed in FEEDS:
            for f in _truth(faulty_run, day)["feeds"][feed]["files"]:
                if f["redelivery_of"]:
                    source = faulty_run / f["redelivery_of"]
                    copy = (faulty_run / feed / f"dt={day}" / f["name"]).read_bytes()
                    if source.exists():
                        assert source.read_bytes() == copy
                        checked += 1
    assert checked > 0


def test_damaged_files_fail_their_manifest_check(damaged_run):
    kinds = Counter()
    for day in _days(damaged_run):
        for feed in FEEDS:
            folder = damaged_run / feed / f"dt={day}"
            listed = {f["name"]: f for f in json.loads((folder / "_manifest.json").read_text())["files"]}
            for f in _truth(damaged_run, day)["feeds"][feed]["files"]:
                data = (folder / f["name"]).read_bytes()
                if not f["listed"]:
                    kinds["unlisted"] += 1
                    assert f["name"] not in listed
                    continue
                assert listed[f["name"]]["sha256"] == f["sha256"]
                matches = hashlib.sha256(data).hexdigest() == f["sha256"]
                assert matches == (f["damage"] is None)
                if f["damage"] == "corrupted":
                    kinds["corrupted"] += 1
                    assert f["name"].endswith(".gz")
                    with pytest.raises((OSError, EOFError, zlib.error)):
                        gzip.decompress(data)
                elif f["damage"] == "truncated":
                    kinds["truncated"] += 1
                elif f["gzip"]:
                    gzip.decompress(data)
    assert kinds["unlisted"] and kinds["corrupted"] and kinds["truncated"]


def test_default_faults_stay_under_the_quarantine_gate(default_run):
    for day in _days(default_run):
        for feed, info in _truth(default_run, day)["feeds"].items():
            bad = sum(info["faults"][k] for k in BAD_KINDS)
            assert bad < 10 or bad <= 0.01 * info["lines"], (day, feed, bad)
            assert all(f["listed"] and not f["damage"] for f in info["files"])


def test_small_scale_volumes(default_run):
    for day in _days(default_run):
        feeds = _truth(default_run, day)["feeds"]
        assert 3_000 <= feeds["link_clicks"]["lines"] <= 15_000
        assert 500 <= feeds["affiliate_orders"]["lines"] <= 3_000
        assert 200 <= feeds["creators"]["lines"] <= 1_000
        assert 500 <= feeds["links"]["lines"] <= 5_000  # every link still clickable
        assert feeds["violations"]["lines"] > 0 and feeds["products"]["lines"] > 0


def test_orders_trace_real_clicks_on_their_link(default_run, tmp_path):
    later = tmp_path / "later"
    generate(later, START + dt.timedelta(days=15), 2)
    clicks = {c["event_id"]: c for c in _records(default_run, "link_clicks")}

    def lags(root):
        orders = {
            (o["order_id"], o["sku_id"]): o
            for o in _records(root, "affiliate_orders")
            if o["content_type"] == "LINKSHARE"
        }
        found = [
            o["created_at"] - clicks[o["trace_event_id"]]["clicked_at"]
            for o in orders.values()
            if o["trace_event_id"] in clicks and clicks[o["trace_event_id"]]["link_id"] == o["content_id"]
        ]
        return np.array(found), len(orders)

    near, n_orders = lags(default_run)
    assert n_orders > 200 and len(near) > 0.3 * n_orders
    assert (near >= 0).all() and (near <= 14 * 86400).mean() > 0.9
    far, _ = lags(later)  # orders two weeks after those clicks
    assert (far > 14 * 86400).any() and (far >= 0).all()


def test_violations_hit_the_dst_change_hours(default_run, tmp_path):
    def local_times(root, day):
        return [r["enforced_local"] for r in _records(root, "violations", [day])]

    # 2026-11-01 01:00-02:00 happens twice in Los Angeles; 2027-03-14 02:00-03:00 does not exist
    assert any(t.startswith("2026-11-01 01:") for t in local_times(default_run, "2026-11-01"))
    generate(tmp_path, dt.date(2027, 3, 14), 1)
    assert any(t.startswith("2027-03-14 02:") for t in local_times(tmp_path, "2027-03-14"))


def test_la_offset_agrees_with_zoneinfo():
    rng = np.random.default_rng(1)
    t = rng.integers(946684800, 2051222400, 2000)  # 2000..2035
    t = np.concatenate([t, [1793523600 - 1, 1793523600, 1773482400 - 1, 1773482400]])
    la = ZoneInfo("America/Los_Angeles")
    expected = [dt.datetime.fromtimestamp(int(x), la).utcoffset().total_seconds() for x in t]
    assert la_offset(t).tolist() == expected


def test_sale_days_are_busier(tmp_path):
    for day in (dt.date(2026, 11, 24), dt.date(2026, 11, 27)):  # a Tuesday and Black Friday
        generate(tmp_path, day, 1, faults=FaultRates.none())
    clicks = {d: _truth(tmp_path, d)["feeds"]["link_clicks"]["lines"] for d in _days(tmp_path)}
    assert clicks["2026-11-27"] > 3 * clicks["2026-11-24"]


def test_medium_day_takes_seconds(tmp_path):
    t0 = time.perf_counter()
    summary = generate(tmp_path, dt.date(2026, 11, 3), 1, scale="medium")
    seconds = time.perf_counter() - t0
    print(
        f"\nmedium day: {summary['lines']['link_clicks']:,} clicks, "
        f"{summary['lines']['affiliate_orders']:,} order lines in {seconds:.1f}s"
    )
    assert summary["lines"]["link_clicks"] > 500_000


def test_assignments_carry_their_faults_and_follow_the_plan(tmp_path):
    """Every creator who joined by the start day is assigned once on time, or late; re-assignments
    carry another arm; assigned shares follow the plan; a broken plan names file and field."""
    from simulator import PlanError
    from simulator.experiments import load_plan

    (tmp_path / "d.yml").write_text(
        "id: e\nstart: 2026-10-31\nend: 2026-11-01\narms: {control: 0.5, t: 0.5}\nprimary_metric: orders\n"
    )
    (tmp_path / "p.yml").write_text("definition: d.yml\nassigned_shares: {control: 0.8, t: 0.2}\n")
    rates = dataclasses.replace(FaultRates.none(), reassigned=0.2, late_assignments=0.2, out_of_order=0.5)
    generate(tmp_path / "l", START, 4, faults=rates, experiments=[tmp_path / "p.yml"])
    records = []
    for day in _days(tmp_path / "l"):
        for f in _truth(tmp_path / "l", day)["feeds"]["experiment_assignments"]["files"]:
            text = _text(tmp_path / "l" / "experiment_assignments" / f"dt={day}" / f["name"])
            records += [(day, json.loads(line)) for line in text.splitlines()]
    by_creator = {}
    for day, rec in records:
        by_creator.setdefault(rec["creator_open_id"], []).append((rec["assigned_at"], day, rec["arm"]))
    first = {c: min(v) for c, v in by_creator.items()}
    arms = Counter(a for _, _, a in first.values())
    assert 0.7 < arms["control"] / len(first) < 0.9
    reassigned = [c for c, v in by_creator.items() if len({a for _, _, a in v}) > 1]
    assert 0.1 < len(reassigned) / len(first) < 0.3
    # out of order: some first assignments are delivered after their re-assignment
    assert any(first[c][1] > min(d for _, d, _ in by_creator[c]) for c in reassigned)
    assert {d for _, d, _ in first.values()} > {"2026-10-31"}  # and some first assignments are late
    (tmp_path / "bad.yml").write_text("definition: d.yml\neffects: {t: {orders: 0.1}}\n")
    with pytest.raises(PlanError, match=r"bad.yml: field 'effects.t.orders'"):
        load_plan(tmp_path / "bad.yml")


def test_plants_change_only_what_they_plant(tmp_path):
    """A plant reaches the deliveries through the world: the planted policy's violations, the
    planted cohort's links; feeds it does not touch stay byte-identical, and plants.json names it."""
    day = dt.date(2026, 11, 2)
    generate(tmp_path / "plain", day, 1, seed=3, faults=FaultRates.none())
    generate(tmp_path / "planted", day, 1, seed=3, faults=FaultRates.none(), plants=("policy_violation_spike",))
    plain, planted = _files(tmp_path / "plain"), _files(tmp_path / "planted")
    untouched = [k for k in plain if k.split("/")[0] in ("creators", "products", "links", "link_clicks")]
    assert untouched and all(plain[k] == planted[k] for k in untouched)
    policies = Counter(r["policy_category"] for r in _records(tmp_path / "planted", "violations"))
    before = Counter(r["policy_category"] for r in _records(tmp_path / "plain", "violations"))
    assert policies["MEDICAL_CLAIM"] >= before["MEDICAL_CLAIM"] + sum(before.values()) * 0.8
    truth = json.loads((tmp_path / "planted" / "_simulator" / "plants.json").read_text())
    assert truth["policy_violation_spike"]["policy_category"] == "MEDICAL_CLAIM"
    with pytest.raises(ValueError, match="unknown plant"):
        generate(tmp_path / "bad", day, 1, plants=("no_such_plant",))
