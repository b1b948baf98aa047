"""``cta-ops-repack-0-scan``: full tapes with low occupancy, the repack candidates (ops-tools §6.4).

One ``cta-admin --json tape ls --full true`` call; a candidate is full, ``ACTIVE`` or
``DISABLED``, outside ``ignore_pools`` and the quarantine pool, with occupancy/capacity below
``tape_usage_threshold``, and not held in ``manual`` or ``error`` mode in the table. Emptiest
first, at most ``number_of_tapes``. Prints the VIDs separated by spaces (``-j``: records).
Read-only: nothing in CTA or the table changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import NoReturn

from ctaops.atresys import step
from ctaops.errors import CtaOpsError
from ctaops.utils.inputs import non_negative_int

SCRIPT = "cta-ops-repack-0-scan"
SCANNABLE_STATES = frozenset({"ACTIVE", "DISABLED"})


@dataclass(frozen=True)
class Candidate:
    """One tape worth repacking."""

    vid: str
    usage: float
    occupancy: int
    capacity: int
    files: int
    tapepool: str
    mediatype: str
    logicallibrary: str


def candidates(run: step.Run, limit: int | None = None) -> list[Candidate]:
    """Return the scan's selection, emptiest first (``limit`` defaults to ``number_of_tapes``)."""
    s = run.settings
    ignore = set(s.ignore_pools)
    held: set[str] = set()
    try:
        held = {r.tape for r in run.store.list() if r.mode != "auto"}
    except CtaOpsError as e:  # the scan works without the database; it then cannot skip held tapes
        run.log(f"table not read ({e}); manual/error tapes are not skipped")
    found: list[Candidate] = []
    for t in run.admin.tapes(full=True):
        capacity = int(t.capacity)
        if not t.full or t.state not in SCANNABLE_STATES or t.tapepool in ignore or capacity <= 0:
            continue
        usage = int(t.occupancy) / capacity
        if usage >= s.tape_usage_threshold or t.vid in held:
            continue
        found.append(
            Candidate(
                t.vid,
                usage,
                int(t.occupancy),
                capacity,
                int(t.nbMasterFiles),
                t.tapepool,
                t.mediaType,
                t.logicalLibrary,
            )
        )
    found.sort(key=lambda c: (c.usage, c.vid))
    return found[: s.number_of_tapes if limit is None else limit]


def _body(run: step.Run) -> None:
    picked = candidates(run, run.args.number_of_tapes)
    run.results = [asdict(c) for c in picked]
    run.text = " ".join(c.vid for c in picked)


def _extra(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-n", "--number-of-tapes", type=non_negative_int, help="at most this many (default: number_of_tapes)"
    )


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-0-scan``."""
    step.main(
        "scan", SCRIPT, "List repack candidates: full tapes with low occupancy.", _body, _extra, argv, uses_store=False
    )
