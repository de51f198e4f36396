"""Ingestion: one feed's delivery day from the landing zone into the Parquet lake.

landing.py    opening a delivery safely and checking its files against the manifest
lines.py      from a file's bytes to its lines, with bounded work (gzip, line length, UTF-8, depth)
validate.py   record validation as one DuckDB pass, generated from the feed registry
feed_day.py   ingest_feed_day: lines -> pending lake partition + quarantine, counts that reconcile
raw_gate.py   the raw gate: the feed-day's Soda contract, audited before it enters the lake
lake.py       where partitions live, and how a passed day is committed
raw_assets.py the Dagster assets: one per feed, partitioned by delivery day
"""
