"""The fast half of the reliability suite (reliability/scenarios.FAST) on every test run; the rest
(SIGKILL at each stage, replay, late data) runs with `make reliability`."""

import pytest

from reliability.scenarios import FAST, SCENARIOS, Bench

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    return Bench(tmp_path_factory.mktemp("reliability"))


@pytest.mark.parametrize("name", FAST)
def test_reliability_scenario(bench, name):
    rows = SCENARIOS[name](bench)
    assert rows
    failed = [f"{r.scenario}: {r.figure}" for r in rows if not r.passed]
    assert not failed, "\n".join(failed)
