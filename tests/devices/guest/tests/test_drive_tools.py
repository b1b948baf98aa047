"""Drive tools on the guest's real sysfs and tgt's drives, held against lsscsi and sg_inq.

tgt's SSC emulation implements neither LOG SENSE nor READ ATTRIBUTE: every reading that needs them
must come out as "not supported by this device", never as a number or as "no alerts".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import LIBRARIES, Lib, load, run
from ctaops import drive as ctaops_drive
from ctaops.drive_config import generate, parse_ts4500
from ctaops.library import Library
from ctaops.localdrives import LocalSetup, _sysfs_drives

ALL_DRIVES = [d for lib in LIBRARIES for d in lib.drives]


def sg_inq_serial(dev: str) -> str:
    out = run("sg_inq", "--page=0x80", dev, check=True).stdout
    m = re.search(r"Unit serial number:\s*(\S+)", out)
    assert m, out
    return m.group(1)


def config(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "cta-ops-config.yaml"
    p.write_text(body)
    return p


def test_sysfs_discovery_agrees_with_lsscsi_and_sg_inq() -> None:
    found = {d.sg: d for d in ctaops_drive.tape_drives()}
    lsscsi = run("lsscsi", "-g", check=True).stdout.splitlines()
    tapes = [line.split() for line in lsscsi if " tape " in line]
    assert len(found) == len(tapes) == len(ALL_DRIVES)
    for cols in tapes:
        nst_or_st, sg = cols[-2], cols[-1]
        d = found[sg]
        assert d.nst == nst_or_st.replace("/dev/st", "/dev/nst")
        assert (d.serial or "").strip() == sg_inq_serial(sg)
    changers = [line.split()[-1] for line in lsscsi if "mediumx" in line]
    assert sorted(c.sg for c in ctaops_drive.changers()) == sorted(changers)


def test_drive_status_says_what_the_device_does_not_support(ts4500: Lib) -> None:
    dev = load(ts4500, ts4500.slot_cartridges[5], drive=0)
    st = ctaops_drive.Drive.open(dev.sg).status()
    assert st.serial == dev.serial
    assert st.vendor == "IBM"
    assert st.product.startswith("ULT3580")
    assert st.ready
    assert st.temperature_c is None
    assert st.humidity_pct is None
    assert st.cartridge_memory is None
    assert {"temperature", "humidity", "tapealert", "cartridge_memory"} <= set(st.unsupported)
    empty = ctaops_drive.Drive.open(ts4500.drives[1].sg).status()
    assert not empty.ready
    assert empty.ready_error == "MEDIUM_NOT_PRESENT"


def test_environmentals_report_not_supported_per_drive(tmp_path: Path) -> None:
    cfg = config(tmp_path, "tools:\n  cta-ops-drive-environmentals:\n    model_blacklist: []\n")
    prom = tmp_path / "env.prom"
    res = run("cta-ops-drive-environmentals", "-C", str(cfg), "--output-file", "-", "--prometheus", str(prom))
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert sorted(r["serial"] for r in records) == sorted(d.serial for d in ALL_DRIVES)
    for r in records:
        assert r["temperature_c"] is None
        assert r["humidity_pct"] is None
        assert "not supported by this device" in r["not_supported"]
        assert "error" not in r
    assert "ctaops_drive_environmentals_temperature_celsius{" not in prom.read_text()
    assert "ctaops_drive_environmentals_read_errors 0" in prom.read_text()


def test_environmentals_default_blacklist_skips_td8(tmp_path: Path) -> None:
    res = run("cta-ops-drive-environmentals", "-C", str(config(tmp_path, "{}\n")), "--output-file", "-")
    assert res.returncode == 0, res.stderr
    products = {json.loads(line)["product"] for line in res.stdout.splitlines()}
    assert products == {"ULT3580-TD9"}


def test_tape_alerting_says_tapealert_is_not_supported(tmp_path: Path) -> None:
    res = run("cta-ops-tape-alerting", "-C", str(config(tmp_path, "{}\n")))
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in res.stdout.splitlines()]
    unsupported = [r for r in records if r.get("kind") == "not_supported"]
    assert sorted(r["drive"] for r in unsupported) == sorted(d.nst for d in ALL_DRIVES)
    assert all("not supported by this device" in r["detail"] for r in unsupported)
    assert [r for r in records if r.get("kind") != "not_supported"] == []


def test_drive_config_generate_names_the_drives_of_the_library(ts4500: Lib, tmp_path: Path) -> None:
    """DVCID serials of READ ELEMENT STATUS matched to the real sysfs drives; tgt cuts the last 8
    bytes off every element status report, so the last drive's serial arrives truncated and that
    drive is reported as unknown rather than guessed."""
    export = {
        "library": {"name": "IBMLIB1"},
        "drives": [{"serialNumber": d.serial, "location": f"F1C{i + 1}R1"} for i, d in enumerate(ts4500.drives)],
    }
    positions = parse_ts4500(json.dumps(export), "IBMLIB1.json")
    mine = tuple(d for d in _sysfs_drives("/sys") if d.serial in {x.serial for x in ts4500.drives[:-1]})
    setup = LocalSetup(library=Library.open(ts4500.changer), changer=ts4500.changer, drives=mine)
    doc = generate(setup, positions, [])
    by_device = {d["DriveDevice"]: d for d in doc["tape_drives"]}
    for i, drive in enumerate(ts4500.drives[:-1]):
        entry = by_device[drive.nst]
        assert entry["DriveControlPath"] == f"smc{drive.ordinal}"
        assert entry["DriveName"] == f"IBMLIB1-LTO9-F1C{i + 1}R1"
        assert entry["DriveLogicalLibrary"] == "IBMLIB1-LTO9"


def test_drive_config_generate_cli_on_a_host_with_two_libraries(ts4500: Lib, tmp_path: Path) -> None:
    """This guest sees both libraries' drives: the ones not in the configured changer are named."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "IBMLIB1.json").write_text(
        json.dumps([{"serialNumber": d.serial, "location": f"F1C{i + 1}R1"} for i, d in enumerate(ts4500.drives)])
    )
    cfg = config(
        tmp_path,
        f"tools:\n  ctaops-smc:\n    device: {ts4500.changer}\n"
        f"  cta-ops-drive-config-generate:\n    library_config_dir: {exports}\n",
    )
    res = run("cta-ops-drive-config-generate", "-C", str(cfg))
    assert res.returncode == 2, res
    assert res.stdout.strip() == "{}"
    assert "not in the changer's drive list" in res.stderr
    assert len([line for line in res.stderr.splitlines() if line.strip()]) == 1


@pytest.mark.parametrize("tool", ["cta-ops-drive-environmentals", "cta-ops-tape-alerting"])
def test_tools_on_an_empty_sysfs_fail_cleanly(tool: str, tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    res = run(tool, "-C", str(config(tmp_path, "{}\n")), "--sysfs", str(tmp_path), "--output-file", "-")
    assert res.returncode == 1
    assert "no tape drives found" in res.stderr
    assert "Traceback" not in res.stderr
