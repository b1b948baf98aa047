"""``cta-ops-admin tape mount VID --drive NAME [--reason R]``: mount a cartridge by hand.

Checked first, nothing changed if one fails: the tape is in the catalogue and in a library
slot; the drive is in CTA, with no session, and maps to a drive of this library (its
``rawLibrarySlot``, see :mod:`ctaops.opsadmin.handlers._library`) whose element is empty.
Then the drive goes down in CTA (so the scheduler does not send a session to a drive holding
a tape it did not mount), unless it already is, with the reason
``cta-ops-admin tape mount VID by USER: R``, and the library moves the cartridge in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.errors import CtaOpsError
from ctaops.opsadmin.handlers import _library

if TYPE_CHECKING:
    import argparse

    from ctaops.library import Inventory
    from ctaops.opsadmin.context import Context

HELP = "mount a cartridge in a drive through the library (the drive goes down in CTA first)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VID, the drive and the reason."""
    parser.add_argument("vid", metavar="VID", help="the tape to mount")
    parser.add_argument("--drive", "-d", required=True, help="CTA's drive name (exact, not a regular expression)")
    parser.add_argument("--reason", "-r", help="why (recorded with the drive's down state)")


def _check_tape(ctx: Context, vid: str, found: _library.Where | None) -> None:
    if _library.catalogue(ctx, vid) is None:
        raise _toolcli.ToolExit(1, f"{vid} is not in the catalogue")
    if found is None:
        raise _toolcli.ToolExit(1, f"{vid} is not in the library")
    if found.element.kind != "slot":
        raise _toolcli.ToolExit(1, f"{vid} is not in a library slot: it is in {found.describe()}")


def _check_drive(name: str, inv: Inventory, drives: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    drive = _library.drive_named(name, drives)
    if _library.in_session(drive):
        raise _toolcli.ToolExit(
            1, f"drive {name} is in a session ({drive.get('driveStatus')}, tape {drive.get('vid') or '-'})"
        )
    drive, index = _library.library_drive(name, inv, drives)
    element = inv.drives[index]
    if element.full:
        raise _toolcli.ToolExit(1, f"drive {name} (ordinal {index}) already holds {element.vid or 'a cartridge'}")
    return drive, index


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Check, put the drive down, mount; exit 1 with one line if refused or failed."""
    vid = args.vid.upper()
    inv = _library.inventory(ctx)
    drives = _library.cta_drives(ctx)
    _check_tape(ctx, vid, _library.where(vid, inv, drives))
    drive, index = _check_drive(args.drive, inv, drives)
    why = _library.reason(f"tape mount {vid}", args.reason)
    was_up = str(drive.get("desiredDriveState", "")).upper() == "UP"
    done: dict[str, Any] = {"vid": vid, "drive": args.drive, "ordinal": index, "put_down": was_up, "dry_run": True}
    if was_up and ctx.would(f"put down {args.drive} (reason: {why})"):
        ctx.admin.drive_down(args.drive, why)
        ctx.say(f"{args.drive} is down in CTA (reason: {why})")
    if ctx.would(f"mount {vid} in {args.drive} (drive ordinal {index})"):
        try:
            element = ctx.library.mount(vid, index)
        except CtaOpsError as e:
            still = f"; {args.drive} stays down in CTA" if was_up else ""
            raise _toolcli.ToolExit(1, f"mounting {vid} in {args.drive} failed: {e}{still}") from None
        done.update(dry_run=False, address=element.address)
        ctx.say(f"mounted {vid} in {args.drive} (drive ordinal {index}, element {element.address})")
    if ctx.json:
        ctx.emit_json(done)
    return 0


__all__ = ["HELP", "add_arguments", "run"]
