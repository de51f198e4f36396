"""The goals (goals.yml, or CWH_GOALS_FILE) as a table, one row per goal."""

from assets.experiments.tables import goals_table


def model(dbt, session):
    dbt.config(materialized="table")
    return goals_table()
