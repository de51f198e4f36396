"""The benchmark's code path on tiny data, so it cannot rot: figures are written, never judged
here; what is asserted is that the floor computes exactly the published marts."""

import json

import pytest

from bench.__main__ import main as bench
from bench.readme import END, START, render, update_readme

pytestmark = pytest.mark.integration


def test_bench_writes_its_figures_and_its_floor_equals_the_published_marts(tmp_path):
    results = tmp_path / "results"
    # A day on no history (its publish is the one the floor is compared with), one run per figure.
    argv = ["--scales", "small", "--parts", "generate,day,floor", "--history", "0", "--repeat", "1"]
    assert bench([*argv, "--work", str(tmp_path / "work"), "--results", str(results), "--no-readme"]) == 0

    (path,) = results.glob("*-small.json")
    result = json.loads(path.read_text())
    assert result["floor"]["equal_to_published"], result["floor"]["differences"]
    stages = result["day"]["stages_s"]
    assert {"ingest link_clicks", "raw gates link_clicks", "dbt staging", "dbt marts", "publish"} <= set(stages)
    assert "orchestration and start-up" in stages and result["day"]["peak_rss_mib"] > 0
    assert result["machine"]["cores"] >= 1
    code = result["code"]  # the code a figure came from
    assert set(code) == {"commit", "uncommitted_changes"} and (code["commit"] is None or len(code["commit"]) == 40)

    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{START}\nold\n{END}\nafter\n")
    update_readme(results, readme)
    text = readme.read_text()
    assert "old" not in text and text.startswith("before\n") and text.endswith("after\n")
    assert render({"small": result}) in text and "| floor equals the published marts | yes |" in text


def test_a_history_is_reused_only_when_built_by_the_same_code_from_the_same_landing(tmp_path, monkeypatch):
    from bench import figures

    landing, work = tmp_path / "landing", tmp_path / "work"
    landing.mkdir()
    (landing / "_bench.json").write_text(json.dumps({"scale": "small", "days": 3}))
    builds = []

    def build(landing_dir, data, first, last):  # records the backfill instead of running it
        builds.append((first, last))
        data.mkdir(parents=True)
        return {"seconds": 1.5, "peak_rss_mib": 300.0}

    monkeypatch.setattr(figures, "build_history", build)
    built = {"seconds": 1.5, "peak_rss_mib": 300.0}
    assert figures.history(landing, work, 2, 2, reuse=True) == (work / "history-2", built, False)
    assert figures.history(landing, work, 2, 2, reuse=True) == (work / "history-2", built, True)  # reused
    assert figures.history(landing, work, 2, 2, reuse=False)[2] is False  # asked to rebuild
    monkeypatch.setattr(figures, "code_fingerprint", lambda: "other code")
    assert figures.history(landing, work, 2, 2, reuse=True)[2] is False  # built by other code: rebuilt
    assert builds == [(0, 1)] * 3


def test_the_runs_on_each_history_alternate_after_every_history_is_built(tmp_path, monkeypatch):
    from bench import figures

    events = []

    def history(landing, work, days, offset, reuse):  # records the build instead of running it
        events.append(f"build {days}")
        return work / f"history-{days}", {"seconds": 2.0, "peak_rss_mib": 300.0 + days}, False

    def run_day(landing, data, pristine, day):
        events.append(f"run {data.name}")
        wall = 10.0 if data.name == "on-7-days" else 12.0
        return {"wall": wall, "stages": {}, "peak_rss_mib": 1.0, "rss_by_stage": {}, "process_start": 0.5}

    monkeypatch.setattr(figures, "history", history)
    monkeypatch.setattr(figures, "run_day", run_day)
    days = figures.measure_days(tmp_path, tmp_path, [7, 60], 60, repeat=2)
    assert events == ["build 7", "build 60"] + ["run on-7-days", "run on-60-days"] * 2
    assert days[7]["wall_s"] == 10.0 and days[60]["wall_s"] == 12.0 and days[60]["history_build_s"] == 2.0
    assert days[60]["history_build_peak_rss_mib"] == 360.0


def test_a_cwh_process_reports_its_seconds_and_peak_memory_and_a_failure_names_its_output(tmp_path):
    from bench import figures

    seconds, peak_mib = figures._cwh("--help")
    assert seconds > 0 and peak_mib > 10  # an interpreter alone holds more than 10 MiB
    with pytest.raises(RuntimeError, match="not-a-day"):
        figures._cwh("run", "--landing", str(tmp_path), "--data-dir", str(tmp_path / "data"), "--start", "not-a-day")
