"""The real pipeline (Dagster + Soda + DuckDB/Parquet + dbt) over a few small generated days."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import generate, published_tables, run_days

from assets.feeds import FEEDS
from assets.ingest.lake import PART, Lake
from assets.publish.marts_file import pii_findings

pytestmark = pytest.mark.integration

START, END = "2026-11-01", "2026-11-03"
BAD_RECORD_FAULTS = (
    "invalid_json",
    "missing_field",
    "wrong_type",
    "invalid_enum",
    "quantity_lt_1",
    "unit_price_not_positive",
    "refunded_gt_quantity",
    "commission_out_of_range",
    "currency_not_usd",
)
MARTS = {
    "dim_creators",
    "fct_order_items",
    "creator_daily",
    "link_funnel_daily",
    "fct_violations",
    "governance_daily",
    "offsite_program_daily",
    "quarantine_summary",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    landing, data = root / "landing", root / "data"
    generate(landing, START, 3, seed=11)
    assert run_days(landing, data, START, END, per_day=True) == 0  # as the schedule runs them
    return landing, data


def test_every_mart_is_published_with_its_log(warehouse):
    _, data = warehouse
    con = duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert MARTS | {"publish_log"} <= tables
    log = con.execute(
        "SELECT delivery_day::VARCHAR, len(delivery_days), gates_passed, row_counts FROM publish_log "
        "ORDER BY published_at"
    ).fetchall()
    assert [r[0] for r in log] == ["2026-11-01", "2026-11-02", "2026-11-03"] and log[-1][1] == 3
    assert log[-1][2] >= len(FEEDS) + len(MARTS)  # raw, staging and mart gates behind the publish
    assert json.loads(log[-1][3])["fct_order_items"] > 0
    assert con.execute("SELECT count(*) FROM fct_order_items").fetchone()[0] > 1000

    # Each gate says what it cost; the README's query for the costliest gates runs as printed.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    sql = readme.split("The costliest gates of the last", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]
    costliest = con.execute(sql).fetchall()
    assert len(costliest) == 5 and all(seconds > 0 for _, _, seconds in costliest)
    assert [s for _, _, s in costliest] == sorted((s for _, _, s in costliest), reverse=True)
    assert {stage for stage, _, _ in costliest} <= {"raw", "staging", "marts"}


def test_quarantine_holds_exactly_the_injected_bad_records(warehouse):
    landing, data = warehouse
    expected = {}
    for day in ("2026-11-01", "2026-11-02", "2026-11-03"):
        truth = json.loads((landing / "_simulator" / f"dt={day}.json").read_text())["feeds"]
        for feed, info in truth.items():
            for reason, n in info["accepted"]["faults"].items():
                if reason in BAD_RECORD_FAULTS and n:
                    expected[(feed, day, reason)] = n
    con = duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)
    got = {
        (f, str(d), r): n
        for f, d, r, n in con.execute("SELECT feed, dt, reason, records FROM quarantine_summary").fetchall()
    }
    assert got == expected


def test_published_file_has_no_clear_pii(warehouse):
    landing, data = warehouse
    con = duckdb.connect(str(data / "published" / "marts.duckdb"), read_only=True)
    assert pii_findings(con) == []
    sample = duckdb.sql(
        f"SELECT email, phone FROM read_json_auto('{landing}/creators/dt={START}/*.jsonl*', "
        "ignore_errors = true) WHERE phone IS NOT NULL LIMIT 20"
    ).fetchall()
    assert sample
    for table in [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]:
        text = str(con.execute(f'SELECT * FROM "{table}"').fetchall())
        assert not any(email in text or phone in text for email, phone in sample), table


def test_rerunning_a_day_changes_nothing(warehouse):
    landing, data = warehouse
    lake = Lake(data / "lake")
    before_lake = {f: (lake.raw_dir(f, "2026-11-02") / PART).read_bytes() for f in FEEDS}
    before = published_tables(data)
    assert run_days(landing, data, "2026-11-02") == 0
    assert {f: (lake.raw_dir(f, "2026-11-02") / PART).read_bytes() for f in FEEDS} == before_lake
    assert published_tables(data) == before


def test_a_truncated_file_blocks_its_day_and_keeps_the_last_publish(warehouse, tmp_path, capsys):
    landing, data = warehouse
    # Day 4 arrives with one links file cut short.
    generate(landing, "2026-11-04", 1, seed=12)
    folder = landing / "links" / "dt=2026-11-04"
    victim = sorted(p for p in folder.iterdir() if p.name != "_manifest.json")[0]
    victim.write_bytes(victim.read_bytes()[:100])
    published = data / "published" / "marts.duckdb"
    before = published.read_bytes()
    capsys.readouterr()
    assert run_days(landing, data, "2026-11-04") == 1
    err = capsys.readouterr().err
    assert "raw_contract" in err and "raw/links" in err and victim.name in err
    assert published.read_bytes() == before  # analysts keep the last good version
    assert not Lake(data / "lake").raw_dir("links", "2026-11-04").exists()  # invisible to later days
    shutil.rmtree(landing / "links" / "dt=2026-11-04")


def test_mart_gates_catch_broken_marts(warehouse, tmp_path):
    """The contracts are real gates: a duplicated grain and inconsistent money fail them, by name."""
    from assets.gates.soda import CONTRACTS_DIR, verify

    _, data = warehouse
    broken = tmp_path / "warehouse.duckdb"
    shutil.copyfile(data / "warehouse" / "warehouse.duckdb", broken)
    con = duckdb.connect(str(broken))
    con.execute("INSERT INTO fct_order_items SELECT * FROM fct_order_items LIMIT 1")
    con.execute("UPDATE creator_daily SET net_gmv = gross_gmv + 1 WHERE rowid = (SELECT min(rowid) FROM creator_daily)")
    con.close()
    con = duckdb.connect(str(broken), read_only=True)
    facts = verify(con, CONTRACTS_DIR / "marts" / "fct_order_items.yml", "warehouse")
    daily = verify(con, CONTRACTS_DIR / "marts" / "creator_daily.yml", "warehouse")
    assert not facts.passed and any("duplicate" in c.name.lower() for c in facts.failures)
    assert not daily.passed and any("never negative" in c.name for c in daily.failures)
    assert verify(con, CONTRACTS_DIR / "marts" / "governance_daily.yml", "warehouse").passed
