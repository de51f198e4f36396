"""Progress lines for people: to the Dagster log and to the `cwh.progress` logger the CLI prints."""

import logging

_log = logging.getLogger("cwh.progress")


def report(context, message: str) -> None:
    context.log.info(message)
    _log.info(message)
