"""The analysts' definitions and the readout as tables, for the dbt Python models that publish them.

dbt models call these (dbt_project/models/experiments/*.py): SQL models then join definitions
like any table, and the readout's statistics stay in readout.py (scipy). Every table is a pure
function of the definitions and the warehouse's tables, so run order and repeats cannot change it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pyarrow as pa

from assets.experiments.definitions import Experiment, load_experiments, load_goals
from assets.experiments.readout import COLUMNS, readout
from assets.feeds import FEEDS
from assets.ingest.lake import Lake
from assets.settings import Settings

ARMS_SCHEMA = pa.schema(
    [
        ("experiment_id", pa.string()),
        ("arm", pa.string()),
        ("designed_share", pa.float64()),
        ("is_control", pa.bool_()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("pre_start_date", pa.date32()),
        ("pre_end_date", pa.date32()),
        ("maturity_days", pa.int64()),
    ]
)
GOALS_SCHEMA = pa.schema(
    [
        ("goal_id", pa.string()),
        ("owner", pa.string()),
        ("metric", pa.string()),
        ("window_days", pa.int64()),
        ("lag_days", pa.int64()),
        ("baseline_date", pa.date32()),
        ("due_date", pa.date32()),
        ("span_days", pa.int64()),
        ("target", pa.float64()),
        ("direction", pa.string()),
    ]
)
READOUT_SCHEMA = pa.schema(
    [
        (c, pa.string())
        if c in ("experiment_id", "metric", "arm", "decision")
        else (c, pa.int64())
        if c in ("n_treatment", "n_control", "reassigned")
        else (c, pa.bool_())
        if c in ("sample_ratio_mismatch", "is_final")
        else (c, pa.float64())
        for c in COLUMNS
    ]
)


def pre_period(exp: Experiment) -> tuple[date, date]:
    """The same number of days as the window, ending the day before start."""
    days = (exp.end - exp.start).days + 1
    return exp.start - timedelta(days=days), exp.start - timedelta(days=1)


def arms_table() -> pa.Table:
    """One row per (experiment, arm) of the definitions."""
    rows = []
    for exp in load_experiments().values():
        pre_start, pre_end = pre_period(exp)
        for arm, share in exp.arms.items():
            rows.append(
                {
                    "experiment_id": exp.id,
                    "arm": arm,
                    "designed_share": share,
                    "is_control": arm == "control",
                    "start_date": exp.start,
                    "end_date": exp.end,
                    "pre_start_date": pre_start,
                    "pre_end_date": pre_end,
                    "maturity_days": exp.maturity_days,
                }
            )
    return pa.Table.from_pylist(rows, schema=ARMS_SCHEMA)


def goals_table() -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "goal_id": g.id,
                "owner": g.owner,
                "metric": g.metric,
                "window_days": g.window_days,
                "lag_days": g.lag_days,
                "baseline_date": g.baseline_date,
                "due_date": g.due_date,
                "span_days": (g.due_date - g.baseline_date).days,
                "target": g.target,
                "direction": g.direction,
            }
            for g in load_goals()
        ],
        schema=GOALS_SCHEMA,
    )


def last_committed_day(settings: Settings) -> date | None:
    """The greatest delivery day with a committed lake partition (any feed)."""
    lake = Lake(settings.lake_dir)
    days = [d for feed in FEEDS for d in lake.committed_days(feed)]
    return date.fromisoformat(max(days)) if days else None


GOAL_DATES_SCHEMA = pa.schema(
    [
        ("goal_id", pa.string()),
        ("date", pa.date32()),
        ("window_start_date", pa.date32()),
        ("days_since_baseline", pa.int64()),
    ]
)


def goal_dates_table() -> pa.Table:
    """One row per (goal, date) from baseline_date to due_date, with the first date of the trailing
    window ending there: a date spine SQL can join (portable; no engine's series function)."""
    rows = []
    for g in load_goals():
        for i in range((g.due_date - g.baseline_date).days + 1):
            d = g.baseline_date + timedelta(days=i)
            rows.append(
                {
                    "goal_id": g.id,
                    "date": d,
                    "window_start_date": d - timedelta(days=g.window_days - 1),
                    "days_since_baseline": i,
                }
            )
    return pa.Table.from_pylist(rows, schema=GOAL_DATES_SCHEMA)


def readout_table(creators: pd.DataFrame, counts: pd.DataFrame, last_delivery: date | None) -> pa.Table:
    """experiment_readout from experiment_creator_metrics and experiment_assignment_counts.

    `last_delivery`: the greatest delivery day with a committed lake partition (any feed); an
    experiment is final once it is on or after end + maturity_days.
    """
    reassigned = dict(zip(counts["experiment_id"], counts["reassigned"], strict=True))
    # Sorted so that the statistics see creators in one order, whatever order the table came in.
    creators = creators.sort_values(["experiment_id", "creator_open_id"], kind="stable")
    frames = []
    for exp in sorted(load_experiments().values(), key=lambda e: e.id):
        final = last_delivery is not None and last_delivery >= exp.end + timedelta(days=exp.maturity_days)
        mine = creators[creators["experiment_id"] == exp.id].reset_index(drop=True)
        frames.append(readout(exp, mine, int(reassigned.get(exp.id, 0)), final))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COLUMNS))
    records = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in rows.to_dict("records")]
    return pa.Table.from_pylist(records, schema=READOUT_SCHEMA)
