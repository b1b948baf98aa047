"""`cta-ops-verify-tape` end to end against the simulator: submission through cta-verify-file,
the native path, a corrupted file found by both, and bad input."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

from tests.ctaops.tapeverify.conftest import VERIFY_TAPE, Instance

VID = "V00001"


def one_line(stderr: str) -> str:
    lines = [s for s in stderr.splitlines() if s.strip()]
    assert "Traceback" not in stderr
    return lines[-1]


def flip_data_byte(image: Path, fseq: int) -> None:
    """Flip one byte in the first data block of file `fseq`, reading the SIMH framing directly."""
    raw = bytearray(image.read_bytes())
    off, marks = 0, 0
    target = 3 * (fseq - 1) + 1  # the data of file N follows 3(N-1)+1 tape marks
    while True:
        (n,) = struct.unpack_from("<I", raw, off)
        if n == 0:
            marks += 1
            off += 4
            continue
        if marks == target:
            raw[off + 4 + 1000] ^= 0x01
            image.write_bytes(bytes(raw))
            return
        off += 8 + n + (n & 1)


def test_submits_through_cta_verify_file_and_records_ongoing(inst: Instance) -> None:
    r = inst.verify_tape("--vid", VID, "--seed", "7")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    # config defaults: first 2, last 2, random 1
    assert status == {**status, "status": "ongoing", "files_submitted": 5, "files_verified": 0, "files_failed": 0}
    assert inst.status(VID) == status
    assert "Executed as: cta-ops-verify-tape -C " in r.stderr
    assert f"Selected 5 of the 12 files of tape {VID}" in r.stderr
    assert f"Submitting 5 files of tape {VID} to cta-verify-file" in r.stderr
    assert "[INFO] [" in r.stderr
    log = (inst.log_dir / "cta-ops-verify-tape.log").read_text()
    assert "Verification status of tape V00001 set to" in log
    state = json.loads((inst.state_dir / f"{VID}.json").read_text())
    assert len(state["object_ids"]) == 5
    assert all(o.startswith("RetrieveRequest-") for o in state["object_ids"])
    listed = {int(str(f["af"]["archiveId"])): int(str(f["tf"]["fSeq"])) for f in inst.sim.ls("tf", "ls", "-v", VID)}
    fseqs = sorted(listed[a] for a in state["archive_ids"])
    assert fseqs[:2] == [1, 2]
    assert fseqs[-2:] == [11, 12]

    # a second run is refused while the first is ongoing; --force overrides
    again = inst.verify_tape("--vid", VID)
    assert again.returncode == 1
    assert "already being verified" in one_line(again.stderr)
    forced = inst.verify_tape(
        "--vid", VID, "--force", "--first", "0", "--last", "0", "--random", "0", "--read_time", "1"
    )
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["files_submitted"] == 12  # 300 MB wanted: every file


def test_data_size_and_dry_run(inst: Instance) -> None:
    r = inst.verify_tape(
        "--vid", VID, "--first", "0", "--last", "0", "--random", "0", "--data_size", "600KiB", "--dry-run"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "Dry run: would run" in r.stderr
    assert "Selected 2 of the 12 files" in r.stderr
    assert "--vid V00001" in r.stderr
    assert inst.status(VID) is None
    assert not (inst.state_dir / f"{VID}.json").exists()


def test_native_verify_records_done(inst: Instance) -> None:
    r = inst.verify_tape("--vid", VID, "--native", "--image", inst.image(VID), "--first", "12")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert (status["status"], status["files_submitted"], status["files_verified"], status["files_failed"]) == (
        "done",
        12,
        12,
        0,
    )
    assert inst.status(VID) == status
    assert "12 files verified, 0 failed" in r.stderr


def test_corrupted_file_is_found_by_both_paths(inst: Instance) -> None:
    flip_data_byte(inst.image(VID), 3)
    # native: the engine reads it and says which file and why
    r = inst.verify_tape(
        "--vid", VID, "--native", "--image", inst.image(VID), "--first", "4", "--last", "0", "--random", "0"
    )
    assert r.returncode == 1
    assert "File fSeq 3 (archive id 3) of tape V00001: checksum_mismatch" in r.stderr
    status = json.loads(r.stdout)
    assert (status["status"], status["files_verified"], status["files_failed"]) == ("failed", 3, 1)
    assert inst.status(VID) == status

    # cta-verify-file: the simulator's retrieve fails and lands in failedrequest ls
    r = inst.verify_tape("--vid", VID, "--first", "4", "--last", "0", "--random", "0")
    assert r.returncode == 0, r.stderr
    assert "cta-verify-file: Checksum mismatch for archive file 3" in r.stderr
    assert inst.status(VID)["status"] == "ongoing"  # type: ignore[index]
    failed = inst.sim.ls("failedrequest", "ls", "--vid", VID)
    assert [int(str(f["af"]["archiveId"])) for f in failed] == [3]  # type: ignore[index]
    # the feeder closes it with the counts (maxverify 1: nothing else submitted)
    f = inst.feeder("--maxverify", "1", "--verify_policy", "last_verified", "--dry-run")
    assert f.returncode == 0, f.stderr
    f = inst.feeder("--maxverify", "0")
    assert f.returncode == 0, f.stderr
    assert "Verification of tape V00001 finished: failed (3 files verified, 1 failed)" in f.stderr
    assert inst.status(VID) == {
        **inst.status(VID),
        "status": "failed",
        "files_submitted": 4,
        "files_verified": 3,
        "files_failed": 1,
    }  # type: ignore[dict-item]


def test_bad_input_is_one_line(inst: Instance) -> None:
    cases: list[tuple[list[str], int, str]] = [
        (["--vid", "NOPE01"], 1, "Tape VID NOPE01 does not exist"),
        (["--vid", VID, "--image", "x.tap"], 2, "--image and --device need --native"),
        (["--vid", VID, "--native"], 1, "--native needs --image PATH or --device DEVICE"),
        (["--vid", VID, "--first", "-1"], 2, "argument --first: -1 is negative"),  # a usage error (issue 17)
        # unknown size units are usage errors, as negative counts are (they failed with 1 before)
        (["--vid", VID, "--data_size", "3 parsecs"], 2, "argument --data-size/--data_size: '3 parsecs' is not a size"),
        (["--vid", VID, "--data-size", "5X"], 2, "'5X' is not a size"),
        (["--vid", VID, "--data-size=-5G"], 2, "'-5G' is not a size"),
        (["--vid", VID, "--first", "x"], 2, "'x' is not a whole number"),
        (["--first", "1"], 2, "the following arguments are required: --vid"),
        (["--vid", VID, "--native", "--image", "/nonexistent.tap"], 1, "No such file"),
        (["--vid", VID, "--native", "--device", "/dev/null"], 1, "not a tape device"),
        (["--vid", VID, "--first", "0", "--last", "0", "--random", "0"], 1, "No file of tape V00001 selected"),
    ]
    for args, code, text in cases:
        r = inst.verify_tape(*args)
        assert r.returncode == code, (args, r.stderr)
        assert text in one_line(r.stderr), (args, r.stderr)
    assert inst.status(VID) is None
    r = subprocess.run(
        [*VERIFY_TAPE, "-C", "/nonexistent.yaml", "--vid", VID], capture_output=True, text=True, check=False
    )
    assert r.returncode == 1
    assert "/nonexistent.yaml" in one_line(r.stderr)
    assert r.stderr.count("\n") == 1


def test_console_scripts_are_installed(inst: Instance) -> None:
    bindir = Path(sys.executable).parent
    r = subprocess.run(
        [bindir / "cta-ops-verify-tape", "-C", inst.config, "--vid", VID, "--native", "--image", inst.image(VID)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "done"
    r = subprocess.run(
        [bindir / "cta-ops-verification-feeder", "-C", inst.config, "--maxverify", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "0 tapes are currently being verified, target is 0" in r.stderr
