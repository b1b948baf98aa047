"""``cta-ops-repack-6-finish``: move reclaimed tapes to their ``tolabel…``/``erase…`` pool (``finished``).

The destination is the priority's ``default_dst_pool_prefix`` plus the
``global.tape.lib_to_pool_map[<logical library>][<media type>]`` suffix. The tape moves only when
CTA shows it empty: no file in ``tapefile ls --vid``, last fSeq 0, not full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from ctaops.atresys import step
from ctaops.atresys.end import ALL
from ctaops.atresys.store import TapeRow
from ctaops.utils.repack import destination_pool

SCRIPT = "cta-ops-repack-6-finish"


def _finish(run: step.Run, row: TapeRow) -> None:
    vid = row.tape
    prio = run.priority_of(row)
    t = run.tape(vid)
    try:
        dst = destination_pool(prio.default_dst_pool_prefix, t.logicalLibrary, t.mediaType, run.cfg)
    except KeyError as e:
        raise step.TapeError(str(e).strip("'\"")) from None
    if run.holds_files(vid) or int(t.lastFseq) != 0 or t.full:
        raise step.TapeError(f"CTA does not show the tape empty (last fSeq {t.lastFseq}, full={t.full})")
    if t.tapepool != dst:
        run.cta(vid, f"tape ch --vid {vid} --tapepool {dst}", lambda: run.admin.tape_ch(vid, tapepool=dst))
        run.crash("after-pool-change")
    run.advance(vid, "finished", f"{SCRIPT}: moved to {dst}")


def _body(run: step.Run) -> None:
    run.each(run.claim("reclaimed", ALL), lambda row: _finish(run, row))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-6-finish``."""
    step.main("finish", SCRIPT, "Move reclaimed tapes to their destination pool.", _body, None, argv)
