"""The warehouse: the dbt project (dbt_project/) as Dagster assets.

dbt_project.py  the project and a manifest that is never stale
dbt_runner.py   dbt in-process through its Python API, one parse per process
dbt_assets.py   two steps, staging and marts, so a gate can stand between them
"""
