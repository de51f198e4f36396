"""The experiment definitions (experiments/*.yml, or CWH_EXPERIMENTS_DIR) as a table: one row per
(experiment, arm) with the window and the pre-period, for SQL models to join."""

from assets.experiments.tables import arms_table


def model(dbt, session):
    dbt.config(materialized="table")
    return arms_table()
