"""Freshness: each raw feed and the published marts must have been updated recently.

A feed with no new delivery ingested for CWH_FRESHNESS_HOURS (default 36) fails its check, and
so do published marts not republished for as long: a stuck sensor, a blocked day or an upstream
that stopped delivering all show up here, in the UI (asset checks) and in `cwh status`. The
checks are Dagster's last-update freshness checks, evaluated by their own sensor (it launches a
small run of the checks when one is due, not part of the daily job).
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta

from dagster import AssetCheckSeverity, AssetKey, build_last_update_freshness_checks, build_sensor_for_freshness_checks

from assets.feeds import FEEDS
from assets.ingest.raw_assets import raw_key

from .automation import sensor_status

FRESHNESS_ENV = "CWH_FRESHNESS_HOURS"
PUBLISHED = AssetKey("published_marts")
WATCHED = [*(raw_key(feed) for feed in FEEDS), PUBLISHED]


# Dagster 1.13 marks these builders superseded by FreshnessPolicy; the checks are what this project
# wants (asset checks with results in the UI and the instance, which `cwh status` reads).
warnings.filterwarnings("ignore", message="Function `build_.*freshness_checks` is superseded")


def max_age() -> timedelta:
    return timedelta(hours=float(os.environ.get(FRESHNESS_ENV, "36")))


freshness_checks = build_last_update_freshness_checks(
    assets=WATCHED, lower_bound_delta=max_age(), severity=AssetCheckSeverity.WARN
)
freshness_sensor = build_sensor_for_freshness_checks(
    freshness_checks=freshness_checks,
    name="freshness_checks_sensor",
    minimum_interval_seconds=900,  # a check is only re-run when it could have changed; 36 h limits need no more
    default_status=sensor_status(),
)
