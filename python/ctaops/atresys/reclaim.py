"""``cta-ops-repack-5-reclaim``: ``tape reclaim`` once ``quarantine_days`` have passed (state ``reclaimed``).

Only tapes quarantined at least ``quarantine_days`` ago (by the table's ``quarantined`` time) are
touched. Before reclaiming, CTA must show the tape in the quarantine pool, full, in a state reclaim
accepts, and ``tapefile ls --vid`` must list nothing: a tape that holds files is never reclaimed.
CTA's own recycle-log quarantine (``Please reclaim this tape later``) makes the tape wait. A tape
CTA already shows reclaimed (not full, last fSeq 0: a run died after the call) is just recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NoReturn

from ctaops.atresys import step
from ctaops.atresys.end import ALL
from ctaops.atresys.store import TapeRow
from ctaops.errors import CtaAdminUserError

SCRIPT = "cta-ops-repack-5-reclaim"
RECLAIMABLE = frozenset({"ACTIVE", "DISABLED", "BROKEN"})


def _age_days(stamp: str | None) -> float:
    if stamp is None:
        return 0.0
    then = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - then).total_seconds() / 86400


def _reclaim(run: step.Run, row: TapeRow) -> None:
    vid, days = row.tape, run.settings.quarantine_days
    age = _age_days(row.quarantined)
    if age < days:
        raise step.Wait(f"in quarantine {age:.1f} of {days:g} days")
    t = run.tape(vid)
    if t.tapepool != run.settings.quarantine_pool:
        raise step.TapeError(f"tape is in pool {t.tapepool}, not the quarantine pool")
    if run.holds_files(vid):
        raise step.TapeError("the catalogue lists files on the tape: not reclaiming it")
    if not t.full:
        if int(t.lastFseq) == 0:
            run.advance(vid, "reclaimed", f"{SCRIPT}: CTA already shows it reclaimed")
            return
        raise step.TapeError("tape is not full but still has a last fSeq: not reclaiming it")
    if t.state not in RECLAIMABLE:
        raise step.TapeError(f"tape is {t.state}: CTA cannot reclaim it")
    try:
        run.cta(vid, f"tape reclaim --vid {vid}", lambda: run.admin.tape_reclaim(vid))
    except CtaAdminUserError as e:
        if "reclaim this tape later" in str(e):
            raise step.Wait(f"CTA recycle-log quarantine: {e}") from None
        raise
    run.crash("after-reclaim")
    run.advance(vid, "reclaimed", f"{SCRIPT}: tape reclaim after {age:.1f} days in quarantine")


def _body(run: step.Run) -> None:
    days = run.settings.quarantine_days
    # claim only when something is due: most days most quarantined tapes just wait
    waiting = run.store.list(state="quarantined", mode="auto")
    if not any(_age_days(r.quarantined) >= days for r in waiting):
        run.log(f"{len(waiting)} tape(s) in quarantine, none due")
        return
    run.each(run.claim("quarantined", ALL), lambda row: _reclaim(run, row))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-5-reclaim``."""
    step.main("reclaim", SCRIPT, "Reclaim tapes whose quarantine is over.", _body, None, argv)
