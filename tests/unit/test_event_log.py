"""The instance's event log: Dagster's SQLite storage with its connections kept open."""

from dagster import DagsterInstance, asset, materialize

from orchestration.event_log import PooledSqliteEventLogStorage
from orchestration.instance import prepare_dagster_home


@asset
def counted() -> int:
    return 1


def test_runs_beyond_the_open_databases_are_all_stored_and_readable(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = prepare_dagster_home(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_ids = [materialize([counted], instance=instance).run_id for _ in range(6)]  # more than it keeps open
        assert (home / "history" / "runs" / f"{run_ids[0]}.db").exists()  # where Dagster's own storage keeps it
        for run_id in run_ids:
            assert any(
                e.dagster_event and e.dagster_event.event_type_value == "PIPELINE_SUCCESS"
                for e in instance.all_logs(run_id)
            )
        materializations = instance.fetch_materializations(counted.key, limit=10).records
        assert len(materializations) == 6
