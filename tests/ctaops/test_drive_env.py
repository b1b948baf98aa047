"""cta-ops-drive-environmentals against the simulator's emulated drives and a fake sysfs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctaops import drive_env
from tests.ctaops.drivetools import SimLibrary, one_error_line, sim_library, tool
from tests.ctaops.test_drive import _fake_device

PROG = "cta-ops-drive-environmentals"


@pytest.fixture
def sim(ctaops_native: str, tmp_path: Path) -> SimLibrary:
    return sim_library(ctaops_native, tmp_path)


def test_json_lines_and_prometheus(sim: SimLibrary, tmp_path: Path) -> None:
    sim.fault("--drive", "258", "--temperature", "47", "--humidity", "63")
    out = tmp_path / "env.json"
    prom = tmp_path / "env.prom"
    r = tool(PROG, "-C", sim.config, "--output-file", out, "--prometheus", prom)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["drive_device"], x["serial"], x["temperature_c"], x["humidity_pct"]) for x in recs] == [
        ("/dev/nst0", "1000000001", 32, 40),
        ("/dev/nst1", "1000000002", 47, 63),
    ]
    assert {x["product"] for x in recs} == {"ULT3580-TD9"}
    assert all(x["timestamp"].endswith("Z") and x["hostname"] for x in recs)
    text = prom.read_text()
    assert (
        'ctaops_drive_environmentals_temperature_celsius{drive_device="/dev/nst1",serial="1000000002",'
        'product="ULT3580-TD9"} 47' in text
    )
    assert (
        'ctaops_drive_environmentals_humidity_ratio{drive_device="/dev/nst0",serial="1000000001",'
        'product="ULT3580-TD9"} 0.4' in text
    )
    assert "ctaops_drive_environmentals_read_errors 0" in text
    assert "ctaops_drive_environmentals_drives 2" in text
    assert "ctaops_drive_environmentals_last_run_success 1" in text
    # A second run appends (the file is a log for the monitoring shipper).
    r = tool(PROG, "-C", sim.config, "--output-file", out)
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) == 4


def test_blacklist_and_output_file_from_config(sim: SimLibrary, tmp_path: Path) -> None:
    out = tmp_path / "from-config.json"
    cfg = sim.derived(
        "env.yaml",
        {"tools": {"cta-ops-drive-environmentals": {"model_blacklist": ["ULT3580-TD9"], "output_file": str(out)}}},
    )
    r = tool(PROG, "-C", cfg)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == ""
    r = tool(PROG, "-C", cfg, "--output-file", "-")
    assert (r.returncode, r.stdout) == (0, "")


def test_a_failing_drive_is_reported_and_the_others_written(sim: SimLibrary, tmp_path: Path) -> None:
    sim.fault("--drive", "257", "--sense", "4/44/00")
    r = tool(PROG, "-C", sim.config, "--output-file", "-")
    assert r.returncode == 1
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert "Internal target failure" in recs[0]["error"]
    # The failed run still leaves its textfile in global.metrics.textfile_dir, marked failed.
    prom = (sim.dir / "metrics" / "ctaops_drive_environmentals.prom").read_text()
    assert "ctaops_drive_environmentals_last_run_success 0" in prom
    assert "ctaops_drive_environmentals_read_errors 1" in prom
    assert recs[1]["temperature_c"] == 32
    assert "/dev/nst0" in r.stderr
    assert "Traceback" not in r.stderr


def test_fake_sysfs_drives_without_access(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    _fake_device(sysfs, "sg4", "6:0:1:0", 1, "ULT3580-TD9", "1078000012", ["st0", "nst0"])
    _fake_device(sysfs, "sg5", "6:0:2:0", 1, "ULT3580-TD8", "1078000013", ["st1", "nst1"])
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"global:\n  table_format: plain\n  logging: {{log_dir: {tmp_path / 'logs'}}}\n")
    r = tool(PROG, "-C", cfg, "--sysfs", sysfs, "--output-file", "-")
    # The TD8 is blacklisted by default; the TD9's /dev/sg4 does not exist here.
    assert r.returncode == 1
    (rec,) = [json.loads(x) for x in r.stdout.splitlines()]
    assert (rec["drive_device"], rec["serial"], rec["temperature_c"]) == ("/dev/nst0", "1078000012", None)
    assert "sg4" in rec["error"]
    r = tool(PROG, "-C", cfg, "--sysfs", tmp_path / "empty")
    assert r.returncode == 1
    assert "no tape drives" in one_error_line(r.stderr, PROG)


def test_prometheus_escapes_labels() -> None:
    text = drive_env.prometheus(
        [{"drive_device": 'a"b', "serial": "s\\1", "product": "p", "temperature_c": 1, "humidity_pct": None}]
    )
    assert 'drive_device="a\\"b",serial="s\\\\1"' in text
    assert "ctaops_drive_environmentals_humidity_ratio{" not in text
