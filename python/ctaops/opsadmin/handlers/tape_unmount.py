"""``cta-ops-admin tape unmount (VID | --drive NAME) [--up] [--reason R]``: unmount by hand.

Finds the drive holding the VID (or the cartridge in the named drive), refuses if CTA shows a
session on that drive (the tape server owns the tape then), unloads the drive and moves the
cartridge back to its home slot (or the first free one). For a real library the unload goes
through the drive's st device on this host, found by the serial the changer reports for it
(never by CTA's ``devFileName`` alone, which on another host can name another drive). Then, as upstream
does, ``cta_statistics_update_cmd`` runs (when configured), and with ``--up`` the drive goes
back up in CTA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.errors import CtaOpsError, DriveLoadedError
from ctaops.opsadmin.handlers import _library

if TYPE_CHECKING:
    import argparse

    from ctaops.library import Inventory
    from ctaops.opsadmin.context import Context

HELP = "unmount a cartridge from a drive back to its slot through the library (--up: put the drive up)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VID or the drive, ``--up`` and the reason."""
    parser.add_argument("vid", nargs="?", metavar="VID", help="the tape to unmount")
    parser.add_argument("--drive", "-d", help="CTA's drive name (exact), instead of the VID")
    parser.add_argument("--up", action="store_true", help="put the drive up in CTA afterwards")
    parser.add_argument("--reason", "-r", help="why (recorded when the drive goes up)")


def _by_vid(vid: str, inv: Inventory, drives: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    found = _library.where(vid, inv, drives)
    if found is None:
        raise _toolcli.ToolExit(1, f"{vid} is not in the library")
    if found.drive_ordinal is None:
        raise _toolcli.ToolExit(1, f"{vid} is not in a drive: it is in {found.describe()}")
    index = found.drive_ordinal
    return index, [d for d in drives if _library.ordinal(d, inv) == index]


def _by_drive(name: str, inv: Inventory, drives: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    drive, index = _library.library_drive(name, inv, drives)
    if not inv.drives[index].full:
        raise _toolcli.ToolExit(1, f"drive {name} (ordinal {index}) is empty")
    return index, [drive]


def _refuse_sessions(vid: str, ours: list[dict[str, Any]], drives: list[dict[str, Any]]) -> None:
    # A session may show on the CTA drive of this element or, whatever the mapping, on the VID.
    busy = [d for d in drives if _library.in_session(d) and (d in ours or str(d.get("vid")) == vid)]
    if busy:
        d = busy[0]
        raise _toolcli.ToolExit(
            1, f"drive {d['driveName']} is in a session ({d.get('driveStatus')}, tape {d.get('vid') or '-'})"
        )


def _unmount(ctx: Context, vid: str, index: int, label: str, inv: Inventory) -> int | None:
    if not ctx.would(f"unload and unmount {vid} from {label} (drive ordinal {index}) to its slot"):
        return None
    device = _library.local_device(ctx.library, inv.drives[index])
    try:
        slot = ctx.library.unmount(index, unload=True, drive_device=device)
    except DriveLoadedError:
        raise _toolcli.ToolExit(
            1,
            f"{vid} is still loaded in {label} and the drive is not attached to this host (no st device with "
            "the serial the library reports): unload it on its tape server, then unmount",
        ) from None
    except CtaOpsError as e:
        raise _toolcli.ToolExit(1, f"unmounting {vid} from {label} failed: {e}") from None
    ctx.say(f"unmounted {vid} from {label} to slot {slot}")
    return slot


def _only(ours: list[dict[str, Any]]) -> str:
    """Return the one CTA drive name of the library drive (``--up`` needs it), or refuse."""
    if len(ours) != 1:
        names = ", ".join(str(d["driveName"]) for d in ours) or "none"
        raise _toolcli.ToolExit(1, f"--up: CTA has no single drive for this library drive (found: {names})")
    return str(ours[0]["driveName"])


def _drive_up(ctx: Context, name: str, vid: str, given: str | None) -> str:
    why = _library.reason(f"tape unmount {vid}", given)
    if ctx.would(f"put up {name} (reason: {why})"):
        ctx.admin.drive_up(name, why)
        ctx.say(f"{name} is up in CTA")
    return name


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Check, unmount, refresh the statistics, put the drive up; exit 1 with one line if refused or failed."""
    if bool(args.vid) == bool(args.drive):
        raise _toolcli.ToolExit(2, "give either a VID or --drive NAME")
    inv = _library.inventory(ctx)
    drives = _library.cta_drives(ctx)
    if args.vid:
        index, ours = _by_vid(args.vid.upper(), inv, drives)
    else:
        index, ours = _by_drive(args.drive, inv, drives)
    vid = inv.drives[index].vid or "the cartridge"
    _refuse_sessions(vid, ours, drives)
    up = _only(ours) if args.up else None  # refused before anything moves
    label = ", ".join(str(d["driveName"]) for d in ours) or f"library drive {index}"
    slot = _unmount(ctx, vid, index, label, inv)
    done: dict[str, Any] = {"vid": vid, "ordinal": index, "drives": [d["driveName"] for d in ours], "slot": slot}
    failed = _library.update_statistics(ctx)
    if up is not None:
        done["up"] = _drive_up(ctx, up, vid, args.reason)
    if ctx.json:
        ctx.emit_json({**done, "dry_run": ctx.dry_run, "statistics_update_error": failed})
    if failed:
        raise _toolcli.ToolExit(1, f"unmounted, but {failed}")
    return 0


__all__ = ["HELP", "add_arguments", "run"]
