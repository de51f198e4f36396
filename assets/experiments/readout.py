"""The experiment readout's statistics (EXPERIMENTS.md), from per-creator metrics to one row per
(experiment, metric, treatment arm): Welch's t-test, CUPED, the sample-ratio check and the decision.

Every probability comes from scipy's distribution functions (Student's t for Welch's test and its
confidence interval, chi-square for the sample-ratio check); nothing here hand-rolls a
distribution. They are taken from scipy.special, which scipy.stats itself calls: importing
scipy.stats costs ~1.6 s of every run's start, scipy.special ~0.3 s. tests/unit/
test_experiment_readout.py checks every figure against scipy.stats. Inputs are the analysed
creators only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from assets.experiments.definitions import METRICS, Experiment

SRM_ALPHA = 0.001
ALPHA = 0.05
COLUMNS = (
    "experiment_id",
    "metric",
    "arm",
    "n_treatment",
    "n_control",
    "mean_treatment",
    "mean_control",
    "diff",
    "relative_lift",
    "ci_low",
    "ci_high",
    "p_value",
    "cuped_diff",
    "cuped_ci_low",
    "cuped_ci_high",
    "cuped_p_value",
    "srm_p_value",
    "sample_ratio_mismatch",
    "reassigned",
    "is_final",
    "decision",
)


def welch(treatment: np.ndarray, control: np.ndarray) -> dict:
    """diff of means with Welch's CI (95%) and two-sided p; CI and p are None below 2 per arm or at se = 0
    (to rounding)."""
    t, c = np.asarray(treatment, dtype=float), np.asarray(control, dtype=float)
    mean_t = float(t.mean()) if len(t) else None
    mean_c = float(c.mean()) if len(c) else None
    out = {"mean_treatment": mean_t, "mean_control": mean_c, "ci_low": None, "ci_high": None, "p_value": None}
    out["diff"] = mean_t - mean_c if mean_t is not None and mean_c is not None else None
    if len(t) < 2 or len(c) < 2:
        return out
    se = math.sqrt(t.var(ddof=1) / len(t) + c.var(ddof=1) / len(c))
    # se = 0 up to rounding too: CUPED can leave every creator at the same value plus float noise,
    # whose "significance" would be meaningless.
    if se <= 1e-12 * max(np.abs(t).max(), np.abs(c).max(), 1.0):
        return out
    # Welch's t-test (scipy.stats.ttest_ind(equal_var=False)): Welch-Satterthwaite degrees of freedom
    var_t, var_c = t.var(ddof=1) / len(t), c.var(ddof=1) / len(c)
    df = (var_t + var_c) ** 2 / (var_t**2 / (len(t) - 1) + var_c**2 / (len(c) - 1))
    half = float(special.stdtrit(df, 0.975)) * se
    out.update(
        ci_low=out["diff"] - half,
        ci_high=out["diff"] + half,
        p_value=float(2 * special.stdtr(df, -abs(out["diff"]) / se)),
    )
    return out


def cuped(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Y' = Y - theta (X - mean X), theta = cov(X, Y) / var(X) over the given (pooled) creators."""
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    if len(x) < 2:
        return y
    var_x = x.var(ddof=1)
    theta = float(np.cov(x, y, ddof=1)[0, 1] / var_x) if var_x > 0 else 0.0
    return y - theta * (x - x.mean())


def srm_p_value(counts: dict[str, int], shares: dict[str, float]) -> float | None:
    """Chi-square goodness of fit of the arms' analysed counts to their designed shares."""
    total = sum(counts.get(arm, 0) for arm in shares)
    if total == 0:
        return None
    observed = [counts.get(arm, 0) for arm in shares]
    expected = [shares[arm] * total for arm in shares]
    o, e = np.asarray(observed, dtype=float), np.asarray(expected, dtype=float)
    return float(special.chdtrc(len(o) - 1, ((o - e) ** 2 / e).sum()))  # scipy.stats.chisquare's p-value


def _moves(value: float | None, direction: str) -> bool:
    """Whether a difference goes in `direction` ('up' or 'down')."""
    return value is not None and (value > 0 if direction == "up" else value < 0)


def decide(exp: Experiment, arm_rows: dict[str, dict], srm: bool, final: bool) -> str:
    """The decision for one treatment arm, from its rows by metric (first rule that applies)."""
    if srm:
        return "invalid: sample ratio mismatch"
    for g in exp.guardrails:
        row = arm_rows[g.metric]
        if (
            _moves(row["cuped_diff"], g.bad_direction)
            and row["cuped_p_value"] is not None
            and row["cuped_p_value"] < ALPHA
        ):
            return f"harmful: {g.metric}"
    if not final:
        return "running"
    primary = arm_rows[exp.primary_metric]
    low, high = primary["cuped_ci_low"], primary["cuped_ci_high"]
    if low is None or high is None:
        return "inconclusive"
    good_side = (low > 0) if exp.primary_direction == "up" else (high < 0)
    bad_side = (high < 0) if exp.primary_direction == "up" else (low > 0)
    return "positive" if good_side else "negative" if bad_side else "inconclusive"


def readout(exp: Experiment, creators: pd.DataFrame, reassigned: int, final: bool) -> pd.DataFrame:
    """Readout rows of one experiment from its analysed creators' metrics.

    `creators`: one row per analysed creator with `arm`, each metric and `<metric>_pre`.
    """
    counts = creators["arm"].value_counts().to_dict()
    srm_p = srm_p_value(counts, exp.arms)
    srm = srm_p is not None and srm_p < SRM_ALPHA
    rows = []
    for arm in [a for a in exp.arms if a != "control"]:
        by_metric = {}
        for metric in METRICS:
            y_all = creators[metric].to_numpy(dtype=float)
            adjusted = cuped(y_all, creators[f"{metric}_pre"].to_numpy(dtype=float))
            is_t = (creators["arm"] == arm).to_numpy()
            is_c = (creators["arm"] == "control").to_numpy()
            plain = welch(y_all[is_t], y_all[is_c])
            adj = welch(adjusted[is_t], adjusted[is_c])
            mean_c = plain["mean_control"]
            by_metric[metric] = {
                "experiment_id": exp.id,
                "metric": metric,
                "arm": arm,
                "n_treatment": int(is_t.sum()),
                "n_control": int(is_c.sum()),
                **plain,
                "relative_lift": plain["diff"] / mean_c
                if mean_c not in (None, 0) and plain["diff"] is not None
                else None,
                "cuped_diff": adj["diff"],
                "cuped_ci_low": adj["ci_low"],
                "cuped_ci_high": adj["ci_high"],
                "cuped_p_value": adj["p_value"],
                "srm_p_value": srm_p,
                "sample_ratio_mismatch": srm,
                "reassigned": reassigned,
                "is_final": final,
            }
        decision = decide(exp, by_metric, srm, final)
        rows += [{**r, "decision": decision} for r in by_metric.values()]
    return pd.DataFrame(rows, columns=list(COLUMNS))
