"""The review's figures: every number the review shows, as named queries on the published marts.

Each query takes the review date `$day`; windows are the 7 dates ending on it, trends the 28.
Ratios of headline metrics are read from kpi_daily (MARTS.md: defined once), never re-derived;
the breakdowns (by tier, category, channel, policy) add the marts' own columns up. The page is
rendered from these figures only, and they are written beside it as JSON, so a test can check
each one against its own SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import duckdb

WINDOW_DAYS = 7
TREND_DAYS = 28

# The first delivery day published: trends start there, not at the scattered late records of
# earlier dates, and a week-over-week change needs both weeks published.
FIRST_DAY = "(SELECT min(d) FROM publish_log, unnest(delivery_days) AS days(d))"


def _in_window(col: str, days: int = WINDOW_DAYS) -> str:
    """`col` within the `days` dates ending on the review date."""
    return f"{col} BETWEEN $day::DATE - {days - 1} AND $day::DATE"


def _in_trend(col: str) -> str:
    return f"{_in_window(col, TREND_DAYS)} AND {col} >= {FIRST_DAY}"


def _funnel_by(attribute: str, dimension: str, key: str, order: str) -> str:
    """Clicks, orders and refunded orders in the window by a dimension's `attribute` (joined on
    `key`; '(unknown)' where the dimension lacks the key): clicks by click date, orders by order date."""
    return f"""
        WITH clicks AS (
            SELECT coalesce(d.{attribute}, '(unknown)') AS {attribute}, sum(l.clicks) AS clicks
            FROM link_funnel_daily AS l LEFT JOIN {dimension} AS d USING ({key})
            WHERE {_in_window("l.click_date")} AND l.{key} IS NOT NULL GROUP BY ALL),
        orders AS (
            SELECT coalesce(d.{attribute}, '(unknown)') AS {attribute}, count(DISTINCT o.order_id) AS orders,
                   count(DISTINCT CASE WHEN o.refunded_quantity > 0 THEN o.order_id END) AS refunded_orders
            FROM fct_order_items AS o LEFT JOIN {dimension} AS d USING ({key})
            WHERE {_in_window("o.order_date")} GROUP BY ALL)
        SELECT {attribute}, coalesce(clicks, 0) AS clicks, coalesce(orders, 0) AS orders,
               coalesce(refunded_orders, 0) AS refunded_orders
        FROM clicks FULL JOIN orders USING ({attribute})
        ORDER BY {order}"""


QUERIES: dict[str, str] = {
    # Headline: kpi_daily's row for the day (row 0, empty figures if the day had no activity), and
    # a week earlier for comparison when that day was delivered too.
    "kpi": f"""
        WITH days AS (
            SELECT $day::DATE AS activity_date
            UNION ALL
            SELECT $day::DATE - 7 WHERE $day::DATE - 7 >= {FIRST_DAY})
        SELECT days.activity_date, orders, gross_gmv, net_gmv, refund_rate, active_creators, clicks,
               attributed_orders, click_to_order_rate, sharing_creators, linkshare_gmv, linkshare_share,
               violations, violations_per_1k_orders, resolved_appeals, overturned, overturn_rate
        FROM days LEFT JOIN kpi_daily USING (activity_date) ORDER BY days.activity_date DESC""",
    "kpi_trend": f"""
        SELECT activity_date, gross_gmv, net_gmv, refund_rate, click_to_order_rate, linkshare_share,
               sharing_creators, violations_per_1k_orders, overturn_rate
        FROM kpi_daily WHERE {_in_trend("activity_date")} ORDER BY activity_date""",
    # Creator pain points
    "funnel_by_tier": _funnel_by(
        "follower_tier",
        "dim_creators",
        "creator_open_id",
        "array_position(['NANO', 'MICRO', 'MID', 'MACRO'], follower_tier) NULLS LAST",
    ),
    "funnel_by_category": _funnel_by("category", "dim_products", "product_id", "orders DESC, category"),
    "clicks_no_orders": f"""
        SELECT l.creator_open_id, coalesce(any_value(c.username), l.creator_open_id) AS creator,
               any_value(c.follower_tier) AS follower_tier,
               sum(l.clicks) AS clicks, sum(l.unique_clickers) AS unique_clickers
        FROM link_funnel_daily AS l LEFT JOIN dim_creators AS c USING (creator_open_id)
        WHERE {_in_window("l.click_date")} AND l.creator_open_id IS NOT NULL
        GROUP BY l.creator_open_id HAVING sum(l.attributed_orders) = 0 AND sum(l.clicks) >= 100
        ORDER BY clicks DESC, l.creator_open_id LIMIT 10""",
    "creator_refunds": f"""
        WITH per_creator AS (
            SELECT creator_open_id, count(*) AS order_lines, sum(gross_gmv) AS gross_gmv,
                   1 - sum(net_gmv) / sum(gross_gmv) AS refund_rate
            FROM fct_order_items WHERE {_in_window("order_date")}
            GROUP BY creator_open_id HAVING count(*) >= 20 AND sum(gross_gmv) > 0),
        everyone AS (
            SELECT 1 - sum(net_gmv) / sum(gross_gmv) AS all_creators FROM fct_order_items
            WHERE {_in_window("order_date")})
        SELECT p.creator_open_id, coalesce(c.username, p.creator_open_id) AS creator, p.order_lines, p.gross_gmv,
               p.refund_rate, everyone.all_creators
        FROM per_creator AS p CROSS JOIN everyone LEFT JOIN dim_creators AS c USING (creator_open_id)
        WHERE p.refund_rate >= 3 * everyone.all_creators AND everyone.all_creators > 0
        ORDER BY p.refund_rate DESC, p.creator_open_id LIMIT 10""",
    "gmv_week_over_week": f"""
        WITH weeks AS (
            SELECT creator_open_id,
                   sum(CASE WHEN {_in_window("activity_date")} THEN gross_gmv ELSE 0 END) AS this_week,
                   sum(CASE WHEN activity_date BETWEEN $day::DATE - 13 AND $day::DATE - 7
                            THEN gross_gmv ELSE 0 END) AS last_week
            FROM creator_daily WHERE {_in_window("activity_date", 14)} GROUP BY creator_open_id)
        SELECT w.creator_open_id, coalesce(c.username, w.creator_open_id) AS creator, w.last_week, w.this_week, w.this_week / w.last_week - 1 AS change
        FROM weeks AS w LEFT JOIN dim_creators AS c USING (creator_open_id)
        WHERE w.last_week >= 100 AND $day::DATE - 13 >= {FIRST_DAY}
        ORDER BY abs(w.this_week / w.last_week - 1) DESC, w.creator_open_id LIMIT 10""",
    "chr_bands": f"""
        WITH penalised AS (
            SELECT creator_open_id, count(*) AS violations, sum(chr_delta) AS chr_delta
            FROM fct_violations WHERE {_in_window("enforced_date")} GROUP BY creator_open_id)
        SELECT c.chr_band, count(*) AS creators, count(p.creator_open_id) AS penalised_creators,
               coalesce(sum(p.violations), 0) AS violations, coalesce(sum(p.chr_delta), 0) AS chr_delta
        FROM dim_creators AS c LEFT JOIN penalised AS p USING (creator_open_id)
        WHERE c.chr_band IS NOT NULL
        GROUP BY c.chr_band ORDER BY array_position(['HEALTHY', 'CAUTION', 'UNHEALTHY'], c.chr_band)""",
    # Governance
    "violations_trend": f"""
        SELECT enforced_date, policy_category, violations, violations_per_1k_orders
        FROM governance_daily WHERE {_in_trend("enforced_date")}
        ORDER BY enforced_date, policy_category""",
    "policies": f"""
        WITH window_orders AS (SELECT sum(orders) AS orders FROM kpi_daily WHERE {_in_window("activity_date")})
        SELECT v.policy_category, count(*) AS violations,
               count(*) * 1000 / any_value(w.orders) AS violations_per_1k_orders,
               count(v.appeal_id) AS appealed, count_if(v.is_appeal_resolved) AS resolved_appeals,
               count_if(v.is_overturned) AS overturned,
               count_if(v.is_overturned) / nullif(count_if(v.is_appeal_resolved), 0) AS overturn_rate,
               median(v.hours_to_resolution) AS median_hours_to_resolution
        FROM fct_violations AS v CROSS JOIN window_orders AS w
        WHERE {_in_window("v.enforced_date")}
        GROUP BY v.policy_category ORDER BY violations DESC, v.policy_category""",
    "concentration": f"""
        WITH per_creator AS (
            SELECT creator_open_id, count(*) AS violations FROM fct_violations
            WHERE {_in_window("enforced_date", TREND_DAYS)} GROUP BY creator_open_id),
        top AS (SELECT ceil(0.05 * (SELECT count(*) FROM dim_creators))::BIGINT AS n)
        SELECT (SELECT sum(violations) FROM per_creator) AS violations,
               (SELECT count(*) FROM per_creator) AS violating_creators,
               (SELECT n FROM top) AS top_creators,
               (SELECT sum(violations) FROM (SELECT violations FROM per_creator
                   ORDER BY violations DESC, creator_open_id LIMIT (SELECT n FROM top)))
                 / (SELECT sum(violations) FROM per_creator) AS top_share""",
    "repeat_violators": f"""
        SELECT count(*) AS violations, count_if(is_repeat_violator) AS repeat_violations,
               count(DISTINCT CASE WHEN is_repeat_violator THEN creator_open_id END) AS repeat_violators,
               count(DISTINCT CASE WHEN same_policy_90d >= 3 THEN creator_open_id END) AS creators_near_limit,
               count(DISTINCT CASE WHEN hits_same_policy_limit THEN creator_open_id END) AS creators_at_limit
        FROM fct_violations WHERE {_in_window("enforced_date")}""",
    # Off-platform program
    "channels": f"""
        SELECT coalesce(channel, '(unknown link)') AS channel, sum(clicks) AS clicks,
               sum(attributed_orders) AS attributed_orders, sum(attributed_gmv) AS attributed_gmv,
               sum(attributed_orders) / nullif(sum(clicks), 0) AS click_to_order_rate
        FROM link_funnel_daily WHERE {_in_window("click_date")}
        GROUP BY ALL ORDER BY clicks DESC, channel""",
    "program": f"""
        SELECT (SELECT sum(clicks) FROM kpi_daily WHERE {_in_window("activity_date")}) AS clicks,
               (SELECT sum(attributed_orders) FROM kpi_daily WHERE {_in_window("activity_date")}) AS attributed_orders,
               (SELECT sum(linkshare_gmv) FROM kpi_daily WHERE {_in_window("activity_date")}) AS linkshare_gmv,
               (SELECT sum(gross_gmv) FROM kpi_daily WHERE {_in_window("activity_date")}) AS gross_gmv,
               (SELECT count(DISTINCT creator_open_id) FROM link_funnel_daily
                 WHERE {_in_window("click_date")} AND creator_open_id IS NOT NULL) AS sharing_creators,
               (SELECT coalesce(sum(estimated_commission), 0) FROM fct_order_items
                 WHERE {_in_window("order_date")} AND is_attributed_click) AS attributed_commission""",
    # Data health
    "feeds": """
        WITH gates AS (
            SELECT l.delivery_day, g.value->>'contract' AS feed, (g.value->>'passed')::BOOLEAN AS passed
            FROM publish_log AS l, json_each(l.gates) AS g
            WHERE g.value->>'stage' = 'raw' AND l.delivery_day <= $day::DATE)
        SELECT feed, max(delivery_day) AS last_delivery_day FROM gates WHERE passed
        GROUP BY feed ORDER BY feed""",
    "quarantine": f"""
        SELECT feed, reason, sum(records) AS records FROM quarantine_summary
        WHERE {_in_window("dt")} GROUP BY feed, reason ORDER BY records DESC, feed, reason""",
    "publishes": """
        SELECT published_at, delivery_day, len(delivery_days) AS delivery_days, json_array_length(gates) AS gates,
               gates_passed
        FROM publish_log WHERE delivery_day <= $day::DATE ORDER BY published_at DESC LIMIT 7""",
    # Experiments (EXPERIMENTS.md): the readout as last published, its CUPED figures also relative
    # to control's mean so that metrics of different units share one axis.
    "experiments": """
        SELECT experiment_id, arm, metric, n_treatment, n_control, mean_control, cuped_diff, cuped_ci_low,
               cuped_ci_high, cuped_p_value, cuped_diff / nullif(mean_control, 0) AS cuped_lift,
               cuped_ci_low / nullif(mean_control, 0) AS cuped_lift_low,
               cuped_ci_high / nullif(mean_control, 0) AS cuped_lift_high,
               srm_p_value, sample_ratio_mismatch, reassigned, is_final, decision
        FROM experiment_readout ORDER BY experiment_id, arm, metric""",
    # Goals: each goal's newest row up to the review date, and its path so far.
    "goals": """
        SELECT goal_id, "date", actual, planned, target, status
        FROM goal_attainment_daily WHERE "date" <= $day::DATE
        QUALIFY row_number() OVER (PARTITION BY goal_id ORDER BY "date" DESC) = 1
        ORDER BY goal_id""",
    "goals_trend": """
        SELECT goal_id, "date", actual, planned, target FROM goal_attainment_daily
        WHERE "date" <= $day::DATE
        ORDER BY goal_id, "date"
    """,
    # Findings: the review_findings mart's rows for the day
    "findings": """
        SELECT f.rule_name, f.subject_kind, f.subject, c.username, f.metric, f.metric_value, f.baseline,
               f.comparison, f.threshold, f.sample_size, f.peers, f.window_days, f.suggested_action
        FROM review_findings AS f
        LEFT JOIN dim_creators AS c ON f.subject_kind = 'creator' AND c.creator_open_id = f.subject
        WHERE f.review_date = $day::DATE ORDER BY f.rule_name, f.subject""",
}


@dataclass
class Figure:
    columns: list[str]
    rows: list[list]

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def _plain(value):
    """JSON-ready: money as float (DECIMAL(18,2) round-trips), dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def gather(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, Figure]:
    figures = {}
    for name, sql in QUERIES.items():
        cursor = con.execute(sql, {"day": day} if "$day" in sql else {})  # the readout is as last published
        figures[name] = Figure(
            [d[0] for d in cursor.description], [[_plain(v) for v in row] for row in cursor.fetchall()]
        )
    return figures


def latest_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last delivery day published: the review's default date."""
    row = con.execute("SELECT max(delivery_day) FROM publish_log").fetchone()
    return row[0] if row else None
