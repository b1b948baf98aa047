"""``cta-ops-repack-monitor``: the table as JSON lines for Fluentd, and Prometheus metrics.

Each run appends one JSON line per tape to ``ls_out`` (the row, its ``state`` and the run's
``timestamp``), writes the Prometheus text exposition to ``prometheus_out`` (ctaops addition;
else ``<global.metrics.textfile_dir>/ctaops_repack_monitor.prom``; atomically, for
node_exporter's textfile collector; ``--prometheus -`` prints it) and prints the table
(``global.table_format``; ``-j``: JSON). Read-only for the table and CTA.

Metrics: ``ctaops_repack_tapes{state,mode}``, ``ctaops_repack_in_flight_bytes`` (bytes of
started, not yet repacked tapes), ``ctaops_repack_oldest_job_age_seconds`` (since ``entered``,
over unfinished tapes), ``ctaops_repack_oldest_in_state_seconds{state}`` and
``ctaops_repack_malformed_rows`` (rows that cannot be read: each is also named on stderr, the
other tapes are still reported, the exit status is 1), and the standard run metrics every step
writes (``ctaops_repack_last_run_*{step="monitor"}``, see ``docs/monitoring.md``).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import NoReturn

from ctaops.atresys import step
from ctaops.atresys.store import MODES, STATES, TapeRow
from ctaops.utils.metrics import Registry

SCRIPT = "cta-ops-repack-monitor"


def _epoch(stamp: str | None) -> float | None:
    if stamp is None:
        return None
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def add_metrics(reg: Registry, rows: Sequence[TapeRow], now: float, malformed: int = 0) -> None:
    """Add the table's metrics to ``reg`` (``ctaops_repack_*``, see the module docstring)."""
    counts = {(s, m): 0 for s in STATES for m in MODES}
    oldest_in: dict[str, float] = {}
    oldest_job = 0.0
    in_flight = 0
    for r in rows:
        counts[(r.state, r.mode)] += 1
        since = _epoch(getattr(r, r.state))
        if since is not None:
            oldest_in[r.state] = max(oldest_in.get(r.state, 0.0), now - since)
        if r.state != "finished":
            entered = _epoch(r.entered)
            oldest_job = max(oldest_job, now - entered if entered is not None else 0.0)
        if r.state == "started":
            in_flight += r.bytes
    tapes = reg.gauge("tapes", "Tapes in the ATRESYS table by state and mode.", ("state", "mode"))
    for (s, m), n in counts.items():
        tapes.set(n, state=s, mode=m)
    reg.gauge("in_flight_bytes", "Bytes on tapes whose CTA repack is running.").set(in_flight)
    reg.gauge("oldest_job_age_seconds", "Age of the oldest unfinished tape since it was entered.").set(
        round(oldest_job)
    )
    oldest = reg.gauge("oldest_in_state_seconds", "Longest time a tape has been in each state.", ("state",))
    for s in STATES:
        oldest.set(round(oldest_in.get(s, 0.0)), state=s)
    reg.gauge("malformed_rows", "Rows of the table that cannot be read (named in the monitor's errors).").set(malformed)


def prometheus(rows: Sequence[TapeRow], now: float, malformed: int = 0) -> str:
    """Return the table's metrics in the text format (without the standard run metrics)."""
    reg = Registry(step.METRICS_TOOL)
    add_metrics(reg, rows, now, malformed)
    return reg.render()


def _body(run: step.Run) -> None:
    found = run.store.listing()
    rows = found.rows
    run.problems += [f"row {b.tape} of the repack table is malformed: {b.problem}" for b in found.bad]
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    docs = [{**asdict(r), "state": r.state, "timestamp": stamp} for r in rows]
    run.results = docs
    by_state = collections.Counter(str(d["state"]) for d in docs)
    run.summary = f"{run.name}: {len(docs)} tape(s) in the table" + (
        f": {', '.join(f'{n} {s}' for s, n in sorted(by_state.items()))}" if docs else ""
    )
    if run.dry_run:
        run.log(f"would append {len(docs)} line(s) to {run.settings.ls_out}", always=True)
    else:
        out = Path(run.settings.ls_out)
        run.make_parent(out)
        step.append_lines(out, (json.dumps(d) for d in docs))
    run.crash("after-ls-out")
    add_metrics(run.metrics.registry, rows, now, len(found.bad))
    target = run.args.prometheus or run.settings.prometheus_out
    if target == "-":
        sys.stdout.write(run.metrics.registry.render())
        run.text = ""
        run.metrics.path = None
    elif target and run.dry_run:
        run.log(f"would write the metrics to {target}", always=True)
    elif target:
        run.metrics.path = Path(target)
    if run.text is None:
        from tabulate import tabulate  # noqa: PLC0415  (only for the table)

        cols = ("tape", "state", "mode", "priority", "tapepool", "mediatype", "usage", "files", "entered")
        run.text = tabulate([[d[c] for c in cols] for d in docs], headers=list(cols), tablefmt=run.cfg.table_format)


def _extra(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prometheus", metavar="PATH", help="write the metrics here (- for stdout)")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-monitor``."""
    step.main("monitor", SCRIPT, "Dump the repack table for Fluentd and Prometheus.", _body, _extra, argv)
