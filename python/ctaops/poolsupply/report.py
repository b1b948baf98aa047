"""A run's report: the summary table or JSON, and the run's Prometheus metrics."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ctaops.poolsupply.model import TABLE_HEADERS
from ctaops.poolsupply.plan import Outcome
from ctaops.utils.metrics import Registry


def add_metrics(reg: Registry, outcome: Outcome) -> None:
    """Add the run's metrics, ``ctaops_pool_supply_*`` (the standard run metrics come from :class:`ToolRun`)."""
    eligible = reg.gauge("eligible_partial_tapes", "Eligible partial tapes of a pool after the run.", ("pool",))
    target = reg.gauge("target_partial_tapes", "Partial tapes a pool should have (numPartialTapes).", ("pool",))
    for p in outcome.pools:
        eligible.set(p.eligible_after, pool=p.pool)
        target.set(p.target, pool=p.pool)
    fresh = reg.gauge("fresh_tapes", "Fresh tapes left in a supply pool.", ("pool",))
    for s, n in outcome.fresh.items():
        fresh.set(n, pool=s)
    below = sum(1 for p in outcome.pools if p.eligible_after < p.target)
    reg.gauge("pools_below_target", "Pools left below their target.").set(below)
    reg.gauge("misconfigurations", "Supply misconfigurations found (missing pool, self, cycle).").set(
        len(outcome.problems)
    )
    moved = sum(1 for m in outcome.moves if m.result == "moved")
    reg.gauge("tapes_moved", "Tapes moved by the last run.").set(moved)


def print_report(outcome: Outcome, *, as_json: bool, config: Any, out: TextIO) -> None:
    """Print the moves (``would:`` in a dry run) and the summary table, or the JSON document."""
    if as_json:
        out.write(json.dumps(outcome.to_json()) + "\n")
        return
    from ctaops.utils.tables import print_table  # noqa: PLC0415  (tabulate only when printing)

    for m in outcome.moves:
        if m.result == "would":
            out.write(f"would: move {m.vid} from {m.source} to {m.dest} ({m.why})\n")
        elif m.result == "moved":
            out.write(f"moved {m.vid} from {m.source} to {m.dest} ({m.why})\n")
        else:
            out.write(f"{m.result}: {m.vid} from {m.source} to {m.dest}: {m.detail}\n")
    if outcome.pools:
        print_table([p.to_json() for p in outcome.pools], list(TABLE_HEADERS), config=config, file=out)
