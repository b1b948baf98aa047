"""``cta-ops-admin drive up|down|ls`` (upstream's ``custom:drive``): cta-admin's, rendered for operators.

``ls [DRIVE] [--all]``: the drive table with the configured ``table_headers``, then one line of
counts (drives, up, down, in a session). ``up DRIVE [--reason R]`` and
``down DRIVE --reason R [--force]`` first list the drives the name matches (CTA reads it as a
regular expression for the whole name, so ``.*D0.`` may match ten drives), say which of them
are in a session (a
drive put down mid-session stops at the end of it, unless ``--force``), change them, and show
them again. ``--dry-run`` lists and stops.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.opsadmin.handlers._library import in_session

if TYPE_CHECKING:
    import argparse

    from ctaops.admin import AdminRecords
    from ctaops.opsadmin.context import Context

HELP = "list drives, or put them up or down (the name is CTA's regular expression)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the drive name and the options of cta-admin's ``drive up|down|ls``."""
    parser.add_argument("drive", nargs="?", help="drive name (a regular expression, as for cta-admin)")
    parser.add_argument("--reason", "-r", help="why (required to put a drive down)")
    parser.add_argument("--force", "-f", action="store_true", help="down: stop a session in progress now")
    parser.add_argument("--all", "-a", action="store_true", help="ls: also drives with no tape server config")


def _counts(records: list[dict[str, Any]]) -> str:
    up = sum(1 for d in records if str(d.get("desiredDriveState", "")).upper() == "UP")
    busy = sum(1 for d in records if in_session(d))
    return f"{len(records)} drives: {up} up, {len(records) - up} down, {busy} in a session"


def _show(ctx: Context, records: AdminRecords) -> None:
    if ctx.json:
        ctx.print(records.to_json())
        return
    ctx.print(ctx.records_table(records))
    ctx.say(_counts(records.to_dicts()))


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Do ``ls``, ``up`` or ``down`` (``ctx.subcommand``)."""
    action = ctx.subcommand
    if action == "ls":
        _show(ctx, ctx.admin.drives(args.drive, all=args.all))
        return 0
    if not args.drive:
        raise _toolcli.ToolExit(2, f"drive {action}: give the drive name")
    if action == "down" and not args.reason:
        raise _toolcli.ToolExit(2, "drive down: give --reason (CTA records why a drive went down)")
    try:
        pattern = re.compile(args.drive)
    except re.error as e:
        raise _toolcli.ToolExit(2, f"drive {action}: '{args.drive}' is not a regular expression: {e}") from None
    # CTA matches the whole name (`^pattern$`): list what the change will really touch.
    matched = [d for d in ctx.admin.drives(all=True).to_dicts() if pattern.fullmatch(str(d["driveName"]))]
    names = [str(d["driveName"]) for d in matched]
    if not names:
        raise _toolcli.ToolExit(1, f"no drive matches '{args.drive}'")
    busy = [str(d["driveName"]) for d in matched if in_session(d)]
    if action == "down" and busy and not args.force:
        ctx.say(f"in a session, will go down when it ends: {', '.join(busy)}")
    reason = f" (reason: {args.reason})" if args.reason else ""
    if not ctx.would(f"put {action} {', '.join(names)}{reason}"):
        return 0
    if action == "up":
        ctx.admin.drive_up(args.drive, args.reason)
    else:
        ctx.admin.drive_down(args.drive, args.reason, args.force)
    _show(ctx, ctx.admin.drives("(" + "|".join(names) + ")", all=True))
    return 0


__all__ = ["HELP", "add_arguments", "run"]
