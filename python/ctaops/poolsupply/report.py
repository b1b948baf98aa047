"""A run's report: the summary table or JSON, and the Prometheus textfile metrics."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ctaops import _toolcli
from ctaops.poolsupply.model import TABLE_HEADERS
from ctaops.poolsupply.plan import Outcome


def prometheus(outcome: Outcome, now: float) -> str:
    """Prometheus textfile metrics of a run."""
    label = _toolcli.prom_label
    moved = sum(1 for m in outcome.moves if m.result == "moved")
    below = sum(1 for p in outcome.pools if p.eligible_after < p.target)
    lines = [
        "# HELP ctaops_pool_supply_eligible_partial_tapes Eligible partial tapes of a pool after the run.",
        "# TYPE ctaops_pool_supply_eligible_partial_tapes gauge",
        *(
            f'ctaops_pool_supply_eligible_partial_tapes{{pool="{label(p.pool)}"}} {p.eligible_after}'
            for p in outcome.pools
        ),
        "# HELP ctaops_pool_supply_target_partial_tapes Partial tapes a pool should have (numPartialTapes).",
        "# TYPE ctaops_pool_supply_target_partial_tapes gauge",
        *(f'ctaops_pool_supply_target_partial_tapes{{pool="{label(p.pool)}"}} {p.target}' for p in outcome.pools),
        "# HELP ctaops_pool_supply_fresh_tapes Fresh tapes left in a supply pool.",
        "# TYPE ctaops_pool_supply_fresh_tapes gauge",
        *(f'ctaops_pool_supply_fresh_tapes{{pool="{label(s)}"}} {n}' for s, n in outcome.fresh.items()),
        "# HELP ctaops_pool_supply_pools_below_target Pools left below their target.",
        "# TYPE ctaops_pool_supply_pools_below_target gauge",
        f"ctaops_pool_supply_pools_below_target {below}",
        "# HELP ctaops_pool_supply_misconfigurations Supply misconfigurations found (missing pool, self, cycle).",
        "# TYPE ctaops_pool_supply_misconfigurations gauge",
        f"ctaops_pool_supply_misconfigurations {len(outcome.problems)}",
        "# HELP ctaops_pool_supply_tapes_moved Tapes moved by the last run.",
        "# TYPE ctaops_pool_supply_tapes_moved gauge",
        f"ctaops_pool_supply_tapes_moved {moved}",
        "# HELP ctaops_pool_supply_last_run_timestamp_seconds When the last run ended.",
        "# TYPE ctaops_pool_supply_last_run_timestamp_seconds gauge",
        f"ctaops_pool_supply_last_run_timestamp_seconds {now:.3f}",
    ]
    return "\n".join(lines) + "\n"


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
