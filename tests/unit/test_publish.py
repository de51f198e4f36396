"""Publishing: an atomic swap of a complete file; clear PII refuses the publish and changes nothing."""

import duckdb
import pyarrow as pa
import pytest

from assets import marts_builds
from assets.publish.marts_file import PublishError, publish
from assets.settings import Settings


def make_warehouse(settings, email="a1b2"):
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute(
        "CREATE OR REPLACE TABLE dim_creators AS SELECT * FROM (VALUES ('c2', ?), ('c1', 'x')) t(creator_open_id, email_sha256)",
        [email],
    )
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
    assert con.execute(
        "SELECT run_id, delivery_day::VARCHAR, len(delivery_days), gates_passed FROM publish_log ORDER BY published_at"
    ).fetchall() == [("run1", "2026-11-01", 1, 1), ("run2", "2026-11-02", 2, 1)]
    assert con.execute("SELECT creator_open_id FROM dim_creators").fetchall() == [
        ("c1",),
        ("c2",),
    ]  # deterministic order
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


SCOPES = {"fct_lines": ("lines_affected", ["line_id"])}


def set_lines(settings, rows, affected, builds=1):
    """The warehouse after a dbt run: the mart, and the scope (line ids) that run rewrote.
    `builds`: the marts builds this stands for (counted as the dbt step counts them)."""
    for _ in range(builds):
        marts_builds.begin_build(settings)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("CREATE OR REPLACE TABLE fct_lines (line_id VARCHAR, note VARCHAR, amount DECIMAL(18, 2))")
    if rows:  # column-wise, not row by row: the compaction test writes many rows
        batch = pa.table({k: [r[i] for r in rows] for i, k in enumerate(("line_id", "note", "amount"))})
        con.register("batch", batch)
        con.execute("INSERT INTO fct_lines SELECT line_id, note, amount FROM batch")
    con.execute("CREATE OR REPLACE TABLE lines_affected AS SELECT unnest(?::VARCHAR[]) AS line_id", [affected])
    con.close()


def published_lines(settings):
    con = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        return con.execute("SELECT * FROM fct_lines ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_a_daily_publish_replaces_only_the_rewritten_scope_and_still_equals_the_warehouse(tmp_path):
    settings = Settings(landing_dir=tmp_path, data_dir=tmp_path / "data")
    make_warehouse(settings)
    rows = [(f"l{i}", "ok", i) for i in range(5)]
    set_lines(settings, rows, [])
    publish(settings, ["fct_lines"], "run1", "2026-11-01", ["2026-11-01"], [], scopes=SCOPES)  # first: copied whole
    rows = rows[:4] + [("l4", "late update", 40), ("l5", "new", 5)]
    set_lines(settings, [r for r in rows if r[0] != "l4" or r[1] != "ok"], ["l4", "l5"])
    result = publish(settings, ["fct_lines"], "run2", "2026-11-02", ["2026-11-02"], [], scopes=SCOPES)
    assert result.carried_forward == ["fct_lines"]
    assert published_lines(settings) == sorted([(a, b, c) for a, b, c in rows if (a, b) != ("l4", "ok")])

    # A run whose gates failed changed l0 in the warehouse without publishing; the next run's scope
    # does not name it, yet the published file still ends equal to the warehouse: two builds since
    # the last publish, so that publish copies the mart whole.
    rows = [("l0", "changed, unpublished", 0)] + [r for r in rows[1:] if r != ("l4", "ok", 4)] + [("l6", "new", 6)]
    set_lines(settings, rows, ["l6"], builds=2)
    result = publish(settings, ["fct_lines"], "run3", "2026-11-03", ["2026-11-03"], [], scopes=SCOPES)
    assert result.carried_forward == []
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    assert published_lines(settings) == con.execute("SELECT * FROM fct_lines ORDER BY ALL").fetchall()
    con.close()

    # The next day carries forward again; a published file replaced by another one is not.
    set_lines(settings, rows + [("l7", "new", 7)], ["l7"])
    assert publish(settings, ["fct_lines"], "run4", "2026-11-04", [], [], scopes=SCOPES).carried_forward == [
        "fct_lines"
    ]
    set_lines(settings, rows + [("l7", "new", 7), ("l8", "new", 8)], ["l8"])
    settings.published_path.write_bytes(settings.published_path.read_bytes())  # e.g. restored from a backup
    assert publish(settings, ["fct_lines"], "run5", "2026-11-05", [], [], scopes=SCOPES).carried_forward == []
    assert published_lines(settings) == sorted(rows + [("l7", "new", 7), ("l8", "new", 8)])


def test_a_daily_publish_scans_the_rows_it_replaces_for_pii(tmp_path):
    settings = Settings(landing_dir=tmp_path, data_dir=tmp_path / "data")
    make_warehouse(settings)
    set_lines(settings, [("l1", "ok", 1)], [])
    publish(settings, ["fct_lines"], "run1", "2026-11-01", ["2026-11-01"], [], scopes=SCOPES)
    before = settings.published_path.read_bytes()
    set_lines(settings, [("l1", "ok", 1), ("l2", "someone@example.com", 2)], ["l2"])
    with pytest.raises(PublishError, match="fct_lines.note"):
        publish(settings, ["fct_lines"], "run2", "2026-11-02", ["2026-11-02"], [], scopes=SCOPES)
    assert settings.published_path.read_bytes() == before


def test_dead_space_from_carried_publishes_is_compacted_atomically(tmp_path):
    """Rewriting a scope again and again leaves free blocks; past the policy's share the publish
    writes a compact file (same rows), swapped in by the same rename."""
    from assets.publish.marts_file import COMPACT_FREE_SHARE, free_share

    settings = Settings(landing_dir=tmp_path, data_dir=tmp_path / "data")
    make_warehouse(settings)
    rows = [(f"l{i}", "ok", i) for i in range(20_000)]
    set_lines(settings, rows, [])
    publish(settings, ["fct_lines"], "run1", "2026-11-01", ["2026-11-01"], [], scopes=SCOPES)
    compacted, shares = [], []
    for day in range(2, 8):  # each day rewrites half the lines
        rows = [(a, f"v{day}", c) if c % 2 == 0 else (a, b, c) for a, b, c in rows]
        set_lines(settings, rows, [a for a, _, c in rows if c % 2 == 0])
        result = publish(settings, ["fct_lines"], f"run{day}", f"2026-11-0{day}", [], [], scopes=SCOPES)
        compacted.append(result.compacted)
        shares.append(free_share(settings.published_path))
        assert published_lines(settings) == sorted(rows)
    assert any(compacted), "the policy never compacted"
    assert max(shares) <= COMPACT_FREE_SHARE + 0.01, shares  # what readers get never carries more dead space
    assert not list(settings.published_path.parent.glob("*.compact")) and not list(
        settings.published_path.parent.glob(".*.tmp")
    )
