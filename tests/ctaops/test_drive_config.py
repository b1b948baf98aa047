"""cta-ops-drive-config-generate against the simulator's library and TS4500 / Spectra exports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ctaops import drive_config
from ctaops._toolcli import ToolExit
from tests.ctaops.drivetools import SimLibrary, one_error_line, sim_library, tool

PROG = "cta-ops-drive-config-generate"


@pytest.fixture
def sim(ctaops_native: str, tmp_path: Path) -> SimLibrary:
    return sim_library(ctaops_native, tmp_path)


def _ts4500_export(directory: Path, name: str = "IBMLIB1") -> Path:
    directory.mkdir(exist_ok=True)
    doc = {
        "library": {"name": name, "serialNumber": "0000078AA8070401"},
        "drives": [
            {"serialNumber": "1000000001", "location": "drive_F14C2R1", "type": "3588 F9C"},
            {"serialNumber": "1000000002", "location": "F3C4R2", "type": "3588 F9C"},
            {"serialNumber": "9999999999", "location": "F1C1R1", "type": "3588 F9C"},
        ],
    }
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def _with(sim: SimLibrary, exports: Path, tape: dict[str, object] | None = None) -> Path:
    """The instance's config reading the library exports in ``exports`` (and ``global.tape`` changes)."""
    changes: dict[str, object] = {"tools": {"cta-ops-drive-config-generate": {"library_config_dir": str(exports)}}}
    if tape:
        changes["global"] = {"tape": tape}
    return sim.derived("drive-config.yaml", changes)


def test_ts4500_naming_against_the_simulator(sim: SimLibrary, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _ts4500_export(exports)
    cfg = _with(sim, exports)
    r = tool(PROG, "-C", cfg, "-v")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "tape_drives": [
            {
                "DriveLogicalLibrary": "IBMLIB1-LTO9",
                "DriveName": "IBMLIB1-LTO9-F14C2R1",
                "DriveDevice": "/dev/nst0",
                "DriveControlPath": "smc0",
            },
            {
                "DriveLogicalLibrary": "IBMLIB1-LTO9",
                "DriveName": "IBMLIB1-LTO9-F3C4R2",
                "DriveDevice": "/dev/nst1",
                "DriveControlPath": "smc1",
            },
        ]
    }
    # The documented steps are logged on stderr, data stays on stdout.
    assert "get_library_type: IBM-03584L32-" in r.stderr
    assert "get_scsi_media_changer:" in r.stderr


def test_legacy_mapping_model_table_and_output_file(sim: SimLibrary, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _ts4500_export(exports)
    # global.tape: tape_drive_types maps the product; drive_to_lib_map translates the library.
    tape: dict[str, object] = {
        "tape_drive_types": [{"name": "ULT3580-TD9", "mode": "LTO9X"}],
        "drive_to_lib_map": {"separator": "-", "IBMLIB1-LTO9X": "IBM1L9"},
    }
    cfg = _with(sim, exports, tape)
    out = tmp_path / "facts.json"
    r = tool(PROG, "-C", cfg, "--use-legacy-mapping", "--output-file", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    drives = json.loads(out.read_text())["tape_drives"]
    assert [(d["DriveLogicalLibrary"], d["DriveName"]) for d in drives] == [
        ("IBM1L9", "IBMLIB1-LTO9X-F14C2R1"),
        ("IBM1L9", "IBMLIB1-LTO9X-F3C4R2"),
    ]
    # Without a mapping entry for the computed library: exit 1, one line.
    cfg = _with(sim, exports, {**tape, "drive_to_lib_map": {"separator": "-", "OTHER-LTO9X": "X"}})
    r = tool(PROG, "-C", cfg, "--use-legacy-mapping")
    assert r.returncode == 1
    assert "drive_to_lib_map" in one_error_line(r.stderr, PROG)


def test_drive_missing_from_the_export_exits_2_with_empty_object(sim: SimLibrary, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "IBMLIB1.json").write_text(json.dumps([{"sn": "1000000001", "location": "F1C1R1"}]))
    cfg = _with(sim, exports)
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 2
    assert json.loads(r.stdout) == {}
    assert "1000000002" in one_error_line(r.stderr, PROG)


def test_bad_exports_and_missing_directory(sim: SimLibrary, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    cfg = _with(sim, exports)
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 1
    assert "not a directory" in one_error_line(r.stderr, PROG)
    exports.mkdir()
    (exports / "lib.json").write_text("{not json")
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 1
    assert "not JSON" in one_error_line(r.stderr, PROG)
    (exports / "lib.json").write_text(json.dumps({"drives": [{"sn": "1000000001", "location": "somewhere"}]}))
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 1
    assert "F<frame>C<column>R<row>" in one_error_line(r.stderr, PROG)


def test_no_changer_is_one_clean_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"global:\n  table_format: plain\n  logging: {{log_dir: {tmp_path / 'logs'}}}\n")
    r = tool(PROG, "-C", cfg, "--sysfs", tmp_path / "nosys")
    assert r.returncode == 1
    assert "no SCSI media changer" in one_error_line(r.stderr, PROG)


SPECTRA_XML = """<?xml version="1.0"?>
<libraryConfig name="SPECTRALIB2" serialNumber="9110012345">
  <driveList>
    <drive><ID>FR5/DBA3/fLTO-DRV4</ID><serialNumber>HU1000000001</serialNumber></drive>
    <drive><serialNumber>1000000002</serialNumber><frame>12</frame><bay>1</bay><slot>2</slot></drive>
  </driveList>
</libraryConfig>
"""


def test_spectra_export_parsing(tmp_path: Path) -> None:
    f = tmp_path / "x.xml"
    f.write_text(SPECTRA_XML)
    pos = drive_config.parse_spectra(SPECTRA_XML, str(f))
    assert [(p.library, p.serial, p.suffix()) for p in pos] == [
        ("SPECTRALIB2", "HU1000000001", "F05B3S4"),
        ("SPECTRALIB2", "1000000002", "F12B1S2"),
    ]
    assert drive_config.load_positions(tmp_path, "spectra") == pos
    with pytest.raises(ToolExit, match="not XML"):
        drive_config.parse_spectra("<a>", "bad.xml")
    with pytest.raises(ToolExit, match="no serialNumber"):
        drive_config.parse_spectra("<l><drive><ID>FR1/DBA1/DRV1</ID></drive></l>", "bad.xml")


def test_spectra_library_against_the_emulator(ctaops_native: str, tmp_path: Path) -> None:
    """A Spectra emulated library: the drives' DVCID serials are matched by suffix, F05B3S4 naming."""
    state = tmp_path / "lib.json"
    subprocess.run(
        [ctaops_native, "smc", "emulated", "init", str(state), "--preset", "spectra", "--slots", "10", "--drives", "2"],
        check=True,
    )
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "SPECTRALIB2.xml").write_text(SPECTRA_XML)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"global:\n  logging: {{log_dir: {tmp_path / 'logs'}}}\n"
        f"tools:\n  ctaops-smc:\n    library_state: {state}\n"
        f"  cta-ops-drive-config-generate:\n    library_config_dir: {exports}\n"
    )
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 0, r.stderr
    names = [d["DriveName"] for d in json.loads(r.stdout)["tape_drives"]]
    assert names == ["SPECTRALIB2-LTO9-F05B3S4", "SPECTRALIB2-LTO9-F12B1S2"]


def test_library_type_and_models() -> None:
    assert drive_config.library_type("IBM     ", "03584L22") == "ibm"
    assert drive_config.library_type("SPECTRA ", "TFINITY") == "spectra"
    with pytest.raises(ToolExit, match="unsupported library type"):
        drive_config.library_type("STK", "SL8500")
    assert drive_config.drive_model("ULT3580-TD8", []) == "LTO8"
    assert drive_config.drive_model("3592-60F", []) == "TS1160"
    assert drive_config.drive_model("3588-F9C", [("3588-F9C", "LTO9")]) == "LTO9"
    with pytest.raises(ToolExit, match="tape_drive_types"):
        drive_config.drive_model("MYSTERY", [])


def test_busy_changer_exits_3(sim: SimLibrary, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    _ts4500_export(exports)
    cfg = _with(sim, exports)
    sim.fault("--busy", "20")
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 3
    assert "BUSY" in one_error_line(r.stderr, PROG)
    assert r.stdout == ""
