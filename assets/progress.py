"""Progress for people: a line to the Dagster log and to the `cwh.progress` logger the CLI shows.

A step that finishes a stage says which and how long it took (`stage`, `seconds`), so `cwh run`
can move its progress bar and print the time of each stage at the end.
"""

import logging

_log = logging.getLogger("cwh.progress")

# The stages of a daily run, in order. Ingest and its raw gate run once per feed-day; the others
# once per run.
STAGES = ("ingest", "raw gates", "dbt staging", "staging gates", "dbt marts", "mart gates", "publish", "review")
PER_RUN_STAGES = STAGES[2:]


def report(context, message: str, *, timings: dict[str, float] | None = None, units: int = 1) -> None:
    """Log `message`; `timings` maps the stages this report finishes to their seconds, and `units`
    counts the pieces of work done (a feed-day, a stage) for the progress bar."""
    context.log.info(message)
    _log.info(message, extra={"cwh_timings": timings or {}, "cwh_units": units if timings else 0})
