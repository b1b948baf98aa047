"""Archive → verify → repack → reclaim on real images, checked by the independent spec reader;
concurrency while the scheduler runs; every fault kind."""

from __future__ import annotations

import json
import os
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.ctaops import tape_reader_from_spec as spec
from tests.ctaops.sim.conftest import Sim


def catalogue_matches_image(sim: Sim, vid: str) -> list[dict[str, object]]:
    """Every `tapefile ls` entry is on the image at its fSeq/blockId with its size and Adler-32."""
    files = sim.ls("tapefile", "ls", "--vid", vid)
    on_tape = {f.fseq: f for f in spec.read_tape(sim.dir / "tapes" / f"{vid}.tap", vid)}
    for rec in files:
        tf, af = rec["tf"], rec["af"]
        assert isinstance(tf, dict)
        assert isinstance(af, dict)
        f = on_tape[int(tf["fSeq"])]
        assert f.archive_id == int(af["archiveId"])
        assert f.block_id == int(tf["blockId"])
        assert f.size == int(af["size"]) == len(f.data)
        assert zlib.adler32(f.data) == f.adler32 == int(af["checksum"][0]["value"], 16)
    return files


def test_archive_verify_repack_reclaim(sim: Sim, tmp_path: Path) -> None:  # noqa: PLR0915
    payload = tmp_path / "payload.bin"
    payload.write_bytes(os.urandom(700_000))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    q = sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "4", "--size", "600K")
    assert q["queued"] == 4
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", payload)
    report = sim.ok("sim", "run", sim.dir, "--until-idle")
    assert report["files_archived"] == 5
    assert report["errors"] == []
    files = catalogue_matches_image(sim, "V00001")
    assert len(files) == 5
    # the file given by path is byte-exact on tape
    mine = spec.read_tape(sim.dir / "tapes" / "V00001.tap", "V00001")[4]
    assert mine.data == payload.read_bytes()
    tape = sim.ls("ta", "ls", "-v", "V00001")[0]
    assert (tape["lastFseq"], tape["nbMasterFiles"], tape["writeMountCount"]) == ("5", "5", "1")
    assert int(str(tape["occupancy"])) == 4 * 600 * 1024 + 700_000

    # cta-verify-file reads them back
    ids = ",".join(str(f["af"]["archiveId"]) for f in files)  # type: ignore[index]
    r = subprocess.run(
        [sim.dir / "bin" / "cta-verify-file", "-v", "V00001", "-I", ids], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 5
    assert sim.ls("fr", "ls") == []

    # repack to the repack pool
    for a in (["-f", "true"], ["-s", "REPACKING", "-r", "migration"]):
        assert sim.admin("ta", "ch", "-v", "V00001", *a).returncode == 0
    assert sim.admin("re", "add", "-v", "V00001", "-u", "repack").returncode == 0
    assert sim.ls("re", "ls")[0]["status"] == "Pending"
    report = sim.ok("sim", "run", sim.dir)
    assert report["files_retrieved"] == 5
    assert report["repacks_completed"] == 1
    rp = sim.ls("re", "ls", "-v", "V00001")[0]
    assert rp["status"] == "Complete"
    assert (rp["retrievedFiles"], rp["archivedFiles"], rp["totalFilesToArchive"]) == ("5", "5", "5")
    assert rp["destinationInfos"] == [{"vid": "V00005", "files": "5", "bytes": str(4 * 600 * 1024 + 700_000)}]
    assert sim.ls("tf", "ls", "-v", "V00001") == []
    moved = catalogue_matches_image(sim, "V00005")
    assert sorted(int(f["af"]["archiveId"]) for f in moved) == sorted(int(f["af"]["archiveId"]) for f in files)  # type: ignore[index]
    recycled = sim.ls("rtf", "ls", "-v", "V00001")
    assert len(recycled) == 5
    assert recycled[0]["reasonLog"] == "REPACK"  # catalogue/InsertFileRecycleLog.hpp::getRepackReasonLog
    assert [r["fseq"] for r in recycled] == ["1", "2", "3", "4", "5"]
    fxids = tmp_path / "fxids"
    fxids.write_text("".join(f"fid={int(str(r['diskFileId'])):x} path=/eos/x\n" for r in recycled[:2]))
    assert len(sim.ls("rtf", "ls", "-F", str(fxids))) == 2
    logged = int(str(recycled[0]["recycleLogTime"]))
    assert len(sim.ls("rtf", "ls", "--ltmin", str(logged - 1), "--ltmax", str(logged + 3600))) == 5
    assert sim.ls("rtf", "ls", "--ltmin", str(logged + 3600)) == []
    assert sim.ls("ta", "ls", "-v", "V00001")[0]["dirty"] is True

    # reclaim: quarantine, then allowed
    assert sim.admin("re", "rm", "-v", "V00001").returncode == 0
    assert sim.admin("ta", "ch", "-v", "V00001", "-s", "ACTIVE").returncode == 0
    r = sim.admin("ta", "reclaim", "-v", "V00001")
    assert r.returncode == 2
    assert "Please reclaim this tape later." in r.stderr
    env = dict(os.environ, CTAOPS_SIM_RECYCLE_QUARANTINE_SECS="0")
    assert sim.admin("ta", "reclaim", "-v", "V00001", env=env).returncode == 0
    t = sim.ls("ta", "ls", "-v", "V00001")[0]
    assert (t["lastFseq"], t["full"], t["dirty"], t["occupancy"]) == ("0", False, False, "0")
    assert sim.ls("rtf", "ls", "-v", "V00001") == []
    # the scheduler then writes over it from fSeq 1 (it is the fullest ACTIVE tape: none has data)
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1K", "--seed", "99")
    sim.ok("sim", "run", sim.dir)
    assert len(spec.read_tape(sim.dir / "tapes" / "V00001.tap", "V00001")) == 1


def test_concurrent_admin_calls_while_scheduler_runs(sim: Sim) -> None:
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "200", "--size", "200K")
    sched = subprocess.Popen([sim.exe, "sim", "run", str(sim.dir)], stdout=subprocess.PIPE, text=True)

    def call(i: int) -> tuple[int, str]:
        argv = [["--json", "tape", "ls", "--all"], ["--json", "dr", "ls"], ["--json", "tf", "ls", "-v", "V00001"]][
            i % 3
        ]
        r = sim.admin(*argv)
        json.loads(r.stdout)
        if i % 7 == 0:
            ch = sim.admin("ta", "ch", "-v", "V00004", "-m", f"comment {i}")
            assert ch.returncode == 0, ch.stderr
        return r.returncode, r.stderr

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(60)))
    out, _ = sched.communicate(timeout=300)
    assert sched.returncode == 0
    assert json.loads(out)["files_archived"] == 200
    assert all(rc == 0 for rc, _ in results), results
    files = catalogue_matches_image(sim, "V00001")
    assert len(files) == 200


def archived(sim: Sim, n: int = 3) -> list[int]:
    q = sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", str(n), "--size", "300K")
    sim.ok("sim", "run", sim.dir)
    return [int(x) for x in q["archiveIds"]]  # type: ignore[union-attr]


def verify(sim: Sim, *ids: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sim.dir / "bin" / "cta-verify-file", "--vid", "V00001", "--id", ",".join(map(str, ids))],
        capture_output=True,
        text=True,
        check=False,
    )


def test_fault_corrupt_data(sim: Sim) -> None:
    ids = archived(sim)
    assert sim.run("sim", "fault", sim.dir, "corrupt-data", "--vid", "V00001", "--fseq", "2").returncode == 0
    assert verify(sim, ids[0]).returncode == 0
    r = verify(sim, ids[1])
    assert r.returncode == 1
    assert "Checksum mismatch" in r.stderr
    fr = sim.ls("fr", "ls", "--log")
    assert len(fr) == 1
    assert fr[0]["requestType"] == "RETRIEVE_REQUEST"
    assert fr[0]["tf"] == {"vid": "V00001", "fSeq": "2", "blockId": fr[0]["tf"]["blockId"]}  # type: ignore[index]
    assert "Checksum mismatch" in fr[0]["failurelogs"][0]  # type: ignore[index]
    summary = {s["requestType"]: s["totalFiles"] for s in sim.ls("fr", "ls", "--summary")}
    assert summary == {"ARCHIVE_REQUEST": "0", "RETRIEVE_REQUEST": "1", "TOTAL": "1"}
    # the independent reader sees the damage too
    f2 = spec.read_tape(sim.dir / "tapes" / "V00001.tap", "V00001")[1]
    assert zlib.adler32(f2.data) != int(sim.ls("tf", "ls", "--id", str(ids[1]))[0]["af"]["checksum"][0]["value"], 16)  # type: ignore[index]


def test_fault_corrupt_header(sim: Sim) -> None:
    ids = archived(sim)
    assert sim.run("sim", "fault", sim.dir, "corrupt-header", "--vid", "V00001", "--fseq", "3").returncode == 0
    r = verify(sim, ids[2])
    assert r.returncode == 1
    assert r.stderr.strip()
    assert verify(sim, ids[0], ids[1]).returncode == 0
    # the first file's HDR1 sits right after VOL1 (it replaced the PRELABEL header)
    assert sim.run("sim", "fault", sim.dir, "corrupt-header", "--vid", "V00001", "--fseq", "1").returncode == 0
    assert verify(sim, ids[0]).returncode == 1
    assert verify(sim, ids[1]).returncode == 0
    r = sim.run("sim", "fault", sim.dir, "corrupt-header", "--vid", "V00001", "--fseq", "9")
    assert r.returncode == 2
    assert "no file with fSeq 9" in r.stderr


def test_fault_unreadable_tape_fails_verify_and_repack(sim: Sim) -> None:
    ids = archived(sim)
    sim.ok("sim", "fault", sim.dir, "unreadable", "--vid", "V00001")
    r = verify(sim, ids[0])
    assert r.returncode == 1
    assert "cannot be read" in r.stderr
    sim.admin("ta", "ch", "-v", "V00001", "-f", "true")
    sim.admin("ta", "ch", "-v", "V00001", "-s", "REPACKING", "-r", "x")
    sim.admin("re", "add", "-v", "V00001", "-u", "repack")
    r = sim.run("sim", "run", sim.dir)
    assert r.returncode == 1
    assert "cannot be read" in json.loads(r.stdout)["errors"][0]
    assert sim.ls("re", "ls")[0]["status"] == "Failed"
    assert len(sim.ls("tf", "ls", "-v", "V00001")) == 3  # nothing moved


def test_fault_drive_fail(sim: Sim) -> None:
    sim.ok("sim", "fault", sim.dir, "drive-fail", "--drive", "CTAOPSLIB1-LTO9-D01")
    d = {x["driveName"]: x for x in sim.ls("dr", "ls")}
    assert d["CTAOPSLIB1-LTO9-D01"]["driveStatus"] == "DOWN"
    assert "injected" in str(d["CTAOPSLIB1-LTO9-D01"]["reason"])
    archived(sim, 1)
    t = sim.ls("ta", "ls", "-v", "V00001")[0]
    assert t["lastWrittenLog"]["drive"] == "CTAOPSLIB1-LTO9-D02"  # type: ignore[index]
    # with every drive failed nothing is mounted
    sim.ok("sim", "fault", sim.dir, "drive-fail", "--drive", "CTAOPSLIB1-LTO9-D02")
    sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "1")
    assert sim.ok("sim", "run", sim.dir)["mounts"] == 0
    assert sim.run("sim", "fault", sim.dir, "drive-fail", "--drive", "nope").returncode == 2


def test_fault_admin_fail(sim: Sim) -> None:
    sim.ok("sim", "fault", sim.dir, "admin-fail", "--count", "2", "--message", "frontend is down")
    for _ in range(2):
        r = sim.admin("--json", "tape", "ls", "--all")
        assert (r.returncode, r.stdout, r.stderr.strip()) == (1, "", "frontend is down")
    assert sim.admin("--json", "tape", "ls", "--all").returncode == 0
    sim.ok("sim", "fault", sim.dir, "admin-fail", "--user-error", "--message", "busy")
    r = sim.admin("--json", "tape", "ls", "--all")
    assert (r.returncode, r.stdout) == (2, "[]\n")


def test_library_state_is_a_ctaops_smc_state_file(sim: Sim) -> None:
    r = subprocess.run([sim.dir / "bin" / "cta-smc", "-q", "V"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "V00001" in r.stdout
    archived(sim, 1)  # mount + dismount through the same file
    r = subprocess.run([sim.dir / "bin" / "cta-smc", "-q", "V"], capture_output=True, text=True, check=False)
    assert r.returncode == 0
    assert "V00001" in r.stdout


def test_init_refuses_existing_and_bad_presets(sim: Sim) -> None:
    r = sim.run("sim", "init", sim.dir)
    assert r.returncode == 1
    assert "already holds" in r.stderr
    r = sim.run("sim", "init", sim.dir.parent / "x", "--preset", "huge")
    assert r.returncode == 2
    assert "unknown preset" in r.stderr
    assert not (sim.dir.parent / "x" / "catalogue.db").exists()
    cfg = (sim.dir / "cta-ops-config.yaml").read_text()
    assert str(sim.dir / "bin" / "cta-admin") in cfg
