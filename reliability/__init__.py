"""The reliability suite: every guarantee of the warehouse tried on small generated data with real
components (Dagster, dbt, Soda, DuckDB), one table row per scenario with its figure.

    harness.py    landing zones, real `cwh run`s, comparing marts cell by cell
    scenarios.py  the scenarios (SIGKILL at each stage, duplicates, corrupt deliveries, replay,
                  late data, schema drift, gate injection, readers under publish, disk full,
                  fuzzing, PII)
    fuzz.py       the fuzzing scenario's generators (hypothesis)

`make reliability` runs them all and writes the table into README.md; the test suite runs the
fast ones (scenarios.FAST) through tests/integration/test_reliability.py.
"""
