"""``cta-ops-repack-4-quarantine``: park repacked tapes in the quarantine pool (state ``quarantined``).

Per tape: the CTA repack request is removed (``repack rm``; it must be ``Complete``), the catalogue
must list no file on the tape (``tapefile ls --vid``), then ``tape ch --tapepool <quarantine_pool>``
and ``tape ch --state DISABLED --reason …`` (not mounted, and a state ``tape reclaim`` accepts).
Each call is skipped when CTA already shows its effect, so a run that died half-way finishes the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from ctaops.atresys import step
from ctaops.atresys.end import ALL
from ctaops.atresys.store import TapeRow

SCRIPT = "cta-ops-repack-4-quarantine"


def _quarantine(run: step.Run, row: TapeRow) -> None:
    vid, pool = row.tape, run.settings.quarantine_pool
    rep = run.repack_of(vid)
    if rep is not None:
        if rep.status != "Complete":
            raise step.TapeError(f"CTA repack request is {rep.status}, expected Complete")
        run.cta(vid, f"repack rm --vid {vid}", lambda: run.admin.repack_rm(vid))
        run.crash("after-repack-rm")
    if run.holds_files(vid):
        raise step.TapeError("the catalogue still lists files on the tape after its repack")
    t = run.tape(vid)
    if t.tapepool != pool:
        run.cta(vid, f"tape ch --vid {vid} --tapepool {pool}", lambda: run.admin.tape_ch(vid, tapepool=pool))
        run.crash("after-pool-change")
    reason = f"ATRESYS quarantine after repack ({pool})"
    if t.state == "REPACKING_DISABLED":  # DISABLED cannot be reached from it directly
        run.cta(vid, f"tape ch --vid {vid} --state REPACKING", lambda: run.admin.tape_ch(vid, state="REPACKING"))
    if t.state != "DISABLED":
        run.cta(
            vid,
            f"tape ch --vid {vid} --state DISABLED",
            lambda: run.admin.tape_ch(vid, state="DISABLED", reason=reason),
        )
    run.advance(vid, "quarantined", f"{SCRIPT}: in pool {pool}, DISABLED")


def _body(run: step.Run) -> None:
    run.each(run.claim("repacked", ALL), lambda row: _quarantine(run, row))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-4-quarantine``."""
    step.main("quarantine", SCRIPT, "Move repacked tapes to the quarantine pool.", _body, None, argv)
