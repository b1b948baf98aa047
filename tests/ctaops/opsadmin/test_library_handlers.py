"""cta-ops-admin's library handlers on the simulator: tape location, mount, unmount, export, import.

Every run goes through the console script with ``-C DIR/cta-ops-config.yaml``; what changed is
read back from the emulated library's state file and from the simulator's ``cta-admin``.
The instance has drives D01 (``smc0``, element 257) and D02 (``smc1``, element 258), tapes
V00001-V00010 in slots 1024-1033 and a 4-element I/O station from 768.
"""

from __future__ import annotations

import getpass
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from ctaops.library import Element, Library
from tests.ctaops.opsadmin.test_cli import Inst
from tests.ctaops.sim.conftest import sim_exe

__all__ = ["sim_exe"]

D1 = "CTAOPSLIB1-LTO9-D01"
D2 = "CTAOPSLIB1-LTO9-D02"
USER = getpass.getuser()
"""The login the handlers put in their reasons (the tool runs as the test's user)."""


class Lab(Inst):
    """An instance with its library and CTA drives at hand."""

    def __init__(self, d: Path, exe: str) -> None:
        super().__init__(d, exe)
        self.library = self.changer()
        self.marker = d / "statistics-updated"

    def where(self, vid: str) -> tuple[str, int] | None:
        e: Element | None = self.library.locate(vid)
        return None if e is None else (e.kind, e.address)

    def drive(self, name: str) -> dict[str, Any]:
        return self.drives()[name]

    def state(self, vid: str) -> tuple[str, str]:
        t = self.tape(vid)
        return str(t["state"]), str(t["stateReason"])

    def refused(self, *args: str, code: int = 1) -> str:
        """Run, expect a refusal: the exit status and one line on stderr, which is returned."""
        r = self.run(*args)
        assert r.returncode == code, (r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert "Traceback" not in r.stderr
        return lines[0]

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = self.run(*args)
        assert r.returncode == 0, (r.stdout, r.stderr)
        return r


@pytest.fixture
def lab(sim_exe: str, tmp_path: Path) -> Lab:
    made = Lab.create(sim_exe, tmp_path / "inst")
    d, config = made.dir, made.config
    # No 5 s pauses between export attempts in tests; a statistics command that leaves a trace.
    marker = d / "statistics-updated"
    text = config.read_text().replace(
        "\n  cta-ops-admin:\n",
        "\n  cta-ops-admin:\n    tape-export:\n      sleep_time_between_export_attempts: 0\n",
        1,
    )
    text = text.replace(
        f'tape-unmount:\n      cta_statistics_update_cmd: "{d}/bin/cta-statistics-update"',
        f"tape-unmount:\n      cta_statistics_update_cmd: \"sh -c 'touch {marker}'\"",
    )
    config.write_text(text)
    return made


# -- tape location -------------------------------------------------------------------------------


def test_location_shows_slot_drive_and_station_with_ctas_library(lab: Lab) -> None:
    lab.library.mount("V00003", 1)
    lab.library.export("V00004")
    r = lab.ok("tape", "location", "V00001", "v00003", "V00004")
    rows = [line.split() for line in r.stdout.splitlines()[1:]]
    assert rows[0] == ["V00001", "ctaops_lib1", "ACTIVE", "slot", "1024", "-"]
    assert rows[1] == ["V00003", "ctaops_lib1", "ACTIVE", "drive", "258", "1", f"({D2})"]
    assert rows[2] == ["V00004", "ctaops_lib1", "ACTIVE", "I/O", "station", "768", "-"]
    r = lab.ok("--json", "tape", "location", "V00003")
    [doc] = json.loads(r.stdout)
    assert (doc["element"], doc["address"], doc["drive_ordinal"], doc["drive_names"]) == ("drive", 258, 1, [D2])
    assert doc["logicalLibrary"] == "ctaops_lib1"


def test_location_reports_vids_missing_from_library_or_catalogue_and_shows_the_rest(lab: Lab) -> None:
    lab.library.operator_insert("X00001L9")  # in the library, unknown to CTA
    lab.admin("tape", "ch", "--vid", "V00002", "--state", "EXPORTED", "--reason", "gone")
    lab.library.export("V00002")
    lab.library.operator_insert("ZZ0001L9")  # takes the next station element; V00002 is in 768
    r = lab.run("--json", "tape", "location", "V00001", "X00001", "NOPE01")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "cta-ops-admin: error: X00001 not in the catalogue; NOPE01 not in the library nor the catalogue"
    )
    docs = {d["vid"]: d for d in json.loads(r.stdout)}
    assert docs["V00001"]["element"] == "slot"
    assert (docs["X00001"]["element"], docs["X00001"]["in_catalogue"]) == ("I/O station", False)
    assert (docs["NOPE01"]["in_library"], docs["NOPE01"]["in_catalogue"]) == (False, False)


def test_location_update_statistics_runs_the_command_and_reports_its_failure(lab: Lab) -> None:
    r = lab.ok("tape", "location", "V00001", "--update-statistics", "--dry-run")
    assert r.stdout.startswith(f"would: run {lab.dir}/bin/cta-statistics-update\n")
    lab.ok("tape", "location", "V00001", "--update-statistics")
    failing = lab.dir / "failing.yaml"
    failing.write_text(lab.config.read_text().replace(f'"{lab.dir}/bin/cta-statistics-update"', '"false"'))
    r = lab.run("tape", "location", "V00001", "--update-statistics", config=failing)
    assert r.returncode == 1
    assert r.stderr.strip() == "cta-ops-admin: error: false failed (exit 1):"
    assert r.stdout == ""
    unset = lab.dir / "unset.yaml"
    unset.write_text(lab.config.read_text().replace(f'"{lab.dir}/bin/cta-statistics-update"', "''"))
    r = lab.run("tape", "location", "V00001", "--update-statistics", config=unset)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.strip() == (
        "cta-ops-admin: error: no cta_statistics_update_cmd configured (tools.cta-ops-admin.tape-location)"
    )


def test_a_cta_that_does_not_answer_is_one_error_line_and_changes_nothing(lab: Lab) -> None:
    for words in (["tape", "location", "V00001"], ["tape", "export", "V00001"]):
        # Two failures: the cta-admin layer first asks `cta-admin version`, warns and goes on.
        lab.sim("fault", str(lab.dir), "admin-fail", "--count", "2", "--message", "frontend down")
        r = lab.run(*words)
        assert r.returncode == 1, r.stderr
        assert r.stdout == ""
        assert "Traceback" not in r.stderr
        assert (
            r.stderr.splitlines()[-1] == "cta-ops-admin: error: cta-admin drive ls --all failed (exit 1): frontend down"
        )
    assert (lab.state("V00001"), lab.where("V00001")) == (("ACTIVE", ""), ("slot", 1024))


# -- tape mount ----------------------------------------------------------------------------------


def test_mount_dry_run_changes_nothing_then_mount_puts_the_drive_down_first(lab: Lab) -> None:
    r = lab.ok("tape", "mount", "V00001", "--drive", D1, "--reason", "manual check", "--dry-run")
    assert r.stdout.splitlines() == [
        f"would: put down {D1} (reason: cta-ops-admin tape mount V00001 by {USER}: manual check)",
        f"would: mount V00001 in {D1} (drive ordinal 0)",
    ]
    assert lab.where("V00001") == ("slot", 1024)
    assert lab.drive(D1)["desiredDriveState"] == "UP"
    r = lab.ok("tape", "mount", "V00001", "--drive", D1, "--reason", "manual check")
    assert r.stdout.splitlines()[-1] == f"mounted V00001 in {D1} (drive ordinal 0, element 257)"
    assert lab.where("V00001") == ("drive", 257)
    d = lab.drive(D1)
    assert d["desiredDriveState"] == "DOWN"
    assert d["reason"] == f"cta-ops-admin tape mount V00001 by {USER}: manual check"


def test_mount_into_a_drive_already_down_keeps_its_reason_and_json_says_so(lab: Lab) -> None:
    lab.admin("dr", "down", D2, "--reason", "maintenance")
    r = lab.ok("--json", "tape", "mount", "V00005", "--drive", D2)
    doc = json.loads(r.stdout)
    assert doc == {"vid": "V00005", "drive": D2, "ordinal": 1, "put_down": False, "dry_run": False, "address": 258}
    assert lab.where("V00005") == ("drive", 258)
    assert lab.drive(D2)["reason"] == "maintenance"


def test_mount_refusals_are_one_line_and_change_nothing(lab: Lab) -> None:
    lab.library.mount("V00002", 1)
    lab.library.operator_insert("X00001L9")
    cases = [
        (["NOPE01", "--drive", D1], "NOPE01 is not in the catalogue"),
        (["V00001", "--drive", "NOSUCHDRIVE"], "no drive NOSUCHDRIVE in CTA (cta-admin dr ls)"),
        (["V00001", "--drive", "CTAOPSLIB1-LTO9-D0."], "no drive CTAOPSLIB1-LTO9-D0. in CTA (cta-admin dr ls)"),
        (["V00002", "--drive", D1], f"V00002 is not in a library slot: it is in drive 1 ({D2}) at 258"),
        (["V00001", "--drive", D2], f"drive {D2} (ordinal 1) already holds V00002"),
    ]
    for words, message in cases:
        assert lab.refused("tape", "mount", *words) == f"cta-ops-admin: error: {message}"
    lab.admin("tape", "ch", "--vid", "V00003", "--state", "EXPORTED", "--reason", "gone")
    lab.library.export("V00003")
    assert lab.refused("tape", "mount", "V00003", "--drive", D1).endswith(
        "V00003 is not in a library slot: it is in I/O station 769"
    )
    assert lab.refused("tape", "mount", "V00001", code=2).endswith("the following arguments are required: --drive/-d")
    assert lab.where("V00001") == ("slot", 1024)
    assert lab.drive(D1)["desiredDriveState"] == "UP"


# -- tape unmount --------------------------------------------------------------------------------


def test_unmount_by_vid_unloads_returns_home_updates_statistics_and_puts_up(lab: Lab) -> None:
    lab.ok("tape", "mount", "V00004", "--drive", D1)
    r = lab.ok("tape", "unmount", "V00004", "--up", "--dry-run")
    assert [line.split(" ")[1] for line in r.stdout.splitlines()] == ["unload", "run", "put"]
    assert lab.where("V00004") == ("drive", 257)
    assert not lab.marker.exists()
    assert lab.drive(D1)["desiredDriveState"] == "DOWN"
    r = lab.ok("tape", "unmount", "V00004", "--up", "--reason", "done")
    assert r.stdout.splitlines() == [f"unmounted V00004 from {D1} to slot 1027", f"{D1} is up in CTA"]
    assert lab.where("V00004") == ("slot", 1027)
    assert lab.marker.exists()
    d = lab.drive(D1)
    assert (d["desiredDriveState"], d["reason"]) == ("UP", f"cta-ops-admin tape unmount V00004 by {USER}: done")


def test_unmount_by_drive_leaves_it_down_and_json_reports_the_slot(lab: Lab) -> None:
    lab.ok("tape", "mount", "V00006", "--drive", D2)
    r = lab.ok("--json", "tape", "unmount", "--drive", D2)
    doc = json.loads(r.stdout)
    assert (doc["vid"], doc["ordinal"], doc["drives"], doc["slot"]) == ("V00006", 1, [D2], 1029)
    assert doc["statistics_update_error"] is None
    assert lab.where("V00006") == ("slot", 1029)
    assert lab.drive(D2)["desiredDriveState"] == "DOWN"


def test_unmount_refusals_and_a_failing_statistics_command(lab: Lab) -> None:
    assert lab.refused("tape", "unmount", "V00001").endswith("V00001 is not in a drive: it is in slot 1024")
    assert lab.refused("tape", "unmount", "NOPE01").endswith("NOPE01 is not in the library")
    assert lab.refused("tape", "unmount", "--drive", D1).endswith(f"drive {D1} (ordinal 0) is empty")
    assert lab.refused("tape", "unmount", "--drive", "NOSUCHDRIVE").endswith(
        "no drive NOSUCHDRIVE in CTA (cta-admin dr ls)"
    )
    assert lab.refused("tape", "unmount", code=2).endswith("give either a VID or --drive NAME")
    assert lab.refused("tape", "unmount", "V00001", "--drive", D1, code=2).endswith("give either a VID or --drive NAME")
    lab.ok("tape", "mount", "V00001", "--drive", D1)
    failing = lab.dir / "failing.yaml"
    failing.write_text(lab.config.read_text().replace(f"sh -c 'touch {lab.marker}'", "false"))
    r = lab.run("tape", "unmount", "V00001", config=failing)
    assert r.returncode == 1
    assert r.stderr.strip() == "cta-ops-admin: error: unmounted, but false failed (exit 1):"
    assert lab.where("V00001") == ("slot", 1024)  # the unmount itself was done, and said so
    assert r.stdout.strip() == f"unmounted V00001 from {D1} to slot 1024"


def test_a_library_drive_cta_does_not_know_unmounts_but_cannot_go_up(lab: Lab) -> None:
    lab.admin("dr", "down", D2, "--reason", "decommissioned")
    lab.admin("dr", "rm", D2)
    lab.library.mount("V00003", 1)
    r = lab.ok("tape", "location", "V00003")
    assert r.stdout.splitlines()[1].endswith("258        1 (not in CTA)")
    assert lab.refused("tape", "unmount", "V00003", "--up").endswith(
        "--up: CTA has no single drive for this library drive (found: none)"
    )
    assert lab.where("V00003") == ("drive", 258)
    assert lab.refused("tape", "mount", "V00001", "--drive", D2).endswith(f"no drive {D2} in CTA (cta-admin dr ls)")
    r = lab.ok("tape", "unmount", "V00003")
    assert r.stdout.strip() == "unmounted V00003 from library drive 1 to slot 1026"
    assert lab.where("V00003") == ("slot", 1026)


def test_a_drive_in_a_session_is_refused_by_mount_unmount_and_export(lab: Lab) -> None:
    vid = killed_session(lab)
    busy = next(d for d in (lab.drive(D1), lab.drive(D2)) if d["vid"] == vid)
    name, status = busy["driveName"], busy["driveStatus"]
    session = f"drive {name} is in a session ({status}, tape {vid})"
    assert lab.refused("tape", "mount", "V00009", "--drive", name).endswith(session)
    assert lab.refused("tape", "unmount", vid).endswith(session)
    assert lab.refused("tape", "unmount", "--drive", name).endswith(session)
    r = lab.run("--json", "tape", "export", vid)
    assert r.returncode == 1
    [doc] = json.loads(r.stdout)
    assert (doc["result"], doc["detail"].split(" (")[0]) == (
        "refused",
        f"not in a library slot: in drive {busy_ordinal(name)}",
    )
    assert lab.state(vid)[0] == "ACTIVE"
    assert lab.where(vid) is not None
    assert lab.where(vid)[0] == "drive"  # type: ignore[index]


def busy_ordinal(name: str) -> int:
    return {D1: 0, D2: 1}[name]


def killed_session(lab: Lab) -> str:
    """A ``sim run`` killed mid-write: CTA keeps a TRANSFERRING session with the tape in the drive."""
    lab.sim("archive", str(lab.dir), "--storageclass", "ctaops_sc", "--count", "3", "--size", "300000")
    proc = subprocess.Popen(
        [lab.exe, "sim", "run", str(lab.dir), "--speed", "20", "--drive-rate", "10KB"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            drives = json.loads(lab.admin("--json", "dr", "ls"))
            busy = [d for d in drives if d["driveStatus"] == "TRANSFERRING"]
            if busy:
                return str(busy[0]["vid"])
            time.sleep(0.2)
        pytest.fail("no drive reached TRANSFERRING")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)


# -- tape export ---------------------------------------------------------------------------------


def test_export_sets_exported_then_moves_to_the_station_and_dry_run_changes_nothing(lab: Lab) -> None:
    r = lab.ok("tape", "export", "V00001", "V00002", "--reason", "to the vault", "--dry-run")
    assert r.stdout.splitlines()[0].startswith("would: set V00001 EXPORTED (reason: cta-ops-admin tape export V00001")
    assert lab.state("V00001")[0] == "ACTIVE"
    assert lab.where("V00001") == ("slot", 1024)
    r = lab.ok("--json", "tape", "export", "V00001", "V00002", "--reason", "to the vault")
    docs = json.loads(r.stdout)
    assert [(d["vid"], d["result"], d["state"], d["element"], d["attempts"]) for d in docs] == [
        ("V00001", "exported", "EXPORTED", 768, 1),
        ("V00002", "exported", "EXPORTED", 769, 1),
    ]
    assert lab.where("V00001") == ("port", 768)
    assert lab.state("V00002") == ("EXPORTED", f"cta-ops-admin tape export V00002 by {USER}: to the vault")


def test_export_refusals_are_per_vid_and_the_others_go_through(lab: Lab) -> None:
    lab.admin("tape", "ch", "--vid", "V00003", "--state", "EXPORTED", "--reason", "already out")
    lab.library.mount("V00004", 0)
    lab.library.operator_insert("X00001L9")
    r = lab.run("--json", "tape", "export", "V00003", "V00004", "NOPE01", "X00001", "V00005")
    assert r.returncode == 1
    assert r.stderr.strip() == "cta-ops-admin: error: not exported: V00003, V00004, NOPE01, X00001"
    got = {d["vid"]: (d["result"], d["detail"]) for d in json.loads(r.stdout)}
    assert got == {
        "V00003": ("refused", "already EXPORTED"),
        "V00004": ("refused", f"not in a library slot: in drive 0 ({D1}) at 257"),
        "NOPE01": ("refused", "not in the catalogue"),
        "X00001": ("refused", "not in the catalogue"),
        "V00005": ("exported", ""),
    }
    assert lab.state("V00003") == ("EXPORTED", "already out")
    assert lab.state("V00004")[0] == "ACTIVE"
    assert lab.where("V00005") == ("port", 769)


def test_export_beyond_the_free_io_station_elements_is_refused_before_ctas_state_changes(lab: Lab) -> None:
    for n in range(3):
        lab.library.operator_insert(f"X0000{n}L9")
    r = lab.run("--json", "tape", "export", "V00001", "V00002")
    assert r.returncode == 1
    got = {d["vid"]: (d["result"], d["detail"]) for d in json.loads(r.stdout)}
    assert got == {
        "V00001": ("exported", ""),
        "V00002": ("refused", "no free I/O station element: empty the I/O station first"),
    }
    assert lab.where("V00001") == ("port", 771)
    assert lab.state("V00002") == ("ACTIVE", "")
    assert lab.where("V00002") == ("slot", 1025)


def test_export_retries_then_puts_the_previous_state_and_reason_back(lab: Lab) -> None:
    lab.admin("tape", "ch", "--vid", "V00002", "--state", "DISABLED", "--reason", "suspect media")
    lab.sim("fault", str(lab.dir), "jam-slot", "--vid", "V00002")
    r = lab.run("--json", "tape", "export", "V00002")
    assert r.returncode == 1
    attempts = [line for line in r.stderr.splitlines() if "export of V00002, attempt" in line]
    assert [line.split("attempt ")[1].split(",")[0] for line in attempts] == ["1 of 3", "2 of 3", "3 of 3"]
    [doc] = json.loads(r.stdout)
    assert (doc["result"], doc["attempts"], doc["state"]) == ("failed", 3, "DISABLED")
    assert doc["detail"].startswith("library export failed 3 times (MOVE MEDIUM: HARDWARE ERROR 4/40/01")
    assert doc["detail"].endswith("; CTA state back to DISABLED")
    assert lab.state("V00002") == ("DISABLED", "suspect media")
    assert lab.where("V00002") == ("slot", 1025)


def test_export_of_an_active_tape_that_fails_goes_back_to_active_with_a_reason(lab: Lab) -> None:
    few = lab.dir / "two-attempts.yaml"
    few.write_text(
        lab.config.read_text().replace(
            "sleep_time_between_export_attempts: 0\n",
            "sleep_time_between_export_attempts: 0\n      number_of_export_attempts: 2\n",
        )
    )
    lab.sim("fault", str(lab.dir), "jam-slot", "--vid", "V00006")
    r = lab.run("tape", "export", "V00006", config=few)
    assert r.returncode == 1
    assert r.stderr.count("export of V00006, attempt") == 2
    state, reason = lab.state("V00006")
    assert state == "ACTIVE"
    assert reason.endswith("the library could not export it, back to ACTIVE")
    assert lab.where("V00006") == ("slot", 1029)


# -- tape import ---------------------------------------------------------------------------------


def test_import_brings_inserted_cartridges_in_and_reports_unknown_ones(lab: Lab) -> None:
    r = lab.ok("tape", "import")
    assert r.stdout.strip() == "nothing to import: no cartridge inserted in the I/O station"
    lab.library.operator_insert("X00001L9")
    r = lab.ok("tape", "import", "--dry-run")
    assert r.stdout.splitlines()[0] == "would: import X00001 from I/O station element 768"
    assert lab.where("X00001") == ("port", 768)
    r = lab.ok("--json", "tape", "import")
    [doc] = json.loads(r.stdout)
    assert (doc["vid"], doc["result"], doc["state"]) == ("X00001", "imported", None)
    assert doc["detail"] == "not in the catalogue: add it with cta-admin tape add"
    assert lab.where("X00001") == ("slot", doc["slot"])


def test_import_of_exported_tapes_sets_them_active_and_reports_vids_not_in_the_station(lab: Lab) -> None:
    lab.ok("tape", "export", "V00007", "V00008")
    r = lab.ok("tape", "import")  # exported cartridges wait for the operator, not imported back
    assert r.stdout.startswith("nothing to import")
    r = lab.run("--json", "tape", "import", "V00008", "V00001", "--reason", "back from the vault")
    assert r.returncode == 1
    assert r.stderr.strip() == "cta-ops-admin: error: not imported: V00001"
    got = {d["vid"]: (d["result"], d["state"], d["detail"]) for d in json.loads(r.stdout)}
    assert got == {
        "V00008": ("imported", "ACTIVE", ""),
        "V00001": ("refused", None, "not in the I/O station"),
    }
    assert lab.where("V00008") is not None
    assert lab.where("V00008")[0] == "slot"  # type: ignore[index]
    assert lab.state("V00008") == ("ACTIVE", f"cta-ops-admin tape import V00008 by {USER}: back from the vault")
    assert lab.state("V00007")[0] == "EXPORTED"
    assert lab.where("V00007") == ("port", 768)


# -- round trip ----------------------------------------------------------------------------------


def test_round_trip_mount_unmount_export_import(lab: Lab) -> None:
    lab.ok("tape", "mount", "V00003", "--drive", D2, "--reason", "inspection")
    assert lab.where("V00003") == ("drive", 258)
    r = lab.ok("tape", "location", "V00003")
    assert f"1 ({D2})" in r.stdout
    lab.ok("tape", "unmount", "V00003", "--up")
    assert lab.where("V00003") == ("slot", 1026)
    assert lab.drive(D2)["desiredDriveState"] == "UP"
    lab.ok("tape", "export", "V00003")
    assert (lab.where("V00003"), lab.state("V00003")[0]) == (("port", 768), "EXPORTED")
    lab.ok("tape", "import", "V00003")
    where = lab.where("V00003")
    assert where is not None
    assert where[0] == "slot"
    assert lab.state("V00003")[0] == "ACTIVE"
    lab.ok("tape", "mount", "V00003", "--drive", D1)
    assert lab.where("V00003") == ("drive", 257)


def test_raw_library_slot_is_an_ordinal_or_a_drive_element_address(tmp_path: Path) -> None:
    from ctaops.opsadmin.handlers._library import ordinal  # noqa: PLC0415

    state = tmp_path / "lib.json"
    Library.create_emulated(state, slots=10, drives=3, tapes=2)
    inv = Library.emulated(state).inventory()
    first = inv.drives[0].address
    assert first > 3  # the element-address reading below must not look like an ordinal
    assert [ordinal({"rawLibrarySlot": f"smc{n}"}, inv) for n in range(3)] == [0, 1, 2]  # as CTA's tape servers
    assert ordinal({"rawLibrarySlot": f"smc{first + 2}"}, inv) == 2  # a taped config naming the element
    assert ordinal({"rawLibrarySlot": f"smc{first + 3}"}, inv) is None  # no drive of this library
    assert ordinal({"rawLibrarySlot": "drive0"}, inv) is None
