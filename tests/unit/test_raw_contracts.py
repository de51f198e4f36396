"""The committed raw contracts are exactly what the feed registry renders (they cannot drift)."""

from assets.feeds import FEEDS
from assets.gates.raw_contracts import contract_path, render


def test_committed_raw_contracts_match_the_registry():
    for feed in FEEDS.values():
        assert contract_path(feed.name).read_text() == render(feed), f"run `make contracts` ({feed.name})"
