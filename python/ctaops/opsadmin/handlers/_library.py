"""What the library handlers (tape location, mount, unmount, export, import) share.

CTA names drives, the changer numbers them. The bridge is the drive's ``rawLibrarySlot``
(cta-taped's ``DriveControlPath``), ``smc<N>``: CTA's tape servers write the drive ordinal
there (``smc0`` is the changer's first drive, as for ``cta-smc -D 0``), and so does the
simulator; a site's taped config may name an element address instead (``smc257``). ``N``
below the number of drives is an ordinal; otherwise it is the element address of one of the
library's drives. Ordinals win,
because real libraries number their drive elements from well above the drive count (IBM
from 257, Spectra from 256), so the two readings never collide there.
"""

from __future__ import annotations

import getpass
import re
import shlex
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.drive import drive_by_serial
from ctaops.errors import CtaAdminUserError, CtaOpsError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ctaops.library import Element, Inventory, Library
    from ctaops.opsadmin.context import Context

IDLE = frozenset({"UP", "DOWN", "SHUTDOWN", "UNKNOWN", ""})
"""Drive statuses with no session; any other (MOUNTING, TRANSFERRING, UNLOADING, …) is one."""

SLOT = re.compile(r"smc(\d+)")


def who() -> str:
    """Return the operator's login, for the reasons CTA records."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return "unknown"


def reason(words: str, given: str | None) -> str:
    """``cta-ops-admin tape mount V00001 by USER: R``: which tool did it, who, and why."""
    head = f"cta-ops-admin {words} by {who()}"
    return f"{head}: {given}" if given else head


def in_session(drive: Mapping[str, Any]) -> bool:
    """Whether CTA shows a session on the drive (anything but idle up or down)."""
    return str(drive.get("driveStatus", "")).upper() not in IDLE


def catalogue(ctx: Context, vid: str) -> dict[str, Any] | None:
    """Return the tape's ``tape ls`` record, or None when CTA does not know the VID."""
    try:
        found = ctx.admin.tapes(vid=vid).to_dicts()
    except CtaAdminUserError:  # CTA answers "Tape VID X does not exist." for an unknown VID
        return None
    return found[0] if found else None


def cta_drives(ctx: Context) -> list[dict[str, Any]]:
    """Every drive CTA knows (``dr ls --all``)."""
    return ctx.admin.drives(all=True).to_dicts()


def ordinal(drive: Mapping[str, Any], inv: Inventory) -> int | None:
    """Return the library's ordinal of a CTA drive (see the module docstring), None if not here."""
    m = SLOT.fullmatch(str(drive.get("rawLibrarySlot", "")).strip())
    if m is None:
        return None
    n = int(m.group(1))
    if n < len(inv.drives):
        return n
    return next((i for i, e in enumerate(inv.drives) if e.address == n), None)


def local_device(library: Library, element: Element) -> str | None:
    """Return the st device (``/dev/nstN``) on this host of the library's drive ``element``, or None.

    The drive is found by the serial the changer reports for its element, never by CTA's
    ``devFileName`` alone: that is the tape server's name for its drive, and on another host
    the same path can be another drive (another library's, in a session). None for an emulated
    library (it needs no device), a changer that reports no serial, or a drive not attached here.
    """
    if library.is_emulated:
        return None
    serial = element.drive_serial
    found = drive_by_serial(serial) if serial else None
    return found.nst if found is not None and found.nst else None


def library_drive(name: str, inv: Inventory, drives: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """Return CTA's drive called exactly ``name`` and its ordinal in this library; refuse (exit 1) otherwise."""
    drive = drive_named(name, drives)
    index = ordinal(drive, inv)
    if index is None:
        raise _toolcli.ToolExit(
            1, f"drive {name} (rawLibrarySlot {drive.get('rawLibrarySlot') or '-'}) is not a drive of this library"
        )
    return drive, index


def names_at(index: int, drives: list[dict[str, Any]], inv: Inventory) -> list[str]:
    """CTA's names of the library's drive ``index`` (several when CTA's config is ambiguous)."""
    return [str(d["driveName"]) for d in drives if ordinal(d, inv) == index]


def drive_named(name: str, drives: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the CTA drive called exactly ``name`` (a name, not cta-admin's regular expression)."""
    found = next((d for d in drives if str(d.get("driveName")) == name), None)
    if found is None:
        raise _toolcli.ToolExit(1, f"no drive {name} in CTA (cta-admin dr ls)")
    return found


@dataclass(frozen=True)
class Where:
    """Where a cartridge is: the element, and for a drive its ordinal and CTA names."""

    element: Element
    drive_ordinal: int | None
    drive_names: tuple[str, ...]

    def describe(self) -> str:
        """``slot 1024``, ``drive 0 (CTAOPSLIB1-LTO9-D01) at 257``, ``I/O station 768``."""
        e = self.element
        if e.kind == "drive":
            names = f" ({', '.join(self.drive_names)})" if self.drive_names else ""
            return f"drive {self.drive_ordinal}{names} at {e.address}"
        kind = {"port": "I/O station", "transport": "robot"}.get(e.kind, e.kind)
        return f"{kind} {e.address}"


def where(vid: str, inv: Inventory, drives: list[dict[str, Any]]) -> Where | None:
    """Where ``vid`` is in the library, or None."""
    e = inv.find(vid)
    if e is None:
        return None
    if e.kind != "drive":
        return Where(e, None, ())
    index = next(i for i, d in enumerate(inv.drives) if d.address == e.address)
    return Where(e, index, tuple(names_at(index, drives, inv)))


def inventory(ctx: Context) -> Inventory:
    """Read the library's inventory; a library that cannot answer is a one-line failure."""
    try:
        return ctx.library.inventory()
    except CtaOpsError as e:
        raise _toolcli.ToolExit(1, f"cannot read the library: {e}") from None


def update_statistics(ctx: Context) -> str | None:
    """Run ``cta_statistics_update_cmd`` if configured; returns why it failed, or None."""
    command = str(ctx.section.get("cta_statistics_update_cmd") or "")
    if not command or not ctx.would(f"run {command}"):
        return None
    try:
        done = subprocess.run(shlex.split(command), check=False, capture_output=True, text=True)  # noqa: S603
    except OSError as e:
        return f"cannot run {command}: {e}"
    if done.returncode != 0:
        return f"{command} failed (exit {done.returncode}): {done.stderr.strip()}"
    return None


def update_statistics_as_asked(ctx: Context, handler: str) -> None:
    """Run ``cta_statistics_update_cmd`` because the operator asked: no command configured is a refusal."""
    if not ctx.section.get("cta_statistics_update_cmd"):  # asked for: doing nothing would mislead
        raise _toolcli.ToolExit(1, f"no cta_statistics_update_cmd configured (tools.cta-ops-admin.{handler})")
    failed = update_statistics(ctx)
    if failed:
        raise _toolcli.ToolExit(1, failed)


def wait_state(ctx: Context, vid: str, want: str, timeout: float) -> str:
    """Wait until CTA shows ``want`` for the tape (CTA passes through ``want_PENDING``); the last state."""
    deadline = time.monotonic() + timeout
    while True:
        record = catalogue(ctx, vid)
        state = str(record.get("state", "")) if record else ""
        if state == want or not state.endswith("_PENDING") or time.monotonic() >= deadline:
            return state
        time.sleep(1.0)


__all__ = [
    "IDLE",
    "Where",
    "catalogue",
    "cta_drives",
    "drive_named",
    "in_session",
    "inventory",
    "library_drive",
    "local_device",
    "names_at",
    "ordinal",
    "reason",
    "update_statistics",
    "update_statistics_as_asked",
    "wait_state",
    "where",
    "who",
]
