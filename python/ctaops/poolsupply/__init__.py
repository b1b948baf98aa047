"""``cta-ops-pool-supply``: keep every user tape pool stocked with a few partial tapes.

A pool with supply pools (``cta-admin tapepool ls``: newer CTA's ``supplySource`` list, older
CTA's ``supply`` string split at ``tools.cta-ops-pool-supply.separator``) should always have
``numPartialTapes`` *eligible partial tapes*: state ``ACTIVE``, not full, not ``fromCastor``,
in a logical library that is not disabled. A tape holding some data still counts, so no new
tape comes in before the pool's open tapes are used. While a pool has fewer, a fresh tape is
moved in from a supply pool with ``cta-admin tape ch --vid V --tapepool P``.

Which supply tape (upstream leaves this open):

* fresh: empty (``lastFseq`` 0, ``occupancy`` 0) and itself eligible (ACTIVE, not full, not
  from CASTOR, library enabled);
* supply pools are tried in the order CTA lists them (the written order of an old ``supply``
  string; newer CTA keeps them in a set and lists them alphabetically), the next one only when
  a pool has no fresh tape left;
* within a supply pool, by rank: the media type of the destination pool's tapes first, then a
  logical library the destination pool already uses, then the library where the destination has
  the fewest eligible tapes (spreads the write streams), then the oldest label time (unlabelled
  tapes last), then the VID.

Misconfigurations are reported once each and their relationship is skipped, never looped over:
a supply pool that does not exist, a pool supplying itself, a supply cycle (``A→B→A``, longer
ones too; every relationship inside the cycle is skipped). Pools are refilled consumers first
(a pool is handled after every pool it supplies), and a tape moved once in a run is never moved
again in that run.

Several hosts may run the tool at once: right before each move the destination pool and the
chosen tape are read again (``tape ls --tapepool``, ``tape ls --vid``); the tape is moved only
while it is still fresh in its supply pool and the destination still short, otherwise the race
is reported ("already moved by another run") and the next tape is tried. On one host a lock
file (``<log_dir>/cta-ops-pool-supply.lock``, non-blocking ``flock``) keeps runs from
overlapping: a second run says which run holds it and exits 0.

Exit status: 0 every pool at target (or nothing to do, or another run holds the lock);
1 a pool stays below target for want of a supply tape, a misconfiguration, or a failed move;
2 a usage error.
"""

from ctaops.poolsupply.cli import main, run, run_lock
from ctaops.poolsupply.graph import Graph, Problem, build_graph
from ctaops.poolsupply.model import Eligibility, Pool, Tape, supply_sources
from ctaops.poolsupply.plan import Fleet, Move, Mover, Outcome, PoolReport, Raced, choose, refill, supply
from ctaops.poolsupply.report import add_metrics

__all__ = [
    "Eligibility",
    "Fleet",
    "Graph",
    "Move",
    "Mover",
    "Outcome",
    "Pool",
    "PoolReport",
    "Problem",
    "Raced",
    "Tape",
    "add_metrics",
    "build_graph",
    "choose",
    "main",
    "refill",
    "run",
    "run_lock",
    "supply",
    "supply_sources",
]
