"""The ingest journal: which feed-days a finished run left unread (assets/ingest/interrupted.py)."""

from assets.feeds import FEEDS
from assets.ingest.interrupted import IngestJournal
from assets.pending_days import PendingDays

DAYS = ["2026-11-01", "2026-11-02"]


def test_a_finished_run_leaves_its_undone_feed_days_to_the_next_run(tmp_path):
    journal = IngestJournal(tmp_path)
    journal.begin("killed", DAYS)
    journal.begin("killed", ["2026-11-09"])  # a second step of the same run changes nothing
    journal.done("links", DAYS[0])
    finished = {"killed"}.__contains__
    assert journal.left_undone("links", "next", finished) == [DAYS[1]]
    assert journal.left_undone("link_clicks", "next", finished) == DAYS
    # A run still going may yet finish its days; and a run never catches up its own days.
    assert journal.left_undone("links", "next", lambda run: False) == []
    assert journal.left_undone("links", "killed", finished) == []


def test_a_run_is_forgotten_once_every_feed_day_has_an_outcome(tmp_path):
    journal = IngestJournal(tmp_path)
    journal.begin("a", DAYS)
    journal.begin("b", DAYS[1:])
    for feed in FEEDS:
        journal.done(feed, DAYS[1])  # done for every run that listed the day
    assert set(journal.runs()) == {"a"}
    for feed in FEEDS:
        journal.done(feed, DAYS[0])
    assert journal.runs() == {}


def test_a_commit_makes_a_day_pending_and_voids_an_earlier_staging_stamp(tmp_path):
    pending = PendingDays(tmp_path)
    pending.begin_staging("r1", [DAYS[0]])
    found = pending.entries()
    pending.committed([DAYS[0]])  # new data landed after r1's staging began
    pending.staging_succeeded("r1")
    pending.marts_succeeded("r1", found)
    assert pending.published("r1") == [] and pending.days() == [DAYS[0]]
