"""Publishing: an atomic swap of a complete file; clear PII refuses the publish and changes nothing."""
import duckdb
import pytest

from assets.publish import PublishError, publish
from assets.settings import Settings


def make_warehouse(settings, email="a1b2"):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("CREATE OR REPLACE TABLE dim_creators AS SELECT * FROM (VALUES ('c2', ?), ('c1', 'x')) t(creator_open_id, email_sha256)", [email])
    con.execute("CREATE OR REPLACE TABLE creator_daily AS SELECT 'c1' AS creator_open_id, 3 AS orders")
    con.close()


def test_publish_swaps_in_a_complete_file_and_appends_the_log(tmp_path):
    settings = Settings(landing_dir=tmp_path, data_dir=tmp_path / "data")
    make_warehouse(settings)
    gates = [{"stage": "raw", "contract": "links", "passed": True, "checks": 5, "failures": []}]
    r1 = publish(settings, ["creator_daily", "dim_creators"], "run1", "2026-11-01", ["2026-11-01"], gates)
    r2 = publish(settings, ["creator_daily", "dim_creators"], "run2", "2026-11-02", ["2026-11-01", "2026-11-02"], gates)
    assert r2.row_counts == {"creator_daily": 1, "dim_creators": 2}
    con = duckdb.connect(str(r1.path), read_only=True)
    assert con.execute("SELECT run_id, delivery_day::VARCHAR, len(delivery_days), gates_passed FROM publish_log ORDER BY published_at").fetchall() == [
        ("run1", "2026-11-01", 1, 1), ("run2", "2026-11-02", 2, 1)]
    assert con.execute("SELECT creator_open_id FROM dim_creators").fetchall() == [("c1",), ("c2",)]  # deterministic order
    assert not list(settings.published_path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("leak", ["someone@example.com", "(206) 555-0100", "+1 206 555 0100"])
def test_clear_pii_refuses_the_publish_and_keeps_the_previous_file(tmp_path, leak):
    settings = Settings(landing_dir=tmp_path, data_dir=tmp_path / "data")
    make_warehouse(settings)
    publish(settings, ["dim_creators"], "run1", "2026-11-01", ["2026-11-01"], [])
    before = settings.published_path.read_bytes()
    make_warehouse(settings, email=leak)
    with pytest.raises(PublishError, match="dim_creators.email_sha256"):
        publish(settings, ["dim_creators"], "run2", "2026-11-02", ["2026-11-02"], [])
    assert settings.published_path.read_bytes() == before
    assert not list(settings.published_path.parent.glob(".*.tmp"))
