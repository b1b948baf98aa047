"""Tape libraries (SCSI media changers): inventory, locate, mount, unmount, export, import.

``Library.open('/dev/sgN')`` speaks SCSI to a real changer (no mtx or cta-smc needed);
``Library.emulated(path)`` drives an emulated library kept in a JSON state file, the one the
simulator and ``ctaops smc --library-state`` share. Drive numbers are cta-smc's ordinals: element
address minus the first drive address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Union

from ctaops import _core
from ctaops.drive import Drive
from ctaops.errors import (
    DriveLoadedError,
    InvalidArgumentError,
    NoFreeElementError,
    VolumeInUseError,
    VolumeNotFoundError,
)

if TYPE_CHECKING:
    from ctaops.utils.config import Config

StrPath = Union[str, "os.PathLike[str]"]

CONFIG_SECTION = "ctaops-smc"
"""The config section naming the changer (``device: /dev/sgN`` or ``library_state: FILE``)."""


class Element(NamedTuple):
    """One element (robot, slot, I/O station element or drive) and what it holds.

    A named tuple rather than a dataclass: a 20,000-slot inventory builds 20,000 of them.
    """

    kind: str
    address: int
    full: bool
    barcode: str | None
    access: bool
    exception: bool
    asc: int
    ascq: int
    source: int | None
    imported: bool
    medium_type: int
    drive_serial: str | None

    @property
    def vid(self) -> str:
        """CTA's VID: the first 6 characters of the barcode, cut at a space."""
        return (self.barcode or "").split(" ")[0][:6]


@dataclass(frozen=True)
class Inventory:
    """Every element of the library, with barcodes."""

    vendor: str
    product: str
    revision: str
    transports: tuple[Element, ...]
    slots: tuple[Element, ...]
    ports: tuple[Element, ...]
    drives: tuple[Element, ...]

    @property
    def spectra_like(self) -> bool:
        """CTA's rule: for these libraries a drive's ACCESS bit does not mean "unloaded"."""
        return self.vendor == "SPECTRA" or (self.vendor == "IBM" and self.product == "3573-TL")

    @property
    def implements_access_bit(self) -> bool:
        """Whether the library sets ACCESS at all.

        A robot can always reach a storage slot, so a library whose slots, ports and drives all
        report ACCESS=0 does not implement the bit (tgt's emulation); its ACCESS=0 says nothing.
        """
        return any(e.access for e in self.slots + self.ports + self.drives)

    @property
    def drive_access_meaningful(self) -> bool:
        """Whether a drive's ACCESS=0 means "tape still threaded" here (CTA's dismount rule)."""
        return self.implements_access_bit and not self.spectra_like

    def elements(self) -> tuple[Element, ...]:
        """All elements: robots, slots, ports, drives."""
        return self.transports + self.slots + self.ports + self.drives

    def find(self, vid: str) -> Element | None:
        """Return the element holding ``vid`` (6-character VID or full barcode), if any."""
        want = vid.upper()
        return next((e for e in self.elements() if e.full and want in (e.vid, e.barcode)), None)


class Library:
    """A tape library; see the module docstring."""

    def __init__(self, changer: _core.ScsiChanger) -> None:
        self._changer = changer

    @classmethod
    def open(cls, device: StrPath) -> Library:
        """Open the changer at ``/dev/sgN`` (refused if the device is not a changer)."""
        return cls(_core.ScsiChanger.open(os.fspath(device)))

    @classmethod
    def emulated(cls, path: StrPath) -> Library:
        """Use the emulated library in the state file ``path``."""
        return cls(_core.ScsiChanger.emulated(os.fspath(path)))

    @classmethod
    def create_emulated(  # noqa: PLR0913 (keyword-only sizes of the library)
        cls, path: StrPath, *, slots: int, drives: int, ports: int = 1, tapes: int = 0, preset: str = "ts4500"
    ) -> Library:
        """Write a new emulated library state file (``preset`` ts4500 or spectra) and open it."""
        _core.emulated_library_create(os.fspath(path), slots, drives, ports, tapes, preset)
        return cls.emulated(path)

    @classmethod
    def from_config(cls, config: Config) -> Library:
        """Open the changer the config names: ``tools.ctaops-smc.library_state`` or ``.device``.

        A relative ``library_state`` is relative to the config file (``ctaops sim init`` writes
        an absolute one). Raises :class:`ctaops.errors.InvalidArgumentError` if neither is set.
        """
        section = config.get_path(f"tools.{CONFIG_SECTION}") or {}
        state = section.get("library_state")
        if state:
            base = os.path.dirname(config.source) if config.source else ""
            return cls.emulated(os.path.join(base, os.fspath(state)))
        device = section.get("device")
        if device:
            return cls.open(device)
        raise InvalidArgumentError(
            f"no changer configured: set tools.{CONFIG_SECTION}.device (or .library_state) "
            f"in {config.source or 'the config'}"
        )

    def serial(self) -> str:
        """Return the library's unit serial number (INQUIRY VPD 0x80)."""
        return self._changer.serial()

    @property
    def is_emulated(self) -> bool:
        """Whether this is an emulated library (a state file) rather than a device."""
        return self._changer.is_emulated

    def inventory(self) -> Inventory:
        """READ ELEMENT STATUS of every element (paged), with barcodes and drive serials."""
        vendor, product, revision, rows = self._changer.inventory()
        by_kind: dict[str, list[Element]] = {"transport": [], "slot": [], "port": [], "drive": []}
        make = Element._make
        for row in rows:
            by_kind[row[0]].append(make(row))
        return Inventory(
            vendor=vendor,
            product=product,
            revision=revision,
            transports=tuple(by_kind["transport"]),
            slots=tuple(by_kind["slot"]),
            ports=tuple(by_kind["port"]),
            drives=tuple(by_kind["drive"]),
        )

    def locate(self, vid: str) -> Element | None:
        """Where ``vid`` is, or None."""
        return self.inventory().find(vid)

    def _drive_element(self, inv: Inventory, drive: int) -> Element:
        if not 0 <= drive < len(inv.drives):
            raise InvalidArgumentError(f"invalid drive ordinal {drive}: the library has {len(inv.drives)} drives")
        return inv.drives[drive]

    def drive(self, drive: int) -> Drive:
        """Return the drive with this ordinal (emulated libraries; real drives: ``Drive.open('/dev/nstN')``)."""
        if not self._changer.is_emulated:
            raise InvalidArgumentError("open real drives with ctaops.drive.Drive.open('/dev/nstN')")
        return Drive((self._changer, self._drive_element(self.inventory(), drive).address))

    def mount(self, vid: str, drive: int) -> Element:
        """Move ``vid`` from its slot into the drive; returns the drive element after the move."""
        inv = self.inventory()
        target = self._drive_element(inv, drive)
        here = inv.find(vid)
        if here is None:
            raise VolumeNotFoundError(f"volume {vid} not found in the library")
        if here.kind != "slot":
            raise VolumeInUseError(f"volume {vid} is in use ({here.kind} {here.address})")
        self._changer.move_medium(here.address, target.address)
        return self._drive_element(self.inventory(), drive)

    def unmount(self, drive: int, *, unload: bool = True, drive_device: StrPath | None = None) -> int:
        """Move the drive's cartridge back to its home slot (or the first free one); returns the slot.

        With ``unload`` the drive is unloaded first: directly for an emulated library, through
        ``drive_device`` (``/dev/nstN``) for a real one. Without it a threaded tape is refused.
        """
        inv = self.inventory()
        d = self._drive_element(inv, drive)
        if not d.full:
            raise InvalidArgumentError(f"drive {drive} is empty")
        # ACCESS=0 may mean "threaded"; where the library never sets ACCESS, unload when we can
        # and otherwise let the library's own answer to MOVE MEDIUM decide.
        if not d.access and not inv.spectra_like and unload:
            if self._changer.is_emulated:
                self._changer.emulated_drive_load(d.address, False)
            elif drive_device is not None:
                Drive.open(drive_device).unload()
            elif inv.implements_access_bit:
                raise DriveLoadedError(f"drive {drive} has the tape loaded; give drive_device to unload it")
            inv = self.inventory()
        homes = {e.source for e in inv.drives if e.full and e.source is not None and e.address != d.address}
        home = next((s for s in inv.slots if s.address == d.source and not s.full), None)
        free = home or next((s for s in inv.slots if not s.full and not s.exception and s.address not in homes), None)
        if free is None:
            raise NoFreeElementError("no free slot to put the cartridge back")
        self._changer.move_medium(d.address, free.address)
        return free.address

    def export(self, vid: str) -> int:
        """Move ``vid`` from its slot to the first free I/O station element; returns that element."""
        inv = self.inventory()
        here = inv.find(vid)
        if here is None:
            raise VolumeNotFoundError(f"volume {vid} not found in the library")
        if here.kind != "slot":
            raise VolumeInUseError(f"volume {vid} is in use ({here.kind} {here.address})")
        any_access = inv.implements_access_bit
        port = next((p for p in inv.ports if not p.full and (p.access or not any_access)), None)
        if port is None:
            raise NoFreeElementError("no free I/O station element: empty the I/O station")
        self._changer.move_medium(here.address, port.address)
        return port.address

    def import_(self, vid: str | None = None) -> list[tuple[str, int]]:
        """Move operator-inserted cartridges (or just ``vid``) into free slots; returns (vid, slot)."""
        inv = self.inventory()
        ports = [p for p in inv.ports if p.full and (p.vid == vid.upper() if vid else p.imported)]
        if vid and not ports:
            raise VolumeNotFoundError(f"volume {vid} is not in the I/O station")
        homes = {e.source for e in inv.drives if e.full and e.source is not None}
        taken: set[int] = set()
        moved = []
        for p in ports:
            slot = next(
                (
                    s
                    for s in inv.slots
                    if not s.full and not s.exception and s.address not in homes and s.address not in taken
                ),
                None,
            )
            if slot is None:
                raise NoFreeElementError("no free slot for the imported cartridge")
            self._changer.move_medium(p.address, slot.address)
            taken.add(slot.address)
            moved.append((p.vid, slot.address))
        return moved

    def operator_insert(self, barcode: str, port: int | None = None) -> None:
        """Emulated libraries only: an operator puts ``barcode`` into an I/O station element."""
        if port is None:
            free = next((p for p in self.inventory().ports if not p.full), None)
            if free is None:
                raise NoFreeElementError("the I/O station is full")
            port = free.address
        self._changer.emulated_operator_insert(port, barcode)


__all__ = ["CONFIG_SECTION", "Element", "Inventory", "Library"]
