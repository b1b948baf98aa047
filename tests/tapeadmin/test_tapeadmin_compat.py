"""`import tapeadmin` keeps working: upstream-style module names over ctaops' library and drive API."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import ctaops.drive
import ctaops.library
import tapeadmin
from ctaops.utils.config import load_config
from tapeadmin import binaries, drive, library, scsi, tapealert

MAPPING = {
    "library": ("ctaops.library", ["Library", "Inventory", "Element"]),
    "drive": ("ctaops.drive", ["Drive", "DriveStatus", "CartridgeMemory"]),
    "scsi": ("ctaops.drive", ["changers", "tape_drives", "drive_by_serial", "discover"]),
    "tapealert": ("ctaops.drive", ["TAPEALERT_FLAGS", "TapeAlertFlag"]),
}


@pytest.mark.parametrize("name", sorted(MAPPING))
def test_modules_re_export_ctaops(name: str) -> None:
    mod = importlib.import_module(f"tapeadmin.{name}")
    source = importlib.import_module(MAPPING[name][0])
    for attr in MAPPING[name][1]:
        assert getattr(mod, attr) is getattr(source, attr), (name, attr)
    assert set(mod.__all__) <= set(dir(mod))
    assert name in tapeadmin.__all__


def test_library_and_drive_work_through_tapeadmin(tmp_path: Path) -> None:
    lib = library.Library.create_emulated(tmp_path / "lib.json", slots=6, drives=1, tapes=2)
    assert isinstance(lib, ctaops.library.Library)
    lib.mount("V00002", 0)
    st = lib.drive(0).status()
    assert isinstance(st, drive.DriveStatus)
    assert st.cartridge_memory is not None
    assert st.cartridge_memory.barcode == "V00002L9"
    assert tapealert.TAPEALERT_FLAGS[19].name == "Cleaning required"
    assert scsi.changers(tmp_path / "no-sysfs") == []


def test_configured_binaries_are_used(tmp_path: Path) -> None:
    fake = tmp_path / "cta-smc"
    fake.write_text('#!/bin/sh\necho site-smc "$@"\n')
    fake.chmod(0o755)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"global:\n  binaries:\n    cta_smc: {fake}\n")
    config = load_config(cfg)
    assert binaries.binary_path("cta_smc", config) == str(fake)
    assert binaries.binary_path("sg_logs", config) == "/usr/bin/sg_logs"
    res = binaries.run_binary("cta_smc", ["-q", "D"], config)
    assert res.stdout == "site-smc -q D\n"
    with pytest.raises(KeyError):
        binaries.binary_path("no_such_binary", config)


def test_import_in_a_fresh_interpreter() -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tapeadmin.library, tapeadmin.drive; print(tapeadmin.library.Library.__module__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert r.stdout.strip() == "ctaops.library"
    assert ctaops.drive.Drive is drive.Drive
