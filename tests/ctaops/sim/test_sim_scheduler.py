"""Scheduler fidelity: mount-policy priorities and minimum request ages, jammed library slots."""

from __future__ import annotations

import json
import subprocess
import time
import zlib
from pathlib import Path

from tests.ctaops.sim.conftest import Sim


def admin_ok(sim: Sim, *argv: str) -> None:
    r = sim.admin(*argv)
    assert r.returncode == 0, (argv, r.stderr)


def one_drive(sim_exe: str, tmp_path: Path) -> Sim:
    d = tmp_path / "one"
    r = subprocess.run([sim_exe, "sim", "init", str(d), "--drives", "1"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return Sim(sim_exe, d)


def wait_past_minimum_age() -> None:
    """Let every queued request pass a minimum age of 0.

    CTA mounts for age only strictly past the minimum age, in whole seconds: a request queued in
    the second the run starts is not yet eligible, and a priority test would see the older,
    lower-priority queue served alone first.
    """
    time.sleep(1.1)


def test_higher_priority_queue_is_mounted_first(sim_exe: str, tmp_path: Path) -> None:
    sim = one_drive(sim_exe, tmp_path)
    admin_ok(sim, "mp", "add", "-n", "low", "--ap", "1", "--aa", "0", "--rp", "1", "--ra", "0", "-m", "c")
    admin_ok(sim, "mp", "add", "-n", "high", "--ap", "9", "--aa", "0", "--rp", "9", "--ra", "0", "-m", "c")
    admin_ok(sim, "rmr", "add", "-i", "eosctaops", "-n", "alice", "-u", "low", "-m", "c")
    admin_ok(sim, "rmr", "add", "-i", "eosctaops", "-n", "bob", "-u", "high", "-m", "c")
    admin_ok(sim, "sc", "add", "-n", "sc_supply", "-c", "1", "--vo", "vo_user", "-m", "c")
    admin_ok(sim, "ar", "add", "-s", "sc_supply", "-c", "1", "-t", "supply", "-m", "c")
    # alice's (low priority) request is older, bob's (high priority) goes first anyway
    sim.ok(
        "sim",
        "archive",
        sim.dir,
        "--storageclass",
        "ctaops_sc",
        "--count",
        "1",
        "--size",
        "1000",
        "--requester",
        "alice",
    )
    sim.ok(
        "sim", "archive", sim.dir, "--storageclass", "sc_supply", "--count", "1", "--size", "1000", "--requester", "bob"
    )
    queues = {q["tapepool"]: q for q in sim.ls("sq")}
    assert (queues["ctaops_user"]["priority"], queues["supply"]["priority"]) == ("1", "9")
    wait_past_minimum_age()
    report = sim.ok("sim", "run", sim.dir)
    assert [s["tapepool"] for s in report["sessions"]] == ["supply", "ctaops_user"]  # type: ignore[union-attr]
    # a requester without a rule of their own falls back to the group rule; none at all is refused
    r = sim.run(
        "sim",
        "archive",
        sim.dir,
        "--storageclass",
        "ctaops_sc",
        "--count",
        "1",
        "--size",
        "1",
        "--requester",
        "eve",
        "--group",
        "nogroup",
    )
    assert r.returncode == 2
    assert "No mount rules for the requester or their group" in r.stderr


def test_minimum_request_age_holds_the_queue(sim: Sim) -> None:
    admin_ok(sim, "mp", "ch", "-n", "ctaops_mp", "--aa", "3600")
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "2", "--size", "1000")
    report = sim.ok("sim", "run", sim.dir, "--for", "1s")
    assert report["sessions"] == []
    [q] = sim.ls("sq")
    assert (q["minAge"], q["queuedFiles"]) == ("3600", "2")
    admin_ok(sim, "mp", "ch", "-n", "ctaops_mp", "--aa", "0")
    report = sim.ok("sim", "run", sim.dir)
    assert report["files_archived"] == 2
    assert sim.ls("sq") == []


def test_jammed_slot_fails_the_mount_and_shows_in_smc(sim: Sim) -> None:
    r = sim.run("sim", "fault", sim.dir, "jam-slot", "--vid", "V00001")
    assert r.returncode == 0, r.stderr
    smc = subprocess.run(
        [str(sim.dir / "bin" / "cta-smc"), "-m", "-D", "0", "-V", "V00001"], capture_output=True, text=True, check=False
    )
    assert smc.returncode != 0
    assert "4/40/01" in (smc.stdout + smc.stderr).replace("0x", "").upper() or "HARDWARE" in smc.stderr.upper()
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1000")
    r = sim.run("sim", "run", sim.dir)
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert any("sense 4/40/01" in e for e in report["errors"])
    [tape] = sim.ls("ta", "ls", "-v", "V00001")
    assert tape["state"] == "DISABLED"
    assert "mount failed" in str(tape["stateReason"])
    # the next run writes to another tape of the pool; clearing frees the slot
    assert [s["vid"] for s in report["sessions"]][-1] != "V00001"
    assert sim.run("sim", "fault", sim.dir, "clear").returncode == 0
    smc = subprocess.run(
        [str(sim.dir / "bin" / "cta-smc"), "-m", "-D", "0", "-V", "V00001"], capture_output=True, text=True, check=False
    )
    assert smc.returncode == 0, smc.stderr


def test_user_retrieve_is_queued_mounted_and_served(sim: Sim, tmp_path: Path) -> None:
    out = sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "3", "--size", "300000")
    ids = [str(i) for i in out["archiveIds"]]  # type: ignore[union-attr]
    sim.ok("sim", "run", sim.dir)
    files = {str(r["af"]["archiveId"]): r for r in sim.ls("tf", "ls", "--vid", "V00001")}
    dest = tmp_path / "back"
    q = sim.ok("sim", "retrieve", sim.dir, "--id", ",".join(ids[:2]), "--dest", dest)
    assert q["queued"] == 2
    [queue] = sim.ls("sq")
    assert (queue["mountType"], queue["vid"], queue["queuedFiles"], queue["queuedBytes"]) == (
        "RETRIEVE",
        "V00001",
        "2",
        "600000",
    )
    assert queue["mountPolicies"] == ["ctaops_mp"]
    report = sim.ok("sim", "run", sim.dir)
    assert report["files_retrieved"] == 2
    assert [(s["vid"], s["mountType"]) for s in report["sessions"]] == [("V00001", "RETRIEVE")]  # type: ignore[union-attr]
    for i in ids[:2]:
        data = (dest / i).read_bytes()
        assert len(data) == 300000
        want = int(str(files[i]["af"]["checksum"][0]["value"]), 16)  # type: ignore[index]
        assert zlib.adler32(data) == want
    assert sim.ls("sq") == []
    [tape] = sim.ls("ta", "ls", "-v", "V00001")
    assert tape["readMountCount"] == "1"
    assert "lastReadLog" in tape
    # a corrupted copy fails the request: failedrequest ls shows it, nothing is left behind
    assert sim.run("sim", "fault", sim.dir, "corrupt-data", "--vid", "V00001", "--fseq", "3").returncode == 0
    sim.ok("sim", "retrieve", sim.dir, "--id", ids[2], "--dest", dest)
    report = sim.ok("sim", "run", sim.dir)
    assert report["files_retrieved"] == 0
    [fr] = sim.ls("fr", "ls")
    assert (fr["requestType"], fr["tf"]["vid"]) == ("RETRIEVE_REQUEST", "V00001")  # type: ignore[index]
    assert not (dest / ids[2]).exists()
    # no mountable copy: refused at queueing time
    assert sim.admin("ta", "ch", "-v", "V00001", "-s", "DISABLED", "-r", "test").returncode == 0
    r = sim.run("sim", "retrieve", sim.dir, "--id", ids[0])
    assert r.returncode == 2
    assert f"No copy of archive file {ids[0]} is on a tape that can be mounted" in r.stderr


def test_bad_inputs_of_the_new_commands(sim: Sim) -> None:
    for argv, code, msg in [
        (["sim", "fault", sim.dir, "jam-slot", "--vid", "NOPE01"], 2, "Tape NOPE01 is not in any library slot"),
        (["sim", "fault", sim.dir, "jam-slot", "--slot", "9999"], 2, "No library has a storage slot at element 9999"),
        (["sim", "retrieve", sim.dir, "--id", "424242"], 2, "No copy of archive file 424242"),
        (["sim", "retrieve", sim.dir, "--id", "x"], 2, "invalid value 'x'"),
        (["sim", "tool", "nosuch", "--instance", sim.dir], 2, "unknown tool 'nosuch'"),
        (["sim", "archive", sim.dir, "--storageclass", "nope", "--count", "1", "--size", "1"], 2, "nope"),
    ]:
        r = sim.run(*argv)
        assert r.returncode == code, (argv, r.stderr)
        assert msg in r.stderr, (argv, r.stderr)
        assert "Traceback" not in r.stderr
        assert "panicked" not in r.stderr


def test_vo_max_drives_limit_mounts(sim: Sim) -> None:
    admin_ok(sim, "vo", "ch", "--vo", "vo_user", "--wmd", "0")
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1000")
    assert sim.ok("sim", "run", sim.dir)["sessions"] == []
    [q] = sim.ls("sq")
    assert (q["writeMaxDrives"], q["queuedFiles"]) == ("0", "1")
    admin_ok(sim, "vo", "ch", "--vo", "vo_user", "--wmd", "1", "--rmd", "0")
    out = sim.ok("sim", "run", sim.dir)
    assert out["files_archived"] == 1
    [archive_id] = [str(r["af"]["archiveId"]) for r in sim.ls("tf", "ls", "--vid", "V00001")]
    sim.ok("sim", "retrieve", sim.dir, "--id", archive_id)
    assert sim.ok("sim", "run", sim.dir)["sessions"] == []
    admin_ok(sim, "vo", "ch", "--vo", "vo_user", "--rmd", "1")
    assert sim.ok("sim", "run", sim.dir)["files_retrieved"] == 1


def test_retrieve_with_higher_priority_goes_before_archive(sim_exe: str, tmp_path: Path) -> None:
    sim = one_drive(sim_exe, tmp_path)
    admin_ok(sim, "mp", "add", "-n", "high", "--ap", "9", "--aa", "0", "--rp", "9", "--ra", "0", "-m", "c")
    admin_ok(sim, "rmr", "add", "-i", "eosctaops", "-n", "bob", "-u", "high", "-m", "c")
    out = sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    # the archive (priority 1) is queued first, bob's retrieve (priority 9) is served first
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1000", "--seed", "5")
    sim.ok("sim", "retrieve", sim.dir, "--id", str(out["archiveIds"][0]), "--requester", "bob")  # type: ignore[index]
    wait_past_minimum_age()
    report = sim.ok("sim", "run", sim.dir)
    assert [s["mountType"] for s in report["sessions"]] == ["RETRIEVE", "ARCHIVE_FOR_USER"]  # type: ignore[union-attr]
