"""Experiment definitions and goals: the shipped ones load; a broken file names file and field."""

import pytest

from assets.experiments.definitions import DefinitionError, load_experiments, load_goals

GOOD = """id: {id}
hypothesis: h
owner: o
start: 2026-11-01
end: 2026-11-14
arms: {{control: 0.5, t: 0.5}}
primary_metric: linkshare_clicks
"""


def test_the_shipped_definitions_load():
    experiments = load_experiments()
    assert set(experiments) == {"bonus_5pp", "aa_onboarding"}
    assert experiments["bonus_5pp"].guardrails[0].metric == "violations"
    assert experiments["aa_onboarding"].maturity_days == 14 and experiments["aa_onboarding"].primary_direction == "up"
    assert [g.id for g in load_goals()] == ["linkshare_share_q4", "sharing_creators_q4", "violations_per_1k_q4"]


def test_the_folder_and_file_come_from_the_environment(tmp_path, monkeypatch):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "x.yml").write_text(GOOD.format(id="x"))
    (tmp_path / "goals.yml").write_text("goals: []\n")
    monkeypatch.setenv("CWH_EXPERIMENTS_DIR", str(tmp_path / "experiments"))
    monkeypatch.setenv("CWH_GOALS_FILE", str(tmp_path / "goals.yml"))
    assert list(load_experiments()) == ["x"] and load_goals() == []


@pytest.mark.parametrize(
    "change, field",
    [
        (("id: x", "id: y"), "id"),
        (("end: 2026-11-14", "end: 2026-10-01"), "end"),
        (("{control: 0.5, t: 0.5}", "{control: 0.6, t: 0.5}"), "arms"),
        (("{control: 0.5, t: 0.5}", "{a: 0.5, t: 0.5}"), "arms"),
        (("{control: 0.5, t: 0.5}", "{control: 1.0}"), "arms"),
        (("{control: 0.5, t: 0.5}", "{control: 1.0, t: 0}"), "arms.t"),
        (("linkshare_clicks", "happiness"), "primary_metric"),
        (("owner: o\n", ""), "owner"),
        (("start: 2026-11-01", "start: soon"), "start"),
        (
            (
                "primary_metric: linkshare_clicks",
                "primary_metric: linkshare_clicks\nguardrail_metrics: [{metric: orders, bad_direction: sideways}]",
            ),
            "guardrail_metrics[0].bad_direction",
        ),
        (("primary_metric: linkshare_clicks", "primary_metric: linkshare_clicks\nmaturity_days: -1"), "maturity_days"),
    ],
)
def test_a_broken_definition_names_file_and_field(tmp_path, change, field):
    path = tmp_path / "x.yml"
    path.write_text(GOOD.format(id="x").replace(*change))
    with pytest.raises(DefinitionError) as err:
        load_experiments(tmp_path)
    assert str(path) in str(err.value) and f"'{field}'" in str(err.value), err.value


def test_unreadable_yaml_names_the_file(tmp_path):
    (tmp_path / "x.yml").write_text("id: [unclosed\n")
    with pytest.raises(DefinitionError, match="x.yml: not valid YAML"):
        load_experiments(tmp_path)


@pytest.mark.parametrize(
    "goal, field",
    [
        ("metric: mood", "goals[0].metric"),
        ("due_date: 2026-10-01", "goals[0].due_date"),
        ("window_days: 0", "goals[0].window_days"),
        ("direction: left", "goals[0].direction"),
        ("target: lots", "goals[0].target"),
    ],
)
def test_a_broken_goal_names_file_and_field(tmp_path, goal, field):
    base = {"id": "g", "owner": "o", "metric": "clicks", "window_days": "7", "baseline_date": "2026-11-01",
            "due_date": "2026-12-01", "target": "10", "direction": "up"}  # fmt: skip
    key, value = goal.split(": ")
    base[key] = value
    path = tmp_path / "goals.yml"
    path.write_text(
        "goals:\n" + "".join(f"  {'- ' if i == 0 else '  '}{k}: {v}\n" for i, (k, v) in enumerate(base.items()))
    )
    with pytest.raises(DefinitionError) as err:
        load_goals(path)
    assert str(path) in str(err.value) and f"'{field}'" in str(err.value), err.value


def test_the_code_location_refuses_a_broken_definition_naming_file_and_field(tmp_path):
    """Loading orchestration.definitions (what Dagster does) stops with one line, no traceback."""
    import os
    import subprocess
    import sys

    (tmp_path / "x.yml").write_text(GOOD.format(id="x").replace("end: 2026-11-14", "end: 2026-10-01"))
    env = {**os.environ, "CWH_EXPERIMENTS_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import orchestration.definitions"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert f"{tmp_path / 'x.yml'}: field 'end'" in done.stderr and "Traceback" not in done.stderr


def test_the_simulators_shipped_plans_point_at_the_shipped_definitions():
    from simulator.experiments import DEFAULT_PLANS, load_plan

    plans = {p.id: p for p in map(load_plan, DEFAULT_PLANS)}
    experiments = load_experiments()
    assert set(plans) == set(experiments)
    assert plans["bonus_5pp"].lift == {"linkshare_clicks": (0.0, 0.15), "violations": (0.0, 0.0)}
    assert not any(any(lift) for lift in plans["aa_onboarding"].lift.values())
    assert all(plans[e].arms == tuple(experiments[e].arms) for e in plans)
