"""The review asset: after each publish, the review of the run's last delivery day."""

from datetime import date

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.partitions import backfill_policy, delivery_days
from assets.progress import report
from assets.review.report import write_review
from assets.settings import Settings


@asset(
    key=AssetKey("ops_review"),
    deps=[AssetKey("published_marts")],
    partitions_def=delivery_days,
    group_name="publish",
    kinds={"html"},
    backfill_policy=backfill_policy(),
    description="The daily ops review <data-dir>/reports/ops-review-<D>.html (and latest.html) of the run's "
    "last delivery day, read from the published marts only.",
)
def ops_review(context: AssetExecutionContext):
    settings = Settings.from_env()
    day = date.fromisoformat(context.partition_key_range.end)
    review = write_review(settings.published_path, settings.reports_dir, day)
    report(
        context,
        f"{day} review written: {review.path} ({review.bytes / 1024:,.0f} KiB, {review.findings} findings)",
        timings={"review": review.seconds},
    )
    return MaterializeResult(
        metadata={
            "path": str(review.path),
            "figures": str(review.figures_path),
            "bytes": review.bytes,
            "findings": review.findings,
            "seconds": MetadataValue.float(round(review.seconds, 2)),
        }
    )
