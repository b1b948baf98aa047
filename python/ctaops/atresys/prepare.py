"""``cta-ops-repack-1-prepare``: check tapes and enter them into the table (state ``entered``).

The tapes are the VIDs given, else those of ``--vidfile`` (``-`` for stdin), else the scan's
selection (so a cron job runs just this step). Checks per tape, through ``cta-admin``: it exists,
is full, ``ACTIVE`` or ``DISABLED``, outside the ignored and quarantine pools, and its
destination pool (priority prefix + ``global.tape.lib_to_pool_map`` suffix) exists. Before any
tape: the priority's mount policy and the quarantine pool exist. A tape already in the table
is left as it is, so running the step twice enters each tape once.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NoReturn

from ctaops.atresys import step
from ctaops.atresys.scan import SCANNABLE_STATES, candidates
from ctaops.errors import RefusedError
from ctaops.utils.inputs import list_file, utf8_text
from ctaops.utils.progress import Progress
from ctaops.utils.repack import destination_pool

SCRIPT = "cta-ops-repack-1-prepare"


def _vids(run: step.Run) -> list[str]:
    vids: list[str] = list(run.args.vids)
    if run.args.vidfile is not None:  # read (bounded, UTF-8) while parsing the options
        vids += run.args.vidfile
    if not vids and run.args.vidfile is None:
        vids = [c.vid for c in candidates(run)]
    return list(dict.fromkeys(vids))


def _utc(epoch: int) -> str | None:
    if epoch <= 0:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _body(run: step.Run) -> None:
    s = run.settings
    priority = run.args.priority if run.args.priority is not None else s.default_priority
    prio = s.priority(priority)
    vids = _vids(run)
    if not vids:
        return
    pools = {p.name for p in run.admin.tape_pools()}
    if s.quarantine_pool not in pools:
        raise RefusedError(f"the quarantine pool {s.quarantine_pool!r} does not exist in CTA")
    if prio.mount_policy not in {m.name for m in run.admin.mount_policies()}:
        raise RefusedError(f"mount policy {prio.mount_policy!r} of priority {priority} does not exist in CTA")
    ignore = set(s.ignore_pools)
    with Progress(f"{SCRIPT}: tapes", len(vids), logger=run.logger) as progress:
        for vid in vids:
            progress.update(detail=vid)
            _prepare(run, vid, priority, dst_prefix=prio.default_dst_pool_prefix, pools=pools, ignore=ignore)
            progress.update(advance=1)


def _prepare(  # noqa: PLR0913  (what every tape of the run shares, keyword-only)
    run: step.Run, vid: str, priority: int, *, dst_prefix: str, pools: set[str], ignore: set[str]
) -> None:
    """Check one tape and enter it."""
    if run.store.get(vid) is not None:
        run.record(vid, "present")
        return
    try:
        t = run.tape(vid)
    except step.TapeError as e:
        run.reject(vid, str(e))
        return
    try:
        dst = destination_pool(dst_prefix, t.logicalLibrary, t.mediaType, run.cfg)
    except KeyError as e:
        run.reject(vid, str(e).strip("'\""))
        return
    problem = (
        "not full"
        if not t.full
        else f"state {t.state}"
        if t.state not in SCANNABLE_STATES
        else f"in ignored pool {t.tapepool}"
        if t.tapepool in ignore
        else f"destination pool {dst} does not exist"
        if dst not in pools
        else None
    )
    if problem:
        run.reject(vid, problem)
        return
    capacity = int(t.capacity)
    usage = round(100 * int(t.occupancy) / capacity) if capacity > 0 else 0
    if not run.dry_run and not run.store.add(
        vid,
        tapepool=t.tapepool,
        mediatype=t.mediaType,
        files=int(t.nbMasterFiles),
        bytes=int(t.masterDataInBytes),
        usage=usage,
        priority=priority,
        last_write_date=_utc(int(t.lastWrittenLog.time)) if t.lastWrittenLog is not None else None,
        reason=f"{SCRIPT}: usage {usage}%",
        who=run.actor,
    ):
        run.record(vid, "present")  # another run entered it meanwhile
        return
    run.record(vid, "entered", change=True, priority=priority, usage=usage, destination=dst)
    run.crash("after-add")


def _extra(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "vids", nargs="*", metavar="VID", type=utf8_text, help="tapes to enter (default: the scan's selection)"
    )
    p.add_argument(
        "-f", "--vidfile", type=list_file, help="file of VIDs (whitespace separated, # comments; - for stdin)"
    )
    p.add_argument("-p", "--priority", type=int, help="priority key (default: default_priority)")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-1-prepare``."""
    step.main("prepare", SCRIPT, "Check repack candidates and enter them into the table.", _body, _extra, argv)
