"""``cta-ops-repack-3-end``: record finished CTA repacks (state ``repacked``).

One ``--json repack ls`` call for all started tapes. ``Complete``: one JSON line of statistics
(the ``repack ls`` record plus the tape, priority and time) is appended to
``repack-end-json-path`` (not twice if a run died before the table update), then the tape is
``repacked``. ``Failed``: ``error`` mode with the failed counts and ``repack err``'s text.
Still ``Pending``/``ToExpand``/``Starting``/``Running``: left for the next run. No request at all
for a started tape: ``error`` mode.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ctaops.admin import AdminRecord
from ctaops.atresys import step
from ctaops.atresys.store import TapeRow
from ctaops.errors import CtaAdminError

SCRIPT = "cta-ops-repack-3-end"
RUNNING = frozenset({"Pending", "ToExpand", "Starting", "Running"})
_TAIL = 256 * 1024
ALL = 1_000_000


def _already_logged(path: Path, vid: str, created: int) -> bool:
    """Whether the end of the stats file already has this repack (a run died after writing it)."""
    try:
        with path.open("rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - _TAIL))
            tail = f.read().decode(errors="replace")
    except FileNotFoundError:
        return False
    key = f'"tape": "{vid}"'
    for line in tail.splitlines():
        if key in line:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if doc.get("tape") == vid and doc.get("creationLog", {}).get("time") == created:
                return True
    return False


def _stats(run: step.Run, row: TapeRow, rep: AdminRecord) -> None:
    path = Path(run.settings.repack_end_json_path)
    doc: dict[str, Any] = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tape": row.tape,
        "priority": row.priority,
        "tapepool": row.tapepool,
        "mediatype": row.mediatype,
        **rep.to_dict(),
    }
    created = int(rep.creationLog.time)
    if run.dry_run or _already_logged(path, row.tape, created):
        return
    run.make_parent(path)
    step.append_lines(path, [json.dumps(doc)])


def _end(run: step.Run, row: TapeRow) -> None:
    rep = run.repack_of(row.tape)
    if rep is None:
        raise step.TapeError("CTA has no repack request for this started tape")
    status = rep.status
    if status in RUNNING:
        raise step.Wait(f"repack {status}")
    if status == "Failed":
        try:
            detail = run.admin.repack_err(row.tape).strip()
        except CtaAdminError as e:
            detail = str(e)
        raise step.TapeError(
            f"repack Failed: {rep.failedToRetrieveFiles} file(s) failed to retrieve, "
            f"{rep.failedToArchiveFiles} to archive; repack err: {detail or 'no detail'}"
        )
    if status != "Complete":
        raise step.TapeError(f"unexpected repack status {status!r}")
    _stats(run, row, rep)
    run.crash("after-stats")
    run.advance(
        row.tape,
        "repacked",
        f"{SCRIPT}: Complete, {rep.archivedFiles} file(s) to {', '.join(d.vid for d in rep.destinationInfos) or '-'}",
    )


def _body(run: step.Run) -> None:
    rows = run.claim("started", ALL)
    if not rows:
        return
    run.each(rows, lambda row: _end(run, row))


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``cta-ops-repack-3-end``."""
    step.main("end", SCRIPT, "Record finished CTA repacks.", _body, None, argv)
