"""``cta-ops-admin tape import [VID…]``: bring cartridges in from the I/O station.

Without VIDs, every cartridge an operator put into the I/O station (the elements the library
flags as "import"; cartridges the library exported wait there for the operator and stay);
with VIDs, just those, wherever they are in the station. Each goes to a free slot first, and
only then CTA: a tape CTA has as EXPORTED becomes ACTIVE with a reason, any other state is left
as it is, and a cartridge CTA does not know is imported and reported (add it with
``cta-admin tape add``). A VID asked for but not in the I/O station, or a move or state change
that failed, makes the exit status 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctaops import _toolcli
from ctaops.errors import CtaAdminError, CtaOpsError
from ctaops.opsadmin.handlers import _library

if TYPE_CHECKING:
    import argparse

    from ctaops.library import Element, Inventory
    from ctaops.opsadmin.context import Context

HELP = "move cartridges from the I/O station into the library and set EXPORTED tapes ACTIVE in CTA"

HEADERS = {"vid": "VID", "result": "Result", "slot": "Slot", "state": "State", "detail": "Detail"}

FAILED = ("failed", "refused")


@dataclass
class Outcome:
    """What happened to one cartridge."""

    vid: str
    result: str
    """``imported``, ``would import``, ``refused`` or ``failed``."""
    port: int | None = None
    slot: int | None = None
    state: str | None = None
    """CTA's state at the end (None: not in the catalogue)."""
    detail: str = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the VIDs and the reason."""
    parser.add_argument("vids", nargs="*", metavar="VID", help="only these tapes (default: all inserted ones)")
    parser.add_argument("--reason", "-r", help="why (recorded with the ACTIVE state)")


def _chosen(inv: Inventory, vids: list[str]) -> tuple[list[Element], list[Outcome]]:
    """Pick the I/O station elements to import; report the VIDs asked for that are not there."""
    if not vids:
        return [p for p in inv.ports if p.full and p.imported], []
    by_vid = {p.vid: p for p in inv.ports if p.full}
    missing = [Outcome(v, "refused", detail="not in the I/O station") for v in vids if v not in by_vid]
    return [by_vid[v] for v in vids if v in by_vid], missing


def _activate(ctx: Context, out: Outcome, why: str) -> None:
    try:
        record = _library.catalogue(ctx, out.vid)
    except CtaAdminError as e:  # the cartridge moved already: say where, not just CTA's error
        out.result, out.detail = "failed", f"in slot {out.slot}, but CTA could not be read: {e}"
        return
    if record is None:
        out.detail = "not in the catalogue: add it with cta-admin tape add"
        return
    out.state = str(record.get("state"))
    if out.state != "EXPORTED":
        out.detail = f"CTA state {out.state} left as it is"
        return
    if not ctx.would(f"set {out.vid} ACTIVE (reason: {why})"):
        return
    try:
        ctx.admin.tape_ch(out.vid, state="ACTIVE", reason=why)
    except CtaAdminError as e:
        out.result, out.detail = "failed", f"in slot {out.slot}, but CTA refused ACTIVE: {e}"
        return
    out.state = "ACTIVE"


def _import(ctx: Context, port: Element, given: str | None) -> Outcome:
    out = Outcome(port.vid, "would import", port=port.address)
    if not port.vid:
        out.result, out.detail = "refused", f"no barcode (I/O station element {port.address}): take it out"
        return out
    if ctx.would(f"import {port.vid} from I/O station element {port.address}"):
        try:
            moved = ctx.library.import_(port.vid)
        except CtaOpsError as e:
            out.result, out.detail = "failed", f"the library could not import it: {e}"
            return out
        out.result, out.slot = "imported", moved[0][1]
    _activate(ctx, out, _library.reason(f"tape import {port.vid}", given))
    return out


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Import the cartridges; exit 1 if one asked for is not there or could not be imported."""
    inv = _library.inventory(ctx)
    ports, outcomes = _chosen(inv, list(dict.fromkeys(v.upper() for v in args.vids)))
    outcomes = [_import(ctx, p, args.reason) for p in ports] + outcomes
    rows = [vars(o) for o in outcomes]
    if ctx.json:
        ctx.emit_json(rows)
    elif rows:
        ctx.print(ctx.rows_table(rows, HEADERS))
    else:
        ctx.say("nothing to import: no cartridge inserted in the I/O station")
    bad = [o.vid or f"element {o.port}" for o in outcomes if o.result in FAILED]
    if bad:
        raise _toolcli.ToolExit(1, f"not imported: {', '.join(bad)}")
    return 0


__all__ = ["HEADERS", "HELP", "add_arguments", "run"]
