"""The review's charts: Vega-Lite specifications through altair, rendered to static SVG by vl-convert.

Static SVG inlined into the page needs no JavaScript and no network, so the file opens offline,
mailed or archived, and looks the same everywhere. Each builder takes a figure's records and
returns a chart, or None when there is nothing to draw (the page then says so in words).
"""

from __future__ import annotations

import altair as alt
import vl_convert

WIDTH, HEIGHT = 380, 190
# Arial's metrics (Liberation Sans is metric-compatible): vl-convert measures labels with the font
# it finds here, the browser draws them with the one it finds, so both must find the same widths.
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
CONFIG = {
    "font": FONT,
    "padding": {"left": 12, "right": 12, "top": 4, "bottom": 4},
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "gridColor": "#eceff3"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "columns": 4, "labelLimit": 170},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "range": {"category": ["#3b6fb6", "#e0823d", "#4c9f70", "#c8494a", "#8a6bbf", "#8c6d4f", "#d37db8", "#7f7f7f"]},
}


# Ticks on whole days only (a chart of two days would otherwise label hours), thinned when crowded.
DAY_AXIS = alt.Axis(format="%b %d", labelAngle=0, tickCount="day", labelOverlap=True)


def to_svg(chart: alt.TopLevelMixin) -> str:
    spec = chart.to_dict(validate=False)  # schema validation costs more than rendering; the specs are fixed
    spec["config"] = {**CONFIG, **spec.get("config", {})}
    return vl_convert.vegalite_to_svg(spec)


def _data(records: list[dict]) -> alt.Data:
    return alt.Data(values=records)


def lines(
    records: list[dict], x: str, series: dict[str, str], y_title: str, y_format: str = ",.0f"
) -> alt.Chart | None:
    """One line per column of `series` (column -> legend label), x a date column."""
    if not records:
        return None
    rows = [
        {"date": r[x], "series": label, "value": r[col]}
        for r in records
        for col, label in series.items()
        if r[col] is not None
    ]
    return (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=DAY_AXIS),
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color("series:N", title=None, sort=list(series.values())),
        )
        .properties(width=WIDTH, height=HEIGHT)
    )


def lines_by(records: list[dict], x: str, y: str, by: str, y_title: str) -> alt.Chart | None:
    if not records:
        return None
    return (
        alt.Chart(_data(records))
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=None, axis=DAY_AXIS),
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color(f"{by}:N", title=None),
        )
        .properties(width=WIDTH, height=HEIGHT)
    )


def funnel(records: list[dict], by: str, stages: dict[str, str]) -> alt.Chart | None:
    """One panel of horizontal bars per funnel stage (clicks -> orders -> refunds), each on its own scale."""
    if not records:
        return None
    rows = [{by: r[by], "stage": label, "value": r[col]} for r in records for col, label in stages.items()]
    order = [r[by] for r in records]
    return (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{by}:N", title=None, sort=order),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format=",.0f", tickCount=3)),
            color=alt.Color("stage:N", legend=None, sort=list(stages.values())),
        )
        .properties(width=170, height=alt.Step(16))
        .facet(column=alt.Column("stage:N", title=None, sort=list(stages.values())))
        .resolve_scale(x="independent")
    )


def bars(
    records: list[dict], label: str, value: str, title: str, value_format: str = ",.0f", color: str | None = None
) -> alt.Chart | None:
    """Horizontal bars, largest first (the records' order)."""
    if not records:
        return None
    encoding = {
        "y": alt.Y(f"{label}:N", title=None, sort=[r[label] for r in records]),
        "x": alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=value_format)),
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
    return alt.Chart(_data(records)).mark_bar().encode(**encoding).properties(width=WIDTH - 80, height=alt.Step(18))


def side_by_side(*charts: alt.Chart | None) -> alt.HConcatChart | None:
    present = [c for c in charts if c is not None]
    return alt.hconcat(*present).resolve_scale(color="independent") if present else None


def intervals(records: list[dict], label: str, value: str, low: str, high: str, title: str) -> alt.Chart | None:
    """A point per row with its interval (e.g. a lift and its 95% CI), and the zero line."""
    rows = [r for r in records if r[value] is not None]
    if not rows:
        return None
    y = alt.Y(f"{label}:N", title=None, sort=[r[label] for r in rows])
    x_axis = alt.Axis(format="+.0%")
    base = alt.Chart(_data(rows))
    ticks = base.mark_rule(strokeWidth=2, color="#3b6fb6").encode(
        y=y, x=alt.X(f"{low}:Q", title=title, axis=x_axis), x2=f"{high}:Q"
    )
    points = base.mark_point(filled=True, size=60, color="#1f2933").encode(y=y, x=f"{value}:Q")
    zero = alt.Chart(_data([{"zero": 0}])).mark_rule(color="#9aa5b1", strokeDash=[4, 3]).encode(x="zero:Q")
    return (zero + ticks + points).properties(width=WIDTH - 60, height=alt.Step(20))


def actual_and_planned(records: list[dict]) -> alt.Chart | None:
    """One small panel per goal: its actual and planned lines, each panel on its own scale."""
    rows = [
        {"goal_id": r["goal_id"], "date": r["date"], "series": name, "value": r[col]}
        for r in records
        for col, name in (("actual", "actual"), ("planned", "planned"))
        if r[col] is not None
    ]
    if not rows:
        return None
    return (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=DAY_AXIS),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", title=None, sort=["actual", "planned"]),
            strokeDash=alt.StrokeDash("series:N", legend=None, sort=["actual", "planned"]),
        )
        .properties(width=230, height=140)
        .facet(column=alt.Column("goal_id:N", title=None))
        .resolve_scale(y="independent")
    )
