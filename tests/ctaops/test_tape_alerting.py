"""cta-ops-tape-alerting: TapeAlert flags injected on emulated drives, cta-taped logs, bird's-eye view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctaops import tape_alerting
from tests.ctaops.drivetools import SimLibrary, one_error_line, sim_library, tool

PROG = "cta-ops-tape-alerting"


@pytest.fixture
def sim(ctaops_native: str, tmp_path: Path) -> SimLibrary:
    return sim_library(ctaops_native, tmp_path)


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(x) for x in text.splitlines()]


def test_local_tapealert_flags_classified(sim: SimLibrary, tmp_path: Path) -> None:
    assert sim.smc("-m", "-D", "1", "-V", "V00001").returncode == 0
    sim.fault("--drive", "258", "--tapealert", "20")  # cleaning required: critical
    sim.fault("--drive", "258", "--tapealert", "3")  # hard error: warning
    sim.fault("--drive", "257", "--tapealert", "36")  # information-level? see the table
    prom = tmp_path / "alerts.prom"
    r = tool(PROG, "-C", sim.config, "--min-severity", "warning", "--prometheus", prom)
    assert r.returncode == 0, r.stderr
    recs = _lines(r.stdout)
    got = {(x["drive"], x["code"], x["severity"], x["vid"]) for x in recs}
    assert ("/dev/nst1", 20, "critical", "V00001") in got
    assert ("/dev/nst1", 3, "warning", "V00001") in got
    flag36 = tape_alerting.TAPEALERT_FLAGS[35]
    assert (("/dev/nst0", 36, flag36.severity, "") in got) == (flag36.severity != "information")
    assert all(x["source"] == "tapealert" for x in recs)
    text = prom.read_text()
    assert (
        'ctaops_tape_alerting_alerts{drive="/dev/nst1",vid="V00001",name="Cleaning required",severity="critical",'
        'source="tapealert"} 1' in text
    )
    assert 'ctaops_tape_alerting_alerts_by_severity{severity="critical"} 1' in text
    assert "ctaops_tape_alerting_last_run_success 1" in text
    r = tool(PROG, "-C", sim.config, "--min-severity", "critical")
    assert {x["code"] for x in _lines(r.stdout)} == {20}


_L = 'cta-taped: LVL="ERROR" MSG="Tape session finished" '
LOG = "\n".join(
    [
        f'2026-11-25T10:00:00 tpsrv01 {_L}tapeVid="L00001" tapeDrive="DRV1" Error_HardError="2" '
        'Error_CleaningRequired="0"',
        f'2026-11-25T11:00:00 tpsrv01 {_L}tapeVid="L00002" tapeDrive="DRV1" Error_Media="1"',
        '{"epoch_time": 1764064800, "message": "Tape session finished", "tapeVid": "L00003", '
        '"tapeDrive": "DRV1", "Error_HardError": "1"}',
        f'2026-11-25T12:00:00 tpsrv01 {_L}tapeVid="L00009" tapeDrive="DRV2" Error_SomethingNew="4"',
        f'2026-11-25T12:00:00 tpsrv01 {_L}tapeVid="L00009" tapeDrive="DRV3" Error_Media="1"',
        "not a taped line at all",
        "",
    ]
)


def test_log_counters_and_birdseye(tmp_path: Path) -> None:
    log = tmp_path / "cta-taped.log"
    log.write_text(LOG)
    state = tmp_path / "state.json"
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"global:\n  table_format: plain\n  logging: {{log_dir: {tmp_path / 'logs'}}}\n"
        f"  metrics: {{textfile_dir: {tmp_path / 'prom'}}}\n"
    )
    # A wide window: the JSON line's epoch_time (2025) counts as when it happened.
    keep = ("--state", state, "--window-days", "100000")
    r = tool(PROG, "-C", cfg, "--log", log, *keep, "--drive-threshold", "3", "--cartridge-threshold", "2")
    assert r.returncode == 0, r.stderr
    recs = _lines(r.stdout)
    alerts = [x for x in recs if "kind" not in x]
    assert [(x["drive"], x["vid"], x["name"], x["count"], x["severity"]) for x in alerts] == [
        ("DRV1", "L00001", "Hard error", 2, "warning"),
        ("DRV1", "L00002", "Media", 1, "critical"),
        ("DRV1", "L00003", "Hard error", 1, "warning"),
        ("DRV2", "L00009", "SomethingNew", 4, "warning"),
        ("DRV3", "L00009", "Media", 1, "critical"),
    ]
    suspects = [x for x in recs if "kind" in x]
    assert suspects == [
        {**suspects[0], "kind": "suspect_drive", "drive": "DRV1", "cartridges": ["L00001", "L00002", "L00003"]},
        {**suspects[1], "kind": "suspect_cartridge", "vid": "L00009", "drives": ["DRV2", "DRV3"]},
    ]
    assert len(json.loads(state.read_text())["events"]) == 5
    # global.metrics.textfile_dir: the directory is created, the file named after the tool id.
    prom = (tmp_path / "prom" / "ctaops_tape_alerting.prom").read_text()
    assert 'ctaops_tape_alerting_suspects{kind="suspect_drive",id="DRV1"} 1' in prom
    assert 'ctaops_tape_alerting_suspects{kind="suspect_cartridge",id="L00009"} 1' in prom
    assert 'ctaops_tape_alerting_alerts_by_severity{severity="critical"} 2' in prom
    # The state accumulates across runs; events older than the window are dropped.
    r = tool(PROG, "-C", cfg, "--log", log, *keep)
    assert len(json.loads(state.read_text())["events"]) == 10
    doc = json.loads(state.read_text())
    for e in doc["events"]:
        e["time"] = 0
    state.write_text(json.dumps(doc))
    r = tool(PROG, "-C", cfg, "--log", tmp_path / "c.yaml", "--state", state)
    assert r.returncode == 0, r.stderr
    assert (r.stdout, json.loads(state.read_text())["events"]) == ("", [])


def test_mail_through_the_configured_sendmail(tmp_path: Path) -> None:
    log = tmp_path / "taped.log"
    log.write_text(LOG)
    captured = tmp_path / "mail.txt"
    sendmail = tmp_path / "sendmail"
    sendmail.write_text(f"#!/bin/sh\ncat > {captured}\n")
    sendmail.chmod(0o755)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"global:\n  logging: {{log_dir: {tmp_path / 'logs'}}}\n"
        f"  binaries:\n    sendmail: {sendmail}\n  email:\n    recipients: [ops@example.org]\n"
        "    sender: cta@example.org\n"
    )
    r = tool(PROG, "-C", cfg, "--log", log, "--mail", "--min-severity", "critical")
    assert r.returncode == 0, r.stderr
    mail = captured.read_text()
    assert "To: ops@example.org" in mail
    assert "2 alert(s)" in mail
    assert "L00002" in mail


def test_bad_inputs(tmp_path: Path, sim: SimLibrary) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"global:\n  table_format: plain\n  logging: {{log_dir: {tmp_path / 'logs'}}}\n")
    r = tool(PROG, "-C", cfg, "--log", tmp_path / "missing.log")
    assert r.returncode == 1
    assert "missing.log" in one_error_line(r.stderr, PROG)
    state = tmp_path / "state.json"
    state.write_text("[1, 2")
    r = tool(PROG, "-C", cfg, "--log", cfg, "--state", state)
    assert r.returncode == 1
    assert "not valid JSON" in one_error_line(r.stderr, PROG)
    assert state.read_text() == "[1, 2"
    r = tool(PROG, "-C", cfg, "--log", cfg, "--drive-threshold", "0")
    assert r.returncode == 2
    r = tool(PROG, "-C", cfg, "--sysfs", tmp_path / "nosys")
    assert r.returncode == 1
    assert "no tape drives" in one_error_line(r.stderr, PROG)
    # A drive that fails: the others are still reported, then exit 1.
    sim.fault("--drive", "257", "--sense", "4/44/00")
    sim.fault("--drive", "258", "--tapealert", "20")
    r = tool(PROG, "-C", sim.config)
    assert r.returncode == 1
    assert [x["code"] for x in _lines(r.stdout)] == [20]
    assert "/dev/nst0" in r.stderr


def test_flag_names_from_log_counters() -> None:
    hard = tape_alerting.flag_for("Error_HardError")
    assert hard is not None
    assert hard.code == 3
    clean = tape_alerting.flag_for("Error_cleaning_required")
    assert clean is not None
    assert clean.code == 20
    assert tape_alerting.flag_for("Error_NoSuchThing") is None
