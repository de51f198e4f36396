"""Publishing: what analysts read.

marts_file.py     build the new marts file beside the old one (carrying unchanged rows
                  forward, PII scan), then rename it over published/marts.duckdb
publish_asset.py  the Dagster asset, downstream of every mart gate
reader.py         the one way to read the published file: read-only, no files, no extensions
"""
