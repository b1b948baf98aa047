"""The tape server's own changer and drives, for the drive tools.

On a tape server they come from sysfs (the first ``/dev/sg*`` of type 8 is the changer, every
type-1 device a drive, with its VPD 0x80 serial and ``/dev/nstN``), unless the config names the
changer (``tools.ctaops-smc.device``). With ``tools.ctaops-smc.library_state`` (what
``ctaops sim init`` writes) they are the simulator's emulated library and its drives; the
simulator's drive with ordinal N is called ``/dev/nstN``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ctaops import drive as _drive
from ctaops.errors import CtaOpsError, DeviceNotFoundError
from ctaops.library import CONFIG_SECTION, Library

if TYPE_CHECKING:
    from ctaops.drive import Drive
    from ctaops.utils.config import Config


@dataclass(frozen=True)
class LocalDrive:
    """A drive attached to this host."""

    device: str
    """``/dev/nstN`` (empty when sysfs shows no st device for it)."""
    sg: str | None
    serial: str
    vendor: str
    product: str
    opener: Callable[[], Drive] = field(compare=False, repr=False)

    def open(self) -> Drive:
        """Open the drive for SCSI commands (SG_IO, or the emulated library)."""
        return self.opener()


@dataclass(frozen=True)
class LocalSetup:
    """The changer and the drives of this host."""

    library: Library
    changer: str
    """What the changer is: ``/dev/sgN`` or the emulated library's state file."""
    drives: tuple[LocalDrive, ...]


def _emulated_drives(lib: Library) -> tuple[LocalDrive, ...]:
    out = []
    for ordinal, element in enumerate(lib.inventory().drives):
        # Identity needs a command; a drive that fails it (an injected fault) keeps that error,
        # raised when the drive is opened, so it is reported like any unreadable drive.
        failed: CtaOpsError | None = None
        vendor = product = serial = ""
        try:
            st = lib.drive(ordinal).status()
            vendor, product, serial = st.vendor, st.product, st.serial
        except CtaOpsError as e:
            failed = e

        def opener(i: int = ordinal, err: CtaOpsError | None = failed) -> Drive:
            if err is not None:
                raise err
            return lib.drive(i)

        out.append(
            LocalDrive(
                device=f"/dev/nst{ordinal}",
                sg=None,
                serial=element.drive_serial or serial,
                vendor=vendor,
                product=product,
                opener=opener,
            )
        )
    return tuple(out)


def _sysfs_drives(sysfs: str) -> tuple[LocalDrive, ...]:
    out = []
    for d in _drive.tape_drives(sysfs):

        def opener(sg: str = d.sg) -> Drive:
            return _drive.Drive.open(sg)

        out.append(
            LocalDrive(
                device=d.nst or "",
                sg=d.sg,
                serial=(d.serial or "").strip(),
                vendor=d.vendor.strip(),
                product=d.model.strip(),
                opener=opener,
            )
        )
    return tuple(out)


def local_drives(config: Config, sysfs: str | os.PathLike[str] = "/sys") -> tuple[LocalDrive, ...]:
    """List this host's drives only (no changer needed): the emulated library's, else sysfs's."""
    section = config.get_path(f"tools.{CONFIG_SECTION}") or {}
    if section.get("library_state"):
        return _emulated_drives(Library.from_config(config))
    return _sysfs_drives(os.fspath(sysfs))


def find_local(config: Config, sysfs: str | os.PathLike[str] = "/sys") -> LocalSetup:
    """Find this host's changer and drives (see the module docstring).

    Raises :class:`ctaops.errors.DeviceNotFoundError` when there is no changer.
    """
    root = os.fspath(sysfs)
    section = config.get_path(f"tools.{CONFIG_SECTION}") or {}
    if section.get("library_state") or section.get("device"):
        lib = Library.from_config(config)
        name = str(section.get("library_state") or section.get("device"))
        drives = _emulated_drives(lib) if lib.is_emulated else _sysfs_drives(root)
        return LocalSetup(library=lib, changer=name, drives=drives)
    changers = _drive.changers(root)
    if not changers:
        raise DeviceNotFoundError(
            f"no SCSI media changer found under {root} (nor tools.{CONFIG_SECTION}.device in the config)"
        )
    return LocalSetup(library=Library.open(changers[0].sg), changer=changers[0].sg, drives=_sysfs_drives(root))


__all__ = ["LocalDrive", "LocalSetup", "find_local", "local_drives"]
