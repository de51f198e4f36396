"""Experiment definitions (`experiments/<id>.yml`) and goals (`goals.yml`), written by analysts.

Loaded when the code location loads; a broken file fails with a `DefinitionError` naming the file
and the field, never a traceback. The rules are EXPERIMENTS.md's. `CWH_EXPERIMENTS_DIR` and
`CWH_GOALS_FILE` point a deployment at its own.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
METRICS = (
    "linkshare_clicks",
    "linkshare_orders",
    "linkshare_gmv",
    "gross_gmv",
    "orders",
    "violations",
    "shared_link",
)
KPI_COLUMNS = (
    "orders",
    "gross_gmv",
    "net_gmv",
    "refund_rate",
    "active_creators",
    "clicks",
    "attributed_orders",
    "click_to_order_rate",
    "sharing_creators",
    "linkshare_gmv",
    "linkshare_share",
    "violations",
    "violations_per_1k_orders",
    "appealed",
    "resolved_appeals",
    "overturned",
    "overturn_rate",
)
DIRECTIONS = ("up", "down")


class DefinitionError(ValueError):
    """A definition file breaks the rules; the message names the file and the field."""


@dataclass(frozen=True)
class Guardrail:
    metric: str
    bad_direction: str


@dataclass(frozen=True)
class Experiment:
    id: str
    hypothesis: str
    owner: str
    start: date
    end: date
    arms: dict[str, float]  # arm -> designed share
    primary_metric: str
    primary_direction: str = "up"
    guardrails: tuple[Guardrail, ...] = ()
    maturity_days: int = 14


@dataclass(frozen=True)
class Goal:
    id: str
    owner: str
    metric: str
    window_days: int
    baseline_date: date
    due_date: date
    target: float
    direction: str
    lag_days: int = 0


def experiments_dir() -> Path:
    return Path(os.environ.get("CWH_EXPERIMENTS_DIR") or REPO / "experiments")


def goals_file() -> Path:
    return Path(os.environ.get("CWH_GOALS_FILE") or REPO / "goals.yml")


class _Fields:
    """Typed access to one mapping of a file, every error naming the file and the field."""

    def __init__(self, path: Path, data: object, where: str = ""):
        if not isinstance(data, dict):
            raise DefinitionError(f"{path}: {where or 'the file'} must be a mapping of fields")
        self.path, self.data, self.where = path, data, where

    def fail(self, name: str, problem: str) -> DefinitionError:
        return DefinitionError(f"{self.path}: field '{self.where}{name}' {problem}")

    def get(self, name: str, default=...):
        if name not in self.data or self.data[name] is None:
            if default is ...:
                raise self.fail(name, "is missing")
            return default
        return self.data[name]

    def text(self, name: str, default=...) -> str:
        value = self.get(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"must be a non-empty text, not {value!r}")
        return value

    def day(self, name: str) -> date:
        value = self.get(name)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(name, f"must be a date YYYY-MM-DD, not {value!r}") from None

    def whole(self, name: str, default=..., minimum: int = 0) -> int:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"must be a whole number >= {minimum}, not {value!r}")
        return value

    def number(self, name: str) -> float:
        value = self.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(name, f"must be a number, not {value!r}")
        return float(value)

    def choice(self, name: str, options, default=...) -> str:
        value = self.get(name, default)
        if value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}, not {value!r}")
        return value


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text())
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None


def parse_experiment(path: Path) -> Experiment:
    f = _Fields(path, _read_yaml(path))
    exp_id = f.text("id")
    if exp_id != path.stem:
        raise f.fail("id", f"is {exp_id!r} but the file is named {path.name}: the file name is the id")
    start, end = f.day("start"), f.day("end")
    if start > end:
        raise f.fail("end", f"({end}) is before start ({start})")
    arms = f.get("arms")
    if not isinstance(arms, dict) or len(arms) < 2:
        raise f.fail("arms", "must map at least two arm names to their designed shares")
    for arm, share in arms.items():
        if not isinstance(arm, str) or isinstance(share, bool) or not isinstance(share, int | float) or not share > 0:
            raise f.fail(f"arms.{arm}", f"must be a share > 0, not {share!r}")
    if abs(sum(arms.values()) - 1) > 1e-9:
        raise f.fail("arms", f"shares must sum to 1 (they sum to {sum(arms.values())!r})")
    if "control" not in arms:
        raise f.fail("arms", "must have exactly one arm named 'control'")
    guardrails = f.get("guardrail_metrics", [])
    if not isinstance(guardrails, list):
        raise f.fail("guardrail_metrics", "must be a list of {metric, bad_direction}")
    parsed = []
    for i, g in enumerate(guardrails):
        gf = _Fields(path, g, f"guardrail_metrics[{i}].")
        parsed.append(Guardrail(gf.choice("metric", METRICS), gf.choice("bad_direction", DIRECTIONS)))
    return Experiment(
        id=exp_id,
        hypothesis=f.text("hypothesis"),
        owner=f.text("owner"),
        start=start,
        end=end,
        arms={str(a): float(s) for a, s in arms.items()},
        primary_metric=f.choice("primary_metric", METRICS),
        primary_direction=f.choice("primary_direction", DIRECTIONS, "up"),
        guardrails=tuple(parsed),
        maturity_days=f.whole("maturity_days", 14),
    )


def load_experiments(folder: Path | None = None) -> dict[str, Experiment]:
    folder = folder or experiments_dir()
    if not folder.is_dir():
        return {}
    return {e.id: e for e in (parse_experiment(p) for p in sorted(folder.glob("*.yml")))}


def load_goals(path: Path | None = None) -> list[Goal]:
    path = path or goals_file()
    if not path.exists():
        return []
    top = _Fields(path, _read_yaml(path))
    items = top.get("goals")
    if not isinstance(items, list):
        raise top.fail("goals", "must be a list of goals")
    goals, seen = [], set()
    for i, item in enumerate(items):
        f = _Fields(path, item, f"goals[{i}].")
        goal = Goal(
            id=f.text("id"),
            owner=f.text("owner"),
            metric=f.choice("metric", KPI_COLUMNS),
            window_days=f.whole("window_days", minimum=1),
            baseline_date=f.day("baseline_date"),
            due_date=f.day("due_date"),
            target=f.number("target"),
            direction=f.choice("direction", DIRECTIONS),
            lag_days=f.whole("lag_days", 0),
        )
        if goal.due_date < goal.baseline_date:
            raise f.fail("due_date", f"({goal.due_date}) is before baseline_date ({goal.baseline_date})")
        if goal.id in seen:
            raise f.fail("id", f"{goal.id!r} is used by an earlier goal")
        seen.add(goal.id)
        goals.append(goal)
    return goals


def check_definitions() -> None:
    """Load every experiment definition and the goals, or stop with the file and field at fault.

    Called as the code location loads, so a broken file stops Dagster (and `cwh`) with one
    clear line instead of failing later inside a run; SystemExit carries no traceback."""
    try:
        load_experiments()
        load_goals()
    except DefinitionError as exc:
        raise SystemExit(f"experiment definitions or goals are broken: {exc}") from None
