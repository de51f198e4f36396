"""Gates: Soda v4 data contracts that stop bad data before the next stage.

    soda.py             verify a contract on a DuckDB connection; a check that could not run fails
    log.py              every gate outcome of a run, which publish_log quotes
    raw_contracts.py    the raw contracts, rendered from the feed registry into soda/contracts/raw/
    warehouse_gates.py  the staging and mart gates: blocking checks between the dbt layers

The raw gate itself runs inside each ingest step (ingest/raw_gate.py): a feed-day is committed
into the lake only once it passed. The contracts live in soda/contracts/{raw,staging,marts}/.
"""
