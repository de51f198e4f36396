"""A tiny hand-written landing zone whose marts were computed by hand from MARTS.md."""

import hashlib
from datetime import UTC, datetime
from decimal import Decimal as D

import duckdb
import pytest
from conftest import run_days
from landing_builder import link, order, write_delivery

from assets.feeds import FEEDS
from assets.warehouse.dbt_project import DBT_DIR

pytestmark = pytest.mark.integration


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


# A deployment's secret salt: it must shape the hashes and appear in no file the run writes.
SALT = "s3cret-salt-7f3a9c"

E1_AT = ts("2026-11-01 10:00:00")
O3_AT = ts("2026-11-01 11:00:00")
E2_AT = O3_AT - 14 * 86400 - 1  # one second outside the 14-day window of o3

CREATOR = {
    "creator_user_id": None,
    "region": "US",
    "permissions": ["ADD_AFFILIATE_PERMISSION"],
    "joined_at": ts("2025-06-01 00:00:00"),
    "snapshot_at": ts("2026-11-02 23:30:00"),
}


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    landing, data = root / "landing", root / "data"
    d2 = {
        "creators": [
            {
                **CREATOR,
                "creator_open_id": "c1",
                "username": "ann",
                "email": " Ann@Example.COM ",
                "phone": "(206) 555-0100",
                "follower_count": 50_000,
                "chr_score": 180,
            },
            {
                **CREATOR,
                "creator_open_id": "c2",
                "username": "bo",
                "email": "bo@example.com",
                "follower_count": 2_000_000,
                "chr_score": 120,
            },
        ],
        "products": [
            {
                "product_id": "p1",
                "shop_id": "sh1",
                "title": "Lip oil",
                "category": "BEAUTY",
                "price": "10.00",
                "commission_rate": 1000,
                "updated_at": ts("2026-10-01 00:00:00"),
            }
        ],
        "links": [link(created_at=ts("2026-10-01 00:00:00"))],
        "link_clicks": [
            {
                "event_id": "e1",
                "link_id": "l1",
                "clicked_at": E1_AT,
                "device_type": 1,
                "device_id": "d1",
                "app_installed": True,
            },
            {
                "event_id": "e2",
                "link_id": "l1",
                "clicked_at": E2_AT,
                "device_type": 2,
                "device_id": "d1",
                "app_installed": False,
            },
            {
                "event_id": "e3",
                "link_id": "lX",
                "clicked_at": ts("2026-11-01 12:00:00"),
                "device_type": 1,
                "device_id": "d2",
                "referrer_src": "ig",
                "app_installed": False,
            },
        ],
        "affiliate_orders": [
            order(
                order_id="o1",
                content_type="LINKSHARE",
                content_id="l1",
                trace_event_id="e1",
                quantity=3,
                unit_price="2.35",
                commission_rate=1500,
                created_at=ts("2026-11-01 20:00:00"),
                update_time=ts("2026-11-01 20:00:00"),
            ),
            order(
                order_id="o2",
                creator_open_id="c2",
                quantity=1,
                unit_price="0.50",
                commission_rate=500,
                created_at=ts("2026-11-01 21:00:00"),
                update_time=ts("2026-11-01 21:00:00"),
            ),
            order(
                order_id="o3",
                creator_open_id="c9",
                content_type="LINKSHARE",
                content_id="l1",
                trace_event_id="e2",
                quantity=1,
                unit_price="10.00",
                created_at=O3_AT,
                update_time=O3_AT,
            ),
            order(order_id="o4", currency="EUR"),  # quarantined: currency_not_usd
        ],
        "violations": [
            {
                "violation_id": "v1",
                "creator_open_id": "c1",
                "policy_category": "MEDICAL_CLAIM",
                "severity": 2,
                "chr_delta": -5,
                "enforcement_action": "WARNING",
                "detected_at": ts("2026-11-01 08:00:00"),
                "enforced_local": "2026-11-01 01:30:00",
            },
            {
                "violation_id": "v2",
                "creator_open_id": "c1",
                "policy_category": "MEDICAL_CLAIM",
                "severity": 3,
                "chr_delta": -10,
                "enforcement_action": "CONTENT_REMOVED",
                "detected_at": ts("2026-11-02 06:00:00"),
                "enforced_local": "2026-11-01 23:00:00",
            },
        ],
        "appeals": [
            {
                "appeal_id": "a1",
                "violation_id": "v1",
                "submitted_at": ts("2026-11-01 09:00:00"),
                "status": "APPROVED",
                "resolved_at": ts("2026-11-01 15:00:00"),
                "update_time": ts("2026-11-01 15:00:00"),
            }
        ],
        "experiment_assignments": [],  # tests/integration/test_experiments_hand_computed.py
    }
    for feed in FEEDS:
        write_delivery(landing, feed, "2026-11-02", {f"{feed}.jsonl": d2[feed]})
        # Day 3 brings one late update: o1 partly refunded, delivered after its original state.
        d3 = (
            [
                order(
                    order_id="o1",
                    content_type="LINKSHARE",
                    content_id="l1",
                    trace_event_id="e1",
                    quantity=3,
                    unit_price="2.35",
                    commission_rate=1500,
                    status="REFUNDED",
                    refunded_quantity=1,
                    created_at=ts("2026-11-01 20:00:00"),
                    update_time=ts("2026-11-03 09:00:00"),
                )
            ]
            if feed == "affiliate_orders"
            else []
        )
        write_delivery(landing, feed, "2026-11-03", {f"{feed}.jsonl": d3})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CWH_PII_SALT", SALT)
        assert run_days(landing, data, "2026-11-02", "2026-11-03") == 0
    con = duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)

    def query(sql):
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=False)) for r in cur.fetchall()]

    query.data_dir = data
    return query


def pick(rows, *cols):
    return [tuple(r[c] for c in cols) for r in rows]


def test_fct_order_items(marts):
    rows = marts("SELECT * FROM fct_order_items ORDER BY order_id")
    assert pick(
        rows, "order_id", "link_id", "status", "gross_gmv", "net_gmv", "estimated_commission", "is_attributed_click"
    ) == [
        ("o1", "l1", "REFUNDED", D("7.05"), D("4.70"), D("0.71"), True),  # 0.705 rounds half away from zero
        ("o2", None, "ORDERED", D("0.50"), D("0.50"), D("0.03"), False),  # 0.025 -> 0.03
        ("o3", "l1", "ORDERED", D("10.00"), D("10.00"), D("1.00"), False),  # click 14 days + 1 s before the order
    ]
    assert {str(r["order_date"]) for r in rows} == {"2026-11-01"}


def test_creator_daily(marts):
    rows = marts("SELECT * FROM creator_daily ORDER BY creator_open_id, activity_date")
    got = pick(
        rows,
        "creator_open_id",
        "activity_date",
        "orders",
        "items_sold",
        "gross_gmv",
        "net_gmv",
        "linkshare_gmv",
        "estimated_commission",
        "clicks",
        "violations",
    )
    day = lambda s: datetime.fromisoformat(s).date()  # noqa: E731
    assert got == [
        ("c1", (datetime.fromtimestamp(E2_AT, UTC)).date(), 0, 0, D("0.00"), D("0.00"), D("0.00"), D("0.00"), 1, 0),
        ("c1", day("2026-11-01"), 1, 3, D("7.05"), D("4.70"), D("7.05"), D("0.71"), 1, 1),
        ("c1", day("2026-11-02"), 0, 0, D("0.00"), D("0.00"), D("0.00"), D("0.00"), 0, 1),
        ("c2", day("2026-11-01"), 1, 1, D("0.50"), D("0.50"), D("0.00"), D("0.03"), 0, 0),
        ("c9", day("2026-11-01"), 1, 1, D("10.00"), D("10.00"), D("10.00"), D("1.00"), 0, 0),
    ]


def test_link_funnel_daily(marts):
    rows = marts("SELECT * FROM link_funnel_daily ORDER BY link_id, click_date")
    assert pick(
        rows,
        "link_id",
        "creator_open_id",
        "channel",
        "clicks",
        "unique_clickers",
        "app_installed_clicks",
        "attributed_orders",
        "attributed_gmv",
        "conversion_rate",
    ) == [
        ("l1", "c1", "INSTAGRAM", 1, 1, 0, 0, D("0.00"), 0.0),  # e2's day
        ("l1", "c1", "INSTAGRAM", 1, 1, 1, 1, D("7.05"), 1.0),  # e1 led to o1
        ("lX", None, None, 1, 1, 0, 0, D("0.00"), 0.0),  # unknown link keeps its row
    ]


def test_fct_violations_and_governance(marts):
    v = marts("SELECT * FROM fct_violations ORDER BY violation_id")
    assert pick(
        v,
        "violation_id",
        "enforced_at",
        "appeal_status",
        "hours_to_resolution",
        "is_overturned",
        "prior_violations_90d",
        "is_repeat_violator",
        "same_policy_90d",
        "hits_same_policy_limit",
    ) == [
        ("v1", datetime(2026, 11, 1, 8, 30), "APPROVED", 6.0, True, 0, False, 1, False),  # ambiguous 01:30 -> PDT
        ("v2", datetime(2026, 11, 2, 7, 0), None, None, False, 1, True, 2, False),  # 23:00 PST
    ]
    g = marts("SELECT * FROM governance_daily ORDER BY enforced_date")
    assert pick(g, "violations", "orders", "appealed", "overturned", "overturn_rate", "median_hours_to_resolution") == [
        (1, 3, 1, 1, 1.0, 6.0),
        (1, 0, 0, 0, None, None),
    ]
    assert g[0]["violations_per_1k_orders"] == pytest.approx(1000 / 3) and g[1]["violations_per_1k_orders"] is None


def test_offsite_program_daily(marts):
    rows = marts("SELECT * FROM offsite_program_daily ORDER BY activity_date")
    assert pick(rows, "sharing_creators", "clicks", "attributed_orders", "linkshare_gmv", "total_gmv") == [
        (1, 1, 0, D("0.00"), D("0.00")),  # e2's day: clicks only
        (1, 2, 1, D("17.05"), D("17.55")),  # e1 (c1) and e3 (unknown link: no creator)
    ]
    assert rows[0]["linkshare_share"] is None and rows[1]["linkshare_share"] == pytest.approx(17.05 / 17.55)


def test_kpi_daily(marts):
    """The headline figures of each date, by hand from the same tiny landing zone."""
    rows = marts("SELECT * FROM kpi_daily ORDER BY activity_date")
    assert [str(r["activity_date"]) for r in rows] == [
        str(datetime.fromtimestamp(E2_AT, UTC).date()),  # e2's day: a click only
        "2026-11-01",
        "2026-11-02",  # v2 only
    ]
    cols = (
        "orders",
        "gross_gmv",
        "net_gmv",
        "active_creators",
        "clicks",
        "attributed_orders",
        "sharing_creators",
        "linkshare_gmv",
        "violations",
        "appealed",
        "resolved_appeals",
        "overturned",
    )
    assert pick(rows, *cols) == [
        (0, D("0.00"), D("0.00"), 0, 1, 0, 1, D("0.00"), 0, 0, 0, 0),
        (3, D("17.55"), D("15.20"), 3, 2, 1, 1, D("17.05"), 1, 1, 1, 1),  # o1 refunded 1 of 3 items
        (0, D("0.00"), D("0.00"), 0, 0, 0, 0, D("0.00"), 1, 0, 0, 0),
    ]
    ratios = ("refund_rate", "click_to_order_rate", "linkshare_share", "violations_per_1k_orders", "overturn_rate")
    assert pick(rows, *ratios) == [
        (None, 0.0, None, None, None),
        (
            pytest.approx(1 - 15.20 / 17.55),
            0.5,
            pytest.approx(17.05 / 17.55),
            pytest.approx(1000 / 3),
            1.0,
        ),
        (None, None, None, None, None),
    ]


def test_dim_creators(marts):
    rows = {r["creator_open_id"]: r for r in marts("SELECT * FROM dim_creators")}
    sha = lambda s: hashlib.sha256((SALT + s).encode()).hexdigest()  # noqa: E731
    assert pick([rows["c1"]], "follower_tier", "chr_band", "email_sha256", "phone_sha256", "is_inferred") == [
        ("MICRO", "CAUTION", sha("ann@example.com"), sha("+12065550100"), False)
    ]
    assert pick([rows["c2"]], "follower_tier", "chr_band", "phone_sha256") == [("MACRO", "UNHEALTHY", None)]
    assert rows["c9"]["is_inferred"] is True and rows["c9"]["username"] is None
    assert str(rows["c9"]["first_order_date"]) == "2026-11-01"


def test_the_pii_salt_is_in_no_file_the_run_wrote(marts):
    """Compiled models, dbt's logs and parse state, Dagster's storage, the warehouse, the reports."""
    written = [p for root in (marts.data_dir, DBT_DIR / "target") for p in root.rglob("*") if p.is_file()]
    assert len(written) > 50
    assert [str(p) for p in written if SALT.encode() in p.read_bytes()] == []


def test_quarantine_summary(marts):
    assert pick(marts("SELECT * FROM quarantine_summary"), "feed", "reason", "records") == [
        ("affiliate_orders", "currency_not_usd", 1)
    ]


def test_dbt_unit_tests_and_docs(marts, tmp_path):
    """dbt's own unit tests (attribution window, DST edges, latest state) and its docs, on a built warehouse."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from assets.warehouse.dbt_project import DBT_DIR

    dbt = str(Path(sys.executable).parent / "dbt")
    env = {
        **os.environ,
        "CWH_DATA_DIR": str(marts.data_dir),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
    unit = subprocess.run([dbt, "test", "--select", "test_type:unit", *common], env=env, capture_output=True, text=True)
    assert unit.returncode == 0, unit.stdout[-3000:]
    assert "PASS=" in unit.stdout and "ERROR=0" in unit.stdout
    docs = subprocess.run([dbt, "docs", "generate", *common], env=env, capture_output=True, text=True)
    assert docs.returncode == 0, docs.stdout[-3000:]
    assert (tmp_path / "target" / "catalog.json").exists()


def test_cwh_docs_describe_every_mart_and_column_and_serve_them_locally(marts):
    """`cwh docs` generates the dbt docs from the built warehouse and serves them on 127.0.0.1."""
    import json
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cwh = str(Path(sys.executable).parent / "cwh")
    proc = subprocess.Popen(
        [cwh, "docs", "--data-dir", str(marts.data_dir), "--port", str(port)],
        env={**os.environ, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(name):
        while True:
            assert proc.poll() is None, "cwh docs exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=5) as response:
                    return response.read()
            except OSError:
                time.sleep(0.5)

    try:
        assert b"dbt" in get("index.html")
        manifest, catalog = json.loads(get("manifest.json")), json.loads(get("catalog.json"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    marts_nodes = {
        k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }
    assert "model.creator_warehouse.kpi_daily" in marts_nodes
    undescribed = []
    for key, node in marts_nodes.items():
        if not node["description"].strip():
            undescribed.append(node["name"])
        for column in catalog["nodes"][key]["columns"]:
            if not (node["columns"].get(column) or {}).get("description", "").strip():
                undescribed.append(f"{node['name']}.{column}")
    assert not undescribed, f"marts and columns without a description: {undescribed}"


def test_the_readme_queries_run_through_cwh_query(marts):
    """The analysts' example queries of README.md run as printed (`cwh query` in its own process:
    this one holds the file open with another configuration, which DuckDB refuses within a process)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("**Six questions the team asks", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]
    queries = [q.strip() for q in re.split(r";\s*\n", block) if q.strip()]
    assert len(queries) == 6
    cwh = str(Path(sys.executable).parent / "cwh")
    for sql in queries:
        done = subprocess.run(
            [cwh, "query", "--data-dir", str(marts.data_dir), "--format", "csv", sql], capture_output=True, text=True
        )
        assert done.returncode == 0, (sql, done.stderr)
        assert "," in done.stdout.splitlines()[0], sql
