"""The review's sections, in order: each renders HTML from the figures, and nothing else.

SECTIONS is the page's table of contents. A new section (Experiments, Goals) is one more
renderer appended to it, with the queries it needs added to figures.QUERIES.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from . import charts
from .figures import WINDOW_DAYS, Figure
from .page import (
    chart,
    count,
    decimal2,
    grid,
    hours,
    money,
    number,
    percent,
    section,
    signed_percent,
    table,
    text,
    tile,
    tiles,
)

Figures = dict[str, Figure]
WINDOW = f"last {WINDOW_DAYS} days"

METRIC_FORMATS = {"refund_rate": percent, "click_to_order_rate": percent, "violations_per_1k_orders": decimal2}
METRIC_NAMES = {
    "refund_rate": "refund rate",
    "click_to_order_rate": "click-to-order rate",
    "violations_per_1k_orders": "violations per 1,000 orders",
}
KIND_NAMES = {"category": "product category", "policy": "policy", "channel": "channel", "creator": "creator"}
SAMPLE_UNITS = {"category": "order lines", "policy": "violations", "channel": "clicks", "creator": "clicks"}
COMPARISONS = {"above": "at least", "below": "at most"}


def times(v) -> str:
    return f"{v:g}×"


def findings(f: Figures, kinds: tuple[str, ...]) -> str:
    """The day's review_findings rows of these subject kinds, grouped by rule: how many subjects,
    which, the figure against the peer baseline, and the action the rule suggests."""
    fig = f["findings"]
    rows = [i for i, r in enumerate(fig.records()) if r["subject_kind"] in kinds]
    if not rows:
        return f'<div class="ok">No finding today for any {" or ".join(KIND_NAMES[k] for k in kinds)} rule.</div>'
    items = []
    for rule in dict.fromkeys(fig.records()[i]["rule_name"] for i in rows):
        mine = [i for i in rows if fig.records()[i]["rule_name"] == rule]
        first = fig.records()[mine[0]]
        fmt = METRIC_FORMATS.get(first["metric"], decimal2)
        kind = KIND_NAMES[first["subject_kind"]]
        subjects = "".join(
            f"<li><b>{number('findings', fig, i, 'username' if fig.records()[i]['username'] else 'subject', text)}</b>"
            f"{' (' + number('findings', fig, i, 'subject', text) + ')' if fig.records()[i]['username'] else ''}: "
            f"{METRIC_NAMES.get(first['metric'], first['metric'])} {number('findings', fig, i, 'metric_value', fmt)} "
            f"against {number('findings', fig, i, 'baseline', fmt)} for its peers "
            f"over {number('findings', fig, i, 'sample_size', count)} {SAMPLE_UNITS[first['subject_kind']]} in "
            f"{number('findings', fig, i, 'window_days', count)} days "
            f"(rule: {number('findings', fig, i, 'comparison', COMPARISONS.get)} "
            f"{number('findings', fig, i, 'threshold', times)} the rate of its "
            f"{number('findings', fig, i, 'peers', count)} peers together)</li>"
            for i in mine
        )
        items.append(
            f"<li><b>{html.escape(rule)}</b>: {len(mine)} {kind}{'s' if len(mine) > 1 else ''}"
            f"<ul>{subjects}</ul>Suggested action: {number('findings', fig, mine[0], 'suggested_action', text)}</li>"
        )
    return f'<div class="findings"><h3>Findings</h3><ul>{"".join(items)}</ul></div>'


def headline(f: Figures) -> str:
    k = f["kpi"]
    if not k.rows:
        return '<p class="empty">No activity on this date in kpi_daily.</p>'
    prev = 1 if len(k.rows) > 1 else None
    return tiles(
        tile("Orders", "kpi", k, "orders", count, prev),
        tile("GMV", "kpi", k, "gross_gmv", money, prev),
        tile("Net GMV", "kpi", k, "net_gmv", money, prev),
        tile("Refund rate", "kpi", k, "refund_rate", percent, prev),
        tile("Click-to-order", "kpi", k, "click_to_order_rate", percent, prev),
        tile("Link-share of GMV", "kpi", k, "linkshare_share", percent, prev),
        tile("Violations / 1k orders", "kpi", k, "violations_per_1k_orders", decimal2, prev),
        tile("Appeal overturn rate", "kpi", k, "overturn_rate", percent, prev),
    ) + grid(
        chart(
            "GMV and net GMV, by day",
            charts.lines(
                f["kpi_trend"].records(), "activity_date", {"gross_gmv": "GMV", "net_gmv": "net GMV"}, "USD", "$,.0f"
            ),
            "No days yet.",
        ),
        chart(
            "Refund rate, by day",
            charts.lines(f["kpi_trend"].records(), "activity_date", {"refund_rate": "refund rate"}, "", ".1%"),
            "No days yet.",
            "A day's refund rate keeps rising for weeks as its refunds arrive.",
        ),
    )


def creator_pain_points(f: Figures) -> str:
    stages = {"clicks": "clicks", "orders": "orders", "refunded_orders": "refunded orders"}
    funnel_cols = {"clicks": ("clicks", count), "orders": ("orders", count), "refunded_orders": ("refunded", count)}
    body = findings(f, ("category", "creator"))
    body += grid(
        chart(
            f"Funnel by creator tier ({WINDOW})",
            charts.funnel(f["funnel_by_tier"].records(), "follower_tier", stages),
            "No clicks or orders in the window.",
            "Clicks on the tier's shared links, its orders, and those with a refund; each panel on its own scale.",
        ),
        chart(
            f"Funnel by product category ({WINDOW})",
            charts.funnel(f["funnel_by_category"].records(), "category", stages),
            "No clicks or orders in the window.",
            "An order with products of two categories counts in both.",
        ),
    )
    body += grid(
        table("funnel_by_tier", f["funnel_by_tier"], {"follower_tier": ("tier", text), **funnel_cols}, ""),
        table("funnel_by_category", f["funnel_by_category"], {"category": ("category", text), **funnel_cols}, ""),
    )
    body += grid(
        chart(
            f"Creators with many clicks and no order ({WINDOW})",
            charts.bars(f["clicks_no_orders"].records(), "creator", "clicks", "clicks, no attributed order"),
            "No creator with 100 or more clicks went without an order.",
            "Creators whose shared links drew 100+ clicks and not one attributed order: check product-link fit.",
        ),
        chart(
            "CHR bands now, and creators penalised this week",
            charts.side_by_side(
                charts.bars(f["chr_bands"].records(), "chr_band", "creators", "creators"),
                charts.bars(f["chr_bands"].records(), "chr_band", "penalised_creators", "with a violation this week"),
            ),
            "No creator snapshot yet.",
            "The marts keep each creator's current CHR score; the bands of creators penalised this week show "
            "where violations push creators down.",
        ),
    )
    body += "<h3>Refund rates far above everyone's (3× all creators' together, 20+ order lines)</h3>"
    body += table(
        "creator_refunds",
        f["creator_refunds"],
        {
            "creator": ("creator", text),
            "order_lines": ("order lines", count),
            "gross_gmv": ("GMV", money),
            "refund_rate": ("refund rate", percent),
            "all_creators": ("all creators", percent),
        },
        "No creator's refund rate is 3× that of all creators together.",
    )
    body += "<h3>Largest week-over-week GMV changes (creators with $100+ last week)</h3>"
    body += table(
        "gmv_week_over_week",
        f["gmv_week_over_week"],
        {
            "creator": ("creator", text),
            "last_week": ("last week", money),
            "this_week": ("this week", money),
            "change": ("change", signed_percent),
        },
        "Needs two weeks of published days.",
    )
    return section(
        "creators", "Creator pain points", "Where do creators struggle to sell? Clicks -> orders -> refunds.", body
    )


def governance(f: Figures) -> str:
    c, r = f["concentration"], f["repeat_violators"]
    summary = tiles(
        tile("Violations (28 days)", "concentration", c, "violations", count),
        tile("Share from the top 5% of creators", "concentration", c, "top_share", percent),
        tile(f"Repeat violations ({WINDOW})", "repeat_violators", r, "repeat_violations", count),
        tile("Repeat violators", "repeat_violators", r, "repeat_violators", count),
        tile("Creators at 3+ same-policy", "repeat_violators", r, "creators_near_limit", count),
        tile("At the same-policy limit (6)", "repeat_violators", r, "creators_at_limit", count),
    )
    body = findings(f, ("policy",)) + summary
    body += grid(
        chart(
            "Violations per 1,000 orders by policy, by day",
            charts.lines_by(
                f["violations_trend"].records(),
                "enforced_date",
                "violations_per_1k_orders",
                "policy_category",
                "per 1,000 orders",
            ),
            "No violations in the last 28 days.",
        ),
        chart(
            f"Violations per 1,000 orders by policy ({WINDOW})",
            charts.bars(
                f["policies"].records(), "policy_category", "violations_per_1k_orders", "per 1,000 orders", ",.1f"
            ),
            "No violations in the window.",
        ),
    )
    body += grid(
        chart(
            "Appeal overturn rate, by day",
            charts.lines(f["kpi_trend"].records(), "activity_date", {"overturn_rate": "overturn rate"}, "", ".0%"),
            "No resolved appeal yet.",
        ),
        table(
            "policies",
            f["policies"],
            {
                "policy_category": ("policy", text),
                "violations": ("violations", count),
                "violations_per_1k_orders": ("per 1k orders", decimal2),
                "appealed": ("appealed", count),
                "overturn_rate": ("overturned", percent),
                "median_hours_to_resolution": ("median resolution", hours),
            },
            "No violations in the window.",
        ),
    )
    return section("governance", "Governance", "Where do violations come from, and how do we cut them?", body)


def off_platform(f: Figures) -> str:
    p, k = f["program"], f["kpi"]
    body = findings(f, ("channel",))
    body += tiles(
        tile(f"Clicks ({WINDOW})", "program", p, "clicks", count),
        tile("Attributed orders", "program", p, "attributed_orders", count),
        tile("Link-share GMV", "program", p, "linkshare_gmv", money),
        tile("Sharing creators", "program", p, "sharing_creators", count),
        tile("Attributed commission", "program", p, "attributed_commission", money),
        tile("Click-to-order today", "kpi", k, "click_to_order_rate", percent) if k.rows else "",
    )
    channels = f["channels"].records()
    body += grid(
        chart(
            f"Clicks and attributed orders by channel ({WINDOW})",
            charts.side_by_side(
                charts.bars(channels, "channel", "clicks", "clicks"),
                charts.bars(channels, "channel", "attributed_orders", "attributed orders"),
            ),
            "No clicks in the window.",
        ),
        chart(
            f"Click-to-order rate by channel ({WINDOW})",
            charts.bars(channels, "channel", "click_to_order_rate", "attributed orders per click", ".1%"),
            "No clicks in the window.",
        ),
    )
    trend = f["kpi_trend"].records()
    body += grid(
        chart(
            "Click-to-order rate, by day",
            charts.lines(trend, "activity_date", {"click_to_order_rate": "click-to-order"}, "", ".1%"),
            "No days yet.",
            "Recent days convert less: orders follow their clicks by up to 14 days.",
        ),
        chart(
            "Link-share of GMV, by day",
            charts.lines(trend, "activity_date", {"linkshare_share": "link-share of GMV"}, "", ".0%"),
            "No days yet.",
        ),
        chart(
            "Sharing creators, by day",
            charts.lines(trend, "activity_date", {"sharing_creators": "sharing creators"}, "creators"),
            "No days yet.",
        ),
    )
    body += table(
        "channels",
        f["channels"],
        {
            "channel": ("channel", text),
            "clicks": ("clicks", count),
            "attributed_orders": ("attributed orders", count),
            "attributed_gmv": ("attributed GMV", money),
            "click_to_order_rate": ("click-to-order", percent),
        },
        "No clicks in the window.",
    )
    return section("program", "Off-platform program", "How is the off-platform link program converting?", body)


def p_value(v) -> str:
    return f"{v:.3f}" if v >= 0.001 else "<0.001"


def yes_no(v) -> str:
    return "yes" if v else "no"


def experiments(f: Figures) -> str:
    """Per experiment: the decision, whether final, SRM and re-assignments, and every metric's CUPED
    lift over control with its 95% CI, as a chart and as figures."""
    fig = f["experiments"]
    records = fig.records()
    if not records:
        return section(
            "experiments",
            "Experiments",
            "Which strategies make creators share more?",
            '<p class="empty">No experiment is defined, or none has an analysed creator yet.</p>',
        )
    body = ""
    for experiment, arm in dict.fromkeys((r["experiment_id"], r["arm"]) for r in records):
        rows = [i for i, r in enumerate(records) if (r["experiment_id"], r["arm"]) == (experiment, arm)]
        first = rows[0]
        body += f"<h3>{html.escape(experiment)}: {html.escape(arm)} against control</h3>"
        body += tiles(
            _tile("Decision", fig, first, "decision", text),
            _tile("Final (matured)", fig, first, "is_final", yes_no),
            _tile("Creators in the arm", fig, first, "n_treatment", count),
            _tile("In control", fig, first, "n_control", count),
            _tile("Sample ratio p", fig, first, "srm_p_value", p_value),
            _tile("Re-assigned (kept in their first arm)", fig, first, "reassigned", count),
        )
        mine = [records[i] for i in rows]
        body += grid(
            chart(
                "Lift over control, CUPED, with 95% CI",
                charts.intervals(
                    mine, "metric", "cuped_lift", "cuped_lift_low", "cuped_lift_high", "lift over control"
                ),
                "No metric has a control mean to compare with.",
                "A decision reads the primary metric's interval; a guardrail's harm shows even while running. "
                "An interval crossing zero is no evidence either way.",
            ),
            _rows_table(
                fig,
                rows,
                {
                    "metric": ("metric", text),
                    "mean_control": ("control mean", decimal2),
                    "cuped_diff": ("difference", decimal2),
                    "cuped_ci_low": ("CI low", decimal2),
                    "cuped_ci_high": ("CI high", decimal2),
                    "cuped_p_value": ("p", p_value),
                },
            ),
        )
    return section("experiments", "Experiments", "Which strategies make creators share more?", body)


def goals(f: Figures) -> str:
    latest = f["goals"]
    if not latest.rows:
        return section(
            "goals",
            "Goals",
            "Is the program on course for what was agreed?",
            '<p class="empty">No goal has a date up to this day yet.</p>',
        )
    body = chart(
        "Actual against planned, by goal",
        charts.actual_and_planned(f["goals_trend"].records()),
        "No goal has an actual figure yet.",
        "Planned runs straight from the baseline's actual to the target by the due date.",
    )
    body += table(
        "goals",
        latest,
        {
            "goal_id": ("goal", text),
            "date": ("as of", text),
            "actual": ("actual", decimal2),
            "planned": ("planned", decimal2),
            "target": ("target", decimal2),
            "status": ("status", text),
        },
        "No goal has a date up to this day yet.",
    )
    return section("goals", "Goals", "Is the program on course for what was agreed?", body)


def _tile(label: str, fig: Figure, row: int, col: str, fmt) -> str:
    """A headline number from row `row` of the experiments figure."""
    value = number("experiments", fig, row, col, fmt)
    return f'<div class="tile"><div class="label">{html.escape(label)}</div><div class="value">{value}</div></div>'


def _rows_table(fig: Figure, rows: list[int], columns: dict) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns.values())
    body = "".join(
        "<tr>"
        + "".join(f"<td>{number('experiments', fig, i, col, fmt)}</td>" for col, (_, fmt) in columns.items())
        + "</tr>"
        for i in rows
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def data_health(f: Figures) -> str:
    body = grid(
        table(
            "feeds",
            f["feeds"],
            {"feed": ("feed", text), "last_delivery_day": ("last delivery day published", text)},
            "Nothing published yet.",
        ),
        chart(
            f"Quarantined records by reason ({WINDOW})",
            charts.bars(f["quarantine"].records(), "reason", "records", "records", color="feed"),
            "Nothing quarantined in the window.",
        ),
    )
    body += "<h3>Latest publishes and the gates behind them</h3>"
    body += table(
        "publishes",
        f["publishes"],
        {
            "published_at": ("published at (UTC)", text),
            "delivery_day": ("delivery day", text),
            "delivery_days": ("days covered", count),
            "gates": ("gates", count),
            "gates_passed": ("passed", count),
        },
        "Nothing published yet.",
    )
    body += f"<h3>Quarantined records by feed and reason ({WINDOW})</h3>"
    body += table(
        "quarantine",
        f["quarantine"],
        {"feed": ("feed", text), "reason": ("reason", text), "records": ("records", count)},
        "Nothing quarantined in the window.",
    )
    return section("health", "Data health", "Is what this review reads complete and trusted?", body)


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    render: Callable[[Figures], str]


# The page, in order.
SECTIONS: list[Section] = [
    Section("creators", "Creator pain points", creator_pain_points),
    Section("governance", "Governance", governance),
    Section("program", "Off-platform program", off_platform),
    Section("experiments", "Experiments", experiments),
    Section("goals", "Goals", goals),
    Section("health", "Data health", data_health),
]
