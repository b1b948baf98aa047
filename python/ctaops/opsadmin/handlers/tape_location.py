"""``cta-ops-admin tape location VID…``: where each cartridge sits in the library, and CTA's view.

One row per VID: the library element (slot, drive with its ordinal and CTA drive name, I/O
station element) and its address, with the tape's state and logical library from the
catalogue. A VID missing from the library or from the catalogue is still shown (with ``-``)
and makes the exit status 1. ``--update-statistics`` first runs ``cta_statistics_update_cmd``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.opsadmin.handlers import _library

if TYPE_CHECKING:
    import argparse

    from ctaops.opsadmin.context import Context

HELP = "where cartridges are in the library (slot, drive, I/O station) and their logical library in CTA"

HEADERS = {
    "vid": "VID",
    "logicalLibrary": "Library",
    "state": "State",
    "element": "Element",
    "address": "Address",
    "drive": "Drive",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VIDs and the statistics refresh."""
    parser.add_argument("vids", nargs="+", metavar="VID", help="the tapes to locate")
    parser.add_argument(
        "--update-statistics",
        action="store_true",
        help="run cta_statistics_update_cmd first (CTA's per-tape counters are refreshed only when asked)",
    )


def _row(ctx: Context, vid: str, found: _library.Where | None, drives: list[dict[str, Any]]) -> dict[str, Any]:
    record = _library.catalogue(ctx, vid)
    row: dict[str, Any] = {
        "vid": vid,
        "in_catalogue": record is not None,
        "logicalLibrary": record.get("logicalLibrary") if record else None,
        "state": record.get("state") if record else None,
        "in_library": found is not None,
        "element": None,
        "address": None,
        "drive_ordinal": None,
        "drive_names": [],
        "drive": None,
    }
    if found is not None:
        kind = found.element.kind
        row.update(
            element={"port": "I/O station"}.get(kind, kind),
            address=found.element.address,
            drive_ordinal=found.drive_ordinal,
            drive_names=list(found.drive_names),
        )
        if found.drive_ordinal is not None:
            names = ", ".join(found.drive_names) or "not in CTA"
            row["drive"] = f"{found.drive_ordinal} ({names})"
    return row


def _problems(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        missing = [what for what, ok in (("library", r["in_library"]), ("catalogue", r["in_catalogue"])) if not ok]
        if missing:
            out.append(f"{r['vid']} not in the {' nor the '.join(missing)}")
    return out


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Locate each tape; exit 1 if one is not in the library or not in the catalogue."""
    if args.update_statistics:
        _library.update_statistics_as_asked(ctx, "tape-location")
    inv = _library.inventory(ctx)
    drives = _library.cta_drives(ctx)
    vids = list(dict.fromkeys(v.upper() for v in args.vids))
    rows = [_row(ctx, vid, _library.where(vid, inv, drives), drives) for vid in vids]
    if ctx.json:
        ctx.emit_json(rows)
    else:
        ctx.print(ctx.rows_table(rows, HEADERS))
    problems = _problems(rows)
    if problems:
        raise _toolcli.ToolExit(1, "; ".join(problems))
    return 0


__all__ = ["HEADERS", "HELP", "add_arguments", "run"]
