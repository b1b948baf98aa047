"""`ctaops smc` and `ctaops.library` on tgt's changers through the kernel's sg driver, held against mtx.

Regression tests for issue 15: `-q D` listed one drive of two, `-m` failed with "element status
data: response too short" (tgt reports 8 bytes less than it sends, and iSCSI's residual is bogus).
"""

from __future__ import annotations

import json
import time

import pytest

from conftest import Lib, ctaops, element_ranges, load, mtx_status, run
from ctaops.library import Library


def smc(lib: Lib, *args: str, timeout: float = 120) -> dict | list:
    res = ctaops("smc", "--device", lib.changer, *args, "--json", timeout=timeout)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_query_library_matches_sg_modes(library: Lib) -> None:
    (info,) = smc(library, "-q", "L")
    ranges = element_ranges(library.changer)
    for ours, theirs in (("device", "drive"), ("slot", "slot"), ("port", "port"), ("transport", "transport")):
        assert (info[ours]["start"], info[ours]["count"]) == ranges[theirs]
    assert info["device"] == {"start": library.first("drives"), "count": library.count("drives")}
    assert info["slot"] == {"start": library.first("slots"), "count": library.count("slots")}
    assert info["port"] == {"start": library.first("ports"), "count": library.count("ports")}
    assert info["transport"] == {"start": library.first("transport"), "count": library.count("transport")}
    assert info["inquiry"]["vendor"].strip() == library.raw["vendor"]


def test_every_query_agrees_with_mtx_element_for_element(library: Lib) -> None:
    load(library, library.slot_cartridges[1], drive=len(library.drives) - 1)
    mtx = mtx_status(library.changer)
    drives = smc(library, "-q", "D")
    assert [d["elementAddress"] for d in drives] == [d.address for d in mtx.drives]
    assert len(drives) == len(library.drives)  # was 1 of 2 before the fix
    for ours, theirs in zip(drives, mtx.drives, strict=True):
        assert (ours["status"] != "free") == theirs.full
        assert ours["vid"] == theirs.barcode[:6]
    slots = smc(library, "-q", "S")
    assert [(s["elementAddress"], s["vid"]) for s in slots] == [(s.address, s.barcode[:6]) for s in mtx.slots]
    ports = smc(library, "-q", "P")
    assert [(p["elementAddress"], p["vid"]) for p in ports] == [(p.address, p.barcode[:6]) for p in mtx.ports]
    volumes = smc(library, "-q", "V")
    everything = {e.address: e for e in mtx.drives + mtx.slots + mtx.ports if e.full}
    assert sorted(v["elementAddress"] for v in volumes) == sorted(everything)
    for v in volumes:
        assert v["vid"] == everything[v["elementAddress"]].barcode[:6]


def test_python_inventory_agrees_with_mtx_including_source_slots(library: Lib) -> None:
    cart = library.slot_cartridges[2]
    load(library, cart, drive=0)
    mtx = mtx_status(library.changer).by_address()
    inv = Library.open(library.changer).inventory()
    assert len(inv.drives) == len(library.drives)
    for e in inv.elements():
        if e.kind == "transport":
            continue
        theirs = mtx[e.address]
        assert e.full == theirs.full, e
        assert (e.barcode or "") == theirs.barcode, e
    loaded = next(e for e in inv.drives if e.full)
    assert loaded.barcode == cart
    assert loaded.source == mtx[loaded.address].source


def test_mount_then_dismount_with_unload(library: Lib) -> None:
    vid = library.slot_cartridges[0][:6]
    home = next(s.address for s in mtx_status(library.changer).slots if s.barcode[:6] == vid)
    ordinal = len(library.drives) - 1
    res = ctaops("smc", "--device", library.changer, "-m", "-D", str(ordinal), "-V", vid)
    assert res.returncode == 0, res.stderr
    drive = mtx_status(library.changer).drives[ordinal]
    assert drive.full
    assert drive.barcode[:6] == vid
    assert drive.source == home
    # st sees the cartridge: the load really reached the drive the kernel knows.
    assert "ONLINE" in run("mt", "-f", library.drives[ordinal].nst, "status").stdout
    # The tape server unloads before it asks the library to dismount.
    run("mt", "-f", library.drives[ordinal].nst, "offline", check=True)
    res = ctaops("smc", "--device", library.changer, "-d", "-D", str(ordinal), "-V", vid)
    assert res.returncode == 0, res.stderr
    after = mtx_status(library.changer)
    assert not after.drives[ordinal].full
    assert next(s for s in after.slots if s.address == home).barcode[:6] == vid


def test_dismount_of_a_drive_still_holding_the_tape(ts4500: Lib) -> None:
    """tgt never sets ACCESS, so no ACCESS poll: ctaops unloads through the drive's st node itself
    (Python API) or the library refuses (MEDIUM REMOVAL PREVENTED while st holds it), never a hang."""
    dev = load(ts4500, ts4500.slot_cartridges[3], drive=1)
    lib = Library.open(ts4500.changer)
    started = time.monotonic()
    home = lib.unmount(1, drive_device=dev.nst)
    assert time.monotonic() - started < 60
    assert mtx_status(ts4500.changer).by_address()[home].barcode == ts4500.slot_cartridges[3]


def test_cli_dismount_of_a_drive_that_keeps_its_cartridge(ts4500: Lib) -> None:
    """A drive that keeps its cartridge (PREVENT MEDIUM REMOVAL, here `mt lock`; on a real library a
    threaded tape): tgt refuses the move as a library does, and ctaops exits 1 as cta-smc does
    (RBT_NORETRY for 5/53/02) with one line saying to unload, nothing moved; unlocked, the
    dismount goes through."""
    dev = load(ts4500, ts4500.slot_cartridges[3], drive=2)
    vid = ts4500.slot_cartridges[3][:6]
    run("mt", "-f", dev.nst, "lock", check=True)
    try:
        started = time.monotonic()
        res = ctaops("smc", "--device", ts4500.changer, "-d", "-D", "2", "-V", vid)
        assert time.monotonic() - started < 30
        assert res.returncode == 1, res
        assert len(res.stderr.strip().splitlines()) == 1
        assert "unload" in res.stderr
        assert mtx_status(ts4500.changer).drives[2].full
    finally:
        run("mt", "-f", dev.nst, "unlock", check=True)
    res = ctaops("smc", "--device", ts4500.changer, "-d", "-D", "2", "-V", vid)
    assert res.returncode == 0, res.stderr
    assert not mtx_status(ts4500.changer).drives[2].full


def test_dismount_with_the_wrong_vid_is_refused(ts4500: Lib) -> None:
    load(ts4500, ts4500.slot_cartridges[4], drive=0)
    run("mt", "-f", ts4500.drives[0].nst, "offline", check=True)
    res = ctaops("smc", "--device", ts4500.changer, "-d", "-D", "0", "-V", "XXX999")
    assert res.returncode != 0
    assert "XXX999" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert mtx_status(ts4500.changer).drives[0].full  # nothing moved


def test_mount_of_a_missing_vid_fails_cleanly(library: Lib) -> None:
    res = ctaops("smc", "--device", library.changer, "-m", "-D", "0", "-V", "NOPE00")
    assert res.returncode == 1
    assert "NOPE00" in res.stderr
    assert not mtx_status(library.changer).drives[0].full


def test_export_then_import_by_vid(ts4500: Lib) -> None:
    vid = ts4500.slot_cartridges[5][:6]
    before = mtx_status(ts4500.changer)
    res = ctaops("smc", "--device", ts4500.changer, "-e", "-V", vid)
    assert res.returncode == 0, res.stderr
    after = mtx_status(ts4500.changer)
    port = next(p for p in after.ports if p.barcode[:6] == vid)
    assert port.address == next(p.address for p in before.ports if not p.full)
    assert not any(s.barcode[:6] == vid for s in after.slots)
    res = ctaops("smc", "--device", ts4500.changer, "-i", "-V", vid)
    assert res.returncode == 0, res.stderr
    back = mtx_status(ts4500.changer)
    assert any(s.barcode[:6] == vid for s in back.slots)
    assert not any(p.barcode[:6] == vid for p in back.ports)


def test_dry_run_moves_nothing(ts4500: Lib) -> None:
    before = mtx_status(ts4500.changer)
    res = ctaops("smc", "--device", ts4500.changer, "-m", "-D", "0", "-V", ts4500.slot_cartridges[0][:6], "--dry-run")
    assert res.returncode == 0, res.stderr
    assert mtx_status(ts4500.changer) == before


@pytest.mark.parametrize("args", [["-q", "X"], ["-m", "-D", "9", "-V", "CTA001"], ["-e", "-V", "NOPE00"]])
def test_bad_requests_give_one_line_and_exit_1(ts4500: Lib, args: list[str]) -> None:
    res = ctaops("smc", "--device", ts4500.changer, *args)
    assert res.returncode == 1, res
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "panicked" not in res.stderr


def test_a_tape_drive_is_not_a_changer(ts4500: Lib) -> None:
    res = ctaops("smc", "--device", ts4500.drives[0].sg, "-q", "D")
    assert res.returncode == 1
    assert "changer" in res.stderr.lower()
