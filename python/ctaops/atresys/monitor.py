"""``cta-ops-repack-monitor``: the table as JSON lines for Fluentd, and Prometheus metrics.

Each run appends one JSON line per tape to ``ls_out`` (the row, its ``state`` and the run's
``timestamp``), writes the Prometheus text exposition to ``prometheus_out`` (ctaops addition,
atomically, for node_exporter's textfile collector; ``--prometheus -`` prints it) and prints the
table (``global.table_format``; ``-j``: JSON). Read-only for the table and CTA.

Metrics: ``ctaops_repack_tapes{state,mode}``, ``ctaops_repack_bytes_in_flight`` (bytes of
started, not yet repacked tapes), ``ctaops_repack_oldest_job_age_seconds`` (since ``entered``,
over unfinished tapes), ``ctaops_repack_oldest_in_state_seconds{state}`` and
``ctaops_repack_malformed_rows`` (rows that cannot be read: each is also named on stderr, the
other tapes are still reported, the exit status is 1).
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
from ctaops.utils.files import write_atomic

SCRIPT = "cta-ops-repack-monitor"


def _epoch(stamp: str | None) -> float | None:
    if stamp is None:
        return None
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def prometheus(rows: Sequence[TapeRow], now: float, malformed: int = 0) -> str:
    """Render the metrics in Prometheus text format."""
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
    out = [
        "# HELP ctaops_repack_tapes Tapes in the ATRESYS table by state and mode.",
        "# TYPE ctaops_repack_tapes gauge",
        *(f'ctaops_repack_tapes{{state="{s}",mode="{m}"}} {n}' for (s, m), n in counts.items()),
        "# HELP ctaops_repack_bytes_in_flight Bytes on tapes whose CTA repack is running.",
        "# TYPE ctaops_repack_bytes_in_flight gauge",
        f"ctaops_repack_bytes_in_flight {in_flight}",
        "# HELP ctaops_repack_oldest_job_age_seconds Age of the oldest unfinished tape since it was entered.",
        "# TYPE ctaops_repack_oldest_job_age_seconds gauge",
        f"ctaops_repack_oldest_job_age_seconds {oldest_job:.0f}",
        "# HELP ctaops_repack_oldest_in_state_seconds Longest time a tape has been in each state.",
        "# TYPE ctaops_repack_oldest_in_state_seconds gauge",
        *(f'ctaops_repack_oldest_in_state_seconds{{state="{s}"}} {oldest_in.get(s, 0.0):.0f}' for s in STATES),
        "# HELP ctaops_repack_malformed_rows Rows of the table that cannot be read (named in the monitor's errors).",
        "# TYPE ctaops_repack_malformed_rows gauge",
        f"ctaops_repack_malformed_rows {malformed}",
        "# HELP ctaops_repack_monitor_timestamp_seconds When this was written.",
        "# TYPE ctaops_repack_monitor_timestamp_seconds gauge",
        f"ctaops_repack_monitor_timestamp_seconds {now:.0f}",
    ]
    return "\n".join(out) + "\n"


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
    target = run.args.prometheus or run.settings.prometheus_out
    if target == "-":
        sys.stdout.write(prometheus(rows, now, len(found.bad)))
        run.text = ""
    elif target and run.dry_run:
        run.log(f"would write the metrics to {target}", always=True)
    elif target:
        run.make_parent(target)
        write_atomic(target, prometheus(rows, now, len(found.bad)))
    if run.text is None:
        from tabulate import tabulate  # noqa: PLC0415  (only for the table)

        cols = ("tape", "state", "mode", "priority", "tapepool", "mediatype", "usage", "files", "entered")
        run.text = tabulate([[d[c] for c in cols] for d in docs], headers=list(cols), tablefmt=run.cfg.table_format)


def _extra(p: argparse.ArgumentParser) -> None:
    p.add_argument("--prometheus", metavar="PATH", help="write the metrics here (- for stdout)")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-monitor``."""
    step.main("monitor", SCRIPT, "Dump the repack table for Fluentd and Prometheus.", _body, _extra, argv)
