"""``cta-ops-repack-2-start``: launch CTA repacks, at most ``max_active_repacks`` at a time.

Per tape (``entered``, mode ``auto``, highest priority first): if CTA already has a repack request
for it (a run that died after ``repack add``), it is recorded as started and nothing is sent again.
Otherwise ``tape ch --state REPACKING --full true --reason …`` (a pending state makes the tape wait
for the next run), the file list ``--json tapefile ls --vid V`` goes to ``existing_files_on_tape``,
then ``repack add --vid V --mountpolicy <priority's policy>``, then the table says ``started``.
Listings older than ``keep_tf_files_days`` matching ``cleanup_pattern`` are removed first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import NoReturn

from ctaops.atresys import step
from ctaops.atresys.store import TapeRow
from ctaops.utils.files import write_atomic
from ctaops.utils.repack import existing_files_on_tape_path

SCRIPT = "cta-ops-repack-2-start"
REPACKING = frozenset({"REPACKING", "REPACKING_DISABLED"})


def cleanup(run: step.Run) -> int:
    """Remove old file listings; return how many."""
    s = run.settings
    folder = Path(s.existing_files_on_tape).parent
    if not folder.is_dir():
        return 0
    cutoff = time.time() - s.keep_tf_files_days * 86400
    removed = 0
    for f in folder.glob(s.cleanup_pattern):
        if f.is_file() and f.stat().st_mtime < cutoff:
            if not run.dry_run:
                f.unlink(missing_ok=True)
            removed += 1
    return removed


def _listing(run: step.Run, vid: str) -> Path:
    """Write the tape's file list (CTA's ``--json`` form) atomically; return its path."""
    date = datetime.now(timezone.utc).strftime("%Y%m%d")
    path = Path(existing_files_on_tape_path(run.settings.existing_files_on_tape, date, vid))
    files = run.admin.tape_files(vid)
    if not run.dry_run:
        run.make_parent(path)
        write_atomic(path, files.to_json())
    return path


def _start(run: step.Run, row: TapeRow) -> None:
    vid = row.tape
    prio = run.priority_of(row)
    existing = run.repack_of(vid)
    if existing is not None:
        # a run died between `repack add` and the table update: never submit twice
        run.advance(vid, "started", f"{SCRIPT}: repack already in CTA ({existing.status})")
        return
    t = run.tape(vid)
    if t.state == "REPACKING_PENDING":
        raise step.Wait("state change to REPACKING still pending")
    if t.state not in REPACKING:
        if t.state not in ("ACTIVE", "DISABLED"):
            raise step.TapeError(f"tape is {t.state}: cannot be repacked")
        reason = f"ATRESYS repack ({prio.name})"
        run.cta(
            vid,
            f"tape ch --vid {vid} --state REPACKING --full true",
            lambda: run.admin.tape_ch(vid, state="REPACKING", full=True, reason=reason),
        )
        run.crash("after-state-change")
        if not run.dry_run:
            t = run.tape(vid)
            if t.state == "REPACKING_PENDING":
                raise step.Wait("state change to REPACKING still pending")
            if t.state not in REPACKING or not t.full:
                raise step.TapeError(f"after tape ch the tape is {t.state}, full={t.full}")
    elif not t.full:
        run.cta(vid, f"tape ch --vid {vid} --full true", lambda: run.admin.tape_ch(vid, full=True))
    path = _listing(run, vid)
    run.crash("after-listing")
    run.cta(
        vid,
        f"repack add --vid {vid} --mountpolicy {prio.mount_policy}",
        lambda: run.admin.repack_add(prio.mount_policy, vid),
    )
    run.crash("after-repack-add")
    run.advance(vid, "started", f"{SCRIPT}: repack add --mountpolicy {prio.mount_policy}; files in {path}")


def _body(run: step.Run) -> None:
    removed = cleanup(run)
    if removed:
        run.log(f"{'would remove' if run.dry_run else 'removed'} {removed} old file listing(s)", always=run.dry_run)
    active = len(run.store.list(state="started"))
    slots = run.settings.max_active_repacks - active
    run.log(f"{active} repack(s) active, {max(slots, 0)} slot(s) free")
    run.each(run.claim("entered", slots), lambda row: _start(run, row))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-2-start``."""
    step.main("start", SCRIPT, "Start CTA repacks for entered tapes.", _body, None, argv)
