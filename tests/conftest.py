import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("CWH_ALLOW_DEV_SALT", "1")  # simulated data only

# The longest files first (`make test` distributes whole files over three workers): a long file
# started last would leave one worker idle while the other finishes it.
SLOWEST_FIRST = (
    "test_replay_guarantee.py",
    "test_reliability.py",
    "test_failed_day_does_not_poison.py",
    "test_pipeline.py",
    "test_kill_and_rerun.py",
    "test_daemon.py",
    "test_hand_computed.py",
    "test_hostile_deliveries.py",
    "test_review.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
