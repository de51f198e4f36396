"""Write the daily ops review of one date: ops-review-<D>.html and its figures, ops-review-<D>.json.

It reads only the published marts, through the read-only connection every analyst tool uses,
never the working warehouse: the review shows what analysts can query, nothing unpublished.
Files are written beside their final name and renamed over it, so a reader (a mail job, a
browser) never sees half a review.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from assets.publish.reader import PublishedMartsError, connect_read_only

from .figures import WINDOW_DAYS, gather, latest_day
from .page import document
from .sections import SECTIONS, headline


class ReviewError(Exception):
    """The review cannot be written: no published marts, no such date, a file that cannot be written."""


@dataclass
class Review:
    day: date
    path: Path
    figures_path: Path
    bytes: int
    seconds: float
    findings: int


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def as_data(figures: dict, day: date) -> dict:
    """The figures as written to the sidecar JSON and embedded in the page."""
    return {"day": day.isoformat(), "figures": {n: {"columns": f.columns, "rows": f.rows} for n, f in figures.items()}}


def render(figures: dict, day: date) -> str:
    figures_json = json.dumps(as_data(figures, day), sort_keys=True)
    body = f'<section id="headline"><h2>{day:%A %d %B %Y}</h2>{headline(figures)}</section>'
    body += "".join(s.render(figures) for s in SECTIONS)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return document(
        f"Creator ops review — {day.isoformat()}",
        f"Daily review of the published marts: the day's figures, windows of the last {WINDOW_DAYS} days "
        "ending on it, trends over 28 days.",
        [(s.anchor, s.title) for s in SECTIONS],
        body,
        f"Generated {generated} from published/marts.duckdb (read-only). Every number is a query on the "
        "published marts (kpi_daily for the headline metrics, review_findings for the findings); the figures "
        "are embedded in this file as JSON (#figures).",
        figures_json,
    )


def write_review(published: Path, reports_dir: Path, day: date | None = None, out: Path | None = None) -> Review:
    """Write the review of `day` (default: the last delivery day published) into `reports_dir` as
    ops-review-<D>.html, with latest.html when it is the newest day; `out` writes one file there instead."""
    started = time.monotonic()
    try:
        con = connect_read_only(published)
    except PublishedMartsError as exc:
        raise ReviewError(str(exc)) from None
    try:
        newest = latest_day(con)
        if newest is None:
            raise ReviewError(f"{published} has no publish yet (publish_log is empty)")
        day = day or newest
        if day > newest:
            raise ReviewError(f"{day} is after the last delivery day published ({newest}); nothing to review yet")
        figures = gather(con, day)
    except duckdb.Error as exc:  # e.g. marts published before a mart this review reads existed
        raise ReviewError(f"cannot read the review's figures from {published}: {exc}") from None
    finally:
        con.close()
    html_text = render(figures, day)
    path = out or reports_dir / f"ops-review-{day.isoformat()}.html"
    figures_path = path.with_suffix(".json")
    try:
        _write_atomically(figures_path, json.dumps(as_data(figures, day), indent=1, sort_keys=True) + "\n")
        _write_atomically(path, html_text)
        if out is None and day == newest:
            _write_atomically(reports_dir / "latest.html", html_text)
    except OSError as exc:
        raise ReviewError(f"cannot write the review to {path}: {exc.strerror}") from None
    return Review(
        day, path, figures_path, len(html_text.encode()), time.monotonic() - started, len(figures["findings"].rows)
    )
