"""`cta-ops-verification-feeder` against the simulator: policies, filters, top-up and closing."""

from __future__ import annotations

import sqlite3
import subprocess

from tests.ctaops.tapeverify.conftest import FEEDER, Instance

OPTS = "--first 1 --last 1 --random 0"


def ongoing(inst: Instance) -> list[str]:
    return [v for v in ("V00001", "V00002", "V00003") if (s := inst.status(v)) and s["status"] == "ongoing"]


def test_last_verified_tops_up_then_closes_and_rotates(inst: Instance) -> None:
    r = inst.feeder("--maxverify", "2", "--verify_options", OPTS)
    assert r.returncode == 0, r.stderr
    assert "Tapes currently being verified: none" in r.stderr
    assert "0 tapes are currently being verified, target is 2" in r.stderr
    assert "3 tapes are eligible for verification" in r.stderr
    assert "Based on policy: last_verified, following new tapes have been selected: V00001, V00002" in r.stderr
    assert "Submitting verification for tape V00001 (media type: LTO9)" in r.stderr
    assert ongoing(inst) == ["V00001", "V00002"]
    assert inst.status("V00002")["files_submitted"] == 2  # type: ignore[index]

    # Already at the target: the simulator finished the reads, so both are closed first, then
    # the never-verified V00003 and the oldest verification (V00001, tie broken by VID) follow.
    r = inst.feeder("--maxverify", "2", "--verify_options", OPTS)
    assert r.returncode == 0, r.stderr
    assert "Verification of tape V00001 finished: done (2 files verified, 0 failed)" in r.stderr
    assert "Verification of tape V00002 finished: done (2 files verified, 0 failed)" in r.stderr
    assert "following new tapes have been selected: V00003, V00001" in r.stderr
    assert ongoing(inst) == ["V00001", "V00003"]
    assert inst.status("V00002") == {**inst.status("V00002"), "status": "done", "files_verified": 2}  # type: ignore[dict-item]
    assert (inst.log_dir / "cta-ops-verification-feeder.log").read_text().count("Executed as:") == 2

    # at the target with nothing finished: no new submission
    r = inst.feeder("--maxverify", "0")
    assert "Target reached: no new verification submitted" in r.stderr


def test_random_policy_and_filters(inst: Instance) -> None:
    r = inst.feeder("--maxverify", "3", "--verify_policy", "random", "--min_data_on_tape", "1000000", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "3 tapes are eligible for verification" in r.stderr
    assert "1 of them have at least 1000000 bytes of data on tape" in r.stderr
    assert "Based on policy: random, following new tapes have been selected: V00001" in r.stderr
    assert "Dry run: would run" in r.stderr
    assert ongoing(inst) == []  # dry run
    r = inst.feeder("--maxverify", "1", "--verify_policy", "random", "--seed", "3", "--verify_options", OPTS)
    assert r.returncode == 0, r.stderr
    assert len(ongoing(inst)) == 1
    chosen = ongoing(inst)[0]
    assert f"following new tapes have been selected: {chosen}" in r.stderr
    for args, eligible in (
        (["--tapepool", "ctaops_repack"], 0),
        (["--tapepool", "ctaops_repack,ctaops_user"], 2),
        (["--min_age", "1"], 0),
        (["--min_relative_capacity", "1"], 0),
    ):
        r = inst.feeder("--maxverify", "5", "--dry-run", *args)
        assert r.returncode == 0, r.stderr
        assert f"{eligible} tapes are eligible for verification" in r.stderr, (args, r.stderr)


def test_last_read_policy(inst: Instance) -> None:
    # The simulator records reads for repack only: set read times in its catalogue directly.
    with sqlite3.connect(inst.sim.dir / "catalogue.db") as db:
        db.execute("UPDATE TAPE SET LAST_READ_TIME = 2000, LAST_READ_DRIVE = 'D1' WHERE VID = 'V00001'")
        db.execute("UPDATE TAPE SET LAST_READ_TIME = 1000, LAST_READ_DRIVE = 'D1' WHERE VID = 'V00002'")
    r = inst.feeder("--maxverify", "2", "--verify_policy", "last_read", "--verify_options", OPTS)
    assert r.returncode == 0, r.stderr
    assert "Based on policy: last_read, following new tapes have been selected: V00003, V00002" in r.stderr
    assert ongoing(inst) == ["V00002", "V00003"]


def test_failed_verification_is_closed_as_failed(inst: Instance) -> None:
    assert inst.sim.run("sim", "fault", inst.sim.dir, "corrupt-data", "--vid", "V00002", "--fseq", "2").returncode == 0
    r = inst.feeder(
        "--maxverify",
        "1",
        "--verify_policy",
        "last_read",
        "--tapepool",
        "ctaops_user",
        "--verify_options",
        "--first 3 --last 0 --random 0",
    )
    assert r.returncode == 0, r.stderr
    # V00001 and V00002 were never read: V00001 first by VID
    assert ongoing(inst) == ["V00001"]
    with sqlite3.connect(inst.sim.dir / "catalogue.db") as db:
        db.execute("UPDATE TAPE SET LAST_READ_TIME = 5000, LAST_READ_DRIVE = 'D1' WHERE VID IN ('V00001', 'V00003')")
    r = inst.feeder(
        "--maxverify", "1", "--verify_policy", "last_read", "--verify_options", "--first 3 --last 0 --random 0"
    )
    assert r.returncode == 0, r.stderr
    assert "Verification of tape V00001 finished: done (3 files verified, 0 failed)" in r.stderr
    assert "following new tapes have been selected: V00002" in r.stderr
    r = inst.feeder("--maxverify", "0")
    assert "Verification of tape V00002 finished: failed (2 files verified, 1 failed)" in r.stderr
    status = inst.status("V00002")
    assert status is not None
    assert (status["status"], status["files_verified"], status["files_failed"]) == ("failed", 2, 1)


def test_bad_input_is_one_line(inst: Instance) -> None:
    for args, code, text in (
        (["--maxverify", "x"], 2, "'x' is not a whole number"),
        (["--verify_policy", "oldest"], 2, "invalid choice"),
        # a bad size is a usage error like a bad count (it failed with 1 before)
        (["--min_data_on_tape", "lots"], 2, "argument --min-data-on-tape/--min_data_on_tape: 'lots' is not a size"),
        (["--maxverify", "-1"], 2, "argument --maxverify: -1 is negative"),  # a usage error (issue 17)
    ):
        r = inst.feeder(*args)
        assert r.returncode == code, (args, r.stderr)
        last = r.stderr.strip().splitlines()[-1]
        assert text in last, (args, r.stderr)
        assert "Traceback" not in r.stderr
    # a verification that cannot be submitted is logged and makes the run fail
    r = inst.feeder("--maxverify", "1", "--verify_options", "--bogus 1")
    assert r.returncode == 1
    assert "could not be submitted (exit 2)" in r.stderr
    r = subprocess.run([*FEEDER, "-C", "/nonexistent.yaml"], capture_output=True, text=True, check=False)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1
