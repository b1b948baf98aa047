"""``cta-ops-data-monitoring``'s command line: modes, day range, writing or printing the points."""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import functools
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from ctaops import _toolcli
from ctaops.datamon.points import DAY, Points, day_of, iso_day, lines, month_of, next_month, rollup

if TYPE_CHECKING:
    from ctaops.datamon.store import Store
    from ctaops.utils.config import Config
    from ctaops.utils.metrics import Registry

PROG = "cta-ops-data-monitoring"
TOOL_ID = "data_monitoring"


def _date(text: str) -> int:
    try:
        d = dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    return calendar.timegm((d.year, d.month, d.day, 0, 0, 0))


def _parser() -> argparse.ArgumentParser:
    p = _toolcli.parser(
        PROG,
        "Daily and monthly totals of the data CTA's tape sessions moved, into InfluxDB. Without a mode "
        "option: monthly points from the src database's daily points over the rolling window.",
    )
    p.add_argument(
        "--taped-logs", nargs="+", metavar="FILE", help="cta-taped JSON logs (globs, .gz too): daily and monthly points"
    )
    p.add_argument(
        "--import-data", action="store_true", help="daily points from the import database's CTA and CASTOR measurements"
    )
    p.add_argument(
        "--from", dest="from_day", type=_date, metavar="DATE", help="first day to (re)compute, YYYY-MM-DD (UTC)"
    )
    p.add_argument("--to", dest="to_day", type=_date, metavar="DATE", help="last day to (re)compute, YYYY-MM-DD (UTC)")
    p.add_argument("--dry-run", action="store_true", help="print the points as line protocol, write nothing")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument(
        "--create-retention-policies", action="store_true", help="create missing destination retention policies"
    )
    p.add_argument(
        "--metrics-file",
        metavar="FILE",
        help="write Prometheus textfile metrics here "
        "(default: <global.metrics.textfile_dir>/ctaops_data_monitoring.prom)",
    )
    return p


@dataclass
class Summary:
    """What a run computed (and wrote unless a dry run)."""

    modes: list[str]
    dry_run: bool
    records: int = 0
    days: list[int] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    daily_points: int = 0
    monthly_points: int = 0
    created_retention_policies: list[str] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the summary as ``--json`` prints it."""
        doc: dict[str, Any] = {
            "modes": self.modes,
            "dry_run": self.dry_run,
            "records": self.records,
            "days": [iso_day(d) for d in self.days],
            "months": [iso_day(m)[:7] for m in self.months],
            "daily_points": self.daily_points,
            "monthly_points": self.monthly_points,
            "created_retention_policies": self.created_retention_policies,
        }
        if self.dry_run:
            doc["lines"] = self.lines
        return doc


def _range(args: argparse.Namespace) -> tuple[int | None, int | None]:
    """Return the days ``[from, to)`` (``--to`` is inclusive on the command line)."""
    start = args.from_day
    end = None if args.to_day is None else args.to_day + DAY
    if start is not None and end is not None and end <= start:
        raise _toolcli.ToolExit(2, f"--to {iso_day(args.to_day)} is before --from {iso_day(start)}")
    return start, end


def _src_months(config: Config, start: int | None, end: int | None) -> dict[int, Points]:
    """Build the months touched by ``[start, end)`` (default: the rolling window) from the src days."""
    from ctaops._core import parse_duration  # noqa: PLC0415  (keeps --help fast)
    from ctaops.datamon.influx import Endpoint, Influx  # noqa: PLC0415
    from ctaops.datamon.store import Store  # noqa: PLC0415

    now = int(time.time())
    if start is None:
        start = day_of(now - int(parse_duration(str(config.tool_value("rolling_window") or "7d"))))
    end = end if end is not None else day_of(now) + DAY
    src = Store(Influx(Endpoint.from_config(config, "src")), str(config.tool_value("src_influxdb_measurement")))
    rp = str(config.tool_value("src_retention_policy"))
    months: dict[int, Points] = {}
    m = month_of(start)
    while m < end:
        months[m] = rollup(src.daily(rp, m, next_month(m)).values())
        m = next_month(m)
    return months


def _import_days(config: Config, start: int | None, end: int | None) -> dict[int, Points]:
    """Read the import database's CTA and CASTOR days over ``[start, end)`` (default: all)."""
    from ctaops.datamon import sources  # noqa: PLC0415
    from ctaops.datamon.influx import Endpoint, Influx  # noqa: PLC0415
    from ctaops.datamon.store import Store  # noqa: PLC0415

    imp = Store(Influx(Endpoint.from_config(config, "import")), "")
    rp = str(config.tool_value("import_retention_policy"))
    lo = start if start is not None else 0
    hi = end if end is not None else day_of(int(time.time())) + DAY
    days: dict[int, Points] = {}
    for key, castor in (("import_influxdb_measurement_cta", False), ("import_influxdb_measurement_castor", True)):
        imp.measurement = str(config.tool_value(key))
        read = imp.daily(rp, lo, hi, functools.partial(sources.translate, castor=castor))
        sources.merge(days, {day_of(d): p for d, p in read.items()})
    return days


class _Writer:
    """Replace (or, in a dry run, collect) the points of one day or month at a time."""

    def __init__(self, dst: Store, measurement: str, summary: Summary, log: logging.Logger) -> None:
        self.dst, self.measurement, self.summary, self.log = dst, measurement, summary, log

    def put(self, rp: str, t: int, span: int, points: Points) -> int:
        """Make ``points`` the ones of ``rp`` over ``[t, t + span)``; return how many."""
        text = lines(self.measurement, points, t)
        if self.summary.dry_run:
            self.summary.lines.setdefault(rp, []).extend(text)
        else:
            self.dst.replace(rp, t, t + span, text)
            self.log.info("%s %s: %d point(s) written", rp, iso_day(t), len(text))
        return len(text)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool and return its exit status (errors raise; :func:`main` turns them into one line)."""
    from ctaops.utils.config import load_config  # noqa: PLC0415  (keeps --help fast)
    from ctaops.utils.metrics import ToolRun, textfile_path  # noqa: PLC0415

    args = _parser().parse_args(argv)
    config = load_config(args.config_file, PROG)
    log = _toolcli.setup_logging(PROG, bool(args.verbose), config=config, log_json=args.log_json)
    log.info("started: %s", " ".join([PROG, *(sys.argv[1:] if argv is None else argv)]))
    # A dry run writes nothing, its textfile included (as every tool's).
    path = None if args.dry_run else textfile_path(config, TOOL_ID, override=args.metrics_file)
    with ToolRun(TOOL_ID, path, roots=[config.logging.log_dir, config.metrics.textfile_dir]) as metrics:
        summary = _monitor(args, config, log)
        _add_metrics(metrics.registry, summary)
        return metrics.done(0)


def _add_metrics(registry: Registry, summary: Summary) -> None:
    registry.gauge("records", "Tape session records the last run read from cta-taped logs.").set(summary.records)
    points = registry.gauge("points", "Points the last run wrote, per destination retention policy.", ("granularity",))
    points.set(summary.daily_points, granularity="daily")
    points.set(summary.monthly_points, granularity="monthly")
    periods = registry.gauge("recomputed_periods", "Days and months the last run (re)computed.", ("granularity",))
    periods.set(len(summary.days), granularity="daily")
    periods.set(len(summary.months), granularity="monthly")


def _monitor(args: argparse.Namespace, config: Config, log: logging.Logger) -> Summary:
    """Compute (and unless a dry run, write) the points; print the outcome; return the summary."""
    from ctaops.datamon import sources  # noqa: PLC0415  (keeps --help fast)
    from ctaops.datamon.influx import Endpoint, Influx  # noqa: PLC0415
    from ctaops.datamon.store import Store  # noqa: PLC0415

    start, end = _range(args)
    modes = [m for m, on in (("taped-logs", args.taped_logs), ("import-data", args.import_data)) if on] or ["src"]
    summary = Summary(modes, args.dry_run)
    measurement = str(config.tool_value("dst_influxdb_measurement"))
    daily_rp = str(config.tool_value("dst_daily_retention_policy"))
    monthly_rp = str(config.tool_value("dst_monthly_retention_policy"))
    dst = Store(Influx(Endpoint.from_config(config, "dst")), measurement)
    if not args.dry_run:
        summary.created_retention_policies = dst.check_retention_policies(
            [daily_rp, monthly_rp], create=args.create_retention_policies
        )
    writer = _Writer(dst, measurement, summary, log)

    days: dict[int, Points] = {}
    months: dict[int, Points] = {}
    if modes == ["src"]:
        months = _src_months(config, start, end)
    else:
        if args.import_data:
            days = _import_days(config, start, end)
            log.info("import: %d day(s) read", len(days))
        if args.taped_logs:
            from_logs, summary.records = sources.taped_logs(sources.expand(args.taped_logs), start, end)
            days.update(from_logs)  # the logs are the authority for the days they cover
            log.info("taped logs: %d session record(s) over %d day(s)", summary.records, len(from_logs))
        if start is not None and end is not None:
            for d in range(start, end, DAY):
                days.setdefault(d, {})  # an explicit range is recomputed whole: an empty day empties
        for d in sorted(days):
            summary.daily_points += writer.put(daily_rp, d, DAY, days[d])
        for m in sorted({month_of(d) for d in days}):
            if args.dry_run:
                months[m] = rollup(p for d, p in days.items() if month_of(d) == m)
            else:
                months[m] = rollup(dst.daily(daily_rp, m, next_month(m)).values())
    summary.days = sorted(days)
    for m in sorted(months):
        # the month's point shares its timestamp with the 1st's daily point: a one-second range
        summary.monthly_points += writer.put(monthly_rp, m, 1, months[m])
    summary.months = sorted(months)
    _print(summary, args, dst.db.ep.database)
    return summary


def _print(summary: Summary, args: argparse.Namespace, database: str) -> None:
    if args.json:
        json.dump(summary.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if args.dry_run:
        # The `influx -import` file format: the output can be loaded as it is.
        print(f"# DML\n# CONTEXT-DATABASE: {database}")
        for rp, rp_lines in summary.lines.items():
            print(f"# CONTEXT-RETENTION-POLICY: {rp}")
            for text in rp_lines:
                print(text)
        return
    print(
        f"{summary.daily_points} daily point(s) over {len(summary.days)} day(s), "
        f"{summary.monthly_points} monthly point(s) over {len(summary.months)} month(s) written to {database}"
    )


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point of ``cta-ops-data-monitoring``."""
    _toolcli.run(PROG, run, argv)
