"""cta-ops-admin's view handlers on the simulator: showqueues, custom:drive and tape summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.ctaops.opsadmin.test_cli import Inst, header_cells, inst
from tests.ctaops.sim.conftest import sim_exe

__all__ = ["inst", "sim_exe"]


def drive_state(inst: Inst, name: str) -> str:
    drives = json.loads(inst.admin("--json", "dr", "ls"))
    return next(str(d["desiredDriveState"]) for d in drives if d["driveName"] == name)


def queue_archives(inst: Inst, sim_exe: str, count: int) -> None:
    r = subprocess.run(
        [
            sim_exe,
            "sim",
            "archive",
            str(inst.dir),
            "--storageclass",
            "ctaops_sc",
            "--count",
            str(count),
            "--size",
            "1M",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr


def test_showqueues_archive_shows_the_queued_files_and_totals(inst: Inst, sim_exe: str) -> None:
    queue_archives(inst, sim_exe, 3)
    r = inst.run("sq", "a")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert header_cells(lines[0])[:4] == ["Type", "Tape Pool", "VO", "Files Queued"]
    row = lines[1].split()
    assert row[:4] == ["ARCHIVE_FOR_USER", "ctaops_user", "vo_user", "3"]
    assert lines[-1].startswith("Total: 1 queues, 3 files")
    r = inst.run("showqueues", "retrieve")
    assert r.returncode == 0, r.stderr
    assert "Total: 0 queues" in r.stdout  # the archive queue is not a retrieve queue
    r = inst.run("sq", "a", "--json", "--vo", "vo_user")
    assert [q["queuedFiles"] for q in json.loads(r.stdout)] == [3]
    r = inst.run("sq", "a", "--json", "--vo", "nobody")
    assert json.loads(r.stdout) == []


def test_drive_down_and_up_change_ctas_state_and_show_the_drives(inst: Inst) -> None:
    name = "CTAOPSLIB1-LTO9-D01"
    r = inst.run("dr", "down", name)
    assert r.returncode == 2
    assert "give --reason" in r.stderr
    r = inst.run("dr", "down", ".*D01", "--reason", "cleaning", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"would: put down {name} (reason: cleaning)"
    assert drive_state(inst, name) == "UP"
    r = inst.run("drive", "down", ".*D01", "--reason", "cleaning")
    assert r.returncode == 0, r.stderr
    assert drive_state(inst, name) == "DOWN"
    assert drive_state(inst, "CTAOPSLIB1-LTO9-D02") == "UP"
    assert r.stdout.splitlines()[-1] == "1 drives: 0 up, 1 down, 0 in a session"
    log = (inst.dir / "log" / "cta-ops-admin.log").read_text()
    assert f"put down {name} (reason: cleaning)" in log  # the trail of what an operator changed
    r = inst.run("dr", "up", name)
    assert r.returncode == 0, r.stderr
    assert drive_state(inst, name) == "UP"


def test_drive_names_match_whole_as_in_cta(inst: Inst) -> None:
    r = inst.run("dr", "down", "D01", "--reason", "x")
    assert r.returncode == 1
    assert r.stderr.strip() == "cta-ops-admin: error: no drive matches 'D01'"
    assert drive_state(inst, "CTAOPSLIB1-LTO9-D01") == "UP"
    r = inst.run("dr", "down", "(", "--reason", "x")
    assert r.returncode == 2
    assert "is not a regular expression" in r.stderr


def test_drive_ls_counts_and_json(inst: Inst) -> None:
    r = inst.run("dr", "ls")
    assert r.returncode == 0, r.stderr
    assert header_cells(r.stdout.splitlines()[0])[:3] == ["Logical Library", "Drive Name", "Host"]
    assert r.stdout.splitlines()[-1] == "2 drives: 2 up, 0 down, 0 in a session"
    r = inst.run("--json", "dr", "ls")
    assert [d["driveName"] for d in json.loads(r.stdout)] == ["CTAOPSLIB1-LTO9-D01", "CTAOPSLIB1-LTO9-D02"]


def test_tape_summary_gathers_catalogue_library_and_repack(inst: Inst) -> None:
    r = inst.run("tape", "summary", "V00001")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert text.startswith("Tape V00001\n")
    assert "  State          ACTIVE\n" in text
    assert "  Pool           ctaops_user (VO vo_user)\n" in text
    assert "  Occupancy      0 B of 18.0 TB (0.0%)\n" in text
    assert "  Location       slot " in text
    assert "  Repack         none\n" in text
    r = inst.run("tape", "summary", "V00001", "--vid", "v00002", "--json")
    summaries = json.loads(r.stdout)
    assert [s["vid"] for s in summaries] == ["V00001", "V00002"]
    assert summaries[0]["location"] == {"known": True, "in_library": True, "element": "slot", "address": 1024}
    assert summaries[1]["catalogue"]["tapepool"] == "ctaops_user"


def test_tape_summary_reports_an_unknown_tape_and_still_shows_the_others(inst: Inst) -> None:
    r = inst.run("tape", "summary", "V00001", "ZZZ999")
    assert r.returncode == 1
    assert "Tape V00001" in r.stdout
    assert r.stderr.strip().endswith("not in the catalogue: ZZZ999")
    r = inst.run("tape", "summary")
    assert r.returncode == 2
    assert "give at least one VID" in r.stderr


def test_tape_summary_save_writes_the_summary_and_dry_run_does_not(inst: Inst) -> None:
    saved = inst.dir / "run" / "tape-summary" / "V00003.json"
    r = inst.run("tape", "summary", "V00003", "--save", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert f"would: write {saved}" in r.stdout
    assert not saved.exists()
    r = inst.run("tape", "summary", "V00003", "--save")
    assert r.returncode == 0, r.stderr
    assert json.loads(saved.read_text())["catalogue"]["state"] == "ACTIVE"


def test_tape_summary_update_statistics_runs_the_configured_command(inst: Inst, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "stats.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    config = inst.dir / "stats.yaml"
    config.write_text(
        inst.config.read_text().replace(
            f'cta_statistics_update_cmd: "{inst.dir}/bin/cta-statistics-update"\n    tape-drivetest',
            f'cta_statistics_update_cmd: "{script}"\n    tape-drivetest',
        )
    )
    assert str(script) in config.read_text()
    r = inst.run("tape", "summary", "V00001", "--update-statistics", config=config)
    assert r.returncode == 0, r.stderr
    assert marker.exists()


@pytest.mark.parametrize("words", [["tape", "summary", "--help"], ["sq", "r", "--help"], ["dr", "ls", "--help"]])
def test_handler_help_names_the_handler_and_its_options(inst: Inst, words: list[str]) -> None:
    r = inst.run(*words)
    assert r.returncode == 0
    assert r.stdout.startswith(f"usage: cta-ops-admin {words[0] if words[0] != 'sq' else 'showqueues'}")
    assert "--dry-run" in r.stdout
    assert "--json" in r.stdout


def test_tape_summary_shows_the_atresys_state_of_a_tracked_tape(inst: Inst) -> None:
    assert "ATRESYS        not tracked" in inst.run("tape", "summary", "V00002").stdout  # no table yet: no error
    for words in (["db", "upgrade"], ["add", "V00002"]):
        assert inst.script("cta-ops-repack-manager", *words).returncode == 0
    r = inst.run("tape", "summary", "V00002", "V00003", "--json")
    atresys = {s["vid"]: s["atresys"] for s in json.loads(r.stdout)}
    assert atresys["V00002"] == {"known": True, "tracked": True, "state": "entered", "mode": "auto", "priority": 10}
    assert atresys["V00003"] == {"known": True, "tracked": False}
