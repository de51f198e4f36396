"""experiment_readout (EXPERIMENTS.md): one row per (experiment, metric, treatment arm), computed
with scipy (assets/experiments/readout.py) from the whole of experiment_creator_metrics, so it is
the same whatever the order or number of runs."""

from assets.experiments.tables import last_committed_day, readout_table
from assets.settings import Settings

MONEY = ("linkshare_gmv", "gross_gmv", "linkshare_gmv_pre", "gross_gmv_pre")


def model(dbt, session):
    dbt.config(materialized="table")
    dbt.ref("int_experiment_arms")  # lineage: the definitions the readout reads
    metrics = dbt.ref("experiment_creator_metrics")
    doubles = ", ".join(f"cast({c} as double) as {c}" for c in MONEY)
    creators = metrics.select(f"* replace ({doubles})").df()
    counts = dbt.ref("experiment_assignment_counts").df()
    return readout_table(creators, counts, last_committed_day(Settings.from_env()))
