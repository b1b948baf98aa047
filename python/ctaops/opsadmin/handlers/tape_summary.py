"""``cta-ops-admin tape summary VID…``: one screen per tape, from every source that knows it.

The catalogue (``tape ls``: state and reason, pool, VO, media, occupancy, files, label, last
write and read, mounts, verification status), the library (where the cartridge is, and in
which drive if mounted), CTA's drives (a session on it), repack (``repack ls``) and ATRESYS
(its row in the repack table) when the config has a database. A source that cannot answer
(no library configured, no ATRESYS database) shows as ``unknown`` with the reason, never
stops the summary.

``--update-statistics`` first runs ``cta_statistics_update_cmd`` (``cta-statistics-update``),
since CTA refreshes the per-tape file counters only when asked. ``--save`` also writes each
summary as ``<default_file_path>/<VID>.json``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.errors import CtaAdminError, CtaAdminUserError, CtaOpsError
from ctaops.opsadmin.handlers._library import update_statistics_as_asked
from ctaops.utils.dicts import counter
from ctaops.utils.files import write_atomic
from ctaops.utils.units import format_size_human as format_size

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    from ctaops.opsadmin.context import Context

HELP = (
    "one screen per tape: catalogue state, pool, occupancy, files, last read/write, verification, "
    "location, repack, ATRESYS"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VIDs (positional or ``--vid``), the statistics refresh and saving."""
    parser.add_argument("vids", nargs="*", metavar="VID", help="the tapes to summarise")
    parser.add_argument("--vid", "-v", action="append", default=[], dest="more_vids", help="a tape (repeatable)")
    parser.add_argument(
        "--update-statistics",
        action="store_true",
        help="run cta_statistics_update_cmd first (CTA's per-tape counters are refreshed only when asked)",
    )
    parser.add_argument("--save", action="store_true", help="also write each summary to <default_file_path>/<VID>.json")


def _log(record: Mapping[str, Any], key: str) -> dict[str, Any]:
    log = record.get(key) or {}
    return {"drive": log.get("drive") or None, "time": counter(log.get("time")) or None}


def _catalogue(record: Mapping[str, Any]) -> dict[str, Any]:
    capacity, occupancy = counter(record.get("capacity")), counter(record.get("occupancy"))
    return {
        "state": record.get("state"),
        "stateReason": record.get("stateReason") or None,
        "tapepool": record.get("tapepool"),
        "vo": record.get("vo"),
        "mediaType": record.get("mediaType"),
        "logicalLibrary": record.get("logicalLibrary"),
        "capacity": capacity,
        "occupancy": occupancy,
        "usage_percent": round(100.0 * occupancy / capacity, 1) if capacity else None,
        "lastFseq": counter(record.get("lastFseq")),
        "files": counter(record.get("nbMasterFiles")),
        "dataBytes": counter(record.get("masterDataInBytes")),
        "full": bool(record.get("full")),
        "dirty": bool(record.get("dirty")),
        "fromCastor": bool(record.get("fromCastor")),
        "label": _log(record, "labelLog"),
        "lastWritten": _log(record, "lastWrittenLog"),
        "lastRead": _log(record, "lastReadLog"),
        "writeMounts": counter(record.get("writeMountCount")),
        "readMounts": counter(record.get("readMountCount")),
        "verificationStatus": record.get("verificationStatus") or None,
    }


def _location(ctx: Context, vid: str) -> dict[str, Any]:
    try:
        element = ctx.library.locate(vid)
    except CtaOpsError as e:
        return {"known": False, "reason": str(e)}
    if element is None:
        return {"known": True, "in_library": False}
    return {"known": True, "in_library": True, "element": element.kind, "address": element.address}


def _sessions(ctx: Context, vid: str) -> list[dict[str, Any]]:
    drives = ctx.admin.drives()
    return [
        {"drive": d["driveName"], "status": d["driveStatus"], "mountType": d["mountType"]}
        for d in drives.to_dicts()
        if d.get("vid") == vid
    ]


def _repack(ctx: Context, vid: str) -> dict[str, Any] | None:
    try:
        found = ctx.admin.repacks(vid)
    except CtaAdminError:  # CTA refuses `repack ls --vid` for a tape with no repack
        return None
    for r in found.to_dicts():
        return {
            "status": r.get("status"),
            "filesLeftToRetrieve": r.get("filesLeftToRetrieve"),
            "filesLeftToArchive": r.get("filesLeftToArchive"),
            "failed": r.get("totalFailedFiles"),
        }
    return None


def _atresys(ctx: Context, vid: str) -> dict[str, Any]:
    database = ctx.config.get_path("tools.cta-ops-repack-automation.database")
    if not database:
        return {"known": False, "reason": "no ATRESYS database in the config"}
    try:
        from ctaops.atresys.store import Store  # noqa: PLC0415  (only with a database)

        store = Store(ctx.config)
        if store.missing_tables():  # ATRESYS never ran here: nothing is tracked, which is no error
            return {"known": True, "tracked": False}
        row = store.get(vid)
    except CtaOpsError as e:
        return {"known": False, "reason": str(e)}
    if row is None:
        return {"known": True, "tracked": False}
    return {"known": True, "tracked": True, "state": row.state, "mode": row.mode, "priority": row.priority}


def summarise(ctx: Context, record: Mapping[str, Any]) -> dict[str, Any]:
    """Gather everything known about one tape (its catalogue record given)."""
    vid = str(record["vid"])
    return {
        "vid": vid,
        "catalogue": _catalogue(record),
        "location": _location(ctx, vid),
        "sessions": _sessions(ctx, vid),
        "repack": _repack(ctx, vid),
        "atresys": _atresys(ctx, vid),
    }


def _when(log: Mapping[str, Any]) -> str:
    if not log.get("time"):
        return "never"
    text = datetime.fromtimestamp(int(log["time"]), timezone.utc).strftime("%Y-%m-%d %H:%M")
    return f"{text} on {log['drive']}" if log.get("drive") else text


def render(summary: Mapping[str, Any]) -> str:
    """Format the summary as the lines an operator reads."""
    c = summary["catalogue"]
    state = c["state"] + (f" ({c['stateReason']})" if c["stateReason"] else "")
    usage = f"{format_size(c['occupancy'])} of {format_size(c['capacity'])}"
    if c["usage_percent"] is not None:
        usage += f" ({c['usage_percent']}%)"
    flags = [name for name in ("full", "dirty", "fromCastor") if c[name]]
    loc = summary["location"]
    if not loc["known"]:
        where = f"unknown ({loc['reason']})"
    elif not loc["in_library"]:
        where = "not in the library"
    else:
        where = f"{loc['element']} {loc['address']}"
    sessions = ", ".join(f"{s['drive']} ({s['status']}, {s['mountType']})" for s in summary["sessions"]) or "none"
    repack = summary["repack"]
    at = summary["atresys"]
    if not at["known"]:
        atresys = f"unknown ({at['reason']})"
    elif not at["tracked"]:
        atresys = "not tracked"
    else:
        atresys = f"{at['state']} (mode {at['mode']}, priority {at['priority']})"
    lines = [
        f"Tape {summary['vid']}",
        f"  State          {state}",
        f"  Pool           {c['tapepool']} (VO {c['vo']})",
        f"  Media          {c['mediaType']} in logical library {c['logicalLibrary']}",
        f"  Occupancy      {usage}",
        f"  Files          {c['files']} ({format_size(c['dataBytes'])}), last fSeq {c['lastFseq']}",
        f"  Flags          {', '.join(flags) or 'none'}",
        f"  Labelled       {_when(c['label'])}",
        f"  Last written   {_when(c['lastWritten'])} ({c['writeMounts']} write mounts)",
        f"  Last read      {_when(c['lastRead'])} ({c['readMounts']} read mounts)",
        f"  Verification   {c['verificationStatus'] or 'never verified'}",
        f"  Location       {where}",
        f"  Sessions       {sessions}",
        f"  Repack         {repack['status'] if repack else 'none'}",
        f"  ATRESYS        {atresys}",
    ]
    return "\n".join(lines)


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Summarise each tape; exit 1 if one is not in the catalogue."""
    vids = [v.upper() for v in [*args.vids, *args.more_vids]]
    if not vids:
        raise _toolcli.ToolExit(2, "give at least one VID")
    if args.update_statistics:
        update_statistics_as_asked(ctx, "tape-summary")
    summaries, missing = [], []
    for vid in dict.fromkeys(vids):
        try:
            found = ctx.admin.tapes(vid=vid).to_dicts()
        except CtaAdminUserError:  # CTA refuses `tape ls --vid` of a VID it does not know
            found = []
        if not found:
            missing.append(vid)
            continue
        summaries.append(summarise(ctx, found[0]))
    if ctx.json:
        ctx.emit_json(summaries)
    else:
        ctx.print("\n\n".join(render(s) for s in summaries))
    if args.save:
        directory = str(ctx.section.get("default_file_path") or "")
        for s in summaries:
            if ctx.would(f"write {os.path.join(directory, s['vid'] + '.json')}"):
                os.makedirs(directory, exist_ok=True)
                write_atomic(os.path.join(directory, f"{s['vid']}.json"), json.dumps(s, indent=2) + "\n")
    if missing:
        raise _toolcli.ToolExit(1, f"not in the catalogue: {', '.join(missing)}")
    return 0


__all__ = ["HELP", "add_arguments", "render", "run", "summarise"]
