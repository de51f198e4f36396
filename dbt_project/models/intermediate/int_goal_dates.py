"""One row per (goal, date) from baseline_date to due_date with its trailing window's first date."""

from assets.experiments.tables import goal_dates_table


def model(dbt, session):
    dbt.config(materialized="table")
    return goal_dates_table()
