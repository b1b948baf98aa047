"""ctaops.drive: TapeAlert table, drive status on emulated drives, sysfs discovery."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ctaops import drive, errors
from ctaops.library import Library


def test_tapealert_table() -> None:
    assert len(drive.TAPEALERT_FLAGS) == 64
    assert [f.code for f in drive.TAPEALERT_FLAGS] == list(range(1, 65))
    clean = drive.TAPEALERT_FLAGS[0x14 - 1]
    assert (clean.name, clean.severity, clean.subject) == ("Cleaning required", "critical", "cleaning")
    assert {f.severity for f in drive.TAPEALERT_FLAGS} == {"information", "warning", "critical"}


def test_status_with_faults_injected_by_the_cli(tmp_path: Path, ctaops_native: str) -> None:
    state = tmp_path / "lib.json"
    lib = Library.create_emulated(state, slots=4, drives=1, tapes=1)
    st = lib.drive(0).status()
    assert (st.ready, st.ready_error, st.cartridge_memory) == (False, "MEDIUM_NOT_PRESENT", None)
    assert (st.temperature_c, st.humidity_pct, st.tapealert) == (32, 40, ())
    fault = [ctaops_native, "smc", "emulated", "fault", str(state), "--drive", "257"]
    subprocess.run([*fault, "--tapealert", "36", "--temperature", "55", "--humidity", "71"], check=True)
    subprocess.run(
        [ctaops_native, "smc", "emulated", "fault", str(state), "--drive", "257", "--tapealert", "4"],
        check=True,
    )
    st = lib.drive(0).status()
    assert [f.code for f in st.tapealert] == [4, 36]
    assert (st.temperature_c, st.humidity_pct) == (55, 71)
    assert st.tapealert[0].name == "Media"
    subprocess.run(
        [ctaops_native, "smc", "emulated", "fault", str(state), "--drive", "257", "--sense", "4/44/00"],
        check=True,
    )
    with pytest.raises(errors.HardwareError, match="Internal target failure"):
        lib.drive(0).status()
    lib.mount("V00001", 0)
    d = lib.drive(0)
    d.unload()
    assert lib.drive(0).status().ready_error == "NOT_READY"
    d.load()
    assert lib.drive(0).status().ready


def test_drive_open_refuses_non_sg(tmp_path: Path) -> None:
    with pytest.raises(errors.NotSgDeviceError):
        drive.Drive.open("/dev/null")
    with pytest.raises(errors.DeviceNotFoundError):
        drive.Drive.open(tmp_path / "nst0")


def _fake_device(  # noqa: PLR0917 (one sysfs entry's attributes)
    root: Path, sg: str, hctl: str, dev_type: int, model: str, serial: str | None, nst: list[str]
) -> None:
    dev = root / "devices" / hctl
    dev.mkdir(parents=True)
    (dev / "type").write_text(f"{dev_type}\n")
    (dev / "vendor").write_text("IBM     \n")
    (dev / "model").write_text(f"{model}\n")
    (dev / "rev").write_text("Q3B4\n")
    if serial is not None:
        (dev / "vpd_pg80").write_bytes(bytes([dev_type, 0x80, 0, len(serial)]) + serial.encode())
    for n in nst:
        (dev / "scsi_tape" / n).mkdir(parents=True)
    cls = root / "class" / "scsi_generic" / sg
    cls.mkdir(parents=True)
    os.symlink(dev, cls / "device")


def test_discovery_on_a_fake_sysfs(tmp_path: Path) -> None:
    _fake_device(tmp_path, "sg4", "6:0:1:0", 1, "ULT3580-TD9", "1078000012", ["st0", "nst0", "nst0a"])
    _fake_device(tmp_path, "sg5", "6:0:2:0", 1, "ULT3580-TD9", "1078000013", ["st1", "nst1"])
    _fake_device(tmp_path, "sg3", "6:0:0:1", 8, "03584L32", "0000078A0001", [])
    devs = drive.discover(tmp_path)
    assert [d.sg for d in devs] == ["/dev/sg3", "/dev/sg4", "/dev/sg5"]
    (changer,) = drive.changers(tmp_path)
    assert (changer.sg, changer.hctl, changer.model, changer.is_changer) == ("/dev/sg3", "6:0:0:1", "03584L32", True)
    assert [(d.nst, d.serial) for d in drive.tape_drives(tmp_path)] == [
        ("/dev/nst0", "1078000012"),
        ("/dev/nst1", "1078000013"),
    ]
    found = drive.drive_by_serial("1078000013", tmp_path)
    assert found is not None
    assert found.sg == "/dev/sg5"
    assert drive.drive_by_serial("nope", tmp_path) is None
    assert drive.discover(tmp_path / "missing") == []
