"""What the warehouse builds and what it needs, grouped by stage:

    ingest/       landing zone -> Parquet lake: safe reading, validation, quarantine, the raw gate
    warehouse/    the dbt project as Dagster assets: staging, then intermediate and marts
    gates/        Soda data contracts as gates: verifying a contract, the gate log, the raw
                  contracts rendered from the feed registry, and the staging and mart gate steps
    experiments/  experiment definitions and goals (checked on load), the readout's statistics
    publish/      the marts file analysts read, replaced atomically once every gate passed

Shared by every stage: `feeds` (the landing-zone contract as data), `settings` (paths, policy and
input limits from the environment), `partitions` (delivery days), `pending_days` (days whose marts
a failed run left unbuilt), `progress` (lines for people), `json_record` (a small JSON record
changed under a lock and replaced atomically).

Imports flow one way, in this order: shared <- gates <- ingest <- warehouse <- experiments <-
publish (a package imports only those before it; gates come first because every stage's gate
uses them), and nothing here imports `orchestration`. tests/unit/test_layout.py keeps it so.
"""
