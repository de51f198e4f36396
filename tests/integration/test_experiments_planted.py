"""Truth planted in the simulator is recovered by the pipeline from the deliveries alone.

Three experiments run on the same creators (small scale, 2026-11-04..06, pre-period 11-01..03):
`lift` doubles the clicks on the treated creators' links (+100%: a small world of ~380 creators
needs a large effect to be seen in three days), `aa` plants nothing, `srm` assigns 70/30 on a
50/50 design, `harm` quadruples the treated creators' violations (the guardrail). (A 55/45 split needs ~1,100 creators to reach the 0.001 threshold: the readout's
unit test shows it at 4,000, the medium scale has 40,000.)
"""

import pytest
from conftest import generate, query_json, run_days

pytestmark = pytest.mark.integration

LIFT = 1.0
WINDOW = "start: 2026-11-04\nend: 2026-11-06\narms: {{control: 0.5, treated: 0.5}}\n"
DEFINITION = (
    "id: {id}\nhypothesis: planted\nowner: tests\n" + WINDOW + "primary_metric: linkshare_clicks\n"
    "guardrail_metrics: [{{metric: violations, bad_direction: up}}]\nmaturity_days: 0\n"
)
PLANS = {
    "lift": f"effects: {{treated: {{linkshare_clicks: {LIFT}}}}}\n",
    "aa": "",
    "srm": "assigned_shares: {control: 0.7, treated: 0.3}\n",
    "harm": "effects: {treated: {violations: 3.0}}\n",
}


@pytest.fixture(scope="module")
def readout(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    (root / "experiments").mkdir()
    (root / "plans").mkdir()
    for exp_id, plan in PLANS.items():
        (root / "experiments" / f"{exp_id}.yml").write_text(DEFINITION.format(id=exp_id))
        (root / "plans" / f"{exp_id}.yml").write_text(f"definition: ../experiments/{exp_id}.yml\n{plan}")
    generate(root / "landing", "2026-11-01", 6, experiments=sorted((root / "plans").glob("*.yml")))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CWH_EXPERIMENTS_DIR", str(root / "experiments"))
        assert run_days(root / "landing", root / "data", "2026-11-01", "2026-11-06") == 0
        rows = query_json(root / "data", "FROM experiment_readout")
    return {(r["experiment_id"], r["metric"]): r for r in rows}


def test_a_planted_effect_is_detected_and_its_ci_covers_the_truth(readout):
    r = readout[("lift", "linkshare_clicks")]
    # The clicks the plant added per treated creator: each click brought LIFT more on average.
    truth = r["mean_treatment"] * LIFT / (1 + LIFT)
    assert r["cuped_p_value"] < 0.05 and r["cuped_ci_low"] <= truth <= r["cuped_ci_high"], r
    assert r["ci_low"] <= truth <= r["ci_high"]
    assert r["decision"] == "positive" and r["is_final"]
    # CUPED narrows the interval: the pre-period's clicks predict the window's.
    assert r["cuped_ci_high"] - r["cuped_ci_low"] < 0.7 * (r["ci_high"] - r["ci_low"])


def test_an_aa_test_finds_nothing(readout):
    rows = {metric: r for (exp, metric), r in readout.items() if exp == "aa"}
    assert len(rows) == 7
    # The primary metric and the guardrail show nothing, so the decision is inconclusive. (Each of
    # the seven metrics is a 5% test: one may cross 0.05 by chance: orders and shared_link do here.)
    assert rows["linkshare_clicks"]["cuped_p_value"] >= 0.05 and rows["violations"]["cuped_p_value"] >= 0.05
    assert {r["decision"] for r in rows.values()} == {"inconclusive"}
    assert not rows["linkshare_clicks"]["sample_ratio_mismatch"]


def test_a_planted_imbalance_is_a_sample_ratio_mismatch(readout):
    rows = [r for (exp, _), r in readout.items() if exp == "srm"]
    assert all(r["sample_ratio_mismatch"] and r["srm_p_value"] < 0.001 for r in rows)
    assert {r["decision"] for r in rows} == {"invalid: sample ratio mismatch"}
    assert not readout[("lift", "orders")]["sample_ratio_mismatch"]


def test_a_planted_guardrail_harm_is_harmful(readout):
    r = readout[("harm", "violations")]
    assert r["cuped_diff"] > 0 and r["cuped_p_value"] < 0.05
    assert r["decision"] == "harmful: violations"
