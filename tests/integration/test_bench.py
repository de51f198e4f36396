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

    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{START}\nold\n{END}\nafter\n")
    update_readme(results, readme)
    text = readme.read_text()
    assert "old" not in text and text.startswith("before\n") and text.endswith("after\n")
    assert render({"small": result}) in text and "| floor equals the published marts | yes |" in text
