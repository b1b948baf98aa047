"""Tape drives: identity, status, TapeAlert, environment, cartridge memory, and device discovery.

A :class:`Drive` talks SCSI to ``/dev/nstN`` (or its ``/dev/sgN``) directly, without sg3_utils.
:func:`discover` reads sysfs to tell which ``/dev/sg*`` is a changer and which ``/dev/nst*``
belongs to which drive serial, without ``lsscsi``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Union

from ctaops import _core

StrPath = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class TapeAlertFlag:
    """One TapeAlert flag (SSC): ``severity`` is information/warning/critical."""

    code: int
    name: str
    severity: str
    subject: str
    action: str


TAPEALERT_FLAGS: tuple[TapeAlertFlag, ...] = tuple(TapeAlertFlag(*f) for f in _core.tapealert_flags())
"""The 64 flags, index = code - 1."""


@dataclass(frozen=True)
class CartridgeMemory:
    """What the cartridge memory (MAM) says about the loaded cartridge."""

    barcode: str | None
    serial: str | None
    manufacturer: str | None
    manufacture_date: str | None
    load_count: int | None
    remaining_capacity_mib: int | None
    maximum_capacity_mib: int | None
    lifetime_mb_written: int | None
    lifetime_mb_read: int | None


@dataclass(frozen=True)
class DriveStatus:
    """One pass over everything an operator asks a drive."""

    vendor: str
    product: str
    revision: str
    serial: str
    ready: bool
    ready_error: str | None
    block: int | None
    file: int | None
    activity: str | None
    tapealert: tuple[TapeAlertFlag, ...]
    temperature_c: int | None
    humidity_pct: int | None
    cleaning_required: bool | None
    read_errors_uncorrected: int | None
    write_errors_uncorrected: int | None
    cartridge_memory: CartridgeMemory | None
    #: What the drive refused as not implemented (``temperature``, ``humidity``, ``tapealert``,
    #: ``error_counters``, ``cartridge_memory`` …): "not supported by this device", not a value.
    unsupported: tuple[str, ...] = ()


def _status_from_json(text: str) -> DriveStatus:
    r: dict[str, Any] = json.loads(text)
    inq = r["identity"]["inquiry"]
    pos = r.get("position")
    cm = r.get("cartridge_memory")
    return DriveStatus(
        vendor=inq["vendor"].strip(),
        product=inq["product"].strip(),
        revision=inq["revision"].strip(),
        serial=r["identity"]["serial"],
        ready=r["ready"],
        ready_error=r.get("ready_error"),
        block=pos["block"] if pos else None,
        file=pos.get("file") if pos else None,
        activity=r.get("activity"),
        tapealert=tuple(TapeAlertFlag(**f) for f in r["tapealert"]),
        temperature_c=r.get("temperature_c"),
        humidity_pct=r.get("humidity_pct"),
        cleaning_required=r.get("cleaning_required"),
        read_errors_uncorrected=(r.get("read_errors") or {}).get("total_uncorrected"),
        write_errors_uncorrected=(r.get("write_errors") or {}).get("total_uncorrected"),
        unsupported=tuple(r.get("unsupported", ())),
        cartridge_memory=None
        if cm is None
        else CartridgeMemory(
            barcode=cm.get("barcode"),
            serial=cm.get("serial"),
            manufacturer=cm.get("manufacturer"),
            manufacture_date=cm.get("manufacture_date"),
            load_count=cm.get("load_count"),
            remaining_capacity_mib=cm.get("remaining_capacity_mib"),
            maximum_capacity_mib=cm.get("maximum_capacity_mib"),
            lifetime_mb_written=cm.get("lifetime_mb_written"),
            lifetime_mb_read=cm.get("lifetime_mb_read"),
        ),
    )


class Drive:
    """A tape drive: a device node, or a drive of an emulated library (see ``Library.drive``)."""

    def __init__(self, backend: _core.ScsiDrive | tuple[_core.ScsiChanger, int]) -> None:
        self._backend = backend

    @classmethod
    def open(cls, device: StrPath) -> Drive:
        """Open ``/dev/nstN`` or ``/dev/sgN`` (read-write access is needed)."""
        return cls(_core.ScsiDrive.open(os.fspath(device)))

    def status(self) -> DriveStatus:
        """Identity, readiness, position, TapeAlert, temperature/humidity, cartridge memory."""
        if isinstance(self._backend, tuple):
            changer, address = self._backend
            return _status_from_json(changer.emulated_drive_report_json(address))
        return _status_from_json(self._backend.report_json())

    def load(self) -> None:
        """Thread the cartridge in the drive (SSC LOAD)."""
        self._set_loaded(load=True)

    def unload(self) -> None:
        """Rewind and eject, so the library can take the cartridge (SSC UNLOAD)."""
        self._set_loaded(load=False)

    def _set_loaded(self, *, load: bool) -> None:
        if isinstance(self._backend, tuple):
            changer, address = self._backend
            changer.emulated_drive_load(address, load)
        else:
            self._backend.load(load)


@dataclass(frozen=True)
class ScsiDevice:
    """A SCSI generic device found in sysfs."""

    sg: str
    hctl: str | None
    device_type: int
    vendor: str
    model: str
    revision: str
    serial: str | None
    nst: str | None

    @property
    def is_changer(self) -> bool:
        """Peripheral type 8: a medium changer."""
        return self.device_type == 8

    @property
    def is_tape(self) -> bool:
        """Peripheral type 1: a tape drive."""
        return self.device_type == 1


def discover(sysfs: StrPath = "/sys") -> list[ScsiDevice]:
    """Every sg device under ``sysfs`` (changers, drives, others), in sg order."""
    return [ScsiDevice(**d) for d in json.loads(_core.scsi_discover_json(os.fspath(sysfs)))]


def changers(sysfs: StrPath = "/sys") -> list[ScsiDevice]:
    """List the media changers (``/dev/sgN`` with peripheral type 8)."""
    return [d for d in discover(sysfs) if d.is_changer]


def tape_drives(sysfs: StrPath = "/sys") -> list[ScsiDevice]:
    """List the tape drives, each with its serial and ``/dev/nstN`` when sysfs has them."""
    return [d for d in discover(sysfs) if d.is_tape]


def drive_by_serial(serial: str, sysfs: StrPath = "/sys") -> ScsiDevice | None:
    """Find the tape drive whose VPD 0x80 serial matches (trimmed; suffix match for padded serials)."""
    want = serial.strip()
    for d in tape_drives(sysfs):
        if d.serial and (d.serial == want or d.serial.endswith(want) or want.endswith(d.serial)):
            return d
    return None


__all__ = [
    "TAPEALERT_FLAGS",
    "CartridgeMemory",
    "Drive",
    "DriveStatus",
    "ScsiDevice",
    "TapeAlertFlag",
    "changers",
    "discover",
    "drive_by_serial",
    "tape_drives",
]
