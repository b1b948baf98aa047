"""Drive states as CTA's tape daemons report them, and daemon restarts.

CTA sources followed (cern-cta/CTA): ``taped/session/DataTransferSession.cpp`` (a drive whose
desired state is down reports Down when idle; a mounted drive finishes its session first),
``taped/daemon/DriveHandler.cpp`` (``Scheduler::NoSuchDrive``: a daemon whose drive was removed
puts it down, registering it again) and ``common/dataStructures/DesiredDriveState.cpp``
(``generateReasonFromLogMsg``: ``[cta-taped] <level> <message>``).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim

D1 = "CTAOPSLIB1-LTO9-D01"
REASON = "[cta-taped] ERROR In Scheduler::getDesiredDriveState(): no such drive"


def admin_ok(sim: Sim, *argv: str) -> str:
    r = sim.admin(*argv)
    assert r.returncode == 0, (argv, r.stderr)
    return r.stdout


def drive(sim: Sim, name: str = D1) -> dict[str, object] | None:
    found = [d for d in sim.ls("dr", "ls") if d["driveName"] == name]
    return found[0] if found else None


@pytest.fixture
def one(sim_exe: str, tmp_path: Path, catalogue_args: list[str]) -> Sim:
    d = tmp_path / "one"
    r = subprocess.run(
        [sim_exe, "sim", "init", str(d), "--drives", "1", *catalogue_args], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    return Sim(sim_exe, d)


def start_run(sim: Sim, *extra: str) -> subprocess.Popen[str]:
    """A slow `sim run` (30 simulated seconds per 300 kB file, 20 simulated seconds per wall second)."""
    return subprocess.Popen(
        [sim.exe, "sim", "run", str(sim.dir), "--speed", "20", "--drive-rate", "10KB", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(sim: Sim, what: str, pred: object, timeout: float = 90) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = drive(sim)
        if d is not None and callable(pred) and pred(d):
            return d
        time.sleep(0.05)
    raise AssertionError(f"drive never {what}: {drive(sim)}")


def smc_drive_vid(sim: Sim) -> str:
    r = subprocess.run([str(sim.dir / "bin" / "cta-smc"), "-q", "D"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    [row] = [line.split() for line in r.stdout.splitlines()[1:] if line.strip()]
    return row[3] if len(row) > 3 else ""


def test_removed_drive_registers_again_down_when_its_daemon_reports(one: Sim) -> None:
    admin_ok(one, "dr", "down", D1, "-r", "maintenance")
    assert drive(one)["driveStatus"] == "DOWN"  # type: ignore[index]  # idle: at once
    assert "removed" in admin_ok(one, "dr", "rm", D1)
    assert drive(one) is None
    one.ok("sim", "run", one.dir)  # the daemon reports
    d = drive(one)
    assert d is not None
    assert (d["driveStatus"], d["desiredDriveState"], d["reason"]) == ("DOWN", "DOWN", REASON)
    admin_ok(one, "dr", "up", D1)
    assert drive(one)["driveStatus"] == "UP"  # type: ignore[index]

    # a restart registers it at once; a drive no daemon runs is refused
    admin_ok(one, "dr", "down", D1, "-r", "maintenance")
    admin_ok(one, "dr", "rm", D1)
    out = one.ok("sim", "taped", one.dir, "restart", D1)
    assert out == {"restarted": [D1]}
    assert drive(one)["reason"] == REASON  # type: ignore[index]
    r = one.run("sim", "taped", one.dir, "restart", "NOSUCHDRIVE")
    assert r.returncode == 2
    assert r.stderr.strip().endswith("No tape daemon runs drive NOSUCHDRIVE")


def test_drive_down_takes_effect_at_the_end_of_the_session(one: Sim) -> None:
    one.ok("sim", "archive", one.dir, "--storageclass", "ctaops_sc", "--count", "3", "--size", "300000")
    proc = start_run(one)
    try:
        wait_for(one, "mounted", lambda d: d["driveStatus"] == "TRANSFERRING")
        admin_ok(one, "dr", "down", D1, "-r", "after this session")
        d = drive(one)
        assert (d["desiredDriveState"], d["driveStatus"]) == ("DOWN", "TRANSFERRING")  # type: ignore[index]
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert json.loads(out)["files_archived"] == 3  # the session finished its work
    d = drive(one)
    assert (d["driveStatus"], d["reason"]) == ("DOWN", "after this session")  # type: ignore[index]


def test_forced_down_stops_the_session_after_the_file_in_flight(one: Sim) -> None:
    one.ok("sim", "archive", one.dir, "--storageclass", "ctaops_sc", "--count", "4", "--size", "300000")
    proc = start_run(one)
    try:
        wait_for(one, "mounted", lambda d: d["driveStatus"] == "TRANSFERRING")
        admin_ok(one, "dr", "down", D1, "-r", "now", "--force")
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    done = json.loads(out)["files_archived"]
    assert done < 4
    [q] = one.ls("sq")
    assert q["queuedFiles"] == str(4 - done)
    assert drive(one)["driveStatus"] == "DOWN"  # type: ignore[index]
    assert smc_drive_vid(one) == ""


def test_a_killed_run_is_cleaned_up_by_the_restart(one: Sim) -> None:
    one.ok("sim", "archive", one.dir, "--storageclass", "ctaops_sc", "--count", "3", "--size", "300000")
    proc = start_run(one)
    try:
        d = wait_for(one, "writing", lambda d: d["driveStatus"] == "TRANSFERRING")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    vid = str(d["vid"])
    assert drive(one)["vid"] == vid  # type: ignore[index]  # left mounted
    assert smc_drive_vid(one) == vid
    assert one.ok("sim", "taped", one.dir, "restart") == {"restarted": [D1]}
    d2 = drive(one)
    assert (d2["driveStatus"], d2["vid"]) == ("UP", "")  # type: ignore[index]
    assert smc_drive_vid(one) == ""
    # the next run writes everything; what the killed one wrote past LAST_FSEQ is overwritten
    report = one.ok("sim", "run", one.dir)
    assert report["errors"] == []
    assert one.ls("sq") == []
    tapes = [t for t in one.ls("ta", "ls", "--all") if int(str(t["nbMasterFiles"])) > 0]
    assert sum(int(str(t["nbMasterFiles"])) for t in tapes) == 3
    for t in tapes:
        files = one.ls("tf", "ls", "--vid", str(t["vid"]))
        ids = ",".join(str(f["af"]["archiveId"]) for f in files)  # type: ignore[index]
        r = subprocess.run(
            [str(one.dir / "bin" / "cta-verify-file"), "-v", str(t["vid"]), "-I", ids],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, r.stderr
