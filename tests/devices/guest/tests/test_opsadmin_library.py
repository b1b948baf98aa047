"""`cta-ops-admin tape location|mount|unmount|export|import` on tgt's TS4500 through the kernel's sg/st.

CTA is a simulator instance (`ctaops sim init`, three drives like the ts4500 layout) whose config
names the real changer (`tools.ctaops-smc.device`) instead of its emulated library, with the
layout's cartridges added to its catalogue. Every answer of the handlers is held against
`mtx status` and `mt status` on the same devices and against the simulator's `cta-admin --json`.

A CTA drive's `devFileName` is the st node on the drive's own tape server. The simulator writes
`/dev/nst<ordinal>`, and this guest's st numbering interleaves the two libraries' drives (ts4500's
drive 1 may be `/dev/nst2`, `/dev/nst1` then being a drive of the other library): exactly the
case where trusting `devFileName` on another host would unload someone else's drive. The handlers
find a drive's st node by the serial the changer reports for it instead, which is checked here
against sysfs. tgt ignores UNLOAD and never sets ACCESS, so the unload itself cannot be told
apart from none; what is shown is that the handler's whole path works against the kernel's
drivers. Table output is not used: the guest's Debian tabulate (0.8.9) is older than the wheel
requires.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import LIBRARIES, Lib, ctaops, mtx_status, restore, run
from ctaops.library import Library
from ctaops.opsadmin.handlers._library import local_device

LOGICAL_LIBRARY = "ctaops_lib1"  # the simulator's only library with --preset small


@dataclass
class Cta:
    """A simulator instance driving the ts4500 layout's changer."""

    dir: Path
    config: Path
    lib: Lib

    def admin(self, *args: str) -> tuple[int, Any, str]:
        """`cta-ops-admin --json ARGS`: exit code, the JSON document (None if none), stderr."""
        res = run("cta-ops-admin", "-C", str(self.config), "--json", *args, timeout=180)
        return res.returncode, json.loads(res.stdout) if res.stdout.strip() else None, res.stderr

    def cta_admin(self, *args: str) -> Any:
        res = run(str(self.dir / "bin" / "cta-admin"), "--json", *args, check=True)
        return json.loads(res.stdout)

    def tape(self, vid: str) -> dict[str, Any]:
        (record,) = self.cta_admin("tape", "ls", "--vid", vid)
        return record

    def drives(self) -> dict[str, dict[str, Any]]:
        return {d["driveName"]: d for d in self.cta_admin("dr", "ls")}

    def drive_name(self, ordinal: int) -> str:
        """CTA's name of the library drive `ordinal` (rawLibrarySlot: the ordinal or the element address)."""
        element = self.lib.drives[ordinal].element
        (name,) = [n for n, d in self.drives().items() if d["rawLibrarySlot"] in (f"smc{ordinal}", f"smc{element}")]
        return name


def _storage_number(lib: Lib, address: int) -> int:
    """mtx's storage element number of a slot or I/O station address (slots first, from 1)."""
    if lib.first("slots") <= address < lib.first("slots") + lib.count("slots"):
        return address - lib.first("slots") + 1
    return lib.count("slots") + address - lib.first("ports") + 1


def send_home(lib: Lib) -> None:
    """Drives emptied, then every cartridge of the layout back in its own slot or port, with mtx."""
    restore(lib)
    homes = {b: lib.first("slots") + i for i, b in enumerate(lib.slot_cartridges)}
    homes.update({b: lib.first("ports") + i for i, b in enumerate(lib.port_cartridges)})
    status = mtx_status(lib.changer)
    at = {e.barcode: e.address for e in status.slots + status.ports if e.full}
    for barcode, home in homes.items():
        if barcode in at and at[barcode] != home:
            src, dst = _storage_number(lib, at[barcode]), _storage_number(lib, home)
            run("mtx", "-f", lib.changer, "transfer", str(src), str(dst), timeout=60, check=True)


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Cta:
    lib = next(x for x in LIBRARIES if x.name == "ts4500")
    inst = tmp_path_factory.mktemp("cta") / "sim"
    res = ctaops("sim", "init", str(inst), "--drives", str(len(lib.drives)), "--tapes", "5")
    assert res.returncode == 0, res.stderr
    config = inst / "cta-ops-config.yaml"
    text, n = re.subn(r"(?m)^(\s+)library_state: .*$", rf'\1device: "{lib.changer}"', config.read_text())
    assert n == 1, text
    config.write_text(text)
    cta = Cta(inst, config, lib)
    for barcode in lib.slot_cartridges:
        cta.cta_admin(
            "tape", "add", "--vid", barcode[:6], "--mediatype", "LTO9", "--vendor", "IBM",
            "--logicallibrary", LOGICAL_LIBRARY, "--tapepool", "supply", "--full", "false",
        )  # fmt: skip
    return cta


@pytest.fixture
def cta(instance: Cta, ts4500: Lib) -> Iterator[Cta]:
    """The instance, the library put back as the layout made it afterwards (also after a failure)."""
    yield instance
    send_home(ts4500)


def test_location_mount_and_unmount_against_mtx_and_st(cta: Cta) -> None:
    lib = cta.lib
    vid, barcode = lib.slot_cartridges[1][:6], lib.slot_cartridges[1]
    ordinal = 1
    dev = lib.drives[ordinal]
    name = cta.drive_name(ordinal)
    before = mtx_status(lib.changer)
    home = next(s.address for s in before.slots if s.barcode == barcode)
    port = next(p for p in before.ports if p.barcode == lib.port_cartridges[0])

    # A cartridge CTA does not know still gets its row, from the I/O station, and exit 1.
    rc, rows, err = cta.admin("tape", "location", vid, port.barcode[:6])
    assert rc == 1, err
    assert f"{port.barcode[:6]} not in the catalogue" in err
    mine, other = rows
    assert (mine["element"], mine["address"], mine["state"]) == ("slot", home, "ACTIVE")
    assert mine["logicalLibrary"] == LOGICAL_LIBRARY
    assert (other["element"], other["address"], other["in_catalogue"]) == ("I/O station", port.address, False)

    rc, done, err = cta.admin("--dry-run", "tape", "mount", vid, "--drive", name)
    assert rc == 0, err
    assert done["dry_run"]
    assert err.count("would: ") == 2  # put down, mount
    assert mtx_status(lib.changer) == before
    assert cta.drives()[name]["desiredDriveState"] == "UP"

    rc, done, err = cta.admin("tape", "mount", vid, "--drive", name, "--reason", "kernel test")
    assert rc == 0, err
    assert (done["ordinal"], done["address"], done["put_down"], done["dry_run"]) == (ordinal, dev.element, True, False)
    drive = mtx_status(lib.changer).drives[ordinal]
    assert (drive.address, drive.full, drive.barcode, drive.source) == (dev.element, True, barcode, home)
    assert "ONLINE" in run("mt", "-f", dev.nst, "status").stdout  # the drive the kernel knows has it
    down = cta.drives()[name]
    assert down["desiredDriveState"] == "DOWN"
    assert down["reason"].startswith(f"cta-ops-admin tape mount {vid} by ")
    assert down["reason"].endswith(": kernel test")

    # Refused, nothing moved: the drive's element is full (as the changer reports it).
    other_vid = lib.slot_cartridges[2][:6]
    rc, _, err = cta.admin("tape", "mount", other_vid, "--drive", name)
    assert rc == 1
    assert "already holds" in err
    assert len(err.strip().splitlines()) == 1

    rc, rows, err = cta.admin("tape", "location", vid)
    assert rc == 0, err
    assert rows[0]["element"] == "drive"
    assert (rows[0]["address"], rows[0]["drive_ordinal"], rows[0]["drive_names"]) == (dev.element, ordinal, [name])

    rc, done, err = cta.admin("tape", "unmount", vid, "--up")
    assert rc == 0, err
    assert (done["slot"], done["drives"], done["up"], done["statistics_update_error"]) == (home, [name], name, None)
    assert mtx_status(lib.changer) == before
    up = cta.drives()[name]
    assert up["desiredDriveState"] == "UP"
    assert up["reason"].startswith(f"cta-ops-admin tape unmount {vid} by ")


def test_export_then_import_through_the_io_station(cta: Cta) -> None:
    lib = cta.lib
    vid, barcode = lib.slot_cartridges[4][:6], lib.slot_cartridges[4]
    before = mtx_status(lib.changer)
    free_port = next(p.address for p in before.ports if not p.full)

    rc, rows, err = cta.admin("tape", "export", vid, "--reason", "kernel test")
    assert rc == 0, err
    assert [(r["vid"], r["result"], r["state"], r["element"]) for r in rows] == [
        (vid, "exported", "EXPORTED", free_port)
    ]
    after = mtx_status(lib.changer)
    assert after.by_address()[free_port].barcode == barcode
    assert not any(s.barcode == barcode for s in after.slots)
    assert [p.barcode for p in after.ports if p.address != free_port] == [
        p.barcode for p in before.ports if p.address != free_port
    ]
    record = cta.tape(vid)
    assert record["state"] == "EXPORTED"
    assert record["stateReason"].startswith(f"cta-ops-admin tape export {vid} by ")

    # By VID: tgt cannot flag operator-inserted cartridges (ImpExp), so import-all has nothing to take.
    rc, rows, err = cta.admin("tape", "import", vid)
    assert rc == 0, err
    home = next(s.address for s in before.slots if s.barcode == barcode)
    assert [(r["vid"], r["result"], r["port"], r["slot"], r["state"]) for r in rows] == [
        (vid, "imported", free_port, home, "ACTIVE")  # the first free slot is its own
    ]
    assert mtx_status(lib.changer) == before
    assert cta.tape(vid)["state"] == "ACTIVE"


def test_a_drive_is_found_by_the_changers_serial_not_by_devfilename(cta: Cta) -> None:
    """The st node the handlers unload (and mediacheck or drive test would write) is the one whose
    serial the changer reports for that drive element; tgt truncates the last drive's DVCID serial,
    which must give no device rather than a guess."""
    library = Library.open(cta.lib.changer)
    elements = library.inventory().drives
    for ordinal, drive in enumerate(cta.lib.drives[:-1]):
        assert local_device(library, elements[ordinal]) == drive.nst
    assert local_device(library, elements[-1]) is None
