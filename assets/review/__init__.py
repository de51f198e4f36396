"""The daily ops review: one self-contained HTML page per delivery day, read from the published marts.

figures.py       every number the review shows, as named queries on the published marts
charts.py        Vega-Lite charts (altair) rendered to inline SVG (vl-convert): no JavaScript, no network
page.py          HTML building blocks (numbers that say which figure they show, tiles, tables) and the page
sections.py      the sections in order (SECTIONS): creator pain points, governance, off-platform program,
                 data health; new sections (experiments, goals) are appended there
report.py        write ops-review-<D>.html, its figures as JSON, and latest.html, atomically
review_asset.py  the Dagster asset, downstream of the publish asset
The findings themselves are rules evaluated in SQL: the review_findings mart (dbt_project/models/marts/).
"""
