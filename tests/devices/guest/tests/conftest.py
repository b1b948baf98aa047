"""Fixtures of the guest suite: the device map vtl.py wrote, the binaries, mtx/loaderinfo parsers.

Runs inside the QEMU guest only (the host's pytest never collects this directory): the devices are
the kernel's own sg/st nodes for tgt's libraries, and every answer of ours is held against what
mtx, loaderinfo, mt and sg3_utils say about the same device.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

DEVICES_JSON = Path("/run/ctaops-vm/devices.json")
CTAOPS = "/usr/local/bin/ctaops"  # the native binary; /opt/ctaops/bin/ctaops is the wheel's script


def run(*args: str, timeout: float = 120, check: bool = False, **kw: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False, **kw)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def ctaops(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return run(CTAOPS, *args, timeout=timeout)


@dataclass
class MtxElement:
    """One element as mtx sees it, with its address from the element address assignment page."""

    kind: str  # drive, slot, port
    address: int
    full: bool
    barcode: str
    source: int | None = None  # address of the slot a drive's cartridge came from


@dataclass
class MtxStatus:
    drives: list[MtxElement] = field(default_factory=list)
    slots: list[MtxElement] = field(default_factory=list)
    ports: list[MtxElement] = field(default_factory=list)

    def by_address(self) -> dict[int, MtxElement]:
        return {e.address: e for e in self.drives + self.slots + self.ports}


def element_ranges(changer: str) -> dict[str, tuple[int, int]]:
    """(first address, count) per element kind from mode page 0x1D as sg3_utils' sg_modes dumps it.

    mtx's loaderinfo prints only the counts; sg_modes prints the page's bytes, whose layout (four
    big-endian address/count pairs after the 2-byte page header) needs no interpretation of ours.
    """
    out = run("sg_modes", "--page=0x1d", changer, check=True).stdout
    page = bytearray()
    in_page = False
    for line in out.splitlines():
        if line.startswith(">> Element address assignment"):
            in_page = True
            continue
        if in_page:
            cols = line.split()
            if not cols or not re.fullmatch(r"[0-9a-f]{2}", cols[0]):
                break
            page += bytes(int(c, 16) for c in cols[1:])
    assert page[:1] == b"\x1d", out

    def pair(off: int) -> tuple[int, int]:
        return int.from_bytes(page[off : off + 2], "big"), int.from_bytes(page[off + 2 : off + 4], "big")

    return {"transport": pair(2), "slot": pair(6), "port": pair(10), "drive": pair(14)}


_DRIVE = re.compile(
    r"^Data Transfer Element (\d+):(Empty|Full)(?: \(Storage Element (\d+) Loaded\))?"
    r"(?::VolumeTag = (\S+))?"
)
_STORAGE = re.compile(r"^\s*Storage Element (\d+)( IMPORT/EXPORT)?:(Empty|Full)\s*(?::VolumeTag=(\S+))?")


def mtx_status(changer: str) -> MtxStatus:
    """`mtx status`, with mtx's ordinals turned into element addresses.

    mtx numbers drives from 0 and storage elements from 1, slots first then I/O stations, each in
    address order; mode page 0x1D gives the first address of each kind.
    """
    ranges = element_ranges(changer)
    out = run("mtx", "-f", changer, "status", check=True).stdout
    status = MtxStatus()
    storage: list[tuple[int, bool, bool, str]] = []
    for line in out.splitlines():
        if m := _DRIVE.match(line):
            src = int(m.group(3)) if m.group(3) else None
            status.drives.append(
                MtxElement("drive", ranges["drive"][0] + int(m.group(1)), m.group(2) == "Full", m.group(4) or "", src)
            )
        elif m := _STORAGE.match(line):
            storage.append((int(m.group(1)), bool(m.group(2)), m.group(3) == "Full", m.group(4) or ""))
    slots = [s for s in storage if not s[1]]
    ports = [s for s in storage if s[1]]
    ordinal_to_address: dict[int, int] = {}
    for i, (ordinal, _, full, barcode) in enumerate(slots):
        addr = ranges["slot"][0] + i
        ordinal_to_address[ordinal] = addr
        status.slots.append(MtxElement("slot", addr, full, barcode))
    for i, (ordinal, _, full, barcode) in enumerate(ports):
        addr = ranges["port"][0] + i
        ordinal_to_address[ordinal] = addr
        status.ports.append(MtxElement("port", addr, full, barcode))
    for d in status.drives:
        if d.source is not None:
            d.source = ordinal_to_address.get(d.source)
    return status


@dataclass
class DriveDev:
    element: int
    ordinal: int
    nst: str
    sg: str
    serial: str


@dataclass
class Lib:
    name: str
    changer: str
    drives: list[DriveDev]
    slot_cartridges: list[str]
    port_cartridges: list[str]
    raw: dict[str, Any]

    def first(self, kind: str) -> int:
        return int(self.raw[kind][0])

    def count(self, kind: str) -> int:
        return int(self.raw[kind][1])


def _libraries() -> list[Lib]:
    data = json.loads(DEVICES_JSON.read_text())
    return [
        Lib(
            name=lib["name"],
            changer=lib["changer"],
            drives=[DriveDev(d["element"], d["ordinal"], d["nst"], d["sg"], d["serial"]) for d in lib["drive_devices"]],
            slot_cartridges=lib["slot_cartridges"],
            port_cartridges=lib["port_cartridges"],
            raw=lib,
        )
        for lib in data["libraries"]
    ]


LIBRARIES = _libraries() if DEVICES_JSON.exists() else []


@pytest.fixture(params=LIBRARIES, ids=[lib.name for lib in LIBRARIES])
def library(request: pytest.FixtureRequest) -> Iterator[Lib]:
    """Each library in turn, every drive emptied back to its source slot afterwards."""
    lib: Lib = request.param
    yield lib
    restore(lib)


def restore(lib: Lib) -> None:
    """Puts every loaded cartridge back where it came from, with mtx (not our code)."""
    status = mtx_status(lib.changer)
    for d in status.drives:
        if d.full:
            dev = next(x for x in lib.drives if x.element == d.address)
            run("mt", "-f", dev.nst, "offline", timeout=60)
            free = [s.address for s in status.slots if not s.full]
            target = d.source if d.source is not None else free[0]
            slot_ordinal = target - lib.first("slots") + 1
            run(
                "mtx",
                "-f",
                lib.changer,
                "unload",
                str(slot_ordinal),
                str(d.address - lib.first("drives")),
                timeout=60,
                check=True,
            )


@pytest.fixture
def ts4500() -> Iterator[Lib]:
    lib = next(x for x in LIBRARIES if x.name == "ts4500")
    yield lib
    restore(lib)


def load(lib: Lib, barcode: str, drive: int = 0) -> DriveDev:
    """Loads a cartridge with mtx and waits for st to see it online."""
    status = mtx_status(lib.changer)
    slot = next(s for s in status.slots if s.barcode == barcode)
    run(
        "mtx", "-f", lib.changer, "load", str(slot.address - lib.first("slots") + 1), str(drive), check=True, timeout=60
    )
    dev = lib.drives[drive]
    run("mt", "-f", dev.nst, "status", timeout=60)  # first open after a load clears the UNIT ATTENTION
    return dev
