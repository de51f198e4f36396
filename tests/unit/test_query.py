"""`cwh query`: formats, and every way a query could reach beyond reading the published marts."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main as cwh
from orchestration.query import QueryError, run_query

CWH = str(Path(sys.executable).parent / "cwh")


def make_marts(path: Path, version: int = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE kpi_daily AS SELECT DATE '2026-11-01' + i::INTEGER AS activity_date, i::BIGINT AS orders, "
        "CAST(i * 1.5 AS DECIMAL(18, 2)) AS gross_gmv, CASE WHEN i > 0 THEN 1.0 / i END AS refund_rate, "
        "'a,b' AS note FROM range(3) AS t(i)"
    )
    con.execute(f"CREATE TABLE version AS SELECT {version} AS v")
    con.close()


@pytest.fixture
def data_dir(tmp_path):
    make_marts(tmp_path / "data" / "published" / "marts.duckdb")
    (tmp_path / "secret.csv").write_text("token\nhunter2\n")
    return tmp_path / "data"


def marts_path(data_dir: Path) -> Path:
    return data_dir / "published" / "marts.duckdb"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_formats(data_dir, capsys):
    sql = "SELECT * FROM kpi_daily ORDER BY activity_date"
    assert cwh(["query", "--data-dir", str(data_dir), sql]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["activity_date", "orders", "gross_gmv", "refund_rate", "note"]
    assert table[2].split() == ["2026-11-01", "0", "0.00", "NULL", "a,b"] and table[-1] == "(3 rows)"

    assert cwh(["query", "--data-dir", str(data_dir), "--format", "csv", sql]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "activity_date,orders,gross_gmv,refund_rate,note",
        '2026-11-01,0,0.00,,"a,b"',
        '2026-11-02,1,1.50,1.0,"a,b"',
    ]

    assert cwh(["query", "--data-dir", str(data_dir), "--format", "json", sql]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[2] == {"activity_date": "2026-11-03", "orders": 2, "gross_gmv": 3.0, "refund_rate": 0.5, "note": "a,b"}


def test_sql_from_a_file(data_dir, tmp_path, capsys):
    (tmp_path / "q.sql").write_text("-- headline\nSELECT sum(orders) AS orders FROM kpi_daily;\n")
    assert cwh(["query", "--data-dir", str(data_dir), "--format", "csv", "-f", str(tmp_path / "q.sql")]) == 0
    assert capsys.readouterr().out == "orders\n3\n"


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t AS SELECT 1",
        "INSERT INTO kpi_daily SELECT * FROM kpi_daily",
        "DELETE FROM kpi_daily",
        "DROP TABLE kpi_daily",
        "ATTACH '{tmp}/other.duckdb' AS other",
        "ATTACH '{tmp}/other.duckdb' AS other (READ_ONLY)",
        "SELECT * FROM read_text('{tmp}/secret.csv')",
        "SELECT * FROM read_csv('{tmp}/secret.csv')",
        "SELECT * FROM '{tmp}/secret.csv'",
        "SELECT * FROM read_parquet('{tmp}/*.parquet')",
        "SELECT * FROM glob('{tmp}/*')",
        "COPY kpi_daily TO '{tmp}/out.csv'",
        "COPY (SELECT 1) TO '{tmp}/out.parquet' (FORMAT parquet)",
        "EXPORT DATABASE '{tmp}/export'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "LOAD '{tmp}/evil.duckdb_extension'",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "SET allow_community_extensions = true",
        "SET temp_directory = '{tmp}/spill'",
    ],
)
def test_refusals(data_dir, tmp_path, sql):
    make_marts(tmp_path / "other.duckdb")
    before = digest(marts_path(data_dir))
    with pytest.raises(QueryError):
        run_query(marts_path(data_dir), sql.format(tmp=tmp_path))
    assert digest(marts_path(data_dir)) == before
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.parquet").exists()
    assert not (tmp_path / "export").exists()


def test_bad_sql_prints_duckdbs_message_and_exits_1_without_traceback(data_dir):
    env = {**os.environ, "CWH_DATA_DIR": str(data_dir)}
    bad = subprocess.run([CWH, "query", "SELEC 1"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stdout == ""
    assert "Parser Error" in bad.stderr and "Traceback" not in bad.stderr
    refused = subprocess.run([CWH, "query", "COPY kpi_daily TO 'x.csv'"], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "disabled by configuration" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_usage_errors_exit_2(data_dir, tmp_path, capsys):
    assert cwh(["query", "--data-dir", str(data_dir)]) == 2  # no SQL
    assert cwh(["query", "--data-dir", str(data_dir), "-f", str(tmp_path / "none.sql"), "SELECT 1"]) == 2  # both
    assert cwh(["query", "--data-dir", str(data_dir), "-f", str(tmp_path / "none.sql")]) == 2  # unreadable
    with pytest.raises(SystemExit) as exc:
        cwh(["query", "--format", "xml", "SELECT 1"])
    assert exc.value.code == 2
    assert cwh(["query", "--data-dir", str(tmp_path / "empty"), "SELECT 1"]) == 1
    assert "no published marts" in capsys.readouterr().err


PUBLISHER = """
import os, shutil, sys
target, sources, stop = sys.argv[1], sys.argv[2:4], sys.argv[4]
n = 0
open(target + ".started", "w").close()
while not os.path.exists(stop):
    tmp = f"{target}.{n}.tmp"
    shutil.copyfile(sources[n % 2], tmp)  # a whole new file each time, renamed over the published one
    os.replace(tmp, target)
    n += 1
print(n)
"""


def test_queries_while_another_process_publishes_never_fail(data_dir, tmp_path):
    target = marts_path(data_dir)
    versions = [tmp_path / "v1.duckdb", tmp_path / "v2.duckdb"]
    make_marts(versions[0], version=1)
    make_marts(versions[1], version=2)
    stop = tmp_path / "stop"
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(target), *map(str, versions), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while not Path(f"{target}.started").exists():
            assert publisher.poll() is None, "the publisher died"
        seen = set()
        for _ in range(300):
            columns, rows = run_query(target, "SELECT (SELECT v FROM version) AS v, count(*) AS n FROM kpi_daily")
            assert rows[0][1] == 3
            seen.add(rows[0][0])
    finally:
        stop.touch()
        renames = int(publisher.communicate(timeout=60)[0])
    assert renames > 0 and seen <= {1, 2}
