"""The daily ops review on real runs: written by the run after publish, every number it shows equal
to a query of its own on the published marts, planted patterns found (and nothing found where
nothing was planted), and the page drawn in a real browser.

Two small landings share this module: one with every plant, one without (5 days each, one
backfill run each).
"""

import json
import math
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from browser import chromium_binary, visit
from conftest import generate, run_days

from orchestration.cli import main as cwh
from simulator import PLANTS

pytestmark = pytest.mark.integration

START, END, DAYS = "2026-11-01", "2026-11-05", 5


def _run(tmp_path_factory, name: str, plants: tuple[str, ...]) -> Path:
    root = tmp_path_factory.mktemp(name)
    landing, data = root / "landing", root / "data"
    generate(landing, START, DAYS, seed=7, plants=plants)
    assert run_days(landing, data, START, END) == 0
    return root


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, "planted", tuple(PLANTS))


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory) -> Path:
    return _run(tmp_path_factory, "unplanted", ())


def _published(root: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(root / "data" / "published" / "marts.duckdb"), read_only=True)


def _findings(root: Path, day: str | None = None) -> list[tuple]:
    con = _published(root)
    where = f"WHERE review_date = DATE '{day}'" if day else ""
    rows = con.execute(f"SELECT rule_name, subject, review_date FROM review_findings {where} ORDER BY ALL").fetchall()
    con.close()
    return rows


# --- the run writes the review -------------------------------------------------------------------


def test_the_run_writes_the_review_of_its_last_day(planted):
    reports = planted / "data" / "reports"
    page = reports / f"ops-review-{END}.html"
    assert page.is_file() and (reports / "latest.html").read_bytes() == page.read_bytes()
    figures = json.loads(page.with_suffix(".json").read_text())
    assert figures["day"] == END and set(figures["figures"]) >= {"kpi", "findings", "channels"}
    text = page.read_text()
    assert "<script src" not in text and "http://" not in text.replace("http://www.w3.org", "")  # offline
    for title in ("Creator pain points", "Governance", "Off-platform program", "Experiments", "Goals", "Data health"):
        assert f">{title}</h2>" in text


def test_cwh_report_writes_any_published_day_and_refuses_clearly(planted, tmp_path, capsys):
    data = planted / "data"
    out = tmp_path / "review.html"
    assert cwh(["report", "--data-dir", str(data), "--date", "2026-11-03", "--out", str(out)]) == 0
    assert json.loads(out.with_suffix(".json").read_text())["day"] == "2026-11-03"
    assert cwh(["report", "--data-dir", str(data), "--date", "2026-12-01"]) == 1
    assert "after the last delivery day published" in capsys.readouterr().err
    assert cwh(["report", "--data-dir", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err
    assert "no published marts" in err and "Traceback" not in err


# --- every number shown equals its own query -----------------------------------------------------

# Each figure recomputed independently: headline metrics from the facts (not kpi_daily), the
# breakdowns with other joins and aggregates. Same columns, same order.
W = "BETWEEN $day::DATE - 6 AND $day::DATE"
FIRST = "(SELECT min(list_min(delivery_days)) FROM publish_log)"
INDEPENDENT = {
    "kpi": f"""
        WITH d AS (SELECT unnest([$day::DATE, $day::DATE - 7]) AS day),
        o AS (SELECT order_date AS day, count(DISTINCT order_id) AS orders, sum(gross_gmv) AS g, sum(net_gmv) AS n,
                     count(DISTINCT creator_open_id) AS creators, sum(gross_gmv) FILTER (WHERE content_type = 'LINKSHARE') AS lg
              FROM fct_order_items GROUP BY 1),
        c AS (SELECT click_date AS day, sum(clicks) AS clicks, sum(attributed_orders) AS ao,
                     count(DISTINCT creator_open_id) AS sharing FROM link_funnel_daily GROUP BY 1),
        v AS (SELECT enforced_date AS day, count(*) AS v, count_if(is_appeal_resolved) AS resolved,
                     count_if(is_overturned) AS overturned FROM fct_violations GROUP BY 1)
        SELECT d.day, coalesce(orders, 0), coalesce(g, 0), coalesce(n, 0), 1 - n / nullif(g, 0), coalesce(creators, 0),
               coalesce(clicks, 0), coalesce(ao, 0), ao / nullif(clicks, 0), coalesce(sharing, 0), coalesce(lg, 0), coalesce(lg, 0) / nullif(g, 0),
               coalesce(v, 0), coalesce(v, 0) * 1000 / nullif(orders, 0), coalesce(resolved, 0), coalesce(overturned, 0), overturned / nullif(resolved, 0)
        FROM d LEFT JOIN o USING (day) LEFT JOIN c USING (day) LEFT JOIN v USING (day)
        WHERE d.day = $day::DATE OR d.day >= {FIRST} ORDER BY d.day DESC""",
    "kpi_trend": f"""
        SELECT activity_date, gross_gmv, net_gmv, refund_rate, click_to_order_rate, linkshare_share, sharing_creators,
               violations_per_1k_orders, overturn_rate FROM kpi_daily
        WHERE activity_date > $day::DATE - 28 AND activity_date <= $day::DATE AND activity_date >= {FIRST}
        ORDER BY 1""",
    "funnel_by_tier": f"""
        WITH t AS (SELECT creator_open_id, coalesce(follower_tier, '(unknown)') AS tier FROM dim_creators),
        k AS (SELECT coalesce(t.tier, '(unknown)') AS tier, sum(clicks) AS clicks FROM link_funnel_daily l
              LEFT JOIN t USING (creator_open_id) WHERE click_date {W} AND l.creator_open_id IS NOT NULL GROUP BY 1),
        o AS (SELECT coalesce(t.tier, '(unknown)') AS tier, count(DISTINCT order_id) AS orders,
                     count(DISTINCT order_id) FILTER (WHERE refunded_quantity > 0) AS refunded
              FROM fct_order_items f LEFT JOIN t USING (creator_open_id) WHERE order_date {W} GROUP BY 1)
        SELECT tier, coalesce(clicks, 0), coalesce(orders, 0), coalesce(refunded, 0) FROM k FULL JOIN o USING (tier)
        ORDER BY CASE tier WHEN 'NANO' THEN 1 WHEN 'MICRO' THEN 2 WHEN 'MID' THEN 3 WHEN 'MACRO' THEN 4 ELSE 5 END""",
    "funnel_by_category": f"""
        WITH k AS (SELECT coalesce(p.category, '(unknown)') AS category, sum(clicks) AS clicks FROM link_funnel_daily l
                   LEFT JOIN dim_products p ON p.product_id = l.product_id
                   WHERE click_date {W} AND l.product_id IS NOT NULL GROUP BY 1),
        o AS (SELECT coalesce(p.category, '(unknown)') AS category, count(DISTINCT order_id) AS orders,
                     count(DISTINCT order_id) FILTER (WHERE refunded_quantity > 0) AS refunded
              FROM fct_order_items f LEFT JOIN dim_products p ON p.product_id = f.product_id
              WHERE order_date {W} GROUP BY 1)
        SELECT category, coalesce(clicks, 0), coalesce(orders, 0), coalesce(refunded, 0)
        FROM k FULL JOIN o USING (category) ORDER BY 3 DESC, 1""",
    "clicks_no_orders": f"""
        SELECT l.creator_open_id, coalesce(min(d.username), l.creator_open_id), min(d.follower_tier),
               sum(clicks), sum(unique_clickers)
        FROM link_funnel_daily l LEFT JOIN dim_creators d ON d.creator_open_id = l.creator_open_id
        WHERE click_date {W} AND l.creator_open_id IS NOT NULL GROUP BY l.creator_open_id
        HAVING max(attributed_orders) = 0 AND sum(clicks) >= 100 ORDER BY 4 DESC, 1 LIMIT 10""",
    "creator_refunds": f"""
        WITH c AS (SELECT creator_open_id, count(*) AS n, sum(gross_gmv) AS g, sum(gross_gmv - net_gmv) / sum(gross_gmv) AS r
                   FROM fct_order_items WHERE order_date {W} GROUP BY 1 HAVING count(*) >= 20 AND sum(gross_gmv) > 0)
        , k AS (SELECT sum(gross_gmv - net_gmv) / sum(gross_gmv) AS everyone FROM fct_order_items WHERE order_date {W})
        SELECT c.creator_open_id, coalesce(d.username, c.creator_open_id), n, g, r, k.everyone
        FROM c CROSS JOIN k LEFT JOIN dim_creators d USING (creator_open_id)
        WHERE r >= 3 * k.everyone AND k.everyone > 0 ORDER BY r DESC, 1 LIMIT 10""",
    "gmv_week_over_week": f"""
        WITH a AS (SELECT creator_open_id, sum(gross_gmv) AS g FROM fct_order_items
                   WHERE order_date BETWEEN $day::DATE - 13 AND $day::DATE - 7 GROUP BY 1),
        b AS (SELECT creator_open_id, sum(gross_gmv) AS g FROM fct_order_items WHERE order_date {W} GROUP BY 1)
        SELECT creator_open_id, coalesce(d.username, creator_open_id), a.g, coalesce(b.g, 0), coalesce(b.g, 0) / a.g - 1
        FROM a LEFT JOIN b USING (creator_open_id) LEFT JOIN dim_creators d USING (creator_open_id)
        WHERE a.g >= 100 AND $day::DATE - 13 >= {FIRST} ORDER BY abs(coalesce(b.g, 0) / a.g - 1) DESC, 1 LIMIT 10""",
    "chr_bands": f"""
        SELECT chr_band, count(*),
               count(*) FILTER (WHERE creator_open_id IN (SELECT creator_open_id FROM fct_violations WHERE enforced_date {W})),
               (SELECT count(*) FROM fct_violations v JOIN dim_creators x USING (creator_open_id)
                 WHERE x.chr_band = d.chr_band AND enforced_date {W}),
               (SELECT coalesce(sum(chr_delta), 0) FROM fct_violations v JOIN dim_creators x USING (creator_open_id)
                 WHERE x.chr_band = d.chr_band AND enforced_date {W})
        FROM dim_creators d WHERE chr_band IS NOT NULL GROUP BY chr_band
        ORDER BY CASE chr_band WHEN 'HEALTHY' THEN 1 WHEN 'CAUTION' THEN 2 ELSE 3 END""",
    "violations_trend": f"""
        SELECT v.enforced_date, v.policy_category, count(*), count(*) * 1000 / any_value(k.orders)
        FROM fct_violations v JOIN kpi_daily k ON k.activity_date = v.enforced_date
        WHERE v.enforced_date > $day::DATE - 28 AND v.enforced_date <= $day::DATE AND v.enforced_date >= {FIRST}
        GROUP BY 1, 2 ORDER BY 1, 2""",
    "policies": f"""
        SELECT policy_category, sum(violations),
               sum(violations) * 1000 / (SELECT sum(orders) FROM kpi_daily WHERE activity_date {W}),
               sum(appealed),
               (SELECT count_if(is_appeal_resolved) FROM fct_violations f
                 WHERE f.policy_category = g.policy_category AND enforced_date {W}),
               sum(overturned),
               sum(overturned) / nullif((SELECT count_if(is_appeal_resolved) FROM fct_violations f
                 WHERE f.policy_category = g.policy_category AND enforced_date {W}), 0),
               (SELECT quantile_cont(hours_to_resolution, 0.5) FROM fct_violations f
                 WHERE f.policy_category = g.policy_category AND enforced_date {W})
        FROM governance_daily g WHERE enforced_date {W} GROUP BY 1 ORDER BY 2 DESC, 1""",
    "concentration": """
        WITH c AS (SELECT creator_open_id, count(*) AS v,
                          row_number() OVER (ORDER BY count(*) DESC, creator_open_id) AS rank
                   FROM fct_violations WHERE enforced_date BETWEEN $day::DATE - 27 AND $day::DATE GROUP BY 1),
        n AS (SELECT ceil(count(*) * 0.05) AS top FROM dim_creators)
        SELECT sum(v), count(*), any_value(n.top), sum(v) FILTER (WHERE rank <= n.top) / sum(v) FROM c, n""",
    "repeat_violators": f"""
        SELECT count(*), count(*) FILTER (WHERE prior_violations_90d >= 1),
               count(DISTINCT creator_open_id) FILTER (WHERE prior_violations_90d >= 1),
               count(DISTINCT creator_open_id) FILTER (WHERE same_policy_90d >= 3),
               count(DISTINCT creator_open_id) FILTER (WHERE same_policy_90d >= 6)
        FROM fct_violations WHERE enforced_date {W}""",
    "channels": f"""
        SELECT coalesce(channel, '(unknown link)'), sum(clicks), sum(attributed_orders), sum(attributed_gmv),
               sum(attributed_orders) / sum(clicks)
        FROM link_funnel_daily WHERE click_date {W} GROUP BY 1 ORDER BY 2 DESC, 1""",
    "program": f"""
        SELECT sum(clicks), sum(attributed_orders),
               (SELECT sum(gross_gmv) FROM fct_order_items WHERE content_type = 'LINKSHARE' AND order_date {W}),
               (SELECT sum(gross_gmv) FROM fct_order_items WHERE order_date {W}),
               count(DISTINCT creator_open_id),
               (SELECT coalesce(sum(estimated_commission), 0) FROM fct_order_items
                 WHERE is_attributed_click AND order_date {W})
        FROM link_funnel_daily WHERE click_date {W}""",
    "feeds": """
        SELECT c.contract, max(l.delivery_day)
        FROM publish_log l, unnest(from_json(l.gates::VARCHAR, '[{"contract":"VARCHAR","stage":"VARCHAR","passed":"BOOLEAN"}]')) AS t(c)
        WHERE c.stage = 'raw' AND c.passed AND l.delivery_day <= $day::DATE GROUP BY 1 ORDER BY 1""",
    "quarantine": f"""
        SELECT feed, reason, sum(records) FROM quarantine_summary WHERE dt {W} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""",
    "publishes": """
        SELECT published_at, delivery_day, len(delivery_days), json_array_length(gates), gates_passed
        FROM publish_log WHERE delivery_day <= $day::DATE ORDER BY published_at DESC LIMIT 7""",
    "experiments": """
        SELECT r.experiment_id, r.arm, r.metric,
               (SELECT count(*) FROM experiment_creator_metrics m WHERE m.experiment_id = r.experiment_id AND m.arm = r.arm),
               (SELECT count(*) FROM experiment_creator_metrics m
                 WHERE m.experiment_id = r.experiment_id AND m.arm = 'control'),
               r.mean_control, r.cuped_diff, r.cuped_ci_low, r.cuped_ci_high, r.cuped_p_value,
               CASE WHEN r.mean_control <> 0 THEN r.cuped_diff / r.mean_control END,
               CASE WHEN r.mean_control <> 0 THEN r.cuped_ci_low / r.mean_control END,
               CASE WHEN r.mean_control <> 0 THEN r.cuped_ci_high / r.mean_control END,
               r.srm_p_value, r.srm_p_value < 0.001, c.reassigned, r.is_final, r.decision
        FROM experiment_readout r JOIN experiment_assignment_counts c USING (experiment_id) ORDER BY 1, 2, 3""",
    "goals": """
        SELECT g.goal_id, g."date", g.actual, g.planned, g.target, g.status FROM goal_attainment_daily g
        JOIN (SELECT goal_id, max("date") AS last FROM goal_attainment_daily WHERE "date" <= $day::DATE GROUP BY 1) m
          ON m.goal_id = g.goal_id AND m.last = g."date"
        ORDER BY 1""",
    "goals_trend": """
        SELECT goal_id, "date", actual, planned, target FROM goal_attainment_daily
        WHERE "date" < $day::DATE + 1 ORDER BY 1, 2""",
    "findings": """
        SELECT rule_name, subject_kind, subject,
               (SELECT username FROM dim_creators WHERE creator_open_id = subject AND subject_kind = 'creator'),
               metric, metric_value, baseline, comparison, threshold, sample_size, peers, window_days, suggested_action
        FROM review_findings WHERE review_date = $day::DATE ORDER BY 1, 3""",
}


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _plain(v):
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ", timespec="seconds") if hasattr(v, "hour") else v.isoformat()
    return v


class _Numbers(HTMLParser):
    """Every number the page prints: (figure, row, column) -> unformatted value."""

    def __init__(self):
        super().__init__()
        self.shown: dict[tuple[str, int, str], object] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-figure" in a:
            self.shown[(a["data-figure"], int(a["data-row"]), a["data-col"])] = json.loads(a["data-value"])


def test_every_number_shown_equals_its_own_query_on_the_published_marts(planted):
    page = planted / "data" / "reports" / f"ops-review-{END}.html"
    figures = json.loads(page.with_suffix(".json").read_text())["figures"]
    assert set(INDEPENDENT) == set(figures), "every figure needs its independent query here"
    parser = _Numbers()
    parser.feed(page.read_text())
    assert len(parser.shown) > 200
    for (name, row, col), value in parser.shown.items():  # the page renders from the figures
        fig = figures[name]
        assert _same(value, fig["rows"][row][fig["columns"].index(col)]), (name, row, col)
    con = _published(planted)
    for name, sql in INDEPENDENT.items():  # and the figures equal queries of their own
        params = {"day": date.fromisoformat(END)} if "$day" in sql else {}
        expected = [[_plain(v) for v in r] for r in con.execute(sql, params).fetchall()]
        got = figures[name]["rows"]
        assert len(got) == len(expected), name
        for g, e in zip(got, expected, strict=True):
            assert all(_same(x, y) for x, y in zip(g, e, strict=True)), (name, g, e)
    con.close()
    charts_only = {"kpi_trend", "violations_trend", "clicks_no_orders", "chr_bands", "goals_trend"}
    assert {k[0] for k in parser.shown} >= {n for n, f in figures.items() if f["rows"]} - charts_only


# --- findings find what was planted, and nothing where nothing was -------------------------------


def test_each_planted_pattern_is_reported_with_its_subjects(planted):
    truth = json.loads((planted / "landing" / "_simulator" / "plants.json").read_text())
    found: dict[str, set[str]] = {}
    for rule, subject, _ in _findings(planted, END):
        found.setdefault(rule, set()).add(subject)
    assert found.get("category_refund_spike") == {truth["category_refund_spike"]["category"]}
    assert found.get("policy_violation_spike") == {truth["policy_violation_spike"]["policy_category"]}
    assert found.get("channel_conversion_collapse") == {truth["channel_conversion_collapse"]["channel"]}
    # The cohort: every planted creator with the sample the rule needs (400+ clicks in the window,
    # 10+ orders expected at everyone else's rate) is found, and no one else. Computed here from
    # link_funnel_daily, as an analyst would.
    cohort = set(truth["links_never_convert"]["creator_open_ids"])
    con = _published(planted)
    judged = {
        r[0]
        for r in con.execute(
            """
            WITH w AS (SELECT creator_open_id AS c, sum(clicks) AS k, sum(attributed_orders) AS o
                       FROM link_funnel_daily WHERE creator_open_id IS NOT NULL
                         AND click_date BETWEEN $day::DATE - 6 AND $day::DATE AND click_date >= $first::DATE
                       GROUP BY 1)
            SELECT c FROM w WHERE k >= 400 AND k * ((SELECT sum(o) FROM w) - o) / ((SELECT sum(k) FROM w) - k) >= 10""",
            {"day": date.fromisoformat(END), "first": date.fromisoformat(START)},
        ).fetchall()
    }
    con.close()
    assert judged & cohort, "no planted creator has the sample the rule needs"
    assert found.get("links_never_convert") == judged & cohort
    # ... and the review says so
    html = (planted / "data" / "reports" / f"ops-review-{END}.html").read_text()
    for rule in found:
        assert f"<b>{rule}</b>" in html


def test_unplanted_data_raises_no_finding_of_any_kind(unplanted):
    assert _findings(unplanted) == []
    html = (unplanted / "data" / "reports" / f"ops-review-{END}.html").read_text()
    assert 'class="findings"' not in html and html.count('class="ok"') == 3


# --- a real browser ------------------------------------------------------------------------------

CHARTS_DRAWN = """(() => [...document.querySelectorAll('figure.chart')].map(f => ({
    title: f.querySelector('figcaption').textContent,
    marks: [...f.querySelectorAll('svg g.role-mark > *')].filter(m => m.getBBox().width + m.getBBox().height > 0).length,
})))()"""


@pytest.mark.skipif(chromium_binary() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_review_opens_in_a_browser_with_every_chart_drawn(planted, tmp_path):
    page = planted / "data" / "reports" / f"ops-review-{END}.html"
    screenshot = tmp_path / "ops-review.png"
    seen = visit(page.as_uri(), CHARTS_DRAWN, screenshot)
    assert seen.errors == []
    assert len(seen.value) >= 12
    assert [c["title"] for c in seen.value if c["marks"] == 0] == []
    assert screenshot.stat().st_size > 50_000
    print(f"screenshot: {screenshot}")
