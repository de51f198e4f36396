"""`cwh`: generate simulated deliveries, run delivery days through Dagster, open the UI."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import logging
import os
import socket
import sys
from datetime import date, timedelta
from pathlib import Path

# Telemetry calls hang offline and behind firewalls: off unless the user turns them on.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("SODA_CORE_TELEMETRY_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _days(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def cmd_generate(args) -> int:
    from simulator import PLANTS, SCALES, FaultRates, PlanError, generate

    if args.scale not in SCALES:
        print(f"unknown scale {args.scale!r}; choose one of {', '.join(SCALES)}", file=sys.stderr)
        return 2
    faults = FaultRates.none() if args.clean else FaultRates()
    for item in args.fault or []:
        name, _, rate = item.partition("=")
        if name not in {f.name for f in dataclasses.fields(FaultRates)}:
            print(
                f"unknown fault {name!r}; known: {', '.join(f.name for f in dataclasses.fields(FaultRates))}",
                file=sys.stderr,
            )
            return 2
        faults = dataclasses.replace(faults, **{name: float(rate)})
    for name in args.plant or []:
        if name not in PLANTS:
            print(f"unknown plant {name!r}; known: {', '.join(PLANTS)}", file=sys.stderr)
            return 2
    landing = Path(args.landing or os.environ.get("CWH_LANDING_DIR", "landing"))
    try:
        generate(
            landing,
            args.start,
            args.days,
            scale=args.scale,
            seed=args.seed,
            faults=faults,
            experiments=[Path(f) for f in args.experiment] if args.experiment else None,
            progress=lambda line: print(line, flush=True),
            plants=tuple(args.plant or ()),
        )
    except PlanError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.days} delivery day(s) to {landing.resolve()}")
    return 0


def _explain_failure(instance, result, log) -> str:
    """Name the gates that stopped the day, with their figures, and the steps that failed, with their cause
    (orchestration/failures.py, as the alerts and `cwh status` say it). Full tracebacks go to the run log."""
    from orchestration.failures import describe_failure

    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.step_failure_data.error is not None:
            print(
                f"\n=== run {result.run_id}: step '{event.step_key}' failed ===\n"
                f"{event.step_failure_data.error.to_string()}",
                file=log,
            )
    failure = describe_failure(instance, instance.get_run_by_id(result.run_id))
    indent = "\n    "
    lines = [
        f"gate '{g['gate']}' on {g['asset']} failed:{indent}{g['description'].replace(chr(10), indent)}"
        for g in failure["failed_gates"]
    ]
    lines += [f"step '{s['step']}' failed: {s['cause']}" for s in failure["failed_steps"]]
    return "\n".join(lines) or failure["cause"]


def cmd_run(args) -> int:
    from assets.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(landing_dir=args.landing, data_dir=args.data_dir)
        settings.require_real_salt()  # a run hashes PII
    except SettingsError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    settings.export()
    from assets.experiments.definitions import DefinitionError, load_experiments, load_goals

    try:  # analysts' files are checked before anything runs
        load_experiments()
        load_goals()
    except DefinitionError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    end = args.end or args.start
    if end < args.start:
        print(f"--end {end} is before --start {args.start}", file=sys.stderr)
        return 2
    if not settings.landing_dir.is_dir():
        print(f"landing zone {settings.landing_dir} does not exist (generate one with `cwh generate`)", file=sys.stderr)
        return 2

    from assets.feeds import FEEDS
    from assets.progress import PER_RUN_STAGES
    from orchestration.run_display import RunDisplay

    days = _days(args.start, end)
    # A range is a backfill: consecutive runs of at most max_days_per_run days (--per-day: one each).
    # A run's dbt statements hold what its days delivered, so bounding the days bounds the memory.
    size = 1 if args.per_day else settings.max_days_per_run
    batches = [days[i : i + size] for i in range(0, len(days), size)]
    # The bar counts feed-days (ingest and raw gate) and the stages each run has after them.
    display = RunDisplay(total_units=len(days) * len(FEEDS) + len(PER_RUN_STAGES) * len(batches), stream=sys.stdout)
    progress = logging.getLogger("cwh.progress")
    progress.setLevel(logging.INFO)
    progress.handlers = [display]
    progress.propagate = False
    # Tools' own output and warnings, and full tracebacks, go to the log; the terminal shows progress
    # and, when a day is blocked, the cause in a few lines.
    log_path = settings.data_dir / "logs" / "cwh-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # Our own copy of the terminal for what the user must read (a blocked day's cause, the last word
    # on Ctrl-C): while a step runs, Dagster captures descriptors 1 and 2, and below, descriptor 2
    # goes to the log.
    terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1) if args.own_process else None
    terminal_err = terminal or sys.stderr
    try:
        with open(log_path, "a") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            work = lambda: _run_days(settings, args, batches, display, log_path, log, terminal_err)  # noqa: E731
            if not args.own_process:  # a caller in-process keeps its own descriptors and signal handling
                return work()
            from orchestration.interrupt import run_until_interrupted

            # The run's child processes (Dagster's compute-log tails and their watchers) write to
            # descriptor 2: into the log too. Ctrl-C reaches them with the rest of the terminal's
            # process group, and their tracebacks would land over the last word.
            with _descriptor_to(sys.__stderr__, log):
                return run_until_interrupted(work, lambda signo: _stopped(signo, display, terminal))
    finally:
        display.stop()
        progress.handlers = []
        if terminal is not None:
            terminal.close()


@contextlib.contextmanager
def _descriptor_to(stream, target):
    """Point `stream`'s file descriptor at `target`'s file for the duration (children inherit it)."""
    fd, saved = stream.fileno(), os.dup(stream.fileno())
    stream.flush()
    os.dup2(target.fileno(), fd)
    try:
        yield
    finally:
        stream.flush()
        os.dup2(saved, fd)
        os.close(saved)


def _stopped(signo, display, terminal) -> None:
    with contextlib.suppress(Exception):  # a last word, whatever state the run is in
        display.stop()
        terminal.write(
            f"\n\ncwh run: {signo.name}: stopped. Nothing is lost: the next `cwh run` marks this run failed, "
            "frees its slot and finishes what it left (any day will do).\n"
        )
        terminal.flush()


@contextlib.contextmanager
def _loading_for_good(own_process: bool):
    """What loads here (Dagster's, dbt's and Soda's modules, the definitions: ~0.5M objects) lives
    as long as the process. In a process of its own the garbage collector is off while it loads
    (its full passes would walk it again and again on the way: ~1 s), then it is frozen out of
    the collector's reach for the run. A program calling main() keeps its collector as it is."""
    if not own_process:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _run_days(settings, args, batches, display, log_path, log, terminal_err) -> int:
    from assets.feeds import FEEDS
    from assets.partitions import FULL_REFRESH_TAG
    from orchestration.deliveries import delivery_tags
    from orchestration.instance import HOST_TAG, get_instance, recover_dead_runs

    with _loading_for_good(args.own_process):
        instance = get_instance(settings.data_dir)
        for run_id in recover_dead_runs(instance):
            display.say(f"run {run_id} had been killed mid-way: marked failed, its warehouse slot freed")
        from orchestration.definitions import defs
        from orchestration.jobs import DAILY_JOB

        job = defs.resolve_job_def(DAILY_JOB)
    days = [d for batch in batches for d in batch]
    valid = set(job.partitions_def.get_partition_keys())
    outside = [d for d in days if d not in valid]
    if outside:
        print(f"delivery day(s) outside the partitions: {', '.join(outside[:3])}", file=terminal_err)
        return 2
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    # Each batch is one Dagster run (a backfill): every feed-day is ingested and gated in order, then
    # dbt builds all of them at once. --per-day runs one run per day, as the schedule does.
    for n, batch in enumerate(batches, start=1):
        label = batch[0] if len(batch) == 1 else f"{batch[0]}..{batch[-1]}"
        display.start_run(label, feed_days=len(batch) * len(FEEDS))
        tags = {
            "dagster/asset_partition_range_start": batch[0],
            "dagster/asset_partition_range_end": batch[-1],
            HOST_TAG: socket.gethostname(),
            **delivery_tags(settings.landing_dir, batch),  # so the sensor and schedule know these deliveries ran
        }
        if args.full_refresh and n == 1:
            tags[FULL_REFRESH_TAG] = "true"
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=quiet, tags=tags)
        display.end_run()
        if not result.success:
            explanation = _explain_failure(instance, result, log)
            display.stop()
            display.say("\n" + display.stage_table())
            print(
                f"\nBLOCKED: delivery day(s) {label} did not publish.\n{explanation}\n"
                f"Quarantine: {settings.lake_dir / 'quarantine'}; details: {log_path} and Dagster run "
                f"{result.run_id} (DAGSTER_HOME={instance.root_directory}).",
                file=terminal_err,
            )
            return 1
    display.stop()
    display.say("\n" + display.stage_table())
    display.say(
        f"\n{len(days)} delivery day(s) done; analysts read {settings.published_path} "
        f"and the review {settings.reports_dir / 'latest.html'}"
    )
    return 0


def cmd_status(args) -> int:
    import warnings

    from assets.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(landing_dir=args.landing, data_dir=args.data_dir)
    except SettingsError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    if not settings.data_dir.is_dir():
        print(f"data dir {settings.data_dir} does not exist (nothing has run there)", file=sys.stderr)
        return 2
    settings.export()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from orchestration.instance import get_instance
        from orchestration.status import gather, needs_attention, render, to_json

        status = gather(settings, get_instance(settings.data_dir))
    print(to_json(status) if args.json else render(status))
    return 1 if needs_attention(status) else 0


def cmd_dev(args) -> int:
    from assets.settings import Settings
    from orchestration.instance import prepare_dagster_home

    settings = Settings.from_env(landing_dir=args.landing, data_dir=args.data_dir)
    settings.export()
    prepare_dagster_home(settings.data_dir)
    from orchestration.dev_server import dagster_dev

    workspace = Path(__file__).resolve().parent.parent / "workspace.yaml"
    return dagster_dev(workspace, args.port)


def cmd_query(args) -> int:
    from assets.settings import Settings, SettingsError
    from orchestration.query import QueryError, query

    if (args.sql is None) == (args.file is None):
        print("cwh query: give the SQL as an argument or with -f FILE.sql (one of them)", file=sys.stderr)
        return 2
    if args.file is not None:
        try:
            sql = Path(args.file).read_text()
        except OSError as exc:
            print(f"cwh query: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        sql = args.sql
    try:
        settings = Settings.from_env(data_dir=args.data_dir)
    except SettingsError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    try:
        query(settings.published_path, sql, args.format)
        sys.stdout.flush()
    except QueryError as exc:
        print(f"cwh query: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def cmd_report(args) -> int:
    from assets.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(data_dir=args.data_dir)
    except SettingsError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    from assets.review.report import ReviewError, write_review

    try:
        review = write_review(
            settings.published_path, settings.reports_dir, args.date, Path(args.out) if args.out else None
        )
    except ReviewError as exc:
        print(f"cwh report: {exc}", file=sys.stderr)
        return 1
    print(
        f"review of {review.day} written to {review.path} ({review.bytes / 1024:,.0f} KiB, "
        f"{review.findings} finding(s), {review.seconds:.1f} s); its figures: {review.figures_path}"
    )
    return 0


def cmd_docs(args) -> int:
    from assets.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(data_dir=args.data_dir)
    except SettingsError as exc:
        print(f"cwh: {exc}", file=sys.stderr)
        return 2
    from orchestration.dbt_docs import DocsError, generate, serve

    try:
        folder = generate(settings)
    except DocsError as exc:
        print(f"cwh docs: {exc}", file=sys.stderr)
        return 1
    print(f"dbt docs generated in {folder} (one self-contained file: {folder / 'static_index.html'})", flush=True)
    if not args.no_serve:
        serve(folder, args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cwh", description="Creator-commerce warehouse: simulate, run, inspect.")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write simulated deliveries into a landing zone")
    g.add_argument("--landing", help="landing zone folder (default: $CWH_LANDING_DIR or ./landing)")
    g.add_argument("--start", type=_day, required=True, help="first delivery day, YYYY-MM-DD")
    g.add_argument("--days", type=int, default=1, help="number of delivery days")
    g.add_argument("--scale", default="small", help="small | medium | large")
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--clean", action="store_true", help="no faults at all")
    g.add_argument("--fault", action="append", metavar="NAME=RATE", help="override one fault rate (repeatable)")
    g.add_argument(
        "--experiment",
        action="append",
        metavar="FILE",
        help="an experiment upstream runs: a plan (definition + planted effects, simulator/experiments.py); "
        "repeatable; default: the shipped ones in simulator/plans/",
    )
    g.add_argument(
        "--plant",
        action="append",
        metavar="NAME",
        help="plant a pattern the review's findings must find (repeatable): "
        "category_refund_spike, policy_violation_spike, channel_conversion_collapse, links_never_convert",
    )
    g.set_defaults(func=cmd_generate)

    r = sub.add_parser("run", help="run delivery days in order through the Dagster job")
    r.add_argument("--landing", help="landing zone (default: $CWH_LANDING_DIR)")
    r.add_argument("--data-dir", help="lake, warehouse and published marts (default: $CWH_DATA_DIR)")
    r.add_argument("--start", type=_day, required=True)
    r.add_argument("--end", type=_day, help="last delivery day (default: --start)")
    r.add_argument(
        "--per-day",
        action="store_true",
        help="one Dagster run per day, stopping at the first blocked day (default: one run per "
        "$CWH_MAX_DAYS_PER_RUN days of the range, 7 unless set)",
    )
    r.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every dbt model from the whole lake first (needed after changing a model's columns); "
        "the gates then check whole tables",
    )
    r.set_defaults(func=cmd_run)

    q = sub.add_parser(
        "query",
        help="SQL on the published marts, read-only, no file or network access",
        description="Run SQL against <data-dir>/published/marts.duckdb through a read-only connection that "
        "cannot write, ATTACH, read or write files, or load extensions. Exits 1 on a failed query.",
    )
    q.add_argument("sql", nargs="?", help="the SQL (or -f FILE.sql)")
    q.add_argument("-f", "--file", help="read the SQL from this file")
    q.add_argument("--data-dir", help="data dir holding published/marts.duckdb (default: $CWH_DATA_DIR or ./data)")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    q.set_defaults(func=cmd_query)

    v = sub.add_parser(
        "report",
        help="write the daily ops review (HTML) from the published marts",
        description="Write <data-dir>/reports/ops-review-<D>.html (and latest.html when D is the last day "
        "published), with its figures as JSON beside it, reading only the published marts.",
    )
    v.add_argument("--data-dir", help="data dir holding published/marts.duckdb (default: $CWH_DATA_DIR or ./data)")
    v.add_argument("--date", type=_day, help="the day to review (default: the last delivery day published)")
    v.add_argument("--out", help="write the review to this file instead (its figures beside it, .json)")
    v.set_defaults(func=cmd_report)

    o = sub.add_parser("docs", help="generate the dbt docs of the warehouse and serve them on 127.0.0.1")
    o.add_argument("--data-dir", help="data dir whose warehouse the catalog is read from (default: $CWH_DATA_DIR)")
    o.add_argument("--port", type=int, default=8080)
    o.add_argument("--no-serve", action="store_true", help="only generate <data-dir>/dbt_docs")
    o.set_defaults(func=cmd_docs)

    s = sub.add_parser(
        "status",
        help="last deliveries, last publish, blocked and pending days, freshness (exit 1 if anything needs attention)",
    )
    s.add_argument("--landing", help="landing zone (default: $CWH_LANDING_DIR)")
    s.add_argument("--data-dir", help="the data dir to inspect (default: $CWH_DATA_DIR)")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_status)

    d = sub.add_parser("dev", help="open the Dagster UI on this data dir (dagster dev)")
    d.add_argument("--landing")
    d.add_argument("--data-dir")
    d.add_argument("--port", type=int, default=3000)
    d.set_defaults(func=cmd_dev)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The command is its own process (the `cwh` script): it takes over signals (Ctrl-C exits at
    # once), descriptors and the garbage collector. A program calling main() keeps its own.
    args.own_process = argv is None
    code = args.func(args)
    if args.own_process:
        # The process ends next: its last garbage collection would walk every object the run
        # left (~1.4 s after a run); frozen, they are released without that walk.
        gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(main())
