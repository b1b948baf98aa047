"""The disk side of the simulator (issue 16): what EOS sends to CTA with an archive and a delete,
CTA's zero-length rule, taped's placeholder after a failed disk read, the recycle log's reasons,
and ``recycletf restore`` through the gRPC frontend. Each test cites the CTA source it follows."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.ctaops.sim.conftest import Sim, sim_serving

admin = pytest.importorskip("ctaops.admin")
errors = pytest.importorskip("ctaops.errors")

ZERO = "Archival of 0-length files not allowed."


def archive(sim: Sim, *args: str | Path) -> dict[str, object]:
    return sim.ok("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", *args)


def admin_ok(sim: Sim, *args: str) -> None:
    r = sim.admin(*args)
    assert r.returncode == 0, (args, r.stderr)


def tape_files(sim: Sim, vid: str = "V00001") -> list[dict[str, object]]:
    return sim.ls("tf", "ls", "--vid", vid)


def ids_of(out: dict[str, object]) -> list[int]:
    ids = out["archiveIds"]
    assert isinstance(ids, list)
    return [int(i) for i in ids]


def test_zero_length_files_are_refused_each_on_its_own(sim: Sim, tmp_path: Path) -> None:
    """frontend/common/WorkflowEvent.cpp::processCLOSEW refuses a 0-length file (default
    cta.archivefile.zero_length_files_forbidden on, FrontendService.cpp); EOS sends one CLOSEW per
    file, so the other files of the command are queued. (The scheduler's own guard,
    Scheduler::queueArchiveWithGivenId 'Rejecting archive request for zero-length file', sits behind
    the frontend's check and its `fileSize > 0` test, so it is never reached from the disk side.)"""
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.write_bytes(b"")
    full.write_bytes(b"x" * 5000)
    r = sim.run("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", full, empty, "--path", "/eos/ctaops/f{n}")
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == f"error: /eos/ctaops/f2: {ZERO}"
    out = json.loads(r.stdout)
    assert out["queued"] == 1
    assert out["rejected"] == [{"path": "/eos/ctaops/f2", "error": ZERO}]
    assert [q["queuedFiles"] for q in sim.ls("sq")] == ["1"]

    # generated files of size 0: all refused, nothing queued
    r = sim.run("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "2", "--size", "0")
    assert r.returncode == 2
    assert json.loads(r.stdout)["queued"] == 0
    assert r.stderr.count(ZERO) == 2
    assert [q["queuedFiles"] for q in sim.ls("sq")] == ["1"]

    report = sim.ok("sim", "run", sim.dir)
    assert report["files_archived"] == 1
    tape = sim.ls("ta", "ls", "-v", "V00001")[0]
    assert tape["lastFseq"] == "1"  # no placeholder was written for the refused files
    assert [f["af"]["size"] for f in tape_files(sim)] == ["5000"]  # type: ignore[index]


def test_zero_length_files_are_ignored_when_the_frontend_allows_them(sim: Sim) -> None:
    """WorkflowEvent::processCLOSEW with zero_length_files_forbidden off (or the VO in
    zero_length_files_forbidden_vo_exception_list): the event succeeds but nothing is queued
    ('ignoring zero-length file')."""
    conf = sim.dir / "cta-frontend.conf"
    conf.write_text("cta.archivefile.zero_length_files_forbidden_vo_exception_list vo_user\n")
    out = archive(sim, "--count", "2", "--size", "0")
    assert out["queued"] == 0
    assert len(out["ignored"]) == 2  # type: ignore[arg-type]
    assert sim.ls("sq") == []
    sim.ok("sim", "run", sim.dir)
    assert sim.ls("ta", "ls", "-v", "V00001")[0]["lastFseq"] == "0"
    conf.write_text("cta.archivefile.zero_length_files_forbidden maybe\n")
    r = sim.run("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", "--count", "1", "--size", "0")
    assert r.returncode == 1
    assert "zero_length_files_forbidden must be a boolean" in r.stderr


def test_disk_side_values_land_in_the_catalogue(sim: Sim) -> None:
    """WorkflowEvent::processCLOSEW takes diskFileInfo (owner uid, gid, path) and the disk file ID
    from the event; ARCHIVE_FILE keeps DISK_INSTANCE_NAME, DISK_FILE_ID, DISK_FILE_UID/GID (v15 has
    no path column: `tapefile ls` prints df.path empty, TapeFileLsResponseStream.cpp)."""
    out = archive(
        sim,
        "--count",
        "2",
        "--size",
        "1000",
        "--path",
        "/eos/ctaops/run1/file{n}",
        "--disk-file-id",
        "77{n}",
        "--owner-uid",
        "4242",
        "--owner-gid",
        "4343",
    )
    sim.ok("sim", "run", sim.dir)
    first, second = ids_of(out)
    files = {int(str(f["af"]["archiveId"])): f["df"] for f in tape_files(sim)}  # type: ignore[index]
    assert files[first]["diskId"] == "771"  # type: ignore[index]
    assert files[second]["diskId"] == "772"  # type: ignore[index]
    for df in files.values():
        assert df["diskInstance"] == "eosctaops"  # type: ignore[index]
        assert df["ownerId"] == {"uid": 4242, "gid": 4343}  # type: ignore[index]
        assert df["path"] == ""  # type: ignore[index]
    # lookup by disk file ID, as cta-admin does it
    got = sim.ls("tf", "ls", "--dfid", "772", "--instance", "eosctaops")
    assert [int(str(f["af"]["archiveId"])) for f in got] == [second]  # type: ignore[index]

    for args, code, msg in [
        # one path for two files
        (["--count", "2", "--size", "10", "--path", "/eos/x"], 2, "--path '/eos/x' names one file but 2 are archived"),
        # CREATE: owner uid must be non-zero (WorkflowEvent::processCREATE)
        (["--count", "1", "--size", "10", "--owner-uid", "0"], 2, "file owner uid must be non-zero"),
        # EOS paths and CTA's (instance, disk file ID) are unique
        (["--count", "1", "--size", "10", "--path", "/eos/ctaops/run1/file1"], 2, "already exists"),
        (["--count", "1", "--size", "10", "--disk-file-id", "771"], 2, "Disk file ID 771 is already used"),
        (["--count", "1", "--size", "10", "--disk-instance", "nope"], 2, "Disk instance nope does not exist"),
    ]:
        r = sim.run("sim", "archive", sim.dir, "--storageclass", "ctaops_sc", *args)
        assert r.returncode == code, (args, r.stderr)
        assert msg in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert sim.ls("sq") == []


def test_files_belong_to_the_disk_instance_of_the_storage_class_vo(sim: Sim) -> None:
    """A request comes from the disk instance of its storage class's VO
    (VIRTUAL_ORGANIZATION.DISK_INSTANCE_NAME); the mount rules are looked up on that instance
    (RdbmsArchiveFileCatalogue::getArchiveFileQueueCriteria) and the archive file belongs to it."""
    admin_ok(sim, "di", "add", "-n", "eosother", "-m", "second instance")
    admin_ok(sim, "vo", "add", "--vo", "vo_other", "--rmd", "1", "--wmd", "1", "-m", "c", "--di", "eosother")
    admin_ok(sim, "sc", "add", "-n", "sc_other", "-c", "1", "--vo", "vo_other", "-m", "c")
    admin_ok(sim, "ar", "add", "-s", "sc_other", "-c", "1", "-t", "ctaops_user", "-m", "c")
    r = sim.run("sim", "archive", sim.dir, "--storageclass", "sc_other", "--count", "1", "--size", "100")
    assert r.returncode == 2
    assert "No mount rules for the requester or their group: instance=eosother" in r.stderr
    admin_ok(sim, "gmr", "add", "-i", "eosother", "-n", "cta", "-u", "ctaops_mp", "-m", "c")
    out = sim.ok("sim", "archive", sim.dir, "--storageclass", "sc_other", "--count", "1", "--size", "100")
    out2 = archive(sim, "--count", "1", "--size", "100")
    sim.ok("sim", "run", sim.dir)
    inst = {int(str(f["af"]["archiveId"])): f["df"]["diskInstance"] for f in tape_files(sim)}  # type: ignore[index]
    assert inst == {ids_of(out)[0]: "eosother", ids_of(out2)[0]: "eosctaops"}


def test_delete_moves_the_copies_to_the_recycle_log(sim: Sim) -> None:
    """EOS's DELETE (WorkflowEvent::processDELETE → Scheduler::deleteArchive →
    RdbmsArchiveFileCatalogue::moveArchiveFileToRecycleLog): each tape copy goes to FILE_RECYCLE_LOG
    with InsertFileRecycleLog::getDeletionReasonLog's text and the event's path, the tape is dirty,
    the archive file is gone; `cta-admin recycletf ls` shows it."""
    out = archive(sim, "--count", "2", "--size", "2000", "--path", "/eos/ctaops/del/f{n}")
    sim.ok("sim", "run", sim.dir)
    admin_ok(sim, "ta", "ch", "-v", "V00001", "--dirtybit", "false")
    gone, kept = ids_of(out)
    d = sim.ok("sim", "delete", sim.dir, "--path", "/eos/ctaops/del/f1", "--requester", "alice")
    assert d == {
        "archiveId": gone,
        "diskInstance": "eosctaops",
        "path": "/eos/ctaops/del/f1",
        "cancelledRequests": 0,
        "recycledCopies": 1,
    }
    recycled = sim.ls("rtf", "ls", "--vid", "V00001")
    assert len(recycled) == 1
    rec = recycled[0]
    assert rec["reasonLog"] == "File deleted by alice from the eosctaops instance"
    assert rec["diskFilePath"] == "/eos/ctaops/del/f1"
    assert (rec["archiveFileId"], rec["fseq"], rec["diskInstance"]) == (str(gone), "1", "eosctaops")
    assert [int(str(f["af"]["archiveId"])) for f in tape_files(sim)] == [kept]  # type: ignore[index]
    assert sim.ls("ta", "ls", "-v", "V00001")[0]["dirty"] is True

    # by archive ID too; the second copy's reason names the default requester
    d = sim.ok("sim", "delete", sim.dir, "--archive-id", str(kept))
    assert d["recycledCopies"] == 1
    assert tape_files(sim) == []
    assert len(sim.ls("rtf", "ls", "--vid", "V00001")) == 2

    for args, msg in [
        (["--path", "/eos/ctaops/del/f1"], "/eos/ctaops/del/f1: no such file on any disk instance"),
        (["--path", "/eos/nope", "--disk-instance", "eosctaops"], "/eos/nope: no such file on disk instance eosctaops"),
        (["--archive-id", "424242"], "No file with archive file ID 424242 on any disk instance or in the catalogue"),
    ]:
        r = sim.run("sim", "delete", sim.dir, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert msg in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    r = sim.run("sim", "delete", sim.dir)
    assert r.returncode != 0


def test_delete_from_another_instance_is_refused_and_changes_nothing(sim: Sim) -> None:
    """RdbmsArchiveFileCatalogue::checkDeleteRequestConsistency: the request's disk instance must
    be the archived file's, else moveArchiveFileToRecycleLog throws its user error."""
    admin_ok(sim, "di", "add", "-n", "eosother", "-m", "c")
    out = archive(sim, "--count", "1", "--size", "100")
    sim.ok("sim", "run", sim.dir)
    (aid,) = ids_of(out)
    r = sim.run("sim", "delete", sim.dir, "--archive-id", str(aid), "--disk-instance", "eosother")
    assert r.returncode == 2
    assert (
        f"Failed to move archive file with ID {aid} to the file-recycle-log. errorMessage=Failed to move archive file "
        f"with ID {aid} to the recycle-bin because the disk instance of the request does not match that of the "
        f"archived file: archiveFileId={aid} requestDiskInstance=eosother archiveFileDiskInstance=eosctaops"
    ) in r.stderr
    assert len(tape_files(sim)) == 1
    assert sim.ls("rtf", "ls", "--vid", "V00001") == []


def test_delete_of_a_queued_file_cancels_its_request(sim: Sim) -> None:
    """Scheduler::deleteArchive: a file still queued has its archive request cancelled
    (SchedulerDatabase::cancelArchive) and nothing reaches the catalogue or the recycle log."""
    out = archive(sim, "--count", "2", "--size", "100", "--path", "/eos/q/f{n}")
    first, second = ids_of(out)
    d = sim.ok("sim", "delete", sim.dir, "--path", "/eos/q/f1")
    assert (d["archiveId"], d["cancelledRequests"], d["recycledCopies"]) == (first, 1, 0)
    assert [q["queuedFiles"] for q in sim.ls("sq")] == ["1"]
    sim.ok("sim", "run", sim.dir)
    assert [int(str(f["af"]["archiveId"])) for f in tape_files(sim)] == [second]  # type: ignore[index]
    assert sim.ls("rtf", "ls", "--vid", "V00001") == []


def grpc_admin(sim: Sim) -> object:
    return admin.CtaAdmin(transport="grpc", config_file=sim.dir / "cta-cli.conf", timeout=30)


def test_recycletf_restore_over_grpc(sim: Sim) -> None:
    """`recycletf restore` is served by CTA's frontend (AdminCmd::processRecycleTapeFile_Restore,
    PostgresFileRecycleLogCatalogue::restoreEntryInRecycleLog) for cta-restore-deleted-files;
    cta-admin refuses it (tools/CtaAdminCmdParser.hpp: 'not available to cta-admin')."""
    out = archive(sim, "--count", "2", "--size", "3000", "--path", "/eos/r/f{n}")
    sim.ok("sim", "run", sim.dir)
    first, second = ids_of(out)
    before = {int(str(f["af"]["archiveId"])): f for f in tape_files(sim)}  # type: ignore[index]
    sim.ok("sim", "delete", sim.dir, "--path", "/eos/r/f1", "--requester", "alice")
    sim.ok("sim", "delete", sim.dir, "--path", "/eos/r/f2", "--requester", "alice")
    assert tape_files(sim) == []

    r = sim.admin("recycletf", "restore", "--id", str(first), "--dfid", "9001")
    assert r.returncode == 1
    assert "Invalid subcommand" in r.stderr or "restore" in r.stderr

    with sim_serving(sim.exe, sim.dir, sim.dir.parent / "serve.log"):
        cta = grpc_admin(sim)
        cta.run("recycletf", "restore", "--id", str(first), "--dfid", "9001")  # type: ignore[attr-defined]
        files = tape_files(sim)
        assert len(files) == 1
        back = files[0]
        assert back["df"]["diskId"] == "9001"  # type: ignore[index]
        assert back["df"]["diskInstance"] == "eosctaops"  # type: ignore[index]
        assert back["tf"] == before[first]["tf"]
        assert back["af"]["checksum"] == before[first]["af"]["checksum"]  # type: ignore[index]
        assert back["df"]["ownerId"] == before[first]["df"]["ownerId"]  # type: ignore[index]
        assert [int(str(x["archiveFileId"])) for x in sim.ls("rtf", "ls", "--vid", "V00001")] == [second]
        assert sim.ls("ta", "ls", "-v", "V00001")[0]["dirty"] is True
        # --fxid is hexadecimal (AdminCmdOptions::getAndValidateDiskFileIdOptional)
        cta.run("recycletf", "restore", "--vid", "V00001", "--fxid", "2329")  # type: ignore[attr-defined]
        restored = {int(str(f["af"]["archiveId"])): f["df"]["diskId"] for f in tape_files(sim)}  # type: ignore[index]
        assert restored == {first: "9001", second: str(0x2329)}

        for args, msg in [
            (["--id", str(first), "--dfid", "1"], "No file in the recycle bin matches the parameters passed"),
            (["--id", str(first)], "Must specify at least one of the following search options: fxid, diskfileid"),
            (
                ["--id", str(first), "--dfid", "1", "--fxid", "a"],
                "File ID can't be received in both string (1) and hexadecimal (a) formats",
            ),
            (["--fxid", "zz", "--id", "1"], "zz is not a valid hexadecimal file ID value"),
            (
                ["--instance", "eosctaops", "--dfid", "1"],
                "Must specify at least one of the following search options: vid, fxid, fxidfile or archiveFileId",
            ),
            (["--vid", "NOPE01", "--dfid", "1"], "Tape VID NOPE01 does not exist."),
        ]:
            with pytest.raises(errors.CtaAdminUserError) as e:  # type: ignore[attr-defined]
                cta.run("recycletf", "restore", *args)  # type: ignore[attr-defined]
            assert msg in str(e.value), (args, str(e.value))


def test_restore_refuses_a_copy_that_exists_and_ambiguous_matches(sim: Sim) -> None:
    """restoreEntryInRecycleLog: more than one match is refused, and so is a copy whose archive
    file already has a tape file with that copy number (here: the old copy of a repacked file,
    whose reason is REPACK, InsertFileRecycleLog::getRepackReasonLog)."""
    out = archive(sim, "--count", "2", "--size", "1000")
    sim.ok("sim", "run", sim.dir)
    for a in (["-f", "true"], ["-s", "REPACKING", "-r", "migration"]):
        admin_ok(sim, "ta", "ch", "-v", "V00001", *a)
    admin_ok(sim, "re", "add", "-v", "V00001", "-u", "repack")
    assert sim.ok("sim", "run", sim.dir)["repacks_completed"] == 1
    recycled = sim.ls("rtf", "ls", "--vid", "V00001")
    assert [r["reasonLog"] for r in recycled] == ["REPACK", "REPACK"]
    first = ids_of(out)[0]
    with sim_serving(sim.exe, sim.dir, sim.dir.parent / "serve.log"):
        cta = grpc_admin(sim)
        with pytest.raises(errors.CtaAdminUserError) as e:  # type: ignore[attr-defined]
            cta.run("recycletf", "restore", "--vid", "V00001", "--dfid", "1")  # type: ignore[attr-defined]
        assert "More than one recycle bin file matches the parameters passed" in str(e.value)
        with pytest.raises(errors.CtaAdminUserError) as e:  # type: ignore[attr-defined]
            cta.run("recycletf", "restore", "--id", str(first), "--dfid", "1")  # type: ignore[attr-defined]
        assert (
            f"Cannot restore file copy with archiveFileId {first} and copy_nb 1 because a tapefile with same "
            "archiveFileId and copy_nb already exists"
        ) in str(e.value)
    assert len(sim.ls("rtf", "ls", "--vid", "V00001")) == 2


def readtp(sim: Sim, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(sim.dir / "bin" / "cta-readtp"), *args], capture_output=True, text=True, check=False, timeout=300
    )


def test_disk_read_failure_leaves_a_placeholder_and_a_failed_request(sim: Sim, tmp_path: Path) -> None:
    """taped/session/TapeWriteTask.cpp: when the disk read of a file fails before its first block,
    the placeholder 'This file intentionally left blank: leaving placeholder after failing to read
    from disk.' is written, the fSeq is consumed (TAPE.LAST_FSEQ), no tape file is recorded and the
    job fails (MigrationReportPacker::ReportSkipped → transferFailed, shown by failedrequest ls with
    the request's path, FailedRequestLsResponseStream.cpp). Tape verification takes the placeholder
    as expected; the other files still verify, read, retrieve and repack."""
    out = archive(sim, "--count", "3", "--size", "300000", "--path", "/eos/drf/f{n}")
    a, b, c = ids_of(out)
    sim.ok("sim", "fault", sim.dir, "disk-read-fail", "--archive-id", str(b))
    report = sim.ok("sim", "run", sim.dir)
    assert report["files_archived"] == 2
    assert report["errors"] == []
    tape = sim.ls("ta", "ls", "-v", "V00001")[0]
    assert (tape["lastFseq"], tape["nbMasterFiles"]) == ("3", "2")
    files = tape_files(sim)
    assert [(int(str(f["af"]["archiveId"])), f["tf"]["fSeq"]) for f in files] == [(a, "1"), (c, "3")]  # type: ignore[index]
    failed = sim.ls("fr", "ls", "--log")
    assert len(failed) == 1
    fr = failed[0]
    assert fr["requestType"] == "ARCHIVE_REQUEST"
    assert fr["af"]["archiveId"] == str(b)  # type: ignore[index]
    assert fr["af"]["df"]["path"] == "/eos/drf/f2"  # type: ignore[index]
    assert fr["af"]["size"] == "300000"  # type: ignore[index]
    assert fr["tapepool"] == "ctaops_user"
    assert "for reading (injected fault)" in fr["failurelogs"][0]  # type: ignore[index]

    # ctaops tape verify against the catalogue: 2 ok, 1 placeholder, exit 0
    r = subprocess.run(
        [
            sim.exe,
            "tape",
            "verify",
            "--image",
            str(sim.dir / "tapes" / "V00001.tap"),
            "--vid",
            "V00001",
            "--cta",
            "-C",
            str(sim.dir / "cta-ops-config.yaml"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    verified = json.loads(r.stdout)
    assert [f["status"] for f in verified["files"]] == ["ok", "placeholder", "ok"]
    assert verified["files"][1]["detail"] == "placeholder for a disk read failure"

    # cta-readtp skips the fSeq without a catalogue entry (tools/cta-readtp/ReadtpCmd.cpp)
    r = readtp(sim, "V00001", "1-3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("Read file from tape successfully") == 2
    assert 'nbFailedReads="0"' in r.stdout
    # cta-verify-file and a user retrieve of the others
    verify_file = sim.dir / "bin" / "cta-verify-file"
    r = subprocess.run([verify_file, "-v", "V00001", "-I", f"{a},{c}"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    dest = tmp_path / "back"
    sim.ok("sim", "retrieve", sim.dir, "--id", f"{a},{c}", "--dest", dest)
    assert sim.ok("sim", "run", sim.dir)["files_retrieved"] == 2
    assert sorted(p.name for p in dest.iterdir()) == sorted([str(a), str(c)])
    # repack moves the two files
    for args in (["-f", "true"], ["-s", "REPACKING", "-r", "migration"]):
        admin_ok(sim, "ta", "ch", "-v", "V00001", *args)
    admin_ok(sim, "re", "add", "-v", "V00001", "-u", "repack")
    assert sim.ok("sim", "run", sim.dir)["repacks_completed"] == 1
    assert sim.ls("re", "ls", "-v", "V00001")[0]["status"] == "Complete"
    assert tape_files(sim) == []

    # a deleted file's failed request is cancelled too (Scheduler::deleteArchive)
    d = sim.ok("sim", "delete", sim.dir, "--path", "/eos/drf/f2")
    assert (d["cancelledRequests"], d["recycledCopies"]) == (1, 0)
    assert sim.ls("fr", "ls") == []


def test_disk_read_fail_by_path_and_bad_targets(sim: Sim) -> None:
    """The fault names a file by path or archive ID; unknown ones are refused, nothing is set."""
    out = archive(sim, "--count", "2", "--size", "1000", "--path", "/eos/p/f{n}")
    sim.ok("sim", "fault", sim.dir, "disk-read-fail", "--path", "/eos/p/f1")
    for args, msg in [
        (["--archive-id", "424242"], "No file with archive file ID 424242"),
        (["--path", "/eos/nope"], "/eos/nope: no such file on any disk instance"),
    ]:
        r = sim.run("sim", "fault", sim.dir, "disk-read-fail", *args)
        assert r.returncode == 2, r.stderr
        assert msg in r.stderr
    sim.ok("sim", "run", sim.dir)
    assert [int(str(f["af"]["archiveId"])) for f in tape_files(sim)] == [ids_of(out)[1]]  # type: ignore[index]
    assert sim.ls("ta", "ls", "-v", "V00001")[0]["lastFseq"] == "2"
    # cleared faults stop failing
    sim.ok("sim", "fault", sim.dir, "clear")
    out = archive(sim, "--count", "1", "--size", "1000", "--path", "/eos/p/g")
    sim.ok("sim", "run", sim.dir)
    assert len(tape_files(sim)) == 2
