"""What ``tape label``, ``tape mediacheck`` and ``drive test`` share: safety checks, drives, mounts, tests.

Data safety first: every check that can refuse runs before anything changes, and a cartridge
is only ever written when the catalogue says it is empty, its pool starts with one of
``global.tape.pool_prefixes_ok_for_labeling``, its state allows it, nothing uses it, and the
tape itself (read before writing) holds no files.

Where the data of a mounted cartridge is: on a real library, in the drive's st device on this
host, found by the serial the changer reports for the drive (CTA's ``devFileName`` is the tape
server's name and on another host may be another drive, so it is not trusted). An emulated library (the simulator,
``tools.ctaops-smc.library_state``) moves cartridges but its drives have no data path: the
cartridge's data is its image ``<instance>/tapes/<VID>.tap`` (the instance is the directory
holding ``library/``), the file the simulator's sessions and its cta-tape-label read and write.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ctaops import _toolcli
from ctaops.checksum import adler32
from ctaops.errors import CtaOpsError
from ctaops.library import CONFIG_SECTION
from ctaops.opsadmin.handlers import _library
from ctaops.tape import StDrive, TapeDevice, TapeImage, inspect, label_tape, write_files
from ctaops.utils.dicts import counter
from ctaops.utils.progress import Progress
from ctaops.utils.units import format_size_human, parse_duration, parse_size
from ctaops.verify import CatalogueEntry, verify_tape

if TYPE_CHECKING:
    from ctaops.opsadmin.context import Context

STATES_OK = frozenset({"ACTIVE", "DISABLED"})
"""Tape states a cartridge may be (re)labelled or tested in: idle tapes CTA knows are in the library.

BROKEN (someone must look at it first), EXPORTED (not in the library), REPACKING* and the
``*_PENDING`` states (CTA is moving files or changing the state) are refused.
"""

DRIVE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""CTA reads a drive name as a regular expression: only plain names are taken, so one drive is meant."""

CHUNK = 8 * 1024 * 1024
"""Bytes generated at a time for a test file: bounded memory whatever the file size."""


def catalogue_data(rec: Mapping[str, Any]) -> str | None:
    """Why the catalogue says the tape is not empty, None if it is."""
    counters = {k: counter(rec.get(k)) for k in ("lastFseq", "occupancy", "nbMasterFiles", "masterDataInBytes")}
    if not any(counters.values()):
        return None
    return (
        f"the catalogue lists data on it ({counters['nbMasterFiles']} files, "
        f"{format_size_human(max(counters['occupancy'], counters['masterDataInBytes']))}, "
        f"last fSeq {counters['lastFseq']}): reclaim it in CTA first"
    )


def _catalogue_refusal(ctx: Context, rec: Mapping[str, Any]) -> str | None:
    pool = str(rec.get("tapepool") or "")
    if not ctx.config.tape.pool_ok_for_labeling(pool):
        prefixes = ", ".join(ctx.config.tape.pool_prefixes_ok_for_labeling) or "none configured"
        return f"pool '{pool}' does not start with a prefix allowed for labelling ({prefixes})"
    state = str(rec.get("state") or "")
    if state not in STATES_OK:
        return f"state {state} (only {' or '.join(sorted(STATES_OK))} tapes are labelled or tested)"
    return catalogue_data(rec)


def _use_refusal(ctx: Context, vid: str) -> str | None:
    for d in ctx.admin.drives(all=True).to_dicts():
        if d.get("vid") == vid:
            return f"in a CTA session on {d.get('driveName')} ({d.get('driveStatus')})"
    where = ctx.library.locate(vid)
    if where is None:
        return "not in the library"
    if where.kind != "slot":
        return f"mounted or moving: in the library's {where.kind} element {where.address}"
    return None


def refusal(ctx: Context, rec: Mapping[str, Any] | None, vid: str) -> str | None:
    """Say why ``vid`` must not be overwritten (labelled or tested), None if the catalogue and CTA allow it."""
    if rec is None:
        return "not in the catalogue"
    return _catalogue_refusal(ctx, rec) or _use_refusal(ctx, vid)


def image_path(ctx: Context, vid: str) -> str | None:
    """Return the simulator's image of ``vid`` when the library is emulated, else None (module docstring)."""
    state = (ctx.config.get_path(f"tools.{CONFIG_SECTION}") or {}).get("library_state")
    if not state:
        return None
    base = os.path.dirname(ctx.config.source) if ctx.config.source else ""
    instance = os.path.dirname(os.path.dirname(os.path.join(base, os.fspath(state))))
    return os.path.join(instance, "tapes", f"{vid}.tap")


def on_tape_refusal(tape: TapeDevice, vid: str, old: str | None = None) -> str | None:
    """Why the tape itself must not be overwritten: files after the label, or another cartridge's label."""
    state, vsn = inspect(tape)
    if state == "data":
        return f"the tape holds files (label {vsn or 'none'}): not overwritten"
    if state == "labelled" and vsn not in (vid, old):
        return f"the tape is labelled {vsn}, not {vid}" + ("" if old else " (give --oldlabel to relabel it)")
    return None


def peek_refusal(ctx: Context, vid: str, old: str | None = None) -> str | None:
    """:func:`on_tape_refusal` before any mount, where the data can be read without one (the simulator)."""
    path = image_path(ctx, vid)
    if path is None or not os.path.exists(path):
        return None
    with TapeImage(path) as tape:
        return on_tape_refusal(tape, vid, old)


class MountError(CtaOpsError):
    """The library could not mount the cartridge (nothing was written)."""


@dataclass(frozen=True)
class Drive:
    """A CTA drive and where it is in the library."""

    name: str
    ordinal: int
    device: str
    desired_up: bool
    reason: str


def find_drive(ctx: Context, name: str, *, data_path: bool = True) -> Drive:
    """Return the idle, empty drive ``name``; raise ToolExit saying why it cannot be used.

    ``data_path``: the caller writes or reads through the drive itself, so on a real library
    the drive must be attached to this host (found by the serial the changer reports; refused
    before anything moves otherwise).
    """
    if not DRIVE_NAME.fullmatch(name):
        raise _toolcli.ToolExit(2, f"'{name}' is not a drive name (letters, digits, '_', '-', '.')")
    found = [d for d in ctx.admin.drives(all=True).to_dicts() if d.get("driveName") == name]
    if not found:
        raise _toolcli.ToolExit(1, f"refused: CTA has no drive {name}")
    d = found[0]
    status = str(d.get("driveStatus") or "").upper()
    if _library.in_session(d) or d.get("vid"):
        raise _toolcli.ToolExit(1, f"refused: drive {name} is in a session ({status}, {d.get('vid') or 'no tape'})")
    inv = ctx.library.inventory()
    index = _library.ordinal(d, inv)
    if index is None:
        raw_slot = str(d.get("rawLibrarySlot") or "")
        raise _toolcli.ToolExit(
            1, f"rawLibrarySlot '{raw_slot}' names no drive of the library ({len(inv.drives)} drives)"
        )
    element = inv.drives[index]
    if element.full:
        raise _toolcli.ToolExit(1, f"refused: drive {name} holds cartridge {element.vid or '(no barcode)'}")
    device = _library.local_device(ctx.library, element)
    if device is None and data_path and not ctx.library.is_emulated:
        raise _toolcli.ToolExit(
            1,
            f"refused: drive {name} is not attached to this host (no st device with the serial the library "
            "reports for it): run on its tape server",
        )
    return Drive(
        name=name,
        ordinal=index,
        device=device or "",
        desired_up=str(d.get("desiredDriveState") or "").upper() == "UP",
        reason=str(d.get("reason") or ""),
    )


@contextmanager
def drive_down(ctx: Context, drive: Drive, reason: str) -> Iterator[None]:
    """Keep ``drive`` down in CTA (with ``reason``) for the block, then put it back as it was, whatever happens."""
    ctx.admin.drive_down(drive.name, reason)
    ctx.say(f"drive {drive.name} down in CTA ({reason})")
    try:
        yield
    finally:
        try:
            if drive.desired_up:
                ctx.admin.drive_up(drive.name, drive.reason or None)
                ctx.say(f"drive {drive.name} up again in CTA")
            elif drive.reason:
                ctx.admin.drive_down(drive.name, drive.reason)  # down before us: its own reason back
        except CtaOpsError as e:
            # Say it louder than whatever failed before: a drive left down stops production silently.
            was = "up" if drive.desired_up else f"down ({drive.reason})"
            raise _toolcli.ToolExit(1, f"drive {drive.name} could not be put back {was}: {e}; do it by hand") from e


def open_mounted(ctx: Context, vid: str, drive: Drive) -> TapeDevice:
    """Open the data of the cartridge now in ``drive``: its image (emulated library) or the drive's device."""
    path = image_path(ctx, vid)
    if path is not None:
        return TapeImage(path, writable=True, create=True)
    if not drive.device:  # find_drive refuses a drive without a verified device before any move
        raise _toolcli.ToolExit(1, f"drive {drive.name} has no device on this host")
    return StDrive(drive.device, writable=True)


@contextmanager
def mounted(ctx: Context, vid: str, drive: Drive) -> Iterator[TapeDevice]:
    """Mount ``vid`` in ``drive`` through the library for the block, and unmount it afterwards."""
    try:
        ctx.library.mount(vid, drive.ordinal)
    except CtaOpsError as e:
        raise MountError(f"cannot mount {vid} in {drive.name}: {e}") from None
    ctx.say(f"{vid} mounted in {drive.name}")
    try:
        tape = open_mounted(ctx, vid, drive)
        try:
            yield tape
        finally:
            tape.flush()  # everything on the medium before it leaves the drive
    finally:
        ctx.library.unmount(drive.ordinal, drive_device=drive.device or None)
        ctx.say(f"{vid} unmounted from {drive.name}")


def wait_unmounted(ctx: Context, vid: str, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``vid`` to leave its drive (``not_free_timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        where = ctx.library.locate(vid)
        if where is None or where.kind != "drive":
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def number_setting(value: object, key: str) -> float:
    """Parse a count or a duration in seconds from the handler's config section (exit 1 if it is none)."""
    try:
        number = float(value) if isinstance(value, (int, float)) else parse_duration(str(value))
    except (ValueError, OverflowError) as e:
        raise _toolcli.ToolExit(1, f"config: {key} '{value}' is not a number ({e})") from None
    if number < 0:
        raise _toolcli.ToolExit(1, f"config: {key} is negative ({value})")
    return number


def size_setting(value: object, key: str) -> int:
    """Parse a size from the handler's config section; a bad one is the config's error (exit 1)."""
    try:
        return value if isinstance(value, int) else parse_size(str(value))
    except (ValueError, OverflowError) as e:
        raise _toolcli.ToolExit(1, f"config: {key} '{value}' is not a size ({e})") from None


@dataclass
class FileResult:
    """One test file: what was written and what came back."""

    fseq: int
    size: int
    adler32: str
    write_seconds: float
    read_seconds: float = 0.0
    status: str = "not read"
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the file came back as written."""
        return self.status == "ok"


@dataclass
class TestReport:
    """A write/read/verify run on one cartridge."""

    vid: str
    drive: str
    files: list[FileResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No error and every file back as written."""
        return not self.errors and all(f.ok for f in self.files)

    def totals(self) -> dict[str, Any]:
        """Bytes, rates (MB/s, SI) and error count of the whole run."""
        size = sum(f.size for f in self.files)
        written = sum(f.write_seconds for f in self.files)
        read = sum(f.read_seconds for f in self.files)
        return {
            "files": len(self.files),
            "bytes": size,
            "write_mb_s": rate(size, written),
            "read_mb_s": rate(sum(f.size for f in self.files if f.read_seconds), read),
            "errors": len(self.errors) + sum(1 for f in self.files if not f.ok),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the report as ``--json`` prints it."""
        files = [
            {**f.__dict__, "write_mb_s": rate(f.size, f.write_seconds), "read_mb_s": rate(f.size, f.read_seconds)}
            for f in self.files
        ]
        return {
            "vid": self.vid,
            "drive": self.drive,
            "ok": self.ok,
            "files": files,
            "errors": self.errors,
            "total": self.totals(),
        }


def rate(size: int, seconds: float) -> float:
    """MB/s (10^6 bytes a second, as CTA reports rates), 0 for no time."""
    return round(size / seconds / 1e6, 1) if seconds > 0 else 0.0


def generate(path: str, size: int, rng: random.Random) -> str:
    """Write ``size`` random bytes to ``path``; return their Adler-32 in CTA's spelling."""
    value = 1
    with open(path, "wb") as f:
        left = size
        while left > 0:
            chunk = rng.randbytes(min(CHUNK, left))
            value = adler32(chunk, value)
            f.write(chunk)
            left -= len(chunk)
    return f"{value:08x}"


def prepare(tape: TapeDevice, vid: str) -> None:
    """Refuse a tape holding files or another label (read before anything is written), then label it afresh."""
    why = on_tape_refusal(tape, vid)
    if why:
        raise _toolcli.ToolExit(1, f"refused: {vid}: {why}")
    tape.rewind()
    label_tape(tape, vid)


def write_read_verify(  # noqa: PLR0913  (the test's parameters, keyword-only)
    ctx: Context, tape: TapeDevice, report: TestReport, *, count: int, size: int, workdir: str
) -> None:
    """Write ``count`` files of ``size`` random bytes (generated one at a time in ``workdir``), read each back.

    The source's Adler-32 is computed while generating, so a file written wrongly and one read
    back wrongly are both found. Every file is removed from ``workdir`` once written.
    """
    rng = random.Random(os.urandom(16))  # noqa: S311  (test data, not secrets)
    entries: list[CatalogueEntry] = []
    last = 0
    with Progress(f"{report.vid} on {report.drive}", 2 * count * size, logger=ctx.log, unit="B") as progress:
        for i in range(count):
            path = os.path.join(workdir, f"{report.vid}-{i + 1:06d}.dat")
            source = generate(path, size, rng)
            started = time.monotonic()
            try:
                written = write_files(tape, report.vid, [path], last_fseq=last)[0]
            finally:
                os.unlink(path)
            result = FileResult(written.fseq, size, source, time.monotonic() - started)
            if written.checksum != source:
                result.status, result.detail = "write_error", f"written as {written.checksum}, generated {source}"
            report.files.append(result)
            entries.append(CatalogueEntry(written.fseq, written.block_id, written.archive_id, size, int(source, 16)))
            last = written.fseq
            progress.update(advance=size, detail=f"wrote file {i + 1}/{count}")
        for result, entry in zip(report.files, entries):
            started = time.monotonic()
            back = verify_tape(tape, report.vid, catalogue=entries, fseqs=[entry.fseq]).files
            result.read_seconds = time.monotonic() - started
            if result.status == "not read":
                result.status = back[0].status if back else "missing"
                result.detail = back[0].detail if back else "not found on the tape"
            progress.update(advance=size, detail=f"read file {entry.fseq}/{count}")


def relabel(tape: TapeDevice, vid: str, report: TestReport) -> None:
    """Leave the cartridge labelled and empty again (the test files are ours: forced over them)."""
    try:
        tape.rewind()
        label_tape(tape, vid, force=True)
        tape.rewind()
        state, vsn = inspect(tape)
        if (state, vsn) != ("labelled", vid):
            report.errors.append(f"after relabelling the tape reads as {state} {vsn}")
    except CtaOpsError as e:
        report.errors.append(f"relabelling failed: {e}")


def run_test(  # noqa: PLR0913  (the test's parameters, keyword-only)
    ctx: Context, vid: str, drive: Drive, *, count: int, size: int, workdir: str, reason: str
) -> TestReport:
    """Drive down, mount, label, write/read/verify, relabel, unmount, drive back: the body of both tests."""
    report = TestReport(vid, drive.name)
    with drive_down(ctx, drive, reason), mounted(ctx, vid, drive) as tape:
        prepare(tape, vid)
        try:
            write_read_verify(ctx, tape, report, count=count, size=size, workdir=workdir)
        except (CtaOpsError, OSError) as e:  # a medium or work-directory error is a finding, not a crash
            report.errors.append(f"{type(e).__name__}: {e}")
        finally:
            relabel(tape, vid, report)
    return report


def checked_tape(ctx: Context, vid: str) -> None:
    """Refuse (exit 1) a cartridge that is not safe to overwrite, from what can be checked without a mount."""
    why = refusal(ctx, _library.catalogue(ctx, vid), vid) or peek_refusal(ctx, vid)
    if why:
        raise _toolcli.ToolExit(1, f"refused: {vid}: {why}")


def show(ctx: Context, report: TestReport) -> None:
    """Print the per-file table and the totals (or the JSON report)."""
    if ctx.json:
        ctx.emit_json(report.to_dict())
        return
    rows = [
        {
            "fseq": f.fseq,
            "size": format_size_human(f.size),
            "write": rate(f.size, f.write_seconds),
            "read": rate(f.size, f.read_seconds),
            "adler32": f.adler32,
            "status": f.status + (f": {f.detail}" if f.detail and not f.ok else ""),
        }
        for f in report.files
    ]
    headers = {
        "fseq": "fSeq",
        "size": "Size",
        "write": "Write MB/s",
        "read": "Read MB/s",
        "adler32": "Adler-32",
        "status": "Status",
    }
    ctx.print(ctx.rows_table(rows, headers))
    for error in report.errors:
        ctx.say(f"error: {error}")
    t = report.totals()
    ctx.say(
        f"{report.vid} on {report.drive}: {t['files']} files, {format_size_human(t['bytes'])}, "
        f"write {t['write_mb_s']} MB/s, read {t['read_mb_s']} MB/s, {t['errors']} errors"
    )


__all__ = [
    "STATES_OK",
    "Drive",
    "FileResult",
    "MountError",
    "TestReport",
    "catalogue_data",
    "checked_tape",
    "drive_down",
    "find_drive",
    "image_path",
    "mounted",
    "number_setting",
    "on_tape_refusal",
    "open_mounted",
    "peek_refusal",
    "refusal",
    "run_test",
    "show",
    "size_setting",
    "wait_unmounted",
]
