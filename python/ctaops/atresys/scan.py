"""``cta-ops-repack-0-scan``: full tapes with low occupancy, the repack candidates (ops-tools §6.4).

One ``cta-admin --json tape ls --full true`` call; a candidate is full, ``ACTIVE`` or
``DISABLED``, outside ``ignore_pools`` and the quarantine pool, with occupancy/capacity below
``tape_usage_threshold``, and not held in ``manual`` or ``error`` mode in the table. Emptiest
first, at most ``number_of_tapes``. Prints the VIDs separated by spaces (``-j``: records).
Read-only: nothing in CTA or the table changes.
"""

from __future__ import annotations

import argparse
from collections import Counter
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
    picked, counts = scan(run, limit)
    run.log(counts)
    return picked


def scan(run: step.Run, limit: int | None = None) -> tuple[list[Candidate], str]:
    """Return the selection of :func:`candidates` and the counts line (scanned, eligible, skipped and why)."""
    s = run.settings
    ignore = set(s.ignore_pools)
    held: set[str] = set()
    try:
        held = {r.tape for r in run.store.list() if r.mode != "auto"}
    except CtaOpsError as e:  # the scan works without the database; it then cannot skip held tapes
        run.log(f"table not read ({e}); manual/error tapes are not skipped")
    found: list[Candidate] = []
    skipped: Counter[str] = Counter()
    tapes = run.admin.tapes(full=True)
    for t in tapes:
        capacity = int(t.capacity)
        usage = int(t.occupancy) / capacity if capacity > 0 else 0.0
        why = (
            "not full"
            if not t.full
            else f"state {t.state}"
            if t.state not in SCANNABLE_STATES
            else "ignored pool"
            if t.tapepool in ignore
            else "no capacity"
            if capacity <= 0
            else "usage above threshold"
            if usage >= s.tape_usage_threshold
            else "manual or error mode"
            if t.vid in held
            else None
        )
        if why is not None:
            skipped[why] += 1
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
    picked = found[: s.number_of_tapes if limit is None else limit]
    why = ", ".join(f"{k}: {v}" for k, v in sorted(skipped.items()))
    counts = (
        f"{run.name}: {len(tapes)} tape(s) scanned, {len(found)} eligible, {len(picked)} selected, "
        f"{sum(skipped.values())} skipped{f' ({why})' if why else ''}"
    )
    return picked, counts


def _body(run: step.Run) -> None:
    picked, run.summary = scan(run, run.args.number_of_tapes)
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
