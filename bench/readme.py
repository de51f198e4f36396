"""README.md's performance table, rendered from the latest bench/results/<date>-<scale>.json."""

from __future__ import annotations

import json
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- performance:start -->", "<!-- performance:end -->"
SCALES = ("small", "medium", "large")
STAGES = ("dbt staging", "staging gates", "dbt marts", "mart gates", "publish", "review", "orchestration and start-up")


def latest(results: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted(results.glob("*.json")):  # <date>-<scale>.json: later dates sort later
        data = json.loads(path.read_text())
        found[data["scale"]] = data
    return found


def _s(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} s"


def _backfill(d: dict) -> str:
    """The longest history's backfill: days, minutes, peak RSS (the memory target holds for any length)."""
    day = d.get("day_on_long_history") or d["day"]
    gib = day["history_build_peak_rss_mib"] / 1024
    return f"{day['history_days']} days: {day['history_build_s'] / 60:.1f} min, peak RSS {gib:.2f} GiB"


def _rows(data: dict[str, dict]) -> list[tuple[str, list[str]]]:
    def each(fn) -> list[str]:
        out = []
        for scale in SCALES:
            try:
                out.append(fn(data[scale]))
            except (KeyError, TypeError, ZeroDivisionError):
                out.append("")
        return out

    def stage_sum(prefix: str):
        return lambda d: _s(sum(v for k, v in d["day"]["stages_s"].items() if k.startswith(prefix)))

    rows = [
        ("generation, a day", each(lambda d: _s(d["generate"]["seconds_per_day"]))),
        (
            "a day, one `cwh run` incl. process start (median)",
            each(lambda d: f"{d['day']['wall_s']:.1f} s on {d['day']['history_days']} days"),
        ),
        ("- ingest, all feeds", each(stage_sum("ingest"))),
        ("- ingest link_clicks", each(lambda d: _s(d["day"]["stages_s"]["ingest link_clicks"]))),
        ("- raw gates", each(stage_sum("raw gates"))),
    ]
    rows += [(f"- {stage}", each(lambda d, s=stage: _s(d["day"]["stages_s"][s]))) for stage in STAGES]
    rows += [
        ("peak RSS of the run", each(lambda d: f"{d['day']['peak_rss_mib'] / 1024:.2f} GiB")),
        ("backfill of the longest history, one `cwh run` of the range", each(_backfill)),
        ("floor (bench/floor.py)", each(lambda d: _s(d["floor"]["wall_s"]))),
        ("floor equals the published marts", each(lambda d: "yes" if d["floor"]["equal_to_published"] else "NO")),
        ("day / floor (target <= 3)", each(lambda d: f"{d['day_vs_floor']:.1f}x")),
        (
            "same day on the long history / short (target <= 1.3)",
            each(
                lambda d: (
                    f"{d['history_ratio']:.2f}x ({d['day_on_long_history']['history_days']} vs "
                    f"{d['day']['history_days']} days)"
                )
            ),
        ),
    ]
    return rows


def render(data: dict[str, dict]) -> str:
    label = {"small": "small, a near-empty day"}
    header = (
        "| figure | "
        + " | ".join(f"{label.get(s, s)} ({data[s]['date']})" if s in data else label.get(s, s) for s in SCALES)
        + " |"
    )
    lines = [header, "|---|" + "---|" * len(SCALES)]
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in _rows(data)]
    notes = []
    for scale in (s for s in SCALES if s in data):
        m = data[scale]["machine"]
        code = data[scale].get("code") or {}  # results written before the commit was recorded have none
        at = ""
        if code.get("commit"):
            at = f", code {code['commit'][:7]}" + (" with uncommitted changes" if code["uncommitted_changes"] else "")
        notes.append(
            f"{scale}: {m['cores']} cores, {m['memory_gib']} GiB, {m['cpu_model'] or 'CPU model unknown'}, "
            f"load average {m['load_average_at_start']:.1f} at the start{at}"
        )
    return "\n".join(lines) + "\n\nMeasured on: " + "; ".join(notes) + " (bench/results/)."


def update_readme(results: Path, readme: Path = README) -> None:
    data = latest(results)
    if not data:
        return
    body = readme.read_text()
    if START not in body or END not in body:
        raise SystemExit(f"{readme} has no {START} ... {END} markers")
    head, rest = body.split(START, 1)
    readme.write_text(head + START + "\n" + render(data) + "\n" + END + rest.split(END, 1)[1])
