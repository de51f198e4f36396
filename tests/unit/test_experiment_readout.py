"""The readout's statistics hold up: hand-computed figures, planted effects recovered, A/A false
positives at the nominal rate, sample-ratio mismatch flagged, CUPED narrowing, guardrail harm."""

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assets.experiments.definitions import METRICS, Experiment, Guardrail
from assets.experiments.readout import cuped, readout, srm_p_value, welch


def experiment(**overrides) -> Experiment:
    base = {
        "id": "bonus_5pp",
        "hypothesis": "h",
        "owner": "o",
        "start": date(2026, 11, 1),
        "end": date(2026, 11, 14),
        "arms": {"control": 0.5, "bonus_5pp": 0.5},
        "primary_metric": "linkshare_clicks",
        "guardrails": (Guardrail("violations", "up"),),
    }
    return Experiment(**{**base, **overrides})


def simulate(n: int, seed: int, lift: float = 0.0, share_t: float = 0.5, rho: float = 0.8, harm: float = 0.0):
    """Per-creator metrics: window Y correlates with pre-period X; treatment adds `lift` x mean."""
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < share_t, "bonus_5pp", "control")
    frame = {"arm": arm}
    for metric in METRICS:
        x = rng.gamma(2.0, 5.0, n)
        noise = rng.gamma(2.0, 5.0, n)
        y = rho * x + math.sqrt(1 - rho**2) * noise
        if metric == "linkshare_clicks":
            frame["planted"] = lift * y.mean()  # the true difference in means, in clicks
            y = y + (arm == "bonus_5pp") * frame["planted"]
        if metric == "violations":
            y = y + (arm == "bonus_5pp") * harm * y.mean()
        frame[metric], frame[f"{metric}_pre"] = y, x
    return pd.DataFrame(frame)


def row(out: pd.DataFrame, metric: str) -> dict:
    return out[out.metric == metric].iloc[0].to_dict()


def test_hand_computed_figures_match_every_column():
    t, c = np.array([3.0, 5.0, 10.0]), np.array([1.0, 2.0, 2.0, 7.0])
    x_t, x_c = np.array([2.0, 4.0, 9.0]), np.array([1.0, 1.0, 3.0, 6.0])
    frame = {"arm": ["bonus_5pp"] * 3 + ["control"] * 4}
    for metric in METRICS:
        frame[metric], frame[f"{metric}_pre"] = np.concatenate([t, c]), np.concatenate([x_t, x_c])
    out = readout(experiment(), pd.DataFrame(frame), reassigned=2, final=True)
    r = row(out, "linkshare_clicks")
    # By hand: means 6 and 3; sample variances 26/2 and 22/3; se = sqrt(vt/3 + vc/4); Welch-Satterthwaite df.
    vt, vc = 13.0, 22.0 / 3
    se = math.sqrt(vt / 3 + vc / 4)
    df = se**4 / ((vt / 3) ** 2 / 2 + (vc / 4) ** 2 / 3)
    half = stats.t.ppf(0.975, df) * se
    assert (r["n_treatment"], r["n_control"], r["mean_treatment"], r["mean_control"], r["diff"]) == (
        3,
        4,
        6.0,
        3.0,
        3.0,
    )
    assert r["relative_lift"] == pytest.approx(1.0)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((3 - half, 3 + half))
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(3 / se, df))
    # CUPED by hand: theta pooled over all 7 creators, then the same Welch figures on Y'.
    y, x = np.concatenate([t, c]), np.concatenate([x_t, x_c])
    theta = np.cov(x, y, ddof=1)[0, 1] / x.var(ddof=1)
    adj = y - theta * (x - x.mean())
    at, ac = adj[:3], adj[3:]
    se2 = math.sqrt(at.var(ddof=1) / 3 + ac.var(ddof=1) / 4)
    df2 = se2**4 / ((at.var(ddof=1) / 3) ** 2 / 2 + (ac.var(ddof=1) / 4) ** 2 / 3)
    d2 = at.mean() - ac.mean()
    assert r["cuped_diff"] == pytest.approx(d2)
    assert (r["cuped_ci_low"], r["cuped_ci_high"]) == pytest.approx(
        (d2 - stats.t.ppf(0.975, df2) * se2, d2 + stats.t.ppf(0.975, df2) * se2)
    )
    assert r["cuped_p_value"] == pytest.approx(2 * stats.t.sf(abs(d2) / se2, df2))
    # SRM by hand: chi-square of (3, 4) against (3.5, 3.5), 1 degree of freedom.
    assert r["srm_p_value"] == pytest.approx(stats.chi2.sf((0.5**2 + 0.5**2) / 3.5, 1))
    assert (r["sample_ratio_mismatch"], r["reassigned"], r["is_final"]) == (False, 2, True)
    assert set(out.columns) >= {"decision"} and len(out) == len(METRICS)


def test_small_arms_and_zero_variance_give_no_ci():
    assert welch(np.array([1.0]), np.array([1.0, 2.0]))["ci_low"] is None
    flat = welch(np.array([2.0, 2.0]), np.array([2.0, 2.0]))
    assert (flat["diff"], flat["p_value"]) == (0.0, None)
    assert srm_p_value({}, {"control": 0.5, "t": 0.5}) is None
    assert np.array_equal(cuped(np.array([1.0, 2.0]), np.array([5.0, 5.0])), np.array([1.0, 2.0]))  # var(X) = 0
    # The window equals the pre-period plus a constant: CUPED leaves every creator at one value
    # (to rounding), so se is 0 and there is no CI, not a p-value computed on float noise.
    x = np.array([0.1, 0.7, 1.3, 2.9, 0.3, 5.1])
    adjusted = cuped(x + 2.0, x)
    assert welch(adjusted[:3], adjusted[3:])["p_value"] is None


def test_a_planted_effect_is_detected_and_its_ci_covers_the_truth():
    data = simulate(4000, seed=1, lift=0.15)
    out = readout(experiment(), data, reassigned=0, final=True)
    r = row(out, "linkshare_clicks")
    control_mean = data[data.arm == "control"].linkshare_clicks.mean()
    truth = data.planted.iloc[0]
    assert r["cuped_p_value"] < 0.001 and r["cuped_ci_low"] <= truth <= r["cuped_ci_high"]
    assert r["ci_low"] <= truth <= r["ci_high"]
    assert r["relative_lift"] == pytest.approx(r["diff"] / control_mean)
    assert r["decision"] == "positive"
    assert readout(experiment(), data, 0, final=False).iloc[0]["decision"] == "running"


def test_aa_false_positive_rate_is_nominal_over_many_seeds():
    seeds = 200
    hits = sum(
        row(readout(experiment(), simulate(400, seed=s), 0, True), "linkshare_clicks")["cuped_p_value"] < 0.05
        for s in range(seeds)
    )
    rate = hits / seeds
    # Consistent with 5%: a two-sided binomial test does not reject it.
    assert stats.binomtest(hits, seeds, 0.05).pvalue > 0.01, f"A/A false-positive rate {rate:.3f}"


def test_a_55_45_split_on_a_50_50_design_is_a_sample_ratio_mismatch():
    out = readout(experiment(), simulate(4000, seed=2, share_t=0.55), 0, True)
    assert out.iloc[0]["sample_ratio_mismatch"] and out.iloc[0]["srm_p_value"] < 1e-6
    assert set(out.decision) == {"invalid: sample ratio mismatch"}
    assert not readout(experiment(), simulate(4000, seed=2), 0, True).iloc[0]["sample_ratio_mismatch"]


def test_cuped_narrows_the_ci_when_the_pre_period_correlates():
    r = row(readout(experiment(), simulate(2000, seed=3, rho=0.8), 0, True), "linkshare_clicks")
    plain, adjusted = r["ci_high"] - r["ci_low"], r["cuped_ci_high"] - r["cuped_ci_low"]
    assert adjusted < 0.7 * plain  # with rho = 0.8, about sqrt(1 - 0.64) = 0.6 of the plain width


def test_a_guardrail_harm_is_harmful_even_while_running():
    out = readout(experiment(), simulate(4000, seed=4, harm=0.2), 0, final=False)
    assert set(out.decision) == {"harmful: violations"}
