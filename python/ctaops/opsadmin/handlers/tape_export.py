"""``cta-ops-admin tape export VID… [--reason R]``: take cartridges out through the I/O station.

Per VID, checked before anything changes: in the catalogue and not already EXPORTED (or on its
way there), in a library slot (not in a drive, no session on it), and a free I/O station
element left for it. Then CTA first (the tape must not be mounted any more once it leaves):
``tape ch --state EXPORTED --reason …``, waiting while CTA shows ``EXPORTED_PENDING``; then
the library moves it to the I/O station, up to ``number_of_export_attempts`` times with
``sleep_time_between_export_attempts`` seconds between. If the move never succeeds the tape
goes back to its previous state (and reason), so CTA never says EXPORTED for a cartridge still
in the library. One row per VID: exported, refused or failed, and why; exit 1 if any was not
exported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.errors import CtaAdminError, CtaOpsError
from ctaops.opsadmin.handlers import _library

if TYPE_CHECKING:
    import argparse

    from ctaops.library import Inventory
    from ctaops.opsadmin.context import Context

HELP = "set tapes EXPORTED in CTA and move them to the library's I/O station (retried, undone on failure)"

HEADERS = {"vid": "VID", "result": "Result", "state": "State", "element": "I/O Station", "detail": "Detail"}

PENDING_TIMEOUT = 120.0
"""Seconds to wait for CTA's maintenance to turn EXPORTED_PENDING into EXPORTED (``pending_timeout``)."""


@dataclass
class Outcome:
    """What happened to one VID."""

    vid: str
    result: str
    """``exported``, ``would export``, ``refused`` or ``failed``."""
    state: str | None = None
    """CTA's state at the end."""
    detail: str = ""
    element: int | None = None
    attempts: int = 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VIDs and the reason."""
    parser.add_argument("vids", nargs="+", metavar="VID", help="the tapes to export")
    parser.add_argument("--reason", "-r", help="why (recorded with the EXPORTED state)")


def _refusal(vid: str, record: dict[str, Any] | None, inv: Inventory, drives: list[dict[str, Any]]) -> str:
    """Why ``vid`` cannot be exported, or ``""``."""
    if record is None:
        return "not in the catalogue"
    state = str(record.get("state", ""))
    if state in ("EXPORTED", "EXPORTED_PENDING"):
        return f"already {state}"
    found = _library.where(vid, inv, drives)
    if found is None:
        return "not in the library"
    if found.element.kind != "slot":
        return f"not in a library slot: in {found.describe()}"
    busy = next((d for d in drives if str(d.get("vid")) == vid and _library.in_session(d)), None)
    if busy is not None:
        return f"in a session on {busy['driveName']} ({busy.get('driveStatus')})"
    return ""


def _set_exported(ctx: Context, out: Outcome, why: str) -> bool:
    """Set EXPORTED in CTA and wait for it; False (with ``out`` filled) if that did not happen."""
    try:
        ctx.admin.tape_ch(out.vid, state="EXPORTED", reason=why)
    except CtaAdminError as e:
        out.result, out.detail = "failed", f"CTA refused EXPORTED: {e}"
        return False
    timeout = float(ctx.section.get("pending_timeout", PENDING_TIMEOUT))
    try:
        out.state = _library.wait_state(ctx, out.vid, "EXPORTED", timeout)
    except CtaAdminError as e:
        out.result, out.detail = "failed", f"set EXPORTED, then CTA could not be read ({e}); cartridge not moved"
        return False
    if out.state != "EXPORTED":
        # A *_PENDING state only leaves for its final state: nothing to undo, nothing moved.
        waited = f"still {out.state} after {timeout:g} s" if out.state.endswith("_PENDING") else out.state
        out.result, out.detail = "failed", f"CTA shows {waited}, not EXPORTED; cartridge not moved"
        return False
    return True


def _move(ctx: Context, out: Outcome) -> str:
    """Move the cartridge to the I/O station, retrying; returns the last error or ``""``."""
    attempts = max(1, int(ctx.section.get("number_of_export_attempts", 3)))
    pause = float(ctx.section.get("sleep_time_between_export_attempts", 5))
    error = ""
    for attempt in range(1, attempts + 1):
        out.attempts = attempt
        try:
            out.element = ctx.library.export(out.vid)
        except CtaOpsError as e:
            error = str(e)
            ctx.log.warning("export of %s, attempt %d of %d, failed: %s", out.vid, attempt, attempts, e)
            if attempt < attempts:
                time.sleep(pause)
            continue
        return ""
    return error


def _revert(ctx: Context, out: Outcome, record: dict[str, Any], error: str) -> None:
    previous = str(record.get("state") or "ACTIVE")
    back = str(record.get("stateReason") or "") or _library.reason(
        f"tape export {out.vid}", f"the library could not export it, back to {previous}"
    )
    out.result = "failed"
    try:
        ctx.admin.tape_ch(out.vid, state=previous, reason=back)
    except CtaAdminError as e:
        out.detail = (
            f"library export failed {out.attempts} times ({error}) and CTA refused to go back to {previous} ({e}): "
            f"run cta-admin tape ch --vid {out.vid} --state {previous} --reason ..."
        )
        return
    out.state = previous
    out.detail = f"library export failed {out.attempts} times ({error}); CTA state back to {previous}"


def _export(ctx: Context, out: Outcome, record: dict[str, Any], why: str) -> None:
    if not ctx.would(f"set {out.vid} EXPORTED (reason: {why}) and move it to the I/O station"):
        out.result, out.state = "would export", str(record.get("state"))
        return
    if not _set_exported(ctx, out, why):
        return
    error = _move(ctx, out)
    if error:
        _revert(ctx, out, record, error)
        return
    out.result = "exported"
    out.detail = f"after {out.attempts} attempts" if out.attempts > 1 else ""


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Export each tape; exit 1 if one was refused or failed."""
    inv = _library.inventory(ctx)
    drives = _library.cta_drives(ctx)
    free_ports = sum(1 for p in inv.ports if not p.full)
    outcomes = []
    for vid in dict.fromkeys(v.upper() for v in args.vids):
        record = _library.catalogue(ctx, vid)
        out = Outcome(vid, "refused", str(record.get("state")) if record else None)
        out.detail = _refusal(vid, record, inv, drives)
        if not out.detail and free_ports == 0:
            out.detail = "no free I/O station element: empty the I/O station first"
        if not out.detail and record is not None:
            _export(ctx, out, record, _library.reason(f"tape export {vid}", args.reason))
            free_ports -= 1
        outcomes.append(out)
    rows = [vars(o) for o in outcomes]
    if ctx.json:
        ctx.emit_json(rows)
    else:
        ctx.print(ctx.rows_table(rows, HEADERS))
    bad = [o.vid for o in outcomes if o.result in ("refused", "failed")]
    if bad:
        raise _toolcli.ToolExit(1, f"not exported: {', '.join(bad)}")
    return 0


__all__ = ["HEADERS", "HELP", "add_arguments", "run"]
