"""ctaops.library against emulated libraries (the same state files `ctaops smc` and the simulator use)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ctaops import errors
from ctaops.library import Library
from ctaops.utils.config import load_config


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "lib.json"


@pytest.fixture
def lib(state: Path) -> Library:
    return Library.create_emulated(state, slots=20, drives=2, ports=2, tapes=5)


def test_inventory(lib: Library) -> None:
    inv = lib.inventory()
    assert (inv.vendor, inv.product) == ("IBM", "03584L32")
    assert (len(inv.transports), len(inv.slots), len(inv.ports), len(inv.drives)) == (1, 20, 2, 2)
    assert [s.barcode for s in inv.slots[:6]] == ["V00001L9", "V00002L9", "V00003L9", "V00004L9", "V00005L9", None]
    assert inv.slots[0].address == 0x400
    assert [d.drive_serial for d in inv.drives] == ["1000000001", "1000000002"]
    assert not inv.spectra_like
    found = lib.locate("v00003")
    assert found is not None
    assert (found.kind, found.address, found.vid) == ("slot", 0x402, "V00003")
    assert lib.locate("NOPE01") is None


def test_mount_status_unmount(lib: Library, state: Path, ctaops_native: str) -> None:
    d = lib.mount("V00002", 1)
    assert (d.full, d.barcode, d.access, d.source) == (True, "V00002L9", False, 0x401)
    # Shared state: the CLI sees what the Python API did.
    out = subprocess.run(
        [ctaops_native, "smc", "--library-state", str(state), "-q", "D", "-D", "1", "--json"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert out == '[{"driveOrdinal":1,"elementAddress":258,"status":"loaded","vid":"V00002"}]'
    st = lib.drive(1).status()
    assert st.ready
    assert st.ready_error is None
    assert (st.product, st.serial, st.block, st.file) == ("ULT3580-TD9", "1000000002", 0, 0)
    assert st.cartridge_memory is not None
    assert (st.cartridge_memory.barcode, st.cartridge_memory.load_count) == ("V00002L9", 1)
    with pytest.raises(errors.DriveLoadedError):
        lib.unmount(1, unload=False)
    assert lib.unmount(1) == 0x401
    assert lib.locate("V00002") == lib.inventory().slots[1]
    assert not lib.drive(1).status().ready


def test_mount_refusals(lib: Library) -> None:
    with pytest.raises(errors.VolumeNotFoundError):
        lib.mount("NOPE01", 0)
    with pytest.raises(errors.InvalidArgumentError):
        lib.mount("V00001", 5)
    lib.mount("V00001", 0)
    with pytest.raises(errors.VolumeInUseError):
        lib.mount("V00001", 1)
    with pytest.raises(errors.ElementFullError, match="is full"):
        lib.mount("V00003", 0)
    with pytest.raises(errors.ElementEmptyError):
        lib._changer.move_medium(0x410, 0x411)


def test_export_import(lib: Library) -> None:
    assert lib.export("V00004") == 0x300
    inv = lib.inventory()
    assert (inv.ports[0].barcode, inv.ports[0].imported) == ("V00004L9", False)
    assert lib.import_() == []
    lib.operator_insert("NEW001L9")
    assert lib.inventory().ports[1].imported
    assert lib.import_() == [("NEW001", 0x403)]
    assert lib.import_("V00004") == [("V00004", 0x405)]
    with pytest.raises(errors.VolumeNotFoundError):
        lib.import_("GONE01")


def test_spectra_preset(state: Path) -> None:
    lib = Library.create_emulated(state, slots=4, drives=1, tapes=1, preset="spectra")
    inv = lib.inventory()
    assert inv.spectra_like
    assert (inv.slots[0].address, inv.drives[0].address, inv.ports[0].address) == (0x1000, 0x100, 0x10)


def test_bad_devices_and_state(tmp_path: Path) -> None:
    with pytest.raises(errors.DeviceNotFoundError):
        Library.open(tmp_path / "sg9")
    with pytest.raises(errors.NotSgDeviceError, match="not a character device"):
        Library.open(__file__)
    with pytest.raises(errors.NotSgDeviceError):
        Library.open("/dev/null")
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(errors.LibraryStateError):
        Library.emulated(bad)
    with pytest.raises(errors.InvalidArgumentError):
        Library.create_emulated(tmp_path / "x.json", slots=2, drives=1, tapes=3)
    with pytest.raises(errors.InvalidArgumentError):
        Library.create_emulated(tmp_path / "x.json", slots=2, drives=1, preset="unknown")


def test_from_config(tmp_path: Path) -> None:
    Library.create_emulated(tmp_path / "lib.json", slots=4, drives=1, tapes=1)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("tools:\n  ctaops-smc:\n    library_state: lib.json\n")
    lib = Library.from_config(load_config(cfg))
    assert lib.is_emulated
    assert lib.inventory().slots[0].barcode == "V00001L9"
    assert lib.serial()
    cfg.write_text("global:\n  table_format: plain\n")
    with pytest.raises(errors.InvalidArgumentError, match=r"tools\.ctaops-smc\.device"):
        Library.from_config(load_config(cfg))
    cfg.write_text("tools:\n  ctaops-smc:\n    device: /dev/null\n")
    with pytest.raises(errors.NotSgDeviceError):
        Library.from_config(load_config(cfg))
