"""HTML building blocks of the review: numbers, tiles, tables, charts, and the page around them.

Every number printed comes from a figure (figures.py) and carries where it came from:
`data-figure`, `data-row`, `data-col` and the unformatted `data-value`, so a test can read the
page back and compare each number with its own query.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from . import charts
from .figures import Figure


def money(v) -> str:
    return f"${v:,.2f}" if abs(v) < 10_000 else f"${v:,.0f}"


def count(v) -> str:
    return f"{v:,.0f}"


def percent(v) -> str:
    return f"{v:.1%}" if abs(v) >= 0.001 or v == 0 else f"{v:.2%}"


def signed_percent(v) -> str:
    return f"{v:+.0%}"


def decimal2(v) -> str:
    return f"{v:,.2f}"


def hours(v) -> str:
    return f"{v:,.1f} h"


def text(v) -> str:
    return str(v)


Format = Callable[[object], str]


def number(name: str, fig: Figure, row: int, col: str, fmt: Format) -> str:
    value = fig.rows[row][fig.columns.index(col)]
    shown = "–" if value is None else fmt(value)
    return (
        f'<span class="num" data-figure="{name}" data-row="{row}" data-col="{col}" '
        f"data-value='{html.escape(json.dumps(value), quote=True)}'>{html.escape(shown)}</span>"
    )


def tile(label: str, name: str, fig: Figure, col: str, fmt: Format, previous: int | None = None) -> str:
    """A headline number: row 0 of the figure, and row `previous` (a week earlier) beneath it."""
    if not fig.rows:
        return ""
    before = (
        f'<div class="before">a week earlier {number(name, fig, previous, col, fmt)}</div>'
        if previous is not None and previous < len(fig.rows)
        else ""
    )
    return f'<div class="tile"><div class="label">{html.escape(label)}</div><div class="value">{number(name, fig, 0, col, fmt)}</div>{before}</div>'


def tiles(*items: str) -> str:
    return f'<div class="tiles">{"".join(items)}</div>'


def table(name: str, fig: Figure, columns: dict[str, tuple[str, Format]], empty: str) -> str:
    """Rows of a figure; `columns`: column -> (heading, format)."""
    if not fig.rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns.values())
    body = "".join(
        "<tr>" + "".join(f"<td>{number(name, fig, i, col, fmt)}</td>" for col, (_, fmt) in columns.items()) + "</tr>"
        for i in range(len(fig.rows))
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def chart(title: str, spec, empty: str, note: str = "") -> str:
    """A chart rendered to inline SVG, or a sentence when there is nothing to draw."""
    if spec is None:
        inner = f'<p class="empty">{html.escape(empty)}</p>'
    else:
        inner = f'<div class="svg">{charts.to_svg(spec)}</div>'
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>{inner}{caption}</figure>'


def grid(*blocks: str) -> str:
    return f'<div class="grid">{"".join(blocks)}</div>'


def section(anchor: str, title: str, question: str, body: str) -> str:
    return (
        f'<section id="{anchor}"><h2>{html.escape(title)}</h2>'
        f'<p class="question">{html.escape(question)}</p>{body}</section>'
    )


STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #3b6fb6; --warn: #b44d12; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); background: #f7f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 18px 32px 12px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: var(--muted); }
nav { margin-top: 10px; }
nav a { color: var(--accent); margin-right: 18px; text-decoration: none; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 32px 40px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 24px 20px; margin-top: 20px; }
h2 { font-size: 18px; margin: 12px 0 2px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.question { color: var(--muted); margin: 0 0 10px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin: 12px 0; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: #fcfcfd; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile .value { font-size: 20px; font-weight: 600; }
.tile .before { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px 24px; align-items: start; }
figure.chart { margin: 8px 0; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
figure.chart .svg { overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
.note, .empty { color: var(--muted); font-size: 12px; margin: 4px 0; }
table.data { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
table.data th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 4px 8px; }
table.data td { border-bottom: 1px solid #f0f2f4; padding: 4px 8px; font-variant-numeric: tabular-nums; }
.findings { border-left: 4px solid var(--warn); background: #fff8f3; padding: 6px 14px; margin: 10px 0; border-radius: 4px; }
.findings h3 { color: var(--warn); margin-top: 6px; }
.findings li { margin: 6px 0; }
.ok { border-left: 4px solid #4c9f70; background: #f4faf6; padding: 6px 14px; margin: 10px 0; border-radius: 4px; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; max-width: 1280px; margin: 0 auto; padding: 0 32px 24px; }
"""


def document(title: str, subtitle: str, nav: list[tuple[str, str]], body: str, footer: str, figures_json: str) -> str:
    links = "".join(f'<a href="#{a}">{html.escape(t)}</a>' for a, t in nav)
    data = figures_json.replace("</", "<\\/")  # cannot close the script element
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p><nav>{links}</nav></header>
<main>{body}</main>
<footer>{footer}</footer>
<script type="application/json" id="figures">{data}</script>
</body>
</html>
"""
